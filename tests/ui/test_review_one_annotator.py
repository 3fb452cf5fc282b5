"""Review and agreement when only one annotator has worked (issue 12, defect 8):
nothing is called "agreed", the reviewer is told plainly what agreement needs and
can still accept that annotator's work into gold, one by one or all at once; the
agreement dialog says what is needed instead of an empty table and chart. And the
agreement chart's legend is never cut off."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QColor, QFontMetrics, QImage, QPainter, QUndoStack
from PySide6.QtWidgets import QLabel, QPushButton
from review_fixtures import build_demo

from annotator.core.models import GOLD
from annotator.ui.agreement_dialog import AgreementDialog, BarChart
from annotator.ui.review_view import ReviewView


@pytest.fixture
def solo(tmp_path):
    d = build_demo(tmp_path / "solo.annotator", who=("alice",))
    yield d
    d.project.close()


@pytest.fixture
def view(qtbot, solo):
    stack = QUndoStack()
    v = ReviewView(solo.project, "rita", stack)
    v.resize(1300, 850)
    qtbot.addWidget(v)
    v.show()
    v.open_document(solo.doc_id)
    v._stack = stack  # keep it alive with the widget
    return v


def gold_rows(demo):
    return sorted(
        (g.kind, g.label, demo.text[g.start : g.end]) for g in demo.project.annotations(demo.doc_id, GOLD) if g.start is not None
    )


def statuses(view):
    return [view.unit_model.index(r, 0).data() for r in range(view.unit_model.rowCount())]


def test_one_annotator_is_not_called_agreement(qtbot, view, solo):
    assert view.annotators == ["alice"]
    assert "agreed" not in statuses(view)
    assert set(statuses(view)) == {"single"} and len(statuses(view)) == 19
    # no "Accept all agreed (19)": nothing is agreed with one annotator
    assert not view.accept_agreed_button.isVisible()
    summary = view.summary_label.text()
    assert "Only one annotator (alice) has annotated this document; agreement needs at least two." in summary
    assert "Import colleague's work" in summary and "annotator merge" in summary
    assert "agreed" not in summary.replace("agreement", "")
    # the queue says it too, and counts nothing as agreed
    row = view.queue_model.rows[view.queue_model.row_of(solo.doc_id)]
    assert (row.agreed, row.agreed_open, row.disagreements, row.single_open) == (0, 0, 0, 19)
    tip = view.queue_model.index(view.queue_model.row_of(solo.doc_id), 0).data(Qt.ItemDataRole.ToolTipRole)
    assert "only alice annotated it" in tip and "agreed" not in tip
    # the unit's panel names it plainly
    view.select_unit(view.unit_containing(solo.id("alice", "china")))
    heads = [w.text() for w in view.detail.findChildren(QLabel)]
    assert "One annotator only — entity" in heads
    # an event's arguments are not "the same for all" when there is one annotator
    view.select_unit(view.unit_containing(solo.id("alice", "grant")))
    texts = [w.text() for w in view.detail.findChildren(QLabel)]
    assert any(t.startswith("Grantee") for t in texts) and not any("same for all" in t for t in texts)


def test_one_annotators_work_accepted_one_by_one_then_all_at_once(qtbot, view, solo):
    button = view.findChild(QPushButton, "accept-annotator")
    assert button is not None and button.isVisible() and button.isEnabled()
    assert button.text() == "Accept all of alice’s (19)"
    # Ctrl+Shift+A (accept all agreed) accepts nothing and says why
    messages: list[str] = []
    view.message.connect(messages.append)
    view.unit_table.setFocus()
    ctrl_shift = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    qtbot.keyClick(view.unit_table, Qt.Key.Key_A, ctrl_shift)
    assert gold_rows(solo) == [] and view._stack.count() == 0
    assert messages and "only one annotator (alice)" in messages[-1].lower()
    # one by one: key 1 accepts alice's version of the selected unit
    view.select_unit(view.unit_containing(solo.id("alice", "china")))
    qtbot.keyClick(view.unit_table, Qt.Key.Key_1)
    assert gold_rows(solo) == [("entity", "GPE", "China")]
    assert button.text() == "Accept all of alice’s (18)"
    # reject one: "all at once" leaves the reviewer's decisions alone
    view.select_unit(view.unit_containing(solo.id("alice", "percent")))
    qtbot.keyClick(view.unit_table, Qt.Key.Key_X)
    assert button.text() == "Accept all of alice’s (17)"
    # all the rest at once, as one undoable step
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    gold = solo.project.annotations(solo.doc_id, GOLD)
    assert len(gold) == 18 and ("entity", "PERCENT", "70%") not in gold_rows(solo)
    assert ("event", "LicenceGrant", "granted") in gold_rows(solo)
    assert all(u.decision in ("accepted", "rejected") for u in view.units)
    assert button.text() == "Accept all of alice’s (0)" and not button.isEnabled()
    assert messages[-1] == "Accepted 17 of alice’s annotations into gold."
    assert view._stack.count() == 3
    actions = [d["action"] for d in solo.project.review_decisions(solo.doc_id)]
    assert actions.count("accept_annotator") == 17
    view._stack.undo()
    assert gold_rows(solo) == [("entity", "GPE", "China")]
    assert button.text() == "Accept all of alice’s (17)"


def test_two_annotators_keep_accept_all_agreed(qtbot, tmp_path):
    demo = build_demo(tmp_path / "two.annotator")
    try:
        v = ReviewView(demo.project, "rita")
        qtbot.addWidget(v)
        v.show()
        v.open_document(demo.doc_id)
        assert v.accept_agreed_button.isVisible() and v.accept_agreed_button.text() == "Accept all agreed (10)"
        assert not v.findChild(QPushButton, "accept-annotator").isVisible()
        assert "single" not in statuses(v)
    finally:
        demo.project.close()


def test_agreement_dialog_with_one_annotator_says_what_is_needed(qtbot, solo):
    dialog = AgreementDialog(solo.project)
    qtbot.addWidget(dialog)
    dialog.show()
    # no empty table and empty chart: a plain statement in their place
    assert not dialog.label_table.isVisible() and not dialog.chart.isVisible()
    assert not dialog.doc_table.isVisible()
    notice = dialog.findChild(QLabel, "agreement-notice")
    assert notice is not None and notice.isVisible()
    text = notice.text()
    assert "Agreement needs at least two annotators" in text
    assert "only one has annotated this project: alice" in text
    assert "File > Import colleague's work" in text and "annotator merge" in text
    assert notice.textFormat() == Qt.TextFormat.PlainText
    assert not dialog.pair_combo.isEnabled() and not dialog.mode_combo.isEnabled()


def _ink(image: QImage) -> float:
    """The amount of grey ink (text) on an image: per unsaturated pixel, how much
    darker it is than the top-left (background) pixel."""
    image = image.convertToFormat(QImage.Format.Format_RGB32)
    bg = QColor(image.pixel(0, 0)).lightness()
    data = bytes(image.constBits())
    total = 0
    for i in range(0, len(data), 4):
        b, g, r = data[i], data[i + 1], data[i + 2]
        if max(r, g, b) - min(r, g, b) < 24:  # grey: text, not the blue swatches or bars
            total += max(bg - (r + g + b) // 3, 0)
    return total / 255


def _text_ink(chart: BarChart, text: str) -> float:
    fm = chart.fontMetrics()
    image = QImage(fm.horizontalAdvance(text) + 20, fm.height() + 10, QImage.Format.Format_RGB32)
    image.fill(chart.palette().window().color())
    p = QPainter(image)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    p.setFont(chart.font())
    p.setPen(chart.palette().windowText().color())
    p.drawText(QRect(10, 5, image.width() - 20, fm.height()), Qt.AlignmentFlag.AlignVCenter, text)
    p.end()
    return _ink(image)


@pytest.mark.parametrize("width", [370, 700])
def test_agreement_chart_legend_is_not_cut_off(qtbot, width):
    chart = BarChart()
    qtbot.addWidget(chart)
    chart.resize(width, 260)
    chart.show()
    drawn = _ink(chart.grab().toImage())  # no rows: the legend is all the text there is
    expected = sum(_text_ink(chart, name) for name, _color in BarChart.LEGEND)
    assert drawn == pytest.approx(expected, rel=0.05)


@pytest.mark.parametrize("width", [150, 240, 370, 500, 900])
def test_agreement_chart_legend_text_fits_its_rectangle(qtbot, width):
    chart = BarChart()
    qtbot.addWidget(chart)
    chart.resize(width, 260)
    chart.set_rows([{"label": "PERSON", "f1": 0.5, "f1b": 0.75}])
    fm = QFontMetrics(chart.font())
    items = chart.legend_items()
    assert [name for name, *_ in items] == [name for name, _color in BarChart.LEGEND]
    for name, swatch, rect, shown in items:
        assert fm.horizontalAdvance(shown) <= rect.width() and fm.boundingRect(shown).width() <= rect.width()
        assert fm.height() <= rect.height()
        assert chart.rect().contains(rect.toAlignedRect()) and chart.rect().contains(swatch.toAlignedRect())
        assert not swatch.intersects(rect)
        if width >= 240:
            assert shown == name  # whole, on one or two lines
    rects = [r for _n, _s, r, _t in items]
    assert not rects[0].intersects(rects[1])
    assert chart.bars_top() >= max(r.bottom() for r in rects)
