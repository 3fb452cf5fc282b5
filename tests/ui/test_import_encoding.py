"""Importing a file that is not UTF-8 from the app (issue 12, defect 9): the app
asks for the encoding (the likely one chosen, with a preview), never says
"--encoding", imports the text right, and leaves the project untouched when
the user cancels."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel

from annotator.core.store import Project

LATIN1_TEXT = (
    "Un café à Besançon\n\n"
    "Les élèves de l'école ont reçu le prix «Jeunes talents» ; leur professeur, très ému, a remercié "
    "la région. Señor García y Müller étaient là.\n"
)


@pytest.fixture
def latin1_file(tmp_path):
    path = tmp_path / "besancon.txt"
    path.write_bytes(LATIN1_TEXT.encode("latin-1"))
    return path


def texts(project: Project) -> list[str]:
    return [project.document_text(d) for d in project.document_ids()]


def shown_text(dialog) -> str:
    """Everything the dialog says in labels and text boxes."""
    parts = [label.text() for label in dialog.findChildren(QLabel)]
    parts += [dialog.problems.toPlainText(), dialog.preview.toPlainText()]
    return "\n".join(parts)


def test_a_latin1_file_imports_with_the_encoding_chosen_in_the_app(qtbot, window, project, latin1_file):
    before = texts(project)
    window.import_paths([latin1_file])
    dialog = window.encoding_dialog
    assert dialog is not None
    qtbot.waitExposed(dialog)
    said = shown_text(dialog)
    assert "--encoding" not in said
    assert "besancon.txt" in said and "not valid UTF-8" in said
    assert texts(project) == before  # nothing imported yet
    # The likely encoding is chosen, and the preview reads the accented line right.
    assert dialog.combo.currentData() == "cp1252"
    assert "likely" in dialog.combo.currentText()
    assert "Un café à Besançon" in dialog.preview.toPlainText()
    assert dialog.import_button.isEnabled()

    # An encoding that cannot read the file: the preview says so, Import is off.
    dialog.combo.setCurrentIndex(dialog.combo.findData("utf-16-be"))
    assert "cannot be read" in dialog.preview.toPlainText()
    assert not dialog.import_button.isEnabled()
    dialog.combo.setCurrentIndex(dialog.combo.findData("latin-1"))
    assert dialog.import_button.isEnabled()

    qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
    assert not dialog.isVisible()
    new = [t for t in texts(project) if t not in before]
    assert new == [LATIN1_TEXT]
    report = window.last_import_dialog
    assert report is not None and report.isVisible()
    assert "imported 1 document" in shown_text_of_report(report)
    assert "--encoding" not in shown_text_of_report(report)


def shown_text_of_report(report) -> str:
    return "\n".join([label.text() for label in report.findChildren(QLabel)] + [report.text.toPlainText()])


def test_cancelling_the_encoding_leaves_the_project_untouched(qtbot, window, project, latin1_file):
    before = texts(project)
    history = project.annotation_counts()
    window.import_paths([latin1_file])
    dialog = window.encoding_dialog
    qtbot.waitExposed(dialog)
    cancel = dialog.buttons.button(dialog.buttons.StandardButton.Cancel)
    qtbot.mouseClick(cancel, Qt.MouseButton.LeftButton)
    assert not dialog.isVisible()
    assert texts(project) == before
    assert project.annotation_counts() == history
    assert window.statusBar().currentMessage() == "Import cancelled: nothing was imported."


def test_with_other_files_a_cancelled_file_is_reported_in_the_apps_terms(qtbot, window, project, latin1_file, tmp_path):
    good = tmp_path / "good.txt"
    good.write_text("A UTF-8 article: naïve café.\n", encoding="utf-8")
    before = texts(project)
    window.import_paths([good, latin1_file])
    dialog = window.encoding_dialog
    qtbot.waitExposed(dialog)
    assert "good.txt" not in dialog.problems.toPlainText()
    dialog.reject()
    assert [t for t in texts(project) if t not in before] == ["A UTF-8 article: naïve café.\n"]
    report = shown_text_of_report(window.last_import_dialog)
    assert "besancon.txt" in report and "REFUSED" in report
    assert "--encoding" not in report
    assert "Encoding field" in report


def test_a_utf16_file_is_recognised_by_its_byte_order_mark(qtbot, window, project, tmp_path):
    path = tmp_path / "wide.txt"
    path.write_text("Zürich, Genève et Lugano\n", encoding="utf-16")
    window.import_paths([path])
    dialog = window.encoding_dialog
    qtbot.waitExposed(dialog)
    assert "--encoding" not in shown_text(dialog)
    assert dialog.combo.currentData() == "utf-16"
    assert "Zürich, Genève et Lugano" in dialog.preview.toPlainText()
    qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
    assert "Zürich, Genève et Lugano\n" in texts(project)
