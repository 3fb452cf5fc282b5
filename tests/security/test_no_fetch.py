"""Article text, titles, metadata, labels and names are never rendered as rich
text and never fetch anything: documents whose every field points at a
loopback HTTP server with <img>, <link>, <iframe>, CSS url() and friends are
imported and shown in the article view, its tooltips, the document list, the
annotation panel, the inspector, the palette and the dialogs; the server
receives no request and no connection, and every widget shows the markup
literally."""

from __future__ import annotations

import html
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

pytest.importorskip("annotator.ui.main_window")

from PySide6.QtCore import QModelIndex, QPoint, QSettings, Qt  # noqa: E402
from PySide6.QtGui import QTextDocument  # noqa: E402
from PySide6.QtWidgets import QApplication, QDialog, QLabel, QMessageBox, QToolTip, QWidget  # noqa: E402

from annotator.core import commands as C  # noqa: E402
from annotator.core.models import claim, entity, event, relation  # noqa: E402
from annotator.core.schema import default_schema, parse_schema  # noqa: E402
from annotator.core.store import Project  # noqa: E402
from annotator.services.importing import import_paths  # noqa: E402
from annotator.ui.main_window import MainWindow  # noqa: E402


def tag_with(url: str, markup: str) -> re.Match | None:
    """A live tag (attributes, CSS in a style attribute) or a live <style> element
    in ``markup`` that names ``url``: escaped text never has one."""
    return re.search(r"<[A-Za-z][^<>]*" + re.escape(url), markup) or re.search(r"<style\b[^<]*" + re.escape(url), markup, re.I)


class Loopback:
    """An HTTP server on 127.0.0.1 and a free port, counting connections and requests."""

    def __init__(self) -> None:
        self.requests: list[str] = []
        self.connections = 0
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802
                outer.requests.append(self.path)
                body = b"GIF89a" if self.path.endswith((".png", ".gif")) else b"body{background:red}"
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        class Server(ThreadingHTTPServer):
            def verify_request(self, request, client_address) -> bool:  # noqa: ANN001
                outer.connections += 1
                return True

        self.server = Server(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def server():
    s = Loopback()
    yield s
    s.close()


def hostile(u: str) -> list[str]:
    return [
        f'<html><body background="{u}/body.png"><img src="{u}/img.png"></body></html>',
        f'<link rel="stylesheet" href="{u}/style.css"><b>bold?</b>',
        f'<iframe src="{u}/frame.html"></iframe>',
        f'<div style="background:url({u}/div.png)">styled</div>',
        f"<style>@import url({u}/import.css); p {{ background: url('{u}/p.png') }}</style>",
        f'<object data="{u}/object.swf"></object><svg><image href="{u}/svg.png"/></svg>',
        f'<video poster="{u}/poster.png"></video><script src="{u}/script.js"></script>',
        f'<table><tr><td background="{u}/td.png">cell</td></tr></table><a href="{u}/link">link</a>',
        f'<meta http-equiv="refresh" content="0;url={u}/meta"><base href="{u}/">',
    ]


def make_project(path: Path, u: str, tmp: Path) -> tuple[Project, list[str]]:
    h = hostile(u)
    data = default_schema().to_dict()
    label = f'<img src="{u}/label.png">'
    data["entities"].append({"name": label, "color": "#123456", "key": "9"})
    p = Project(path, create=True, schema=parse_schema(data, "hostile"))
    folder = tmp / "in"
    folder.mkdir()
    # through the real importers: plain text, HTML and JSON lines
    (folder / "article.txt").write_text(h[0] + "\n\n" + "\n".join(h), encoding="utf-8")
    (folder / "page.html").write_text(
        f"<html><head><title>{html.escape(h[1])}</title>{h[1]}</head><body><p>"
        f"{html.escape(h[2])}</p><img src='{u}/page.png'>{h[3]}</body></html>",
        encoding="utf-8",
    )
    import json

    lines = [
        json.dumps({"id": f"{h[i]}", "title": h[i], "text": " ".join(h) + f" {i}", "meta": {"source": h[i], h[i]: h[i]}})
        for i in range(len(h))
    ]
    (folder / "batch.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = import_paths(p, [folder])
    assert report.ok and report.documents == 2 + len(h), [str(e) for e in report.errors]
    who = f'<img src="{u}/annotator.png">'
    for doc_id in p.document_ids():
        text = p.document_text(doc_id)
        n = len(text)
        ent = entity(doc_id, 0, min(20, n), label, who)
        other = entity(doc_id, min(25, n - 2), min(40, n), "PERSON", who)
        ev = event(doc_id, min(5, n - 1), min(15, n), "LicenceGrant", who, arguments=[("Grantor", other.id)])
        cl = claim(doc_id, 0, n, who, claimant_text=h[3], attributes={"stance": "supports"})
        rel = relation(doc_id, ent.id, other.id, "located_in", who)
        C.apply(p, C.AddAnnotations(doc_id, who, [ent, other, ev, cl, rel]))
    return p, h


def literal(rendered_html: str) -> str:
    doc = QTextDocument()
    doc.setHtml(rendered_html)
    return doc.toPlainText()


def check_widget_texts(root: QWidget, url: str) -> int:
    """Every label and tooltip that holds the URL shows it literally."""
    seen = 0
    for w in [root, *root.findChildren(QWidget)]:
        tip = w.toolTip()
        if url in tip:
            seen += 1
            assert not tag_with(url, tip), f"{type(w).__name__} tooltip holds live markup: {tip[:200]}"
        if isinstance(w, QLabel) and url in w.text():
            seen += 1
            assert w.textFormat() == Qt.TextFormat.PlainText or not tag_with(url, w.text()), (
                f"QLabel {w.objectName()!r} renders {w.text()[:120]!r} as rich text"
            )
    return seen


def check_model(model, url: str) -> int:
    seen = 0
    for row in range(model.rowCount()):
        for col in range(model.columnCount()):
            index = model.index(row, col, QModelIndex())
            for role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
                value = model.data(index, role)
                if isinstance(value, str) and url in value:
                    seen += 1
                    if role == Qt.ItemDataRole.ToolTipRole:
                        assert not tag_with(url, value), value[:200]
                        QToolTip.showText(QPoint(10, 10), value)
                        QApplication.processEvents()
    return seen


def test_nothing_is_fetched_and_everything_is_literal(qtbot, tmp_path: Path, server: Loopback, monkeypatch) -> None:
    # a dialog opened with exec() is shown, painted and closed at once
    def fake_exec(self) -> int:
        self.show()
        QApplication.processEvents()
        self.grab()
        dialogs_seen.append(self)
        self.done(0)
        return 0

    dialogs_seen: list[QDialog] = []
    monkeypatch.setattr(QDialog, "exec", fake_exec)
    monkeypatch.setattr(QMessageBox, "exec", fake_exec)

    project, h = make_project(tmp_path / "p.annotator", server.url, tmp_path)
    settings = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    who = project.annotators()[0]
    assert server.url in who
    window = MainWindow(project, who, settings)
    qtbot.addWidget(window)
    window.resize(1200, 800)
    window.show()
    qtbot.waitExposed(window)
    url = server.url
    seen = 0
    view = window.article_view
    for n, doc_id in enumerate(project.document_ids()):
        assert window.open_document(doc_id)
        QApplication.processEvents()
        text = project.document_text(doc_id)
        # the article is its text, character for character, not a rendering of it
        assert view.document().toRawText().replace("\u2029", "\n") == text
        assert not view.document().toHtml().count("<img")
        for ann in project.annotations(doc_id) if n < 3 else []:  # every annotation of the first few
            window.workspace.select_annotation(ann.id)
            QApplication.processEvents()
            if ann.start is not None:
                tip = view.tooltip_text(ann.start)
                assert url in tip and not tag_with(url, tip), tip[:300]
                assert ann.label in literal(tip)  # rendered, the tooltip shows the label's markup as text
                QToolTip.showText(view.mapToGlobal(QPoint(20, 20)), tip, view)
                QApplication.processEvents()
        window.grab()  # paint everything: the view, the lists, the inspector, the palette
        seen += check_widget_texts(window, url)
        seen += check_model(window.doc_list.model, url)
        seen += check_model(window.panel.model, url)
    # dialogs: an import report naming hostile files, an error message, the shortcuts
    bad = tmp_path / f"<img src='{url.replace('/', '_')}'>.txt"
    bad.write_text(h[2], encoding="utf-8")
    window.import_paths([bad, tmp_path / f"<iframe src={url}>missing.txt"])
    QApplication.processEvents()
    report = window.last_import_dialog
    report.grab()
    seen += check_widget_texts(report, url)
    from annotator.ui import dialogs

    dialogs.show_error(window, h[0], f"{h[1]}\n{h[2]}", details=h[3])
    dialogs.show_warning(window, h[4], h[5])
    window.show_shortcuts()
    for d in dialogs_seen:
        seen += check_widget_texts(d, url)
        if isinstance(d, QMessageBox):
            assert d.textFormat() == Qt.TextFormat.PlainText
    QApplication.processEvents()
    window.close()
    assert seen > 20, "the hostile strings were not shown where the test looked"
    # give any request a moment to arrive (no timing asserted: the server is simply asked)
    QApplication.processEvents()
    assert server.requests == [] and server.connections == 0, f"fetched: {server.requests}"


def test_the_server_would_notice_a_fetch(server: Loopback) -> None:
    """The probe can fail: a real request is counted."""
    import urllib.request

    with urllib.request.urlopen(f"{server.url}/probe.png", timeout=5) as r:
        assert r.read() == b"GIF89a"
    assert server.requests == ["/probe.png"] and server.connections == 1
