"""The app's log file is opened after the first paint; what is logged before waits for it."""

from __future__ import annotations

import logging


def test_records_before_the_log_file_is_opened_are_written_to_it(tmp_path, monkeypatch):
    from annotator.ui import app

    monkeypatch.setenv("ANNOTATOR_HOME", str(tmp_path / "home"))
    before = list(app.log.handlers), app.log.level
    reporter = app.ErrorReporter(tmp_path / "home" / "annotator.log")
    early = app.EarlyLog(reporter)
    try:
        logging.getLogger("annotator.ui.main_window").warning("early warning")
        logging.getLogger("annotator.ui.main_window").debug("not kept")
        early.open()
        logging.getLogger("annotator").error("later error")
        early.open()  # once only
        for h in app.log.handlers:
            h.flush()
        text = (tmp_path / "home" / "annotator.log").read_text(encoding="utf-8")
        assert "early warning" in text and "later error" in text and "not kept" not in text
        assert text.count("early warning") == 1
        assert reporter.log_path == tmp_path / "home" / "annotator.log"
        assert early not in app.log.handlers
    finally:
        for h in app.log.handlers[:]:
            if h not in before[0]:
                app.log.removeHandler(h)
                h.close()
        app.log.setLevel(before[1])


def test_no_log_file_when_the_folder_cannot_be_made(tmp_path, monkeypatch):
    from annotator.ui import app

    blocker = tmp_path / "file"
    blocker.write_text("x")
    monkeypatch.setenv("ANNOTATOR_HOME", str(blocker / "home"))  # under a file: cannot be made
    before = list(app.log.handlers), app.log.level
    reporter = app.ErrorReporter(blocker / "home" / "annotator.log")
    early = app.EarlyLog(reporter)
    try:
        early.open()
        assert reporter.log_path is None
        assert app.log.handlers == before[0]
    finally:
        app.log.setLevel(before[1])
