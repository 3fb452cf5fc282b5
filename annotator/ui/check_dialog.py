"""Review > Consistency check…: the report of ``annotator check``
(:mod:`annotator.services.check`) in a dialog.

The findings are listed by kind (a group each), each finding with its places
(document, offsets, label); double-click or Enter on a place opens its document in
the main window with the span selected (on a finding: its first place).  The
layer checked is chosen above the list: the window's annotator's by default.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from annotator.core.constraints import one_line
from annotator.core.kinds import GOLD
from annotator.core.store import Project, ProjectError
from annotator.services.check import KIND_TITLES, KINDS, CheckError, CheckReport, Issue, Place, check_project, layer_name
from annotator.ui import dialogs
from annotator.ui.actions import make_action, plain_tooltip

if TYPE_CHECKING:
    from annotator.ui.main_window import MainWindow

#: Item data role holding a place (on place rows) or an issue (on finding rows).
PLACE_ROLE = Qt.ItemDataRole.UserRole + 1
ISSUE_ROLE = Qt.ItemDataRole.UserRole + 2
#: Places listed under one finding (the CLI's JSON report lists them all).
PLACES_SHOWN = 200
#: Findings are shown with their places open when there are at most this many places in all.
EXPAND_PLACES = 300


class CheckDialog(QDialog):
    """The consistency report of a project (see the module doc)."""

    #: (layer, place): open the place's document with its span selected.
    placeRequested = Signal(str, object)
    #: (issue): label the issue's string everywhere (the annotate-all dialog).
    annotateAllRequested = Signal(object)

    def __init__(self, project: Project, parent: QWidget | None = None, annotator: str | None = None):
        super().__init__(parent)
        self.setWindowTitle("Consistency check")
        self.setModal(False)
        self.project = project
        self.report: CheckReport | None = None
        layout = QVBoxLayout(self)
        controls = QHBoxLayout()
        self.layer_combo = QComboBox()
        self.layer_combo.setObjectName("layer")
        self.layer_combo.addItem("Every annotator, each on their own", None)
        working = sorted(n for n in project.annotator_counts() if n != GOLD)
        for name in working:
            self.layer_combo.addItem(name, name)
        if GOLD in project.annotator_counts():
            self.layer_combo.addItem("Gold layer", GOLD)
        if annotator in working:
            self.layer_combo.setCurrentIndex(self.layer_combo.findData(annotator))
        controls.addWidget(QLabel("Check:"))
        controls.addWidget(self.layer_combo, 1)
        self.again = QPushButton("Check &again")
        self.again.clicked.connect(self.recompute)
        controls.addWidget(self.again)
        layout.addLayout(controls)
        self.summary = dialogs.plain_label(wrap=True)
        self.summary.setObjectName("check-summary")
        layout.addWidget(self.summary)
        self.tree = QTreeWidget()
        self.tree.setObjectName("findings")
        self.tree.setColumnCount(4)
        self.tree.setHeaderLabels(["Finding", "Document", "Offsets", "Label"])
        self.tree.setUniformRowHeights(True)
        self.tree.setExpandsOnDoubleClick(False)  # double-click opens; the arrow (or +/-) expands
        header = self.tree.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in (1, 2, 3):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        self.tree.itemActivated.connect(self._activated)
        layout.addWidget(self.tree, 1)
        layout.addWidget(
            dialogs.plain_label(
                "Double-click or Enter on a place (or a finding: its first place) opens it in the main window, the span selected."
            )
        )
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.annotate_button = QPushButton("Annotate &all…")
        self.annotate_button.setToolTip(
            "For a string labelled differently or left unlabelled: label every occurrence of it, in one step"
        )
        self.annotate_button.clicked.connect(self._annotate_all)
        buttons.addButton(self.annotate_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.tree.currentItemChanged.connect(lambda *_: self._update_annotate())
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.layer_combo.currentIndexChanged.connect(lambda _i: self.recompute())
        self.resize(900, 640)
        self.recompute()

    # ------------------------------------------------------------------ report
    def recompute(self) -> None:
        """Check the chosen layer(s) again and list the findings."""
        layer = self.layer_combo.currentData()
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            self.report = check_project(self.project, None if layer == GOLD else layer, gold=layer == GOLD)
        except (CheckError, ProjectError) as err:
            self.report = None
            self.tree.clear()
            self.summary.setText(str(err))
            return
        finally:
            QApplication.restoreOverrideCursor()
        self._fill(self.report)

    def _fill(self, report: CheckReport) -> None:
        self.tree.clear()
        several = len(report.layers) > 1
        counts = report.counts()
        total = sum(counts.values())
        if not report.layers:
            self.summary.setText("No annotations yet: nothing to check.")
            return
        checked = ", ".join(f"{layer_name(n)} ({report.documents.get(n, 0)} documents)" for n in report.layers)
        found = "no inconsistencies found" if total == 0 else f"{total} finding{'s' if total != 1 else ''}"
        self.summary.setText(f"Checked {checked}: {found}.")
        places = sum(len(i.places) for i in report.issues)
        for kind in KINDS:
            issues = report.by_kind(kind)
            if not issues:
                continue
            group = QTreeWidgetItem(self.tree, [f"{KIND_TITLES[kind]} ({len(issues)})"])
            group.setFirstColumnSpanned(True)
            font = group.font(0)
            font.setBold(True)
            group.setFont(0, font)
            for issue in issues:
                row = self._add_issue(group, issue, several)
                row.setExpanded(places <= EXPAND_PLACES)
            group.setExpanded(True)
        first = self.tree.topLevelItem(0)
        if first is not None and first.childCount():
            self.tree.setCurrentItem(first.child(0))

    def _add_issue(self, group: QTreeWidgetItem, issue: Issue, several: bool) -> QTreeWidgetItem:
        text = f"{layer_name(issue.layer)}: {issue.message}" if several else issue.message
        row = QTreeWidgetItem(group, [one_line(text, 200)])
        row.setToolTip(0, plain_tooltip(one_line(text, 400)))  # article text: shown literally
        row.setData(0, ISSUE_ROLE, issue)
        row.setFirstColumnSpanned(True)
        for place in issue.places[:PLACES_SHOWN]:
            label = place.label if place.label is not None else "unlabelled"
            shown = f"{one_line(place.before, 40)}“{one_line(place.text, 80)}”{one_line(place.after, 40)}".strip()
            item = QTreeWidgetItem(row, [shown, one_line(place.title or place.doc_id, 60), f"{place.start}–{place.end}", label])
            item.setData(0, PLACE_ROLE, place)
            item.setData(0, ISSUE_ROLE, issue)
            item.setToolTip(1, plain_tooltip(f"{place.title}\n{place.doc_id}"))
        if len(issue.places) > PLACES_SHOWN:
            more = QTreeWidgetItem(
                row, [f"… and {len(issue.places) - PLACES_SHOWN} more (annotator check --json lists every place)"]
            )
            more.setFirstColumnSpanned(True)
            more.setFlags(Qt.ItemFlag.ItemIsEnabled)
        return row

    def current_issue(self) -> Issue | None:
        item = self.tree.currentItem()
        return item.data(0, ISSUE_ROLE) if item is not None else None

    def _update_annotate(self) -> None:
        issue = self.current_issue()
        self.annotate_button.setEnabled(issue is not None and issue.kind in ANNOTATE_ALL_KINDS)

    def _annotate_all(self) -> None:
        issue = self.current_issue()
        if issue is not None and issue.kind in ANNOTATE_ALL_KINDS:
            self.annotateAllRequested.emit(issue)

    # ------------------------------------------------------------------ items
    def place_items(self) -> list[QTreeWidgetItem]:
        """Every place row, in the order shown."""
        out = []
        for g in range(self.tree.topLevelItemCount()):
            group = self.tree.topLevelItem(g)
            assert group is not None
            for i in range(group.childCount()):
                issue = group.child(i)
                out += [issue.child(k) for k in range(issue.childCount()) if issue.child(k).data(0, PLACE_ROLE) is not None]
        return out

    def _activated(self, item: QTreeWidgetItem, _column: int) -> None:
        place = item.data(0, PLACE_ROLE)
        issue = item.data(0, ISSUE_ROLE)
        if place is None and issue is not None and issue.places:
            place = issue.places[0]
            item.setExpanded(True)
        if place is None:  # a group: open or close it (the "more" row: nothing)
            if item.childCount():
                item.setExpanded(not item.isExpanded())
            return
        self.placeRequested.emit(issue.layer, place)


#: Findings about one string that annotate all can fix: labelled differently, left unlabelled.
ANNOTATE_ALL_KINDS = ("labels", "unlabelled")


def annotate_all_from(window: MainWindow, issue: Issue) -> Any:
    """The annotate-all dialog for ``issue``'s string, its most frequent label chosen."""
    from annotator.ui.propagate_dialog import AnnotateAllDialog

    counts = {k: n for k, n in issue.counts.items() if k != "unlabelled"}  # per label (how often)
    for place in issue.places:
        if place.label is not None and place.label not in counts:
            counts[place.label] = 1
    dialog = AnnotateAllDialog(window, None, text=issue.text)
    if counts:
        label = max(counts, key=lambda k: counts[k])
        dialog.choose_label(label)
    window.annotate_all_dialog = dialog
    dialog.open()
    return dialog


def show_place(window: MainWindow, layer: str, place: Place) -> bool:
    """Open ``place``'s document in ``window`` with its span selected (and its
    annotation, when it is in the window's layer); False if the document is gone."""
    if not window.workspace.loaded:
        window.finish_loading()
    if not window.open_document(place.doc_id) or window.current_doc_id != place.doc_id:
        return False
    ws = window.workspace
    if place.annotation_id is not None and place.annotation_id in ws.anns:
        ws.select_annotation(place.annotation_id)
    if place.end <= len(ws.text):
        window.article_view.select_span(place.start, place.end)
    if layer != window.annotator and place.annotation_id is not None:
        window.statusBar().showMessage(
            f"This is {layer_name(layer)}'s annotation; you see your own layer ({window.annotator}).", 8000
        )
    window.raise_()
    window.activateWindow()
    window.article_view.setFocus()
    return True


def install_check_action(window: MainWindow) -> None:
    """Review > Consistency check…"""
    menu = window.menus["Review"]

    def open_check() -> None:
        if window.project is None:
            return
        dialog = CheckDialog(window.project, window, window.annotator or None)

        def jump(layer: str, place: Place) -> None:
            if window.project is not dialog.project:
                dialogs.show_warning(dialog, "Consistency check", "This report is of another project: open the check again.")
            elif not show_place(window, layer, place):
                dialogs.show_warning(dialog, "Consistency check", "That document is no longer in the project.")

        dialog.placeRequested.connect(jump)
        dialog.annotateAllRequested.connect(lambda issue: annotate_all_from(window, issue))
        window.check_dialog = dialog
        dialog.show()

    menu.addAction(make_action(window, "&Consistency check…", open_check))
