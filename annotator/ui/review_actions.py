"""The main window's review entries: Review > Review mode and Agreement, and
File > Import colleague's work (wiring only: the review window and the
agreement dialog do not know each other)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import QFileDialog

from annotator.core.store import ProjectError
from annotator.ui import dialogs
from annotator.ui.actions import make_action
from annotator.ui.agreement_dialog import AgreementDialog
from annotator.ui.review_window import ReviewWindow
from annotator.ui.undo import documents_changed

if TYPE_CHECKING:
    from annotator.ui.main_window import MainWindow


def install_review_actions(window: MainWindow) -> None:
    """Add the review entries to a main window: Review > Review mode, Agreement,
    and File > Import colleague's work."""
    review_menu = window.menus["Review"]

    def reviewer() -> str | None:
        name = window.annotator
        if not name:
            dialogs.show_warning(window, "Review", "Set your name first (File > Change annotator name).")
            return None
        return name

    def open_review() -> None:
        if window.project is None:
            return
        name = reviewer()
        if name is None:
            return
        win = window.review_window
        if win is not None and not win.stale() and win.review.reviewer == name:
            win.show()
            win.raise_()
            win.activateWindow()
        else:
            if win is not None:
                win.close()
                win.review.detach()
            win = ReviewWindow(window.project, name, window.controller, window, lambda: window.project)
            window.review_window = win
            win.show()
        target = window.current_doc_id
        if target and win.review.queue_model.row_of(target) >= 0:
            win.review.open_document(target)
        elif win.review.queue_model.rows:
            win.review.open_document(win.review.queue_model.rows[0].doc_id)

    def open_agreement() -> None:
        if window.project is None:
            return
        dialog = AgreementDialog(window.project, window)

        def jump(doc_id: str) -> None:
            open_review()
            if window.review_window is not None:
                window.review_window.review.open_document(doc_id)

        dialog.documentRequested.connect(jump)
        window.agreement_dialog = dialog
        dialog.show()

    def import_work() -> None:
        if window.project is None:
            return
        paths, _ = QFileDialog.getOpenFileNames(
            window, "Import colleague's work", "", "Projects and native exports (*.annotator *.jsonl);;All files (*)"
        )
        if paths:
            import_colleague_work(window, paths)

    review_menu.addAction(make_action(window, "&Review mode…", open_review, shortcut="Ctrl+Shift+V"))
    review_menu.addAction(make_action(window, "&Agreement…", open_agreement))
    file_menu = window.menus["File"]
    anchor = next((a for a in file_menu.actions() if a.isSeparator()), None)
    action = make_action(
        window,
        "Import &colleague's work…",
        import_work,
        tooltip="Merge another annotator's project or native export into this project",
    )
    file_menu.insertAction(anchor, action) if anchor is not None else file_menu.addAction(action)


def import_colleague_work(window: MainWindow, paths: list[str]) -> list[Any]:
    """Merge projects / native exports into the window's project and report it;
    every window refreshes through the change bus (the documents merged into)."""
    from annotator.services.merging import MergeError, check_labels, merge_source, read_source

    project = window.project
    if project is None:
        return []
    try:
        sources = [read_source(p) for p in paths]
        for s in sources:
            check_labels(project.schema, s, project.path.name)
        reports = [merge_source(project, s, actor=window.annotator or "merge") for s in sources]
    except (MergeError, ProjectError) as err:
        dialogs.show_error(window, "Import colleague's work", str(err))
        return []
    summary = "; ".join(r.summary() for r in reports)
    details = "\n".join([r.summary() for r in reports] + [f"warning: {r.source}: {p}" for r in reports for p in r.problems])
    window.controller.publish(documents_changed([d for r in reports for d in r.documents]))
    window.last_merge_dialog = dialogs.ReportDialog("Import colleague's work", summary, details, window)
    window.last_merge_dialog.open()
    return reports
