"""Each annotator home (ANNOTATOR_HOME, else the user data folder) keeps its own
settings, the annotator's name first; the user's global Qt settings are only read,
once, to take over the name kept there by earlier versions."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

#: Starts the real ``annotator`` command (the app on the default project) offscreen;
#: answers the name dialog with argv[1] by typing it (or cancels it when argv[1] is
#: empty), and once the window has painted prints whether it asked and the name the
#: window annotates as.
DRIVE = r"""
import json, os, sys
from PySide6.QtCore import Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication
import annotator.ui.lazy as lazy
from annotator.cli import start

answer = sys.argv[1]
facts = {"asked": False, "name": None}
app = QApplication([])

def report():
    sys.stdout.write("@@facts@@ " + json.dumps(facts) + "\n")
    sys.stdout.flush()

def answer_the_dialog():
    dialog = QApplication.activeModalWidget()
    if dialog is None or not hasattr(dialog, "edit"):
        QTimer.singleShot(20, answer_the_dialog)
        return
    facts["asked"] = True
    if not answer:
        dialog.reject()
        return
    QTest.keyClicks(dialog.edit, answer)
    QTest.keyClick(dialog.edit, Qt.Key.Key_Return)

first_paint = lazy.after_first_paint

def hooked(window, context, then):
    def shown():
        then()
        facts["name"] = window.annotator
        report()
        os._exit(0)
    return first_paint(window, context, shown)

lazy.after_first_paint = hooked
QTimer.singleShot(0, answer_the_dialog)
status = start([])
report()
sys.exit(status)
"""


def run_app(tmp_path: Path, home: str | None, answer: str) -> dict:
    """``home`` None: no ANNOTATOR_HOME, the user's own data folder (``user_home``)."""
    env = dict(
        os.environ,
        QT_QPA_PLATFORM="offscreen",
        HOME=str(tmp_path),
        XDG_CONFIG_HOME=str(tmp_path / "config"),
        XDG_DATA_HOME=str(tmp_path / "data"),
    )
    env.pop("ANNOTATOR_HOME", None)
    if home is not None:
        env["ANNOTATOR_HOME"] = str(tmp_path / home)
    proc = subprocess.run([sys.executable, "-c", DRIVE, answer], env=env, capture_output=True, text=True, timeout=120)
    line = next((x for x in proc.stdout.splitlines() if x.startswith("@@facts@@ ")), None)
    assert line is not None, proc.stderr[-2000:]
    return json.loads(line[len("@@facts@@ ") :])


def user_home(tmp_path: Path) -> Path:
    """The user data folder platformdirs gives on Linux under XDG_DATA_HOME."""
    return tmp_path / "data" / "annotator"


def global_settings(tmp_path: Path) -> Path:
    """Where Qt keeps the user's global settings of the organisation and app "annotator"."""
    return tmp_path / "config" / "annotator" / "annotator.conf"


@pytest.mark.skipif(sys.platform != "linux", reason="Qt's global settings are a file under XDG_CONFIG_HOME on Linux")
def test_two_homes_keep_two_names_and_the_global_settings_are_not_written(tmp_path):
    assert run_app(tmp_path, "alice-home", "alice") == {"asked": True, "name": "alice"}
    assert run_app(tmp_path, "bob-home", "bob") == {"asked": True, "name": "bob"}
    assert run_app(tmp_path, "alice-home", "") == {"asked": False, "name": "alice"}
    assert run_app(tmp_path, "bob-home", "") == {"asked": False, "name": "bob"}
    assert "alice" in (tmp_path / "alice-home" / "settings.ini").read_text(encoding="utf-8")
    assert "bob" in (tmp_path / "bob-home" / "settings.ini").read_text(encoding="utf-8")
    assert not global_settings(tmp_path).exists()


@pytest.mark.skipif(sys.platform != "linux", reason="Qt's global settings are a file under XDG_CONFIG_HOME on Linux")
def test_a_name_kept_in_the_global_settings_is_taken_over_once(tmp_path):
    conf = global_settings(tmp_path)
    conf.parent.mkdir(parents=True)
    conf.write_text("[annotator]\nname=carol\n\n[view]\nword_snapping=false\n", encoding="utf-8")
    before = conf.read_bytes()
    # A home that ANNOTATOR_HOME names is somebody's own: it asks.
    assert run_app(tmp_path, "elsewhere", "erin") == {"asked": True, "name": "erin"}
    # The user's own home takes the name over: not asked again.
    assert run_app(tmp_path, None, "") == {"asked": False, "name": "carol"}
    assert conf.read_bytes() == before  # only read
    kept = (user_home(tmp_path) / "settings.ini").read_text(encoding="utf-8")
    assert "name=carol" in kept and "word_snapping=false" in kept
    # From now on the home's own settings count, whatever the global ones say.
    conf.write_text("[annotator]\nname=dave\n", encoding="utf-8")
    assert run_app(tmp_path, None, "") == {"asked": False, "name": "carol"}
    assert run_app(tmp_path, "elsewhere", "") == {"asked": False, "name": "erin"}
