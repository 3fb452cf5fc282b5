import os

# Tests never need a display: force Qt's offscreen platform before anything imports Qt.
os.environ["QT_QPA_PLATFORM"] = "offscreen"
os.environ.setdefault("ANNOTATOR_NO_NETWORK_FONTS", "1")
