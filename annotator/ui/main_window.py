"""The main window: layout, menus and wiring (the behaviour is in :mod:`workspace`).

Stable for other features: ``project``, ``undo_stack``, ``controller`` (the one
change bus: :class:`~annotator.ui.undo.UndoController`), ``article_view``,
``current_doc_id``, ``annotator``, ``workspace``, ``menus`` (name -> QMenu:
"File", "Edit", "View", "Document", "Review", "Help") and the ``projectChanged``
signal (emitted before the previous project is closed).
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6 import QtWidgets  # for classes used after the first paint (their types are made on first use)
from PySide6.QtCore import QEvent, QObject, QSettings, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QKeyEvent, QKeySequence, QResizeEvent, QShowEvent, QUndoStack
from PySide6.QtWidgets import (
    QComboBox,
    QDockWidget,
    QHBoxLayout,
    QMainWindow,
    QMenu,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from annotator.core.commands import Changes
from annotator.core.kinds import DocStatus
from annotator.core.store import PROJECT_SUFFIX, Project, ProjectError
from annotator.ui import basic
from annotator.ui.actions import action_keys, escape_mnemonic, make_action, plain_action_text, plain_tooltip
from annotator.ui.annotation_panel import AnnotationPanel
from annotator.ui.article_view import ArticleView
from annotator.ui.doc_list import FINISHED, STATUS_TEXT, DocumentList, document_title, status_icon
from annotator.ui.index_catch_up import IndexCatchUp
from annotator.ui.lazy import (  # their modules: after first paint
    LazyModule,
    after_first_paint,
    install_check_action,
    install_coref_actions,
    install_export_action,
    install_review_actions,
    install_suggestions_action,
    install_team_actions,
    install_train_action,
)
from annotator.ui.palette import LabelPalette, PaletteScrollArea
from annotator.ui.settings import open_settings
from annotator.ui.undo import UndoController, any_document
from annotator.ui.workspace import COMMAND_KEYS, TEXT_KEYS, Workspace

if TYPE_CHECKING:  # loaded after the first paint (ui/lazy.py)
    from PySide6.QtWidgets import QDialog, QMessageBox, QUndoView

    from annotator.formats import InputError
    from annotator.services.importing import ImportReport
    from annotator.ui import dialogs
    from annotator.ui.agreement_dialog import AgreementDialog
    from annotator.ui.check_dialog import CheckDialog
    from annotator.ui.export_dialog import ExportDialog
    from annotator.ui.inspector import Inspector
    from annotator.ui.review_window import ReviewWindow
    from annotator.ui.team_dialogs import HandOutDialog, ProgressDialog
else:  # message boxes, the name prompt, reports: loaded when one is shown
    dialogs = LazyModule("annotator.ui.dialogs")

log = logging.getLogger(__name__)

#: Bump when docks are added or renamed: stored layouts of older versions are ignored.
LAYOUT_VERSION = 1
#: The text's share of the window's width: when the window gets smaller, the side
#: panes give way (down to their least width) so that the text keeps this much.
TEXT_SHARE = 0.52
#: The side columns: (share of the window's width in the first layout, least, most)
#: in pixels. Giving way stops at the least; the user may still drag a column narrower.
SIDE_COLUMNS = {
    Qt.DockWidgetArea.LeftDockWidgetArea: (0.21, 210, 300),
    Qt.DockWidgetArea.RightDockWidgetArea: (0.25, 240, 400),
}
#: Height the document list keeps above the label palette; where it cannot (a
#: short screen), the first layout makes the two tabs, Labels in front.
DOC_LIST_HEIGHT = 170
#: Dragging a side pane wider stops when the text is this narrow (pixels).
TEXT_MIN_WIDTH = 360
#: The first window's size, at most (it is made smaller to fit the screen).
FIRST_SIZE = (1400, 900)
MENU_NAMES = ("File", "Edit", "View", "Document", "Review", "Team", "Help")
PROJECT_FILTER = f"Annotator projects (*{PROJECT_SUFFIX});;All files (*)"
IMPORT_FILTER = (
    "Importable files (*.txt *.text *.html *.htm *.xhtml *.jsonl *.json *.ndjson *.ann *.tsv *.conll *.iob *.bio);;All files (*)"
)


class MainWindow(QMainWindow):
    #: Another project was opened (or None): widgets holding the old one let go of it.
    projectChanged = Signal(object)

    def __init__(self, project: Project | None, annotator: str, settings: QSettings | None = None, *, defer_load: bool = False):
        """``defer_load`` (the app's start): show the current document's text
        only, and read the schema and the annotations in :meth:`finish_loading`,
        right after the window's first paint (any key or click before that
        calls it first)."""
        super().__init__()
        self.settings = settings if settings is not None else open_settings()
        self.setWindowTitle("annotator")
        self.undo_stack = QUndoStack(self)
        self.controller = UndoController(self.undo_stack, self)
        self.menus: dict[str, QMenu] = {}
        #: the search index catching up in idle moments after loading or an import
        self.index_catch_up = IndexCatchUp(self, lambda: self.workspace.project)
        # Windows and dialogs opened from the menus (None until first opened).
        self.review_window: ReviewWindow | None = None
        self.agreement_dialog: AgreementDialog | None = None
        self.check_dialog: CheckDialog | None = None
        self.export_dialog: ExportDialog | None = None
        self.shortcuts_dialog: dialogs.ShortcutsDialog | None = None
        self.last_import_dialog: dialogs.ReportDialog | None = None
        self.labels_box: QMessageBox | None = None
        self.annotate_all_dialog: QDialog | None = None
        self.search_pane: Any = None
        #: The document labels bar under the header (ui/doc_labels_bar.py), made
        #: after the first paint when the schema has document categories.
        self.doc_labels_bar: Any = None
        #: Help > Guidelines (F1), made on first use.
        self.guidelines_pane: Any = None
        self.search_dock: QDockWidget | None = None
        self.coref_menu: QMenu | None = None
        #: The entities pane and its dock, the registry popup and browser (ui/entities_pane.py).
        self.entities_pane: Any = None
        self.entities_dock: QDockWidget | None = None
        self.registry_popup: Any = None
        self.registry_dialog: Any = None
        self.review_clusters_dialog: Any = None
        #: The encoding each file or folder was last imported with (None: UTF-8).
        self._import_encodings: dict[str, str | None] = {}
        self.encoding_dialog: dialogs.EncodingDialog | None = None
        self.last_merge_dialog: dialogs.ReportDialog | None = None
        # Team menu (annotator.ui.team_dialogs)
        self.hand_out_dialog: HandOutDialog | None = None
        self.hand_out_report: dialogs.ReportDialog | None = None
        self.collect_report_dialog: dialogs.ReportDialog | None = None
        self.progress_dialog: ProgressDialog | None = None
        self.article_view = ArticleView()
        self.article_view.setTabChangesFocus(True)
        self.workspace = Workspace(self.article_view, self.controller, self)
        self._build_widgets()
        self.menus.update({name: self.menuBar().addMenu(f"&{name}") for name in MENU_NAMES})
        self._build_actions()
        self._wire()
        self._restore_layout()
        self._load_gate: _LoadOnInput | None = None
        if defer_load:
            self.workspace.loaded = False
            after_first_paint(self, self, self.finish_loading)
        else:
            self._build_late_panes()
        self.set_project(project, annotator)
        if defer_load:  # (once every widget of the first paint is made)
            # The text has the focus when the window first shows (the gate watches it).
            self.article_view.setFocus()
            self._load_gate = _LoadOnInput(self)

    # -- stable attributes ------------------------------------------------------------
    @property
    def project(self) -> Project | None:
        return self.workspace.project

    @property
    def current_doc_id(self) -> str | None:
        return self.workspace.doc_id

    @property
    def annotator(self) -> str:
        return self.workspace.annotator

    # -- layout ---------------------------------------------------------------------
    def _dock(self, title: str, name: str, widget: QWidget, area: Qt.DockWidgetArea) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(name)
        dock.setWidget(widget)
        self.addDockWidget(area, dock)
        return dock

    def _build_widgets(self) -> None:
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        header = QWidget()
        header.setObjectName("documentHeader")
        row = QHBoxLayout(header)
        row.setContentsMargins(10, 6, 10, 6)
        self.title_label = basic.ElidedLabel()
        self.title_label.setStyleSheet("font-size: 13pt; font-weight: 600;")
        self.position_label = basic.plain_label()
        self.position_label.setStyleSheet("color: palette(mid);")
        self.status_combo = QComboBox()
        self.status_combo.setToolTip(plain_tooltip("Document status (done: Ctrl+D)"))
        for value, text in STATUS_TEXT.items():
            self.status_combo.addItem(status_icon(value), text, value)
        self.done_button = QPushButton("Mark &done")
        self.done_button.setToolTip(plain_tooltip("Mark this document done (Ctrl+D)"))
        row.addWidget(self.title_label, 1)
        row.addWidget(self.position_label)
        row.addWidget(self.status_combo)
        row.addWidget(self.done_button)
        layout.addWidget(header)
        # Pick-mode instructions: in a strip under the text (the text's viewport
        # ends above it), so they never hide a line (see _place_banner).
        self.mode_banner = basic.plain_label(wrap=True, parent=self.article_view)
        self.mode_banner.setStyleSheet(
            "background: #fff3c4; color: #5d4200; padding: 6px 10px; border: 1px solid #e6c75c; border-radius: 4px;"
        )
        self.mode_banner.hide()
        self.article_view.installEventFilter(self)
        self.article_view.setMinimumWidth(TEXT_MIN_WIDTH)
        layout.addWidget(self.article_view, 1)
        self.setCentralWidget(central)

        self.doc_list = DocumentList()
        self.palette_widget = LabelPalette()
        palette_scroll = PaletteScrollArea(self.palette_widget)
        self.panel = AnnotationPanel()
        # The inspector and the undo history: stand-ins until the window has
        # loaded (see _build_late_panes: not part of the first paint).
        self._inspector: Inspector | None = None
        self._undo_view: QUndoView | None = None
        self.docks = {
            "documents": self._dock("Documents", "documentsDock", self.doc_list, Qt.DockWidgetArea.LeftDockWidgetArea),
            "labels": self._dock("Labels", "labelsDock", palette_scroll, Qt.DockWidgetArea.LeftDockWidgetArea),
            "annotations": self._dock("Annotations", "annotationsDock", self.panel, Qt.DockWidgetArea.RightDockWidgetArea),
            "inspector": self._dock(
                "Inspector", "inspectorDock", _PaneStandIn(INSPECTOR_SIZE, INSPECTOR_HINT), Qt.DockWidgetArea.RightDockWidgetArea
            ),
            "history": self._dock("Undo history", "historyDock", _PaneStandIn(), Qt.DockWidgetArea.RightDockWidgetArea),
        }
        self.tabifyDockWidget(self.docks["inspector"], self.docks["history"])
        self.docks["inspector"].raise_()
        #: Docks hidden by View > Text only (shown again when it is turned off).
        self._hidden_for_text: list[str] = []
        #: The first layout decides whether the palette fits under the document list
        #: (else they become tabs) once the palette has its labels.
        self._arrange_labels_pending = False
        self._fit_timer = QTimer(self)
        self._fit_timer.setSingleShot(True)
        self._fit_timer.setInterval(0)
        self._fit_timer.timeout.connect(self._fit_palette)

        bar = self.statusBar()
        self.selection_label = basic.plain_label()
        self.annotator_label = basic.plain_label()
        self.doc_status_label = basic.plain_label()
        self.progress_label = basic.plain_label()
        for w in (self.selection_label, self.annotator_label, self.doc_status_label, self.progress_label):
            w.setContentsMargins(8, 0, 8, 0)
            bar.addPermanentWidget(w)

    def _build_actions(self) -> None:
        ws, m = self.workspace, self.menus
        a = make_action
        f = m["File"]
        f.addAction(a(self, "&Open project…", self.choose_project, shortcut=QKeySequence.StandardKey.Open))
        f.addAction(a(self, "&New project…", self.new_project, shortcut="Ctrl+Shift+N"))
        f.addAction(a(self, "&Import files…", self.import_files, shortcut="Ctrl+I"))
        install_export_action(self)  # File > Export… (Ctrl+E)
        f.addSeparator()
        f.addAction(a(self, "Change &annotator name…", self.change_annotator))
        f.addSeparator()
        f.addAction(a(self, "&Quit", self.close, shortcut=QKeySequence.StandardKey.Quit))

        e = m["Edit"]
        # Always enabled: with nothing to undo, Ctrl+Z says so in the status bar.
        undo = a(self, "&Undo", self.controller.undo, shortcut=QKeySequence.StandardKey.Undo)
        redo = a(self, "&Redo", self.controller.redo, shortcut=["Ctrl+Shift+Z", "Ctrl+Y"])
        self.undo_stack.undoTextChanged.connect(lambda text: undo.setText(_step_text("&Undo", text)))
        self.undo_stack.redoTextChanged.connect(lambda text: redo.setText(_step_text("&Redo", text)))
        self.undo_action, self.redo_action = undo, redo
        e.addActions([undo, redo])
        e.addSeparator()
        e.addAction(a(self, "&Delete annotation", ws.delete_selected, hint="Del"))
        e.addAction(a(self, "Change &label…", self.focus_label, shortcut="F2"))
        e.addAction(a(self, "Add a&rgument…", ws.add_argument, hint="Shift+A"))
        e.addAction(a(self, "Pick &claimant", ws.pick_claimant, hint="Shift+K"))
        e.addAction(a(self, "Add r&elation…", ws.add_relation, hint="Shift+R"))
        e.addAction(
            a(
                self,
                "Lin&k to knowledge base…",
                self.focus_kb_link,
                shortcut="Ctrl+L",
                tooltip="Link the selected entity to a knowledge-base entry: type, Up/Down, Enter",
            )
        )
        e.addAction(
            a(
                self,
                "Annotate &all like this…",
                self.annotate_all,
                shortcut="Ctrl+Shift+L",
                tooltip="Label every other occurrence of the selected span's text the same way, in one step",
            )
        )
        e.addAction(
            a(
                self,
                "Add selection as &fragment",
                ws.add_fragment,
                shortcut="Ctrl+Shift+G",
                tooltip="Add the selected text to the selected span as one more piece (a discontinuous span); or Ctrl+drag",
            )
        )
        e.addAction(a(self, "Remove current fragment", ws.remove_fragment, hint="Shift+Del"))
        e.addAction(a(self, "Cancel picking", ws.cancel_pick, hint="Esc"))
        e.addSeparator()
        coref = e.addMenu("C&oreference")
        self.coref_menu = coref
        coref.addAction(
            a(
                self,
                "&Attach mention to the current cluster",
                ws.attach_to_cluster,
                shortcut="Ctrl+K",
                tooltip="The selected mention joins the current cluster (the cluster of the mention selected before)",
            )
        )
        coref.addAction(a(self, "Start a &new cluster with the mention", ws.new_cluster_from_selection, shortcut="Ctrl+Shift+K"))
        coref.addAction(a(self, "&Detach mention from its cluster", ws.detach_from_cluster, shortcut="Ctrl+Alt+K"))
        coref.addAction(
            a(
                self,
                "&Merge the current cluster into the one before",
                ws.merge_current,
                shortcut="Ctrl+Shift+M",
                tooltip="Select a mention of one cluster, then one of another: the second cluster merges into the first",
            )
        )
        e.addSeparator()
        bounds = e.addMenu("&Boundaries")
        for text, which, delta, key in (
            ("Move start left", "start", -1, "Alt+Left"),
            ("Move start right", "start", 1, "Alt+Right"),
            ("Move end left", "end", -1, "Alt+Shift+Left"),
            ("Move end right", "end", 1, "Alt+Shift+Right"),
        ):
            bounds.addAction(a(self, text, lambda w=which, d=delta: ws.adjust_boundary(w, d), hint=key))
        e.addSeparator()
        e.addAction(
            a(self, "&Find in this document", lambda: self.show_search("document"), shortcut=QKeySequence.StandardKey.Find)
        )
        e.addAction(a(self, "&Search the corpus", lambda: self.show_search("corpus"), shortcut="Ctrl+Shift+F"))
        e.addAction(a(self, "Find &document (titles and texts)", self.focus_search, shortcut="Ctrl+Alt+F"))

        v = m["View"]
        self.snap_action = a(
            self,
            "&Snap selection to words",
            self.set_word_snapping,
            checkable=True,
            checked=self.settings.value("view/word_snapping", True, type=bool),
        )
        v.addAction(self.snap_action)
        v.addSeparator()
        v.addAction(a(self, "Zoom &in", self.article_view.zoom_in, shortcut=["Ctrl++", "Ctrl+="]))
        v.addAction(a(self, "Zoom &out", self.article_view.zoom_out, shortcut="Ctrl+-"))
        v.addAction(a(self, "&Reset zoom", self.article_view.zoom_reset, shortcut="Ctrl+0"))
        v.addSeparator()
        for i, (name, widget) in enumerate(
            (
                ("documents", lambda: self.doc_list.table),
                ("text", lambda: self.article_view),
                ("annotations", lambda: self.panel.table),
                ("inspector", lambda: self.inspector),  # (made when the window has loaded)
            )
        ):
            v.addAction(a(self, f"Go to {name}", lambda w=widget: self._focus(w()), shortcut=f"Ctrl+{i + 1}"))
        v.addSeparator()
        self.text_only_action = a(
            self,
            "&Text only (hide the side panes)",
            self.set_text_only,
            shortcut="Ctrl+Shift+T",
            checkable=True,
            tooltip="Hide the side panes to give the text the whole window; again to bring them back",
        )
        v.addAction(self.text_only_action)
        self.chains_action = a(
            self,
            "Coreference &chains",
            self.set_chains_on,
            shortcut="Ctrl+Shift+H",
            checkable=True,
            checked=self.settings.value("view/coref_chains", False, type=bool),
            tooltip="Draw each coreference cluster's mentions in a colour of its own; the current cluster's are linked",
        )
        v.addAction(self.chains_action)
        for dock in self.docks.values():
            v.addAction(dock.toggleViewAction())

        d = m["Document"]
        d.addAction(a(self, "&Next unfinished document", self.next_unfinished, shortcut="Ctrl+N"))
        d.addAction(a(self, "Ne&xt document", lambda: self.doc_list.move(1), shortcut="Ctrl+PgDown"))
        d.addAction(a(self, "&Previous document", lambda: self.doc_list.move(-1), shortcut="Ctrl+PgUp"))
        d.addSeparator()
        d.addAction(a(self, "Mark &done", ws.mark_done, shortcut="Ctrl+D"))
        d.addAction(a(self, "Mark &in progress", lambda: ws.set_status(DocStatus.IN_PROGRESS)))
        d.addSeparator()
        install_suggestions_action(self)  # Document > Suggestions… (issue 17)

        review = m["Review"]
        review.menuAction().setVisible(False)  # shown once review tools add their actions
        review.installEventFilter(self)
        install_review_actions(self)  # Review > Review mode, Agreement; File > Import colleague's work
        install_check_action(self)  # Review > Consistency check…
        # View > Entities pane; Edit > Coreference > Entity registry…; Review > Coreference clusters…
        install_coref_actions(self)
        install_team_actions(self)  # Team > Hand out work…, Collect work…, Progress
        install_train_action(self)  # Suggestions > Train model…

        h = m["Help"]
        h.addAction(a(self, "&Guidelines", self.show_guidelines, shortcut="F1"))
        h.addAction(a(self, "&Keyboard shortcuts", self.show_shortcuts, shortcut="Shift+F1"))
        h.addAction(a(self, "&About annotator", lambda: dialogs.show_about(self)))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if watched is self.menus.get("Review") and event.type() == QEvent.Type.ActionAdded:
            self.menus["Review"].menuAction().setVisible(True)
        elif watched is self.article_view and event.type() == QEvent.Type.Resize:
            self._place_banner()
        return super().eventFilter(watched, event)

    def _wire(self) -> None:
        ws, view = self.workspace, self.article_view
        ws.install_keys(self.panel.table)
        self.doc_list.currentDocumentChanged.connect(ws.open_document)
        self.doc_list.documentActivated.connect(lambda _d: self._focus(view))
        ws.documentOpened.connect(self._document_opened)
        ws.docLabelsChanged.connect(self._update_doc_labels)
        ws.annotationsChanged.connect(self.panel.apply_changes)
        ws.selectionChanged.connect(self._selection_changed)
        # The change bus: the workspace follows it first (connected when it was made).
        self.controller.changed.connect(self.doc_list.apply_changes)
        self.controller.changed.connect(self._changes_applied)
        ws.modeChanged.connect(self._mode_changed)
        ws.message.connect(lambda text: self.statusBar().showMessage(text, 8000))
        self.controller.stepped.connect(lambda text: self.statusBar().showMessage(text, 8000))
        ws.warning.connect(lambda text: self.statusBar().showMessage(f"⚠ {text}", 15000))
        ws.clusterCreated.connect(self._cluster_created)
        self.panel.annotationSelected.connect(lambda i: ws.select_annotation(i, reveal=True))
        self.panel.annotationActivated.connect(lambda _i: self.focus_label())
        view.annotationActivated.connect(self._annotation_activated)
        view.spanSelectionChanged.connect(self._span_selection_changed)
        self.palette_widget.labelChosen.connect(self._palette_clicked)
        self.palette_widget.autoRequested.connect(self.set_auto_annotate)
        self.palette_widget.guidelinesRequested.connect(lambda k, n: self.show_guidelines(k, n, gold=True))
        ws.notesChanged.connect(self._show_notes)
        self.status_combo.activated.connect(self._status_chosen)
        self.done_button.clicked.connect(ws.mark_done)

    # -- panes made after the first paint ---------------------------------------------
    @property
    def inspector(self) -> Inspector:
        """The inspector (made when the window has loaded, or on first use)."""
        if self._inspector is None:
            self._build_late_panes()
        assert self._inspector is not None
        return self._inspector

    @property
    def undo_view(self) -> QUndoView:
        """The Undo history pane's list (made with the inspector)."""
        if self._undo_view is None:
            self._build_late_panes()
        assert self._undo_view is not None
        return self._undo_view

    def _build_late_panes(self) -> None:
        """Put the inspector and the undo history in their docks, in place of
        their stand-ins: at once for a window that loads at once, else when it
        loads (:meth:`finish_loading`). The first paint shows neither: the
        inspector has nothing to edit before the annotations are loaded, and
        neither is needed to show the text (benchmarks/RESULTS.md, case 8)."""
        if self._inspector is not None:
            return
        from annotator.ui.inspector import Inspector

        ws = self.workspace
        ins = self._inspector = Inspector()
        self._undo_view = QtWidgets.QUndoView(self.undo_stack)
        self._undo_view.setEmptyLabel("(nothing done yet)")
        for name, widget in (("inspector", ins), ("history", self._undo_view)):
            dock = self.docks[name]
            stand_in = dock.widget()
            dock.setWidget(widget)
            if stand_in is not None:
                stand_in.hide()
                stand_in.deleteLater()
            widget.show()  # (a dock shown already does not show a widget set later)
        ins.set_kb_project(self.project)
        ins.labelChangeRequested.connect(ws.change_label)
        ins.addArgumentRequested.connect(lambda role: ws.add_argument(role or None))
        ins.removeArgumentRequested.connect(ws.remove_argument)
        ins.pickClaimantRequested.connect(ws.pick_claimant)
        ins.claimantTextChanged.connect(ws.set_claimant_text)
        ins.attributeChanged.connect(ws.set_claim_attribute)
        ins.annotationRequested.connect(lambda i: ws.select_annotation(i, reveal=True))
        ins.deleteRequested.connect(ws.delete_selected)
        ins.noteEdited.connect(ws.set_note)
        ins.removeFragmentRequested.connect(ws.remove_fragment)
        ins.linkRequested.connect(ws.link_entity)
        ins.unlinkRequested.connect(ws.unlink_entity)
        ins.kbMessage.connect(lambda text: self.statusBar().showMessage(text, 8000))
        # What it would show had it been there all along (documentOpened, selectionChanged).
        ins.set_context(ws.text, ws.anns, ws.schema)
        ins.show_annotation(ws.selected())
        self._show_notes()

    # -- project -------------------------------------------------------------------
    def set_project(self, project: Project | None, annotator: str) -> None:
        """Show ``project`` (the previous one is closed) as ``annotator``."""
        old = self.workspace.project
        if self.search_pane is not None and project is not old:
            self.search_pane.stop(clear=True)  # its hits are of the other project
        if self.review_window is not None and project is not old:
            self.review_window.review.detach()  # it closes when next activated (stale)
        self.workspace.set_project(project, annotator)
        if self._inspector is not None:  # else it is given the project when made
            self._inspector.set_kb_project(project)
        self.palette_widget.set_schema(self.workspace.schema)  # None until loaded
        self._mark_auto_labels()
        self._fit_timer.start()
        self.doc_list.set_project(project, annotator, labels=self.workspace.loaded)
        self.projectChanged.emit(project)
        if old is not None and old is not project:
            old.close()
        self.setWindowTitle(f"{project.path.name} — annotator" if project is not None else "annotator")
        self.article_view.set_word_snapping(self.snap_action.isChecked())
        if self.chains_action.isChecked() != self.workspace.chains_on:
            self.workspace.set_chains_on(self.chains_action.isChecked())
        self._update_status_bar()
        if project is None:
            return
        if self.workspace.loaded:  # else finish_loading() starts it
            self.index_catch_up.kick()
        last = self.settings.value(self._last_doc_key(), "", type=str)
        target = last if last and self.doc_list.model.row_of(last) >= 0 else self.doc_list.model.doc_id(0)
        if target:
            self.open_document(target)
            if not self.workspace.loaded:  # its text only, until finish_loading()
                self.doc_list.select_document(target)
                self._update_header()
                self._update_status_bar(counts=False)

    def finish_loading(self) -> None:
        """Read the schema and open the current document with its annotations
        (with ``defer_load``, the first paint showed its text only)."""
        if self._load_gate is not None:
            self._load_gate.remove()
            self._load_gate = None
        if self.workspace.loaded:
            return
        self._build_late_panes()
        self.workspace.finish_loading()  # documentOpened: panel, inspector, header
        self.palette_widget.set_schema(self.workspace.schema)
        self._mark_auto_labels()
        self._fit_timer.start()
        self.doc_list.set_labels(self.workspace.schema)
        self.index_catch_up.kick()

    def open_document(self, doc_id: str) -> bool:
        return self.workspace.open_document(doc_id)

    def _last_doc_key(self) -> str:
        path = str(self.project.path.resolve()) if self.project is not None else ""
        return "lastDocument/" + _sha1_hex(path.encode("utf-8"))[:16]

    def choose_project(self) -> None:
        start = str(self.project.path.parent) if self.project is not None else ""
        path, _ = QtWidgets.QFileDialog.getOpenFileName(self, "Open project", start, PROJECT_FILTER)
        if path:
            self.open_project_file(Path(path), create=False)

    def new_project(self) -> None:
        start = str(self.project.path.parent) if self.project is not None else ""
        path, _ = QtWidgets.QFileDialog.getSaveFileName(self, "New project", start, PROJECT_FILTER)
        if not path:
            return
        target = Path(path)
        if target.suffix != PROJECT_SUFFIX:
            target = target.with_name(target.name + PROJECT_SUFFIX)
        if target.exists() and target.stat().st_size > 0:
            dialogs.show_error(self, "New project", f"{target} exists already; choose another name or open it.")
            return
        self.open_project_file(target, create=True)

    def open_project_file(self, path: Path, *, create: bool) -> bool:
        try:
            project = Project(path, create=create)
        except ProjectError as err:
            dialogs.show_error(self, "Cannot open the project", str(err))
            return False
        handed_to = project.package_annotator()
        own = str(self.settings.value("annotator/name", "", type=str) or "") or self.annotator
        self.set_project(project, handed_to or own)
        if handed_to:  # a work package: annotate as the one it was handed out to
            self.statusBar().showMessage(f"Opened {path}: a work package for {handed_to}; annotating as {handed_to}", 8000)
            return True
        self.statusBar().showMessage(f"Opened {path}", 8000)
        return True

    def import_files(self) -> None:
        if self.project is None:
            return
        paths, _ = QtWidgets.QFileDialog.getOpenFileNames(self, "Import files", "", IMPORT_FILTER)
        if paths:
            self.import_paths([Path(p) for p in paths])

    def import_paths(self, paths: list[Path]) -> None:
        """Import files through the services' importer and show its report (plain
        text). Files that are not valid UTF-8 text are offered again with an
        encoding to choose (:class:`~annotator.ui.dialogs.EncodingDialog`, the
        likely one preselected); cancelling leaves them out."""
        from annotator.services.importing import guess_encoding

        report = self._import(paths)
        if report is None:
            return
        retry = report.undecodable
        if not retry:
            self._import_done(report)
            return
        files = []
        for f in retry:
            err = next(e for e in f.errors if e.undecodable)
            files.append((f.path, err.file, err.message))
        guess = guess_encoding(files[0][1])
        dialog = self.encoding_dialog = dialogs.EncodingDialog(files, guess, self)
        dialog.accepted.connect(lambda: self._import_again(report, dialog.encoding()))
        dialog.rejected.connect(lambda: self._import_done(report, declined=True))
        dialog.open()

    def _import(self, paths: list[Path], encoding: str | None = None, *, add_labels: bool = False) -> ImportReport | None:
        from annotator.services.importing import import_paths

        if self.project is None:
            return None
        self._import_encodings.update({str(p): encoding for p in paths})
        try:
            return import_paths(self.project, paths, encoding=encoding, add_labels=add_labels)
        except (ProjectError, ValueError) as err:
            dialogs.show_error(self, "Import", str(err))
            return None

    def _import_again(self, report: ImportReport, encoding: str) -> None:
        """Import the files of ``report`` that were not valid text, with ``encoding``."""
        retry = {id(f) for f in report.undecodable}
        again = self._import([Path(f.path) for f in report.undecodable], encoding)
        if again is not None:
            redone = {f.path: f for f in again.files}
            report.files = [redone.get(f.path, f) if id(f) in retry else f for f in report.files]
        self._import_done(report)

    def _import_done(self, report: ImportReport, *, declined: bool = False) -> None:
        """Show what an import did (the files not valid text were left out when
        ``declined``); first offer to add the labels the schema lacks when files
        were refused for them alone."""
        unknown = report.unknown_label_files
        if unknown and not getattr(report, "labels_asked", False):
            report.labels_asked = True  # type: ignore[attr-defined]
            names = sorted({n for f in unknown for n in f.unknown_labels})
            shown = ", ".join(names[:12]) + (f" and {len(names) - 12} more" if len(names) > 12 else "")
            files = ", ".join(Path(f.path).name for f in unknown[:5]) + (" …" if len(unknown) > 5 else "")
            box = dialogs.message_box(
                self,
                QtWidgets.QMessageBox.Icon.Question,
                "Import: labels not in the schema",
                f"{len(unknown)} file{'s' if len(unknown) > 1 else ''} ({files}) use{'' if len(unknown) > 1 else 's'} "
                f"{len(names)} label{'s' if len(names) > 1 else ''} the project's schema does not have: {shown}.\n\n"
                f"Add {'them' if len(names) > 1 else 'it'} to the schema (grey, without a key: change that later in "
                f"the schema) and import {'these files' if len(unknown) > 1 else 'the file'}? Nothing of "
                f"{'them' if len(unknown) > 1 else 'it'} was imported yet.",
            )
            add = box.addButton("Add labels and import", QtWidgets.QMessageBox.ButtonRole.AcceptRole)
            box.setStandardButtons(QtWidgets.QMessageBox.StandardButton.NoButton)
            box.addButton("Leave these files out", QtWidgets.QMessageBox.ButtonRole.RejectRole)
            box.setDefaultButton(add)
            self.labels_box = box
            box.finished.connect(lambda _r: self._labels_answered(report, box.clickedButton() is add, declined))
            box.open()
            return
        self.controller.publish(any_document())
        self.index_catch_up.kick()
        if self.current_doc_id is None and self.doc_list.model.rowCount():
            self.open_document(self.doc_list.model.doc_id(0) or "")
        if declined and len(report.undecodable) == len(report.files):
            self.statusBar().showMessage("Import cancelled: nothing was imported.", 8000)
            return
        self.last_import_dialog = dialogs.ReportDialog("Import", report.summary(), import_report_text(report), self)
        self.last_import_dialog.open()

    def _labels_answered(self, report: ImportReport, add: bool, declined: bool) -> None:
        """Import the files refused for their labels again, adding the labels (``add``)."""
        if add:
            retry = {id(f) for f in report.unknown_label_files}
            by_encoding: dict[str | None, list[Path]] = {}
            for f in report.unknown_label_files:  # each with the encoding it was read with
                by_encoding.setdefault(self._encoding_of(f.path), []).append(Path(f.path))
            redone = {}
            for encoding, paths in by_encoding.items():
                again = self._import(paths, encoding, add_labels=True)
                redone.update({f.path: f for f in again.files} if again is not None else {})
            report.files = [redone.get(f.path, f) if id(f) in retry else f for f in report.files]
        self._import_done(report, declined=declined)

    def _encoding_of(self, path: str) -> str | None:
        """The encoding ``path`` was imported with (given itself, or a folder holding it)."""
        for given, encoding in self._import_encodings.items():
            if path == given or Path(path).is_relative_to(given):
                return encoding
        return None

    def _mark_auto_labels(self) -> None:
        if self.project is not None and self.palette_widget.chips:
            self.palette_widget.set_auto(self.project.auto_propagate_labels())

    def set_auto_annotate(self, label: str, on: bool) -> None:
        """Annotate all automatically in the document for ``label`` (its palette chip's menu)."""
        if self.project is None:
            return
        from annotator.services.propagate import PropagationError, set_auto_propagate

        try:
            set_auto_propagate(self.project, label, on)
        except (PropagationError, ProjectError) as err:
            self.statusBar().showMessage(str(err), 8000)
            return
        self.palette_widget.set_auto(self.project.auto_propagate_labels())
        self.statusBar().showMessage(
            f"A new {label} now also labels the other occurrences of its text in the document (one Ctrl+Z undoes those)."
            if on
            else f"A new {label} labels only itself again.",
            8000,
        )

    def annotate_all(self) -> None:
        """Edit > Annotate all like this… for the selected span annotation."""
        ann = self.workspace.selected()
        if self.project is None or ann is None or ann.start is None or ann.kind not in ("entity", "event", "claim"):
            self.statusBar().showMessage("Select an entity, event trigger or claim first: its text is what gets labelled.", 8000)
            return
        if ann.fragments is not None:
            self.statusBar().showMessage(
                "This annotation is in several pieces; annotate all labels one continuous text: select one piece's text.", 8000
            )
            return
        from annotator.ui.propagate_dialog import AnnotateAllDialog

        self.annotate_all_dialog = AnnotateAllDialog(self, ann)
        self.annotate_all_dialog.open()

    def change_annotator(self) -> None:
        known = self.project.annotators() if self.project is not None else []
        name = dialogs.ask_annotator_name(self, self.annotator, known)
        if name and name != self.annotator:
            self.set_annotator(name)

    def set_annotator(self, name: str) -> None:
        self.settings.setValue("annotator/name", name)
        self.workspace.set_annotator(name)
        self.doc_list.set_annotator(name)
        self._update_status_bar(counts=False)  # statuses are the documents', not the annotator's
        self.statusBar().showMessage(f"Now annotating as {name}.", 8000)

    # -- reactions ----------------------------------------------------------------
    def _document_opened(self, doc_id: str) -> None:
        ws = self.workspace
        self.doc_list.select_document(doc_id or None)
        self.panel.set_document(ws.text, ws.anns.values(), ws.schema)
        if self._inspector is not None:  # else made with this state (_build_late_panes)
            self._inspector.set_context(ws.text, ws.anns, ws.schema)
            self._inspector.show_annotation(None)
            self._show_notes()
        if doc_id:
            self.settings.setValue(self._last_doc_key(), doc_id)
        self._update_header()
        self._update_doc_labels()
        self._update_status_bar(counts=False)  # opening a document changes no status

    def _update_doc_labels(self) -> None:
        """The document labels bar: the schema's categories, the current document's
        labels pressed (made on first need: not part of the first paint)."""
        ws = self.workspace
        schema = ws.schema
        if self.doc_labels_bar is None:
            if schema is None or not (schema.categories or ws.doc_labels):
                return
            from annotator.ui.doc_labels_bar import DocLabelsBar

            self.doc_labels_bar = DocLabelsBar()
            self.doc_labels_bar.labelClicked.connect(self._doc_label_clicked)
            layout = self.centralWidget().layout()
            assert isinstance(layout, QVBoxLayout)
            layout.insertWidget(1, self.doc_labels_bar)  # under the title, above the text
        self.doc_labels_bar.set_state(schema, ws.doc_labels, ws.doc_id is not None)

    def _doc_label_clicked(self, category: str, label: str) -> None:
        self.workspace.press_doc_label(category, label)
        self.article_view.setFocus()

    def _selection_changed(self, ann_id: str | None) -> None:
        self.panel.select(ann_id)
        if self._inspector is None:  # made with this state (_build_late_panes)
            return
        self._inspector.set_context(self.workspace.text, self.workspace.anns, self.workspace.schema)
        self._inspector.show_annotation(self.workspace.selected())
        self._show_notes()

    def _show_notes(self) -> None:
        """The inspector's note editors: the selected annotation's notes and the open document's."""
        ws = self.workspace
        ann = ws.selected()
        if self._inspector is None:  # made with these notes (_build_late_panes)
            return
        self._inspector.set_notes(
            ws.doc_id is not None and ws.loaded, ws.notes_of(ann.id) if ann is not None else {}, ws.notes_of("")
        )

    def _changes_applied(self, changes: Changes) -> None:
        """The header and status bar after any change on the bus (the document
        list follows the bus itself)."""
        if changes.wholesale or changes.concerns(self.current_doc_id):
            self._update_header()
        # A status changes with its document's Changes (status) or wholesale (imports,
        # merges, the other documents of annotate all): else the progress stands.
        self._update_status_bar(counts=changes.status is not None or changes.wholesale)

    def _cluster_created(self, cluster_id: str) -> None:
        """A new cluster: the registry proposes entries whose names match its mentions."""
        if self.project is None or not self.project.registry_entries():
            return
        from annotator.ui.entities_pane import propose

        propose(self, cluster_id)

    def _mode_changed(self, text: str) -> None:
        self.mode_banner.setText(text)
        self.mode_banner.setVisible(bool(text))
        self._place_banner()
        if text:
            # The text above does not move, unless the span being worked on was
            # in the strip the banner now takes: then it scrolls into view.
            view = self.article_view
            view.set_selected_annotation(view.selected_annotation(), ensure_visible=True)
            view.setFocus()

    def _place_banner(self) -> None:
        """Put the banner in a strip under the text: the article view's viewport
        ends above it (viewport margins), so no line of text is ever under it."""
        view = self.article_view
        if self.mode_banner.isHidden():
            view.setViewportMargins(0, 0, 0, 0)
            return
        pad = 6
        width = max(min(view.width() - 4 * pad, 720), 120)
        height = self.mode_banner.heightForWidth(width)
        view.setViewportMargins(0, 0, 0, height + 2 * pad)
        area = view.viewport().geometry()
        self.mode_banner.setGeometry(area.x() + (area.width() - width) // 2, area.bottom() + 1 + pad, width, height)
        self.mode_banner.raise_()

    def _span_selection_changed(self, start: int, end: int) -> None:
        self.selection_label.setText(f"Selected {end - start} characters [{start}, {end})" if end > start else "")

    def _annotation_activated(self, ann_id: str) -> None:
        """Double-click or Enter on a span: select it and show the inspector (the
        focus stays in the text; F2 goes to its label)."""
        self.workspace.select_annotation(ann_id)
        self.docks["inspector"].show()
        self.docks["inspector"].raise_()

    def _status_chosen(self, _index: int) -> None:
        self.workspace.set_status(self.status_combo.currentData())
        self._update_header()  # a refused change (read-only file) shows the real status again

    def _palette_clicked(self, kind: str, label: str) -> None:
        self.workspace.press_label(kind, label)
        self.article_view.setFocus()

    def _update_header(self) -> None:
        doc = self.workspace.document
        self.status_combo.setEnabled(doc is not None)
        self.done_button.setEnabled(doc is not None)
        preview = self.workspace.preview if doc is None else None
        if preview is not None:  # the text only (first paint): title, place and status, disabled
            self.title_label.set_full_text(
                document_title({"id": preview.id, "title": preview.title, "external_id": preview.external_id})
            )
            row = self.doc_list.model.row_of(preview.id)
            self.position_label.setText(f"{row + 1} / {self.doc_list.model.rowCount()}" if row >= 0 else "")
            self.status_combo.setCurrentIndex(self.status_combo.findData(preview.status))
            return
        if doc is None:
            self.title_label.set_full_text("No document" if self.project is not None else "No project")
            self.position_label.setText("")
            return
        self.title_label.set_full_text(document_title(doc.model_dump(include={"id", "title", "external_id"})))
        row = self.doc_list.model.row_of(doc.id)
        self.position_label.setText(f"{row + 1} / {self.doc_list.model.rowCount()}" if row >= 0 else "")
        self.status_combo.setCurrentIndex(self.status_combo.findData(doc.status.value))
        self.done_button.setEnabled(doc.status != DocStatus.DONE)

    def _update_status_bar(self, *, counts: bool = True) -> None:
        """The status bar's annotator, document status and progress; ``counts=False``
        when no document's status can have changed: the progress is not counted
        again (a count of every document's status, 5-10 ms in a project of 100,000)."""
        self.annotator_label.setText(f"Annotator: {self.annotator}" if self.annotator else "")
        status = self.workspace.status
        self.doc_status_label.setText(f"Document: {STATUS_TEXT.get(status.value, status.value)}" if status else "")
        if self.project is None:
            self.progress_label.setText("")
            return
        if not counts and self.progress_label.text():
            return
        counts_now = self.project.status_counts()
        done, total = sum(counts_now.get(s, 0) for s in FINISHED), sum(counts_now.values())
        self.progress_label.setText(f"Done {done:,} of {total:,}")

    # -- commands ---------------------------------------------------------------------
    def next_unfinished(self) -> None:
        if self.doc_list.next_unfinished() is None:
            self.statusBar().showMessage("No unfinished documents in this list.", 8000)

    def set_chains_on(self, on: bool) -> None:
        """View > Coreference chains: one colour per cluster in the text (kept in the settings)."""
        self.workspace.set_chains_on(on)
        self.settings.setValue("view/coref_chains", on)

    def set_word_snapping(self, on: bool) -> None:
        self.article_view.set_word_snapping(on)
        self.settings.setValue("view/word_snapping", on)

    def focus_label(self) -> None:
        if self.workspace.selected() is None:
            return
        self.docks["inspector"].show()
        self.docks["inspector"].raise_()
        target = self.inspector.label_combo if self.inspector.label_combo.isVisible() else self.inspector
        target.setFocus()

    def focus_kb_link(self) -> None:
        """The inspector's knowledge-base link field, focused (an entity selected; issue 14)."""
        ann = self.workspace.selected()
        if ann is None or ann.kind != "entity":
            self.statusBar().showMessage("Select an entity to link it to a knowledge base.", 8000)
            return
        self.docks["inspector"].show()
        self.docks["inspector"].raise_()
        box = self.inspector.kb_box
        if box is not None:
            self.inspector.ensureWidgetVisible(box)
            (box.field if box.field.isEnabled() else box.load_button).setFocus()  # no knowledge base yet: load one

    def show_search(self, scope: str) -> None:
        """The search pane (made on first use, beside the document list), its query field focused."""
        if self.search_pane is None:
            from annotator.ui.search_pane import SearchPane

            self.search_pane = SearchPane(self)
            dock = QDockWidget("Search", self)
            dock.setObjectName("dock-search")
            dock.setWidget(self.search_pane)
            self.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, dock)
            self.tabifyDockWidget(self.docks["documents"], dock)
            self.search_dock = dock
        self.search_dock.show()
        self.search_dock.raise_()
        self.search_pane.focus(scope)

    def show_guidelines(self, kind: str = "", label: str = "", *, gold: bool = False) -> None:
        """The guidelines pane (made on first use, beside the inspector): every
        label, role and value with its guidelines; ``kind``/``label`` selects one
        (with its gold examples listed if ``gold``)."""
        if not self.workspace.loaded:
            self.finish_loading()
        if self.guidelines_pane is None:
            from annotator.ui.guidelines_pane import GuidelinesPane

            self.guidelines_pane = GuidelinesPane(self)
            dock = QDockWidget("Guidelines", self)
            dock.setObjectName("dock-guidelines")
            dock.setWidget(self.guidelines_pane)
            self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, dock)
            self.guidelines_dock = dock
            self.projectChanged.connect(lambda _p: self.guidelines_pane.set_schema(self.workspace.schema))
        if self.guidelines_pane.schema is not self.workspace.schema:
            self.guidelines_pane.set_schema(self.workspace.schema)
        self.guidelines_dock.show()
        self.guidelines_dock.raise_()
        if kind and self.guidelines_pane.select(kind, label):
            if gold:
                self.guidelines_pane.show_gold()
            return
        self.guidelines_pane.focus()

    def focus_search(self) -> None:
        self._focus(self.doc_list.search)
        self.doc_list.search.selectAll()

    def _focus(self, widget: QWidget) -> None:
        dock = next((d for d in self.docks.values() if d.isAncestorOf(widget)), None)
        if dock is not None:
            dock.show()
            dock.raise_()
        widget.setFocus()

    def shortcut_rows(self) -> list[tuple[str, str, str]]:
        """Every key of the window: menu actions, text keys and the schema's label keys."""
        rows: list[tuple[str, str, str]] = []
        for name, menu in self.menus.items():
            for action in _walk(menu):
                keys = action_keys(action)
                if keys:
                    # Undo/Redo name the next step in the menu; the list says what the keys do.
                    steps = {id(self.undo_action): "Undo the last step", id(self.redo_action): "Redo the step undone last"}
                    rows.append((name, keys, steps.get(id(action)) or plain_action_text(action)))
        rows += [("Text", keys, what) for keys, what in TEXT_KEYS if not any(keys == f"Shift+{k}" for k in COMMAND_KEYS)]
        schema = self.project.schema if self.project is not None else None
        if schema is not None:
            kinds = {"entity": "entity", "event": "event type", "claim": "claim", "relation": "relation"}
            for key, (kind, label) in schema.shortcuts().items():
                rows.append(("Labels", key, f"{'Claim' if kind == 'claim' else label} ({kinds[kind]})"))
            for key, (category, label) in schema.doc_label_keys().items():
                cat = schema.category(category)
                how = "any of" if cat is not None and cat.multi else "one of"
                rows.append(("Document labels", key, f"{label} ({category}, {how}): set or remove it for this document"))
        return rows

    def show_shortcuts(self) -> None:
        self.shortcuts_dialog = dialogs.ShortcutsDialog(self.shortcut_rows(), self)
        self.shortcuts_dialog.show()

    # -- layout ---------------------------------------------------------------------------
    def set_text_only(self, on: bool) -> None:
        """View > Text only: hide the side panes (on) or show again those it hid (off)."""
        if on:
            self._hidden_for_text = [name for name, dock in self.docks.items() if dock.isVisible() and not dock.isFloating()]
            for name in self._hidden_for_text:
                self.docks[name].hide()
            self.statusBar().showMessage("Side panes hidden: Ctrl+Shift+T brings them back.", 8000)
        else:
            for name in self._hidden_for_text or ["documents", "labels", "annotations", "inspector"]:
                self.docks[name].show()
            self._hidden_for_text = []
            self._fit_timer.start()

    def _docked(self, area: Qt.DockWidgetArea) -> list[QDockWidget]:
        return [d for d in self.docks.values() if d.isVisible() and not d.isFloating() and self.dockWidgetArea(d) == area]

    def _give_way(self) -> None:
        """Make the side columns narrower (not below their least width) until the
        text has its share of the window (TEXT_SHARE). They grow only back to their
        least width (after a very small window), and only while the text keeps its share."""
        if not self.isVisible():
            return
        excess = int(self.width() * TEXT_SHARE) - self.centralWidget().width()
        columns: list[tuple[QDockWidget, int, int]] = []  # (a dock of the column, width, its least width)
        for area, (_share, least, _most) in SIDE_COLUMNS.items():
            docks = self._docked(area)
            if docks:
                columns.append((docks[0], max(d.width() for d in docks), least))
        # Room each column has to give (excess > 0) or to take back (excess < 0).
        rooms = [max(w - least, 0) if excess > 0 else max(least - w, 0) for _, w, least in columns]
        room = sum(rooms)
        if excess and room:
            step = min(abs(excess), room)
            sign = -1 if excess > 0 else 1
            widths = [w + sign * round(step * r / room) for (_, w, _), r in zip(columns, rooms)]
            self.resizeDocks([d for d, _, _ in columns], widths, Qt.Orientation.Horizontal)
        self._fit_timer.start()

    def _fit_palette(self) -> None:
        """The Labels pane as tall as its labels need (no scroll bar), taken from
        the document list beside it, which keeps DOC_LIST_HEIGHT. In the first
        layout, where the list could not keep that, the two become tabs."""
        labels, docs, scroll = self.docks["labels"], self.docks["documents"], self.docks["labels"].widget()
        if not self.isVisible() or not self.palette_widget.chips or not labels.isVisible() or labels.isFloating():
            return
        self.layout().activate()  # dock sizes set a moment ago (resizeDocks) take effect first
        first, self._arrange_labels_pending = self._arrange_labels_pending, False
        area = scroll.contentsRect()  # the viewport's size without a scroll bar
        need = self.palette_widget.heightForWidth(area.width()) - area.height()
        stacked = (
            docs.isVisible()
            and not docs.isFloating()
            and self.dockWidgetArea(docs) == self.dockWidgetArea(labels)
            and docs not in self.tabifiedDockWidgets(labels)
        )
        if need <= 0 or not stacked:
            return
        room = docs.height() - DOC_LIST_HEIGHT
        if room >= need or not first:
            give = min(need, room)
            if give > 0:
                self.resizeDocks([docs, labels], [docs.height() - give, labels.height() + give], Qt.Orientation.Vertical)
        else:
            self.tabifyDockWidget(docs, labels)
            labels.raise_()

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802
        super().resizeEvent(event)
        self._give_way()

    # -- layout persistence -------------------------------------------------------------
    def _restore_layout(self) -> None:
        self._default_sizes_pending = False
        s = self.settings
        if s.value("window/version", 0, type=int) == LAYOUT_VERSION:
            geometry, state = s.value("window/geometry"), s.value("window/state")
            if geometry is not None:
                self.restoreGeometry(geometry)
            if state is not None:
                self.restoreState(state, LAYOUT_VERSION)
            hidden = [name for name in s.value("window/text_only", [], type=list) if name in self.docks]
            if hidden and all(self.docks[name].isHidden() for name in hidden):  # (the window is not shown yet)
                self._hidden_for_text = hidden
                self.text_only_action.blockSignals(True)
                self.text_only_action.setChecked(True)
                self.text_only_action.blockSignals(False)
        else:
            width, height = FIRST_SIZE
            screen = self.screen().availableGeometry() if self.screen() is not None else None
            if screen is not None:
                width, height = min(width, int(screen.width() * 0.92)), min(height, int(screen.height() * 0.92))
            self.resize(width, height)
            self.docks["history"].hide()
            self._default_sizes_pending = True

    def _default_dock_sizes(self) -> None:
        """The first layout: side columns by the window's width (SIDE_COLUMNS), the
        rest for the text; the palette as tall as its labels need."""
        d = self.docks
        widths = [min(max(int(self.width() * share), least), most) for share, least, most in SIDE_COLUMNS.values()]
        self.resizeDocks([d["documents"], d["annotations"]], widths, Qt.Orientation.Horizontal)
        self.resizeDocks([d["annotations"], d["inspector"]], [300, 500], Qt.Orientation.Vertical)
        self._arrange_labels_pending = True
        self._fit_timer.start()

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802
        super().showEvent(event)
        if self._load_gate is not None:
            self._load_gate.watch_native_window()
        if self._default_sizes_pending:
            self._default_sizes_pending = False
            QTimer.singleShot(0, self._default_dock_sizes)
        else:
            QTimer.singleShot(0, self._give_way)  # a stored layout from a larger window

    def save_layout(self) -> None:
        s = self.settings
        s.setValue("window/version", LAYOUT_VERSION)
        s.setValue("window/geometry", self.saveGeometry())
        s.setValue("window/state", self.saveState(LAYOUT_VERSION))
        s.setValue("window/text_only", self._hidden_for_text if self.text_only_action.isChecked() else [])
        s.sync()

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        """Keys no child took (focus on a button, a dock title...) act as in the text;
        fields that take typing (search box, combos, claimant name) never pass them on."""
        if not self.workspace.handle_key(event):
            super().keyPressEvent(event)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        if self._load_gate is not None:  # closed before it loaded: nothing to load
            self._load_gate.remove()
            self._load_gate = None
        self.doc_list.cancel_pending()
        if self.search_pane is not None:
            self.search_pane.stop()
        self.save_layout()
        super().closeEvent(event)


#: The inspector's first size and what it says with nothing selected: its stand-in
#: shows the same until the window has loaded (tests/ui/test_deferred_load.py
#: checks that they match the inspector's own).
INSPECTOR_SIZE = QSize(400, 420)
INSPECTOR_HINT = (
    "Select an annotation (click a span or a row) to edit it.\n\n"
    "To annotate: select text, then press a label's key or click it in the palette."
)


class _PaneStandIn(QWidget):
    """What a dock shows until its widget is made (``MainWindow._build_late_panes``):
    its size hint and a grey hint text, as the widget shows with nothing to edit."""

    def __init__(self, size: QSize | None = None, hint: str = ""):
        super().__init__()
        self._size = size
        if hint:
            layout = QVBoxLayout(self)
            layout.setContentsMargins(8, 6, 8, 6)
            label = basic.plain_label(hint, wrap=True)
            label.setStyleSheet("color: palette(mid);")
            layout.addWidget(label)
            layout.addStretch(1)

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt's name)
        return self._size if self._size is not None else super().sizeHint()


class _LoadOnInput(QObject):
    """Until the window has loaded (``defer_load``), the first key (shortcuts
    included), click or drop anywhere in the window (its menus included) first
    loads it (:meth:`MainWindow.finish_loading`): no input reaches a window that
    shows a document's text only.

    It watches the window's native window (``windowHandle()``, made by the first
    show), through which Qt passes every key, click and drop before it hands them
    to a widget, and the widget with the focus (the text: Qt first asks it
    whether a key is a shortcut, ``ShortcutOverride``, and a shortcut never comes
    as a key press).  Not the whole application: a filter written in Python on
    the application is handed every event of every object, and the first event
    of an object of one of Qt's internal classes (the text edit's text control)
    makes PySide build the Python type of every Qt class loaded, 40-60 ms before
    the first paint; nor every widget of the window (``findChildren``): PySide
    is then handed the widgets Qt made (scroll bars, buttons of docks and line
    edits) and builds the types of every subclass of theirs to find each one's
    class (benchmarks/RESULTS.md, case 8)."""

    EVENTS = frozenset(
        {
            QEvent.Type.ShortcutOverride,
            QEvent.Type.KeyPress,
            QEvent.Type.MouseButtonPress,
            QEvent.Type.MouseButtonDblClick,
            QEvent.Type.DragEnter,
            QEvent.Type.Drop,
        }
    )

    def __init__(self, window: MainWindow):
        super().__init__(window)
        self.main = window
        self.watched: list[QObject] = []
        for obj in (window, window.article_view):
            self._watch(obj)

    def _watch(self, obj: QObject | None) -> None:
        if obj is not None and obj not in self.watched:
            obj.installEventFilter(self)
            self.watched.append(obj)

    def watch_native_window(self) -> None:
        """On show: the native window (made by it) and the widget with the focus."""
        if self.watched:
            self._watch(self.main.windowHandle())
            self._watch(self.main.focusWidget())

    def remove(self) -> None:
        watched, self.watched = self.watched, []
        for obj in watched:
            try:
                obj.removeEventFilter(self)
            except RuntimeError:  # deleted meanwhile (Qt forgot the filter with it)
                pass

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        if self.watched and event.type() in self.EVENTS:
            self.main.finish_loading()
        return False


def _sha1_hex(data: bytes) -> str:
    """SHA-1 of ``data`` in hex, from CPython's own small module when it has one:
    ``hashlib`` loads OpenSSL (3-4 ms of the start; benchmarks/RESULTS.md, case 8)."""
    try:
        from _sha1 import sha1  # type: ignore[import-not-found]
    except ImportError:  # an interpreter without it
        from hashlib import sha1
    return str(sha1(data).hexdigest())


def _step_text(verb: str, entry: str) -> str:
    """The Undo/Redo menu entry: the verb and what it would undo or redo."""
    return f"{verb} {escape_mnemonic(entry)}" if entry else verb


def _walk(menu: QMenu) -> list:
    out = []
    for action in menu.actions():
        if action.menu() is not None:
            out += _walk(action.menu())
        elif not action.isSeparator():
            out.append(action)
    return out


def import_report_text(report: object) -> str:
    """The import report file by file, as plain text (in the app's terms: a file
    that is not valid text says to choose its encoding, not to pass ``--encoding``)."""
    lines: list[str] = []
    for f in getattr(report, "files", []):
        state = "REFUSED" if f.refused else ("imported with problems" if f.errors else "imported")
        lines.append(f"{f.path} ({f.format or 'unknown format'}): {state}, {f.documents} documents, {f.annotations} annotations")
        lines += [f"  duplicate: {d}" for d in f.duplicates]
        lines += [f"  {app_error_text(e)}" for e in f.errors]
        lines += [f"  note: {n}" for n in f.all_notes]
        lines += [f"  added label: {x}" for x in f.added_labels]
    lines += [f"ignored (unknown type): {p}" for p in getattr(report, "ignored", [])]
    return "\n".join(lines) or "Nothing to import."


def app_error_text(err: InputError) -> str:
    """An import error as the app says it: the command line's hint (``--encoding``)
    replaced by what to do in the app."""
    if err.undecodable:
        return f"{err.where}: {err.message}; {dialogs.ENCODING_FIELD_HINT}"
    if "not in the project's schema" in err.message and err.hint:
        return f"{err.where}: {err.message}; import the file again and choose “Add labels and import” to take them in"
    return f"{err.where}: {err.message}"  # the command line's hint (--format, ...) means nothing here
