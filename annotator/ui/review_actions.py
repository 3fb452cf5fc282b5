"""The main window's review entries: Review > Review mode and Agreement, and
File > Import colleague's work (wiring only: the review window and the
agreement dialog do not know each other)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtWidgets import QFileDialog

from annotator.core.store import ProjectError
from annotator.ui import dialogs
from annotator.ui.actions import make_action
from annotator.ui.agreement_dialog import AgreementDialog
from annotator.ui.review_window import ReviewWindow


def install_review_actions(window: Any) -> None:
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
        old = getattr(window, "review_window", None)
        if old is not None and not old.stale() and old.review.reviewer == name:
            old.show()
            old.raise_()
            old.activateWindow()
        else:
            if old is not None:
                old.close()
            win = ReviewWindow(window.project, name, window.undo_stack, window, lambda: window.project)
            win.review.documentChanged.connect(_refresh_main(window))
            window.review_window = win
            win.show()
        target = window.current_doc_id
        win = window.review_window
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
            if getattr(window, "review_window", None) is not None:
                window.review_window.review.open_document(doc_id)

        dialog.documentRequested.connect(jump)
        window.agreement_dialog = dialog
        dialog.show()

    def import_work() -> None:
        if window.project is None:
            return
        paths, _ = QFileDialog.getOpenFileNames(
            window, "Import colleague's work", "",
            "Projects and native exports (*.annotator *.jsonl);;All files (*)")
        if paths:
            import_colleague_work(window, paths)

    review_menu.addAction(make_action(window, "&Review mode…", open_review, shortcut="Ctrl+Shift+V"))
    review_menu.addAction(make_action(window, "&Agreement…", open_agreement))
    file_menu = window.menus["File"]
    anchor = next((a for a in file_menu.actions() if a.isSeparator()), None)
    action = make_action(window, "Import &colleague's work…", import_work,
                         tooltip="Merge another annotator's project or native export into this project")
    file_menu.insertAction(anchor, action) if anchor is not None else file_menu.addAction(action)


def _refresh_main(window: Any) -> Callable[[str], None]:
    def refresh(doc_id: str) -> None:
        try:
            window.doc_list.refresh_document(doc_id)
            if doc_id == window.current_doc_id:
                window._document_changed(doc_id)
        except (AttributeError, RuntimeError):
            pass
    return refresh


def import_colleague_work(window: Any, paths: list[str]) -> list[Any]:
    """Merge projects / native exports into the window's project and report it."""
    from annotator.core.merge import MergeError, check_labels, merge_source, read_source

    project = window.project
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
    try:
        window.doc_list.apply_filter()
        if window.current_doc_id:
            window.open_document(window.current_doc_id)
    except AttributeError:
        pass
    review = getattr(window, "review_window", None)
    if review is not None:
        review.review.refresh_queue()
        if review.review.doc_id:
            review.review.open_document(review.review.doc_id)
    window.last_merge_dialog = dialogs.ReportDialog("Import colleague's work", summary, details, window)
    window.last_merge_dialog.open()
    return reports
