"""The app's settings: one INI file in the annotator home, beside the default project.

The annotator's name, view options, the last document of each project and the
export dialog's choices are kept in ``<home>/settings.ini``, where the home is
``$ANNOTATOR_HOME`` or else the user data folder (the folder of the default
project, :func:`annotator.services.project.default_data_dir`). So two homes keep
two annotators' names, and nothing is written to the user's global Qt settings.

Versions before kept them in the global Qt settings (organisation and application
"annotator"). A home without a name takes those over once, the name and all
(read only: the global settings are not changed), so no one is asked again.
"""

from __future__ import annotations

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

    When they hold no annotator name yet and ``legacy`` (None: the global Qt
    settings of earlier versions) has one, its keys are copied in first."""
    settings = QSettings(str(settings_path(home)), QSettings.Format.IniFormat)
    if not _text(settings, NAME_KEY):
        old = legacy if legacy is not None else QSettings(ORGANIZATION, APPLICATION)
        if _text(old, NAME_KEY):
            for key in old.allKeys():
                if not settings.contains(key):
                    settings.setValue(key, old.value(key))
            settings.sync()
    return settings


def _text(settings: QSettings, key: str) -> str:
    return str(settings.value(key, "", type=str) or "").strip()
