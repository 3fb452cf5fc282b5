"""The label palette: every label of the project's schema as a chip with its
colour and one-key shortcut; clicking a chip applies it to the current selection."""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QPoint, QRect, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QIcon, QPainter, QPixmap, QResizeEvent, QTextDocument
from PySide6.QtWidgets import QMenu, QScrollArea, QSizePolicy, QToolButton, QWidget

from annotator.core.kinds import CLAIM_LABEL
from annotator.ui.actions import escape_mnemonic, plain_tooltip
from annotator.ui.basic import plain_label
from annotator.ui.flow_layout import LINE_BREAK, FlowLayout

if TYPE_CHECKING:
    from annotator.core.schema import Guidelines, LabelSchema


def markdown_html(markdown: str) -> str:
    """Guideline Markdown (from the schema, never article text) as rich text for a
    tooltip or a label.  Raw HTML in it is not interpreted, and nothing is loaded."""
    doc = QTextDocument()
    doc.setMarkdown(markdown, QTextDocument.MarkdownFeature.MarkdownNoHTML)
    return doc.toHtml()


def text_color_for(background: QColor) -> QColor:
    """Black or white, whichever reads better on ``background``."""
    luminance = 0.299 * background.red() + 0.587 * background.green() + 0.114 * background.blue()
    return QColor("#202124") if luminance > 150 else QColor("#ffffff")


@cache
def swatch_icon(color: str, key: str = "", size: int = 18) -> QIcon:
    """A rounded square of ``color`` with the shortcut key drawn inside."""
    scale = 2
    pix = QPixmap(size * scale, size * scale)
    pix.setDevicePixelRatio(scale)
    pix.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pix)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    c = QColor(color)
    painter.setPen(c.darker(125))
    painter.setBrush(c)
    painter.drawRoundedRect(QRect(1, 1, size - 2, size - 2), 4, 4)
    if key:
        font = QFont()
        font.setBold(True)
        font.setPixelSize(int(size * 0.62))
        painter.setFont(font)
        painter.setPen(text_color_for(c))
        painter.drawText(QRect(0, 0, size, size), Qt.AlignmentFlag.AlignCenter, key.upper() if key.isalpha() else key)
    painter.end()
    return QIcon(pix)


#: Size of a chip's colour swatch (with its key inside): chips are compact, so
#: that every label of a schema shows in a narrow side pane without scrolling.
CHIP_ICON = 16


class LabelChip(QToolButton):
    """One label: colour swatch with its key, and its name."""

    def __init__(
        self,
        kind: str,
        label: str,
        color: str,
        key: str | None,
        description: str,
        parent: QWidget | None = None,
        guide: Guidelines | None = None,
    ):
        super().__init__(parent)
        self.kind, self.label, self.key = kind, label, key
        #: The label's guidelines (description, examples, counter-examples), shown on hover.
        self.guide = guide
        self._guide_tip = ""
        shown = "Claim" if kind == "claim" else label
        self.setText(escape_mnemonic(shown))
        self.setIcon(swatch_icon(color, key or "", CHIP_ICON))
        self.setIconSize(QSize(CHIP_ICON, CHIP_ICON))
        self.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.setAutoRaise(True)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        kind_text = {"entity": "Entity", "event": "Event type", "claim": "Claim", "relation": "Relation type"}[kind]
        how = {
            "relation": "select the head span, then click this (or press its key) and click the tail span",
            "claim": "select text, then click this or press its key",
        }.get(kind, "select text, then click this or press its key; with a span selected, changes its label")
        tip = f"{kind_text}: {shown}"
        if description and (guide is None or not guide.has_guidelines()):
            tip += f"\n{description}"
        tip += f"\nKey: {key}" if key else "\nNo key"
        tip += f"\n{how[0].upper()}{how[1:]}."
        self._usage = tip
        self.setToolTip(plain_tooltip(tip))
        self.setStyleSheet("QToolButton { padding: 1px 4px 1px 2px; border-radius: 4px; }")
        self.shown = shown
        #: Whether new spans of this label are propagated in their document (annotate all, automatically).
        self.auto = False

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip and self.guide is not None and not self._guide_tip:
            self._guide_tip = self.guide_tooltip()  # built on first hover: set_schema stays cheap
            self.setToolTip(self._guide_tip)
        return super().event(event)

    def guide_tooltip(self) -> str:
        """The tooltip: the label's guidelines (Markdown, formatted), then how to use the chip."""
        from annotator.core.schema import guide_markdown

        assert self.guide is not None
        kind_text = {"entity": "Entity", "event": "Event type", "claim": "Claim", "relation": "Relation type"}[self.kind]
        md = guide_markdown(self.guide, f"{kind_text}: {self.shown}")
        usage = self._usage.split("\n", 1)[1] if "\n" in self._usage else ""
        body = markdown_html(md)
        foot = plain_tooltip(usage + "\nF1: all guidelines; right-click: gold examples.")
        return f"<qt><div style='max-width: 420px'>{_body_of(body)}<hr>{_body_of(foot)}</div></qt>"

    def set_auto(self, on: bool) -> None:
        """Mark (or unmark) the label as annotated automatically in the document."""
        self.auto = on
        self.setText(escape_mnemonic(f"{self.shown} ⟳" if on else self.shown))


def _body_of(html_text: str) -> str:
    """The inside of ``<body>`` (or of ``<qt>``) of a rich text."""
    import re

    m = re.search(r"<body[^>]*>(.*)</body>", html_text, re.S) or re.search(r"<qt>(.*)</qt>", html_text, re.S)
    return m.group(1) if m else html_text


class LabelPalette(QWidget):
    """All labels of a schema, in sections; emits :attr:`labelChosen` on click."""

    #: (kind, label) of the clicked chip.
    labelChosen = Signal(str, str)
    #: (label, on): annotate all automatically in the document for this label (its chip's context menu).
    autoRequested = Signal(str, bool)
    #: (kind, label): show the label's guidelines and gold examples (its chip's context menu).
    guidelinesRequested = Signal(str, str)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        self._layout = FlowLayout(self)
        self.chips: list[LabelChip] = []
        self._widgets: list[QWidget] = []
        self.schema: LabelSchema | None = None

    def set_schema(self, schema: LabelSchema | None) -> None:
        for w in self._widgets:
            self._layout.removeWidget(w)
            w.deleteLater()
        self._widgets, self.chips = [], []
        self.schema = schema
        if schema is None:
            return
        sections: list[tuple[str, list[tuple[str, str, str, str | None, str]]]] = [
            ("Entities", [("entity", e.name, e.color, e.key, e.description) for e in schema.entities]),
            # mention-only labels (pronouns, nominals) for coreference: entity spans too
            ("Mentions", [("entity", m.name, m.color, m.key, m.description) for m in schema.mentions]),
            ("Events", [("event", e.name, e.color, e.key, e.description) for e in schema.events]),
            ("Claims", [("claim", CLAIM_LABEL, schema.claim.color, schema.claim.key, schema.claim.description)]),
            ("Relations", [("relation", r.name, r.color, r.key, r.description) for r in schema.relations]),
        ]
        for title, items in sections:
            if not items:
                continue
            if title:
                header = plain_label(title)
                header.setStyleSheet("color: palette(mid); font-weight: 600; padding: 2px 2px 0 2px;")
                header.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
                header.setProperty(LINE_BREAK, True)
                self._add(header)
            for kind, name, color, key, description in items:
                chip = LabelChip(kind, name, color, key, description, guide=schema.guide(kind, name))
                chip.clicked.connect(lambda _c=False, k=kind, n=name: self.labelChosen.emit(k, n))
                chip.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
                chip.customContextMenuRequested.connect(lambda pos, c=chip: self._chip_menu(c, pos))
                self.chips.append(chip)
                self._add(chip)
        self.updateGeometry()
        area = self.parent().parent() if self.parent() is not None else None  # viewport, then the scroll area
        if isinstance(area, PaletteScrollArea):
            area.update_scroll_bar()

    def _add(self, widget: QWidget) -> None:
        self._layout.addWidget(widget)
        self._widgets.append(widget)

    def chip_menu(self, chip: LabelChip) -> QMenu:
        """The context menu of a chip: its guidelines and gold examples; annotate all
        automatically in the document (not for relations)."""
        menu = QMenu(self)
        guide = menu.addAction(f"Guidelines and gold examples of {escape_mnemonic(chip.shown)}")
        guide.triggered.connect(lambda _c=False, c=chip: self.guidelinesRequested.emit(c.kind, c.label))
        if chip.kind == "relation":
            return menu
        action = menu.addAction("Annotate all in the document automatically")
        action.setCheckable(True)
        action.setChecked(chip.auto)
        action.setToolTip(
            "A new span of this label also labels the other occurrences of its text in the document (one undo step)"
        )
        action.toggled.connect(lambda on, c=chip: self.autoRequested.emit(c.label, on))
        return menu

    def _chip_menu(self, chip: LabelChip, pos: QPoint) -> None:
        self.chip_menu(chip).popup(chip.mapToGlobal(pos))

    def set_auto(self, labels: set[str]) -> None:
        """Mark the chips of the labels annotated automatically in the document."""
        for chip in self.chips:
            chip.set_auto(chip.kind != "relation" and chip.label in labels)

    def chip(self, kind: str, label: str) -> LabelChip | None:
        return next((c for c in self.chips if c.kind == kind and c.label == label), None)

    def hasHeightForWidth(self) -> bool:  # noqa: N802
        return True

    def heightForWidth(self, width: int) -> int:  # noqa: N802
        return self._layout.heightForWidth(width)


class PaletteScrollArea(QScrollArea):
    """The palette's scroll area: a vertical scroll bar only when the labels do
    not fit at the area's full width.

    (QScrollArea decides with the viewport's current width: once it shows a
    scroll bar, the narrower viewport needs more height, so the bar stays even
    when the area has grown tall enough for every label.)
    """

    def __init__(self, palette: LabelPalette, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWidgetResizable(True)
        self.setFrameShape(QScrollArea.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setWidget(palette)

    def fits(self) -> bool:
        """Whether every label shows without scrolling."""
        area = self.contentsRect()
        widget = self.widget()
        return widget is None or widget.heightForWidth(area.width()) <= area.height()

    def update_scroll_bar(self) -> None:
        policy = Qt.ScrollBarPolicy.ScrollBarAlwaysOff if self.fits() else Qt.ScrollBarPolicy.ScrollBarAlwaysOn
        if policy != self.verticalScrollBarPolicy():
            self.setVerticalScrollBarPolicy(policy)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802
        self.update_scroll_bar()
        super().resizeEvent(event)
