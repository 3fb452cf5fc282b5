"""Make docs/screenshot-review.png: the real review window on the demo article
annotated by two annotators (alice and bob, see tests/review_fixtures.py), after
"Accept all agreed" and two accepted versions, with the LicenceGrant event selected.

Run from the repository root under a display, e.g.::

    xvfb-run -a -s '-screen 0 1400x900x24' python docs/make_review_screenshot.py
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))

from PySide6.QtCore import QSettings, QTimer  # noqa: E402
from review_fixtures import build_demo  # noqa: E402

from annotator.ui.actions import plain_action_text  # noqa: E402
from annotator.ui.app import create_application  # noqa: E402


def main(out: Path) -> None:
    tmp = Path(tempfile.mkdtemp())
    demo = build_demo(tmp / "review.annotator")
    app = create_application(["annotator"])
    from annotator.ui.main_window import MainWindow

    window = MainWindow(demo.project, "rita", QSettings(str(tmp / "settings.ini"), QSettings.Format.IniFormat))
    window.show()
    next(a for a in window.menus["Review"].actions() if plain_action_text(a) == "Review mode").trigger()
    review_window = window.review_window
    review_window.resize(1400, 900)
    review_window.move(0, 0)
    review = review_window.review
    review.accept_all_agreed()
    review.accept(demo.id("bob", "indian"))
    review.accept(demo.id("alice", "beijing"))
    QTimer.singleShot(600, lambda: review.select_unit(review.unit_containing(demo.id("alice", "grant"))))

    def shoot() -> None:
        app.processEvents()
        review_window.grab().save(str(out))
        print(f"wrote {out}")
        app.quit()

    QTimer.singleShot(1500, shoot)
    app.exec()


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else HERE / "screenshot-review.png")
