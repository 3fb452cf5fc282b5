"""The app's settings: one INI file in the annotator home, beside the default project.

The annotator's name, view options, the last document of each project and the
export dialog's choices are kept in ``<home>/settings.ini``, where the home is
``$ANNOTATOR_HOME`` or else the user data folder (the folder of the default
project, :func:`annotator.services.project.default_data_dir`). So two homes keep
two annotators' names, and nothing is written to the user's global Qt settings.

Versions before kept them in the global Qt settings (organisation and application
"annotator"). The user's own home (no ``ANNOTATOR_HOME``) takes those over once when
it has no name yet, the name and all (read only: the global settings are not
changed), so no one is asked again. A home that ``ANNOTATOR_HOME`` names takes
nothing from them: it is somebody's own place (a second annotator on the same
account, a test, a class room) and asks for its name.
"""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import QSettings

from annotator.services.project import default_data_dir

ORGANIZATION = "annotator"
APPLICATION = "annotator"
NAME_KEY = "annotator/name"
SETTINGS_FILE = "settings.ini"


def settings_path(home: Path | None = None) -> Path:
    """The settings file of ``home`` (None: the annotator home of this start)."""
    return (home if home is not None else default_data_dir()) / SETTINGS_FILE


def open_settings(home: Path | None = None, legacy: QSettings | None = None) -> QSettings:
    """The settings of ``home`` (None: the annotator home of this start).

    When they hold no annotator name yet and ``legacy`` has one, its keys are
    copied in first. ``legacy`` None: the global Qt settings of earlier versions,
    for the user's own home only (``home`` None and no ``ANNOTATOR_HOME``)."""
    settings = QSettings(str(settings_path(home)), QSettings.Format.IniFormat)
    if legacy is None and home is None and not os.environ.get("ANNOTATOR_HOME"):
        legacy = QSettings(ORGANIZATION, APPLICATION)
    if legacy is not None and not _text(settings, NAME_KEY) and _text(legacy, NAME_KEY):
        for key in legacy.allKeys():
            if not settings.contains(key):
                settings.setValue(key, legacy.value(key))
        settings.sync()
    return settings


def _text(settings: QSettings, key: str) -> str:
    return str(settings.value(key, "", type=str) or "").strip()
