"""Reviewing coreference (issue 15): one document's clusters side by side, one
column per annotator and one for gold, and accepting a cluster into gold.

Review > Coreference clusters… (loaded after the first paint).  The document is
the review window's when it is open, else the one in the workspace.  A cluster
whose mentions (by span) are exactly a gold cluster's is marked “= gold”.
Select a cluster in an annotator's column and press Enter (or Accept into gold):
:class:`~annotator.core.review.AcceptCluster` copies it into the gold layer
as one undo step (Ctrl+Z in the main window undoes it).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QDialog,
    QGroupBox,
    QHBoxLayout,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
)

from annotator.core.commands import Changes
from annotator.core.constraints import one_line
from annotator.core.models import GOLD
from annotator.ui import dialogs

if TYPE_CHECKING:
    from annotator.core.coref import Cluster
    from annotator.core.store import Project
    from annotator.ui.main_window import MainWindow

__all__ = ["ReviewClustersDialog", "show_review_clusters"]

CLUSTER_ROLE = Qt.ItemDataRole.UserRole


class ReviewClustersDialog(QDialog):
    """Clusters of one document per annotator and gold (see the module doc); an
    :class:`~annotator.ui.undo.Origin` of the undo controller."""

    def __init__(self, window: MainWindow):
        super().__init__(window)
        self.window = window
        self.setWindowTitle("Coreference clusters")
        self.resize(980, 520)
        self.doc_id: str | None = None
        self.columns: dict[str, QTreeWidget] = {}
        #: The column the user works in.
        self.column: str | None = None
        self.title = dialogs.plain_label(wrap=True)
        self.title.setStyleSheet("font-weight: 600;")
        self.row = QHBoxLayout()
        self.accept_button = QPushButton("&Accept into gold")
        self.accept_button.setToolTip("Copy the selected cluster and its mentions into the gold layer (Enter)")
        self.accept_button.clicked.connect(self.accept_selected)
        self.hint = dialogs.plain_label(wrap=True)
        bottom = QHBoxLayout()
        bottom.addWidget(self.hint, 1)
        bottom.addWidget(self.accept_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addLayout(self.row, 1)
        layout.addLayout(bottom)
        window.controller.changed.connect(self._changed)

    # -- the Origin protocol ----------------------------------------------------------------
    @property
    def project(self) -> Project | None:
        return self.window.project

    def show_document(self, doc_id: str) -> None:
        if doc_id and doc_id != self.doc_id:
            self.set_document(doc_id)

    def report_error(self, text: str) -> None:
        self.hint.setText(f"⚠ {text}")

    # -- contents ------------------------------------------------------------------------------
    def set_document(self, doc_id: str | None) -> None:
        self.doc_id = doc_id
        self.reload()

    def reload(self) -> None:
        project = self.project
        while self.row.count():
            old = self.row.takeAt(0).widget()
            if old is not None:
                old.hide()
                old.deleteLater()
        self.columns = {}
        if project is None or not self.doc_id:
            self.title.setText("No document.")
            return
        text = project.document_text(self.doc_id)
        row = project.document_rows([self.doc_id]).get(self.doc_id)
        self.title.setText(f"{one_line((row.title if row else '') or self.doc_id, 80)}: clusters by annotator")
        clusters = project.clusters(self.doc_id)
        members = {m for c in clusters for m in c.members}
        rows = project.annotation_rows_by_id(members)
        by_name: dict[str, list[Cluster]] = {}
        for c in clusters:
            by_name.setdefault(c.annotator, []).append(c)
        gold_sets = {self._spans(c, rows) for c in by_name.get(GOLD, [])}
        names = sorted(n for n in by_name if n != GOLD) + [GOLD]
        for name in names:
            box = QGroupBox("Gold" if name == GOLD else name)
            tree = QTreeWidget()
            tree.setHeaderLabels(["Cluster / mention", "Mentions"])
            tree.setColumnWidth(0, 200)
            tree.installEventFilter(self)
            tree.currentItemChanged.connect(lambda *_a, n=name: self._chosen(n))
            for cluster in by_name.get(name, []):
                spans = self._spans(cluster, rows)
                mentions = sorted((s, e) for s, e in spans)
                title = cluster.name or next(
                    (text[s:e] for s, e in mentions if sum(ch.isalnum() for ch in text[s:e]) >= 3),
                    text[mentions[0][0] : mentions[0][1]] if mentions else "(no mentions)",
                )
                same = name != GOLD and spans in gold_sets
                item = QTreeWidgetItem([one_line(title, 40) + ("  = gold" if same else ""), str(len(mentions))])
                item.setData(0, CLUSTER_ROLE, cluster.id)
                for s, e in mentions:
                    QTreeWidgetItem(item, [f"“{one_line(text[s:e], 40)}” [{s}, {e})", ""])
                tree.addTopLevelItem(item)
            if not by_name.get(name):
                QTreeWidgetItem(tree, ["(no clusters)", ""]).setFlags(Qt.ItemFlag.NoItemFlags)
            lay = QVBoxLayout(box)
            lay.addWidget(tree)
            self.row.addWidget(box, 1)
            self.columns[name] = tree
        self.hint.setText(
            "Select a cluster of an annotator and press Enter to accept it into gold (Ctrl+Z in the main window undoes)."
            if len(names) > 1
            else "No annotator has made clusters in this document."
        )
        self._chosen(None)

    @staticmethod
    def _spans(cluster: Cluster, rows: dict) -> frozenset[tuple[int, int]]:
        return frozenset((r.start, r.end) for m in cluster.members if (r := rows.get(m)) is not None and r.start is not None)

    def _chosen(self, name: str | None) -> None:
        """The column the user works in (its current item changed, or it took the focus)."""
        self.column = name
        self.accept_button.setEnabled(self.selected_cluster() is not None)

    def selected_cluster(self) -> str | None:
        """The current cluster of the column the user works in (not gold's)."""
        tree = self.columns.get(self.column or "")
        if tree is None or self.column == GOLD:
            return None
        item = tree.currentItem()
        while item is not None and item.parent() is not None:
            item = item.parent()
        cid = item.data(0, CLUSTER_ROLE) if item is not None else None
        return str(cid) if cid else None

    def accept_selected(self) -> None:
        from annotator.core.review import AcceptCluster

        cid = self.selected_cluster()
        reviewer = self.window.annotator
        if cid is None or self.doc_id is None:
            self.hint.setText("Select a cluster in an annotator's column first.")
            return
        name = self.column
        if self.window.controller.push(AcceptCluster(self.doc_id, reviewer, cid), self) is not None:
            self.hint.setText(f"Accepted {name}'s cluster into gold (Ctrl+Z in the main window undoes).")

    def _changed(self, changes: Changes) -> None:
        if self.isVisible() and changes.concerns(self.doc_id):
            name, row = self.column, None
            tree = self.columns.get(name or "")
            if tree is not None and tree.currentItem() is not None:
                item = tree.currentItem()
                row = tree.indexOfTopLevelItem(item.parent() or item)
            self.reload()
            tree = self.columns.get(name or "")
            if tree is not None:
                tree.setFocus()
                if row is not None and 0 <= row < tree.topLevelItemCount():
                    tree.setCurrentItem(tree.topLevelItem(row))
                self._chosen(name)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if event.type() == QEvent.Type.FocusIn:
            name = next((n for n, t in self.columns.items() if t is watched), None)
            if name is not None:
                self._chosen(name)
        if (
            event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
            and watched in self.columns.values()
        ):
            self._chosen(next(n for n, t in self.columns.items() if t is watched))
            self.accept_selected()
            return True
        return super().eventFilter(watched, event)


def show_review_clusters(window: MainWindow) -> ReviewClustersDialog | None:
    """Review > Coreference clusters…: the review window's document, else the workspace's."""
    if window.project is None:
        return None
    dialog: ReviewClustersDialog | None = getattr(window, "review_clusters_dialog", None)
    if dialog is None:
        dialog = ReviewClustersDialog(window)
        window.review_clusters_dialog = dialog
    review = getattr(window, "review_window", None)
    doc = getattr(getattr(review, "review", None), "doc_id", None) if review is not None and review.isVisible() else None
    dialog.set_document(doc or window.current_doc_id)
    dialog.show()
    dialog.raise_()
    first = next((t for n, t in dialog.columns.items() if n != GOLD), None)
    if first is not None:
        first.setFocus()
        if first.topLevelItemCount():
            first.setCurrentItem(first.topLevelItem(0))
    return dialog
