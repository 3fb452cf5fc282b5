"""The Qt layer: main window, widgets, item models, undo wrappers, dialogs."""
