"""Regression test for PySide6 6.12.0 on Python < 3.12 (pitfalls.md #1).

Each call of a PySide6 method returning nothing dropped a reference to None;
after a few thousand calls the interpreter aborted with
``Fatal Python error: none_dealloc``. The loop runs in a child process so that
such an abort fails this test instead of killing the test session.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

CALLS = 20_000

CHILD = textwrap.dedent(
    f"""
    import sys
    from PySide6.QtGui import QTextCursor, QTextDocument
    from PySide6.QtWidgets import QApplication, QPlainTextEdit

    app = QApplication([])
    doc = QTextDocument()
    doc.setPlainText("Negotiators from Chile 😀 met in Geneva.\\n" * 20)
    cursor = QTextCursor(doc)
    refs = sys.getrefcount(None)
    n = doc.characterCount() - 1
    for i in range({CALLS}):
        cursor.setPosition(i % n)                                   # void
        cursor.setPosition((i * 7) % n, QTextCursor.MoveMode.KeepAnchor)  # void
    edit = QPlainTextEdit()
    for i in range({CALLS} // 10):
        edit.setObjectName(f"view{{i}}")                            # void
        edit.setReadOnly(bool(i % 2))                               # void
    lost = refs - sys.getrefcount(None)
    print("ok", cursor.position(), lost)
    """
)


def test_many_void_calls_survive():
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    proc = subprocess.run([sys.executable, "-c", CHILD], capture_output=True, text=True, timeout=120, env=env)
    assert proc.returncode == 0, f"child died (status {proc.returncode}):\n{proc.stderr[-2000:]}"
    words = proc.stdout.split()
    assert words[0] == "ok", proc.stdout
    # None's reference count must not have dropped by (about) one per call.
    assert int(words[2]) < CALLS // 2, f"None lost {words[2]} references in {CALLS * 2} calls"
