"""The review mode as a window of its own, next to the annotation window."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QTimer
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QMainWindow, QWidget

from annotator.core.store import Project
from annotator.ui.actions import make_action
from annotator.ui.agreement_dialog import AgreementDialog
from annotator.ui.review_view import ReviewView
from annotator.ui.undo import UndoController


class ReviewWindow(QMainWindow):
    """The review mode as a window of its own, next to the annotation window."""

    def __init__(
        self,
        project: Project,
        reviewer: str,
        controller: UndoController | None = None,
        parent: QWidget | None = None,
        current_project: Callable[[], Project | None] | None = None,
    ):
        """``controller``: the main window's change bus (its undo stack is shared)."""
        super().__init__(parent)
        #: The project the main window shows now: when it is another one, this window closes.
        self.current_project = current_project
        self.agreement_dialog: AgreementDialog | None = None
        self.setWindowTitle(f"Review — {project.path.name} — reviewer {reviewer}")
        self.review = ReviewView(project, reviewer, parent=self, controller=controller)
        self.setCentralWidget(self.review)
        self.review.message.connect(lambda text: self.statusBar().showMessage(text, 10000))
        bar = self.addToolBar("Review")
        bar.setObjectName("reviewToolbar")
        if controller is not None:
            undo = controller.stack.createUndoAction(self, "Undo")
            undo.setShortcuts([QKeySequence(QKeySequence.StandardKey.Undo)])
            redo = controller.stack.createRedoAction(self, "Redo")
            redo.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")])
            bar.addActions([undo, redo])
            self.addActions([undo, redo])
        bar.addAction(make_action(self, "Agreement…", self.show_agreement))
        self.resize(1400, 900)

    def stale(self) -> bool:
        """Whether the main window has moved on to another project (this one is closed)."""
        return self.current_project is not None and self.current_project() is not self.review.project

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.WindowActivate and self.stale():
            QTimer.singleShot(0, self.close)
        return super().event(event)

    def show_agreement(self) -> None:
        self.agreement_dialog = AgreementDialog(self.review.project, self)
        self.agreement_dialog.documentRequested.connect(self.review.open_document)
        self.agreement_dialog.show()
