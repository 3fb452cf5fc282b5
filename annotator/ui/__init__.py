"""The Qt layer: main window, widgets, item models, undo wrappers, dialogs."""

import PySide6.QtCore  # noqa: F401 (every module here uses Qt: PySide first, then its quicker look)

from annotator.ui.pyside_import import quicker_feature_scan

quicker_feature_scan()  # before the modules of this package are imported
