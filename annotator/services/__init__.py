"""Use cases that combine the store (:mod:`annotator.core`) and the codecs
(:mod:`annotator.formats`): importing, exporting, merging, the default project.

The command line (:mod:`annotator.cli`) and the desktop app (:mod:`annotator.ui`)
both call these functions; nothing here imports click or Qt.
"""
