"""Small dialogs: messages (always plain text), annotator name, shortcuts, about, reports."""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import (
    QComboBox,
    QCompleter,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHeaderView,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from annotator.ui.basic import (  # noqa: F401 (reached as dialogs.X)
    ElidedLabel,
    check_annotator_name,
    list_table,
    plain_label,
    select_row,
)


def message_box(
    parent: QWidget | None,
    icon: QMessageBox.Icon,
    title: str,
    text: str,
    details: str | None = None,
) -> QMessageBox:
    """A QMessageBox whose text is never interpreted as rich text."""
    box = QMessageBox(icon, title, text, QMessageBox.StandardButton.Ok, parent)
    box.setTextFormat(Qt.TextFormat.PlainText)
    if details:
        box.setDetailedText(details)
    return box


def show_error(parent: QWidget | None, title: str, text: str, details: str | None = None) -> None:
    message_box(parent, QMessageBox.Icon.Critical, title, text, details).exec()


def show_warning(parent: QWidget | None, title: str, text: str) -> None:
    message_box(parent, QMessageBox.Icon.Warning, title, text).exec()


class AnnotatorNameDialog(QDialog):
    """Asks who is annotating; every annotation records this name."""

    def __init__(self, parent: QWidget | None = None, current: str = "", known: Iterable[str] = ()):
        super().__init__(parent)
        self.setWindowTitle("Annotator name")
        layout = QVBoxLayout(self)
        layout.addWidget(
            plain_label(
                "Your name or initials. Every annotation you make records it, and you see and edit "
                "your own annotations (others' are compared in review mode).",
                wrap=True,
            )
        )
        self.edit = QLineEdit(current)
        self.edit.setPlaceholderText("e.g. Maria or MK")
        self.edit.setMaxLength(100)
        known = [k for k in known if k]
        if known:
            self.edit.setCompleter(QCompleter(sorted(known), self.edit))
        layout.addWidget(self.edit)
        self.problem = plain_label(wrap=True)
        self.problem.setStyleSheet("color: #b71c1c;")
        layout.addWidget(self.problem)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.edit.textChanged.connect(self._validate)
        self._validate()
        self.resize(420, self.sizeHint().height())

    def name(self) -> str:
        return self.edit.text().strip()

    def _validate(self) -> None:
        problem = check_annotator_name(self.edit.text())
        # An empty field is not an error to shout about yet, just not acceptable.
        self.problem.setText(problem if problem and self.edit.text() else "")
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(problem is None)

    def accept(self) -> None:
        if check_annotator_name(self.edit.text()) is None:
            super().accept()


def ask_annotator_name(parent: QWidget | None, current: str = "", known: Iterable[str] = ()) -> str | None:
    dialog = AnnotatorNameDialog(parent, current, known)
    return dialog.name() if dialog.exec() == QDialog.DialogCode.Accepted else None


class ShortcutsDialog(QDialog):
    """Help > Keyboard shortcuts: a table of (section, keys, what it does).

    Every description is shown whole: the dialog is as wide as the longest one
    needs (up to :data:`HELP_TEXT_WIDTH` and the screen), and a description that
    is still too long wraps onto more lines in a taller row.
    """

    #: Widest the description column is made before its text wraps (pixels).
    HELP_TEXT_WIDTH = 560
    #: Widest the keys column is made before its text wraps (pixels).
    KEYS_WIDTH = 260

    def __init__(self, rows: list[tuple[str, str, str]], parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Keyboard shortcuts")
        layout = QVBoxLayout(self)
        self.table = QTableWidget(len(rows), 3)
        self.table.setHorizontalHeaderLabels(["Where", "Keys", "Action"])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.setWordWrap(True)
        self.table.setTextElideMode(Qt.TextElideMode.ElideNone)
        self.table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        mono = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        for r, (section, keys, what) in enumerate(rows):
            for c, value in enumerate((section, keys, what)):
                item = QTableWidgetItem(value)
                item.setTextAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
                if c == 1:
                    item.setFont(mono)
                self.table.setItem(r, c, item)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        # The keys column as wide as its keys, up to KEYS_WIDTH (longer ones wrap).
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Interactive)
        header.resizeSection(1, min(self.table.sizeHintForColumn(1), self.KEYS_WIDTH))
        # Rows as tall as their wrapped description (re-measured when the column's width changes).
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        layout.addWidget(self.table)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        buttons.accepted.connect(self.accept)
        layout.addWidget(buttons)
        self.resize(self._fitting_size())

    def _fitting_size(self) -> QSize:
        """Wide enough for every description on one line (up to HELP_TEXT_WIDTH), within the screen."""
        table = self.table
        widest = table.sizeHintForColumn(2) if table.rowCount() else 200
        columns = table.sizeHintForColumn(0) + table.columnWidth(1) + min(widest, self.HELP_TEXT_WIDTH)
        chrome = table.frameWidth() * 2 + table.verticalScrollBar().sizeHint().width() + 40
        width, height = columns + chrome, 640
        screen = self.screen().availableGeometry() if self.screen() is not None else None
        if screen is not None:
            width, height = min(width, int(screen.width() * 0.9)), min(height, int(screen.height() * 0.85))
        return QSize(width, height)

    def rows(self) -> list[tuple[str, str, str]]:
        return [
            tuple(self.table.item(r, c).text() for c in range(3))  # type: ignore[misc]
            for r in range(self.table.rowCount())
        ]


#: Encodings offered for imported files: (shown name, Python codec).
ENCODINGS: list[tuple[str, str]] = [
    ("UTF-8", "utf-8"),
    ("UTF-8 with byte-order mark", "utf-8-sig"),
    ("UTF-16 (with byte-order mark)", "utf-16"),
    ("UTF-16 little-endian", "utf-16-le"),
    ("UTF-16 big-endian", "utf-16-be"),
    ("UTF-32 (with byte-order mark)", "utf-32"),
    ("Western European (Windows-1252)", "cp1252"),
    ("Western European (ISO-8859-1, Latin-1)", "latin-1"),
    ("Western European (ISO-8859-15)", "iso8859-15"),
    ("Central European (Windows-1250)", "cp1250"),
    ("Central European (ISO-8859-2)", "iso8859-2"),
    ("Cyrillic (Windows-1251)", "cp1251"),
    ("Cyrillic (KOI8-R)", "koi8-r"),
    ("Greek (Windows-1253)", "cp1253"),
    ("Turkish (Windows-1254)", "cp1254"),
    ("Hebrew (Windows-1255)", "cp1255"),
    ("Arabic (Windows-1256)", "cp1256"),
    ("Baltic (Windows-1257)", "cp1257"),
    ("Vietnamese (Windows-1258)", "cp1258"),
    ("Japanese (Shift JIS)", "shift_jis"),
    ("Japanese (EUC-JP)", "euc_jp"),
    ("Chinese, simplified (GB18030)", "gb18030"),
    ("Chinese, traditional (Big5)", "big5"),
    ("Korean (EUC-KR)", "euc_kr"),
]
#: Files previewed in the encoding dialog (the others are checked when imported).
PREVIEWED_FILES = 12
#: What the app says where the command line says "pass --encoding".
ENCODING_FIELD_HINT = "import it again (File > Import files…) and choose its encoding in the Encoding field"


class EncodingDialog(QDialog):
    """Import: files that are not UTF-8 text, and the encoding to import them with.

    ``files``: (name, path, problem) of each file; ``guess``: the likely
    encoding (preselected, marked "likely"). The preview shows each file's
    first line with a non-ASCII character as the chosen encoding reads it;
    Import is enabled while every previewed file reads as text.
    """

    def __init__(self, files: list[tuple[str, str, str]], guess: str | None, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Import: choose the text encoding")
        self.files = files
        layout = QVBoxLayout(self)
        count = len(files)
        intro = (
            f"{'This file' if count == 1 else f'These {count} files'} could not be read as text, "
            f"so {'it was' if count == 1 else 'they were'} not imported:"
        )
        layout.addWidget(plain_label(intro, wrap=True))
        self.problems = QPlainTextEdit()
        self.problems.setReadOnly(True)
        self.problems.setPlainText("\n".join(f"{name}: {problem}" for name, _path, problem in files))
        self.problems.setMaximumHeight(self.fontMetrics().lineSpacing() * min(count + 1, 5) + 12)
        layout.addWidget(self.problems)
        layout.addWidget(
            plain_label(
                "Choose the encoding the text is in; the preview shows how it reads. "
                "Accented letters and quotes should look right.",
                wrap=True,
            )
        )
        form = QFormLayout()
        self.combo = QComboBox()
        known = {codec for _shown, codec in ENCODINGS}
        entries = list(ENCODINGS) if guess is None or guess in known else [(guess, guess), *ENCODINGS]
        for shown, codec in entries:
            self.combo.addItem(f"{shown} (likely)" if codec == guess else shown, codec)
        self.combo.setCurrentIndex(max(self.combo.findData(guess), 0) if guess else 0)
        form.addRow("&Encoding:", self.combo)
        self.preview = QPlainTextEdit()
        self.preview.setReadOnly(True)
        self.preview.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        form.addRow("Preview:", self.preview)
        layout.addLayout(form)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.import_button = self.buttons.addButton("&Import with this encoding", QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.combo.currentIndexChanged.connect(self._show_preview)
        self._show_preview()
        self.resize(620, 440)

    def encoding(self) -> str:
        return str(self.combo.currentData())

    def _show_preview(self) -> None:
        from annotator.formats import InputError
        from annotator.services.importing import preview_line

        encoding, lines, readable = self.encoding(), [], True
        for name, path, _problem in self.files[:PREVIEWED_FILES]:
            try:
                shown = preview_line(path, encoding)
            except InputError as err:
                readable = False
                shown = f"(cannot be read with this encoding: {err.message})"
            lines.append(f"{name}:\n    {shown}")
        if len(self.files) > PREVIEWED_FILES:
            lines.append(f"… and {len(self.files) - PREVIEWED_FILES} more files")
        self.preview.setPlainText("\n".join(lines))
        self.import_button.setEnabled(readable)


class ReportDialog(QDialog):
    """A read-only plain-text report (e.g. of an import), copyable."""

    def __init__(self, title: str, summary: str, report: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(title)
        layout = QVBoxLayout(self)
        layout.addWidget(plain_label(summary, wrap=True))
        self.text = QPlainTextEdit()
        self.text.setReadOnly(True)
        self.text.setPlainText(report)
        font = QFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.text.setFont(font)
        layout.addWidget(self.text)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(640, 420)


def about_text(version: str) -> str:
    return (
        f"annotator {version}\n\n"
        "Annotate news articles with entities, events (triggers with typed arguments) and claims "
        "(claimant, stance, veracity, check-worthiness). Every action is saved at once to the "
        "project file; exports give training data in JSONL and other NLP formats.\n\n"
        "Offsets are Unicode code points into the stored text, end-exclusive."
    )


def show_about(parent: QWidget | None) -> None:
    from annotator import __version__

    box = message_box(parent, QMessageBox.Icon.Information, "About annotator", about_text(__version__))
    box.exec()
