"""The e-receipt page: self-contained, escaped, with the verification banner."""

from __future__ import annotations

import dataclasses
import re
import shutil
import subprocess
from html.parser import HTMLParser

import pytest
from receipts_cases import HANT_STORE, hant_sale, refund, sale

from receipts import render_receipt_html
from receipts.html import render_html


class _Collect(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.attrs: list[tuple[str, str | None]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attrs.extend(attrs)

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def _parse(html: str) -> _Collect:
    c = _Collect()
    c.feed(html)
    return c


def test_page_holds_the_receipt() -> None:
    doc = sale(10)
    html = render_receipt_html(doc, verified=None)
    text = "".join(_parse(html).text)
    assert html.startswith("<!DOCTYPE html>") and 'lang="zh-CN"' in html
    for needed in (
        "衣尚 · 南京西路店",
        "销售小票",
        "000042",
        "王芳",
        "李娜",
        "应收",
        "含增值税 13%",
    ):
        assert needed in text
    assert f"￥{doc.total_fen // 100}." in text
    assert "已验证" not in text and "验证失败" not in text


def test_verified_banners() -> None:
    doc = sale(1)
    assert "已验证" in render_receipt_html(doc, verified=True)
    bad = render_receipt_html(doc, verified=False)
    assert "验证失败" in bad and "篡改" in bad
    assert "已驗證" in render_receipt_html(hant_sale(), verified=True)


def test_self_contained_no_scripts_no_outside_requests() -> None:
    html = render_html(refund())
    parsed = _parse(html)
    assert "script" not in parsed.tags and "link" not in parsed.tags
    for name, value in parsed.attrs:
        if name in ("src", "href"):
            assert value is not None and value.startswith("data:"), (name, value)
    assert "<svg" in html  # the QR, inline, for a return at another store's till


def test_receipt_text_is_escaped_and_extra_html_is_not() -> None:
    doc = sale(1)
    evil = '<script>alert("x")</script> & "引号"'
    line = dataclasses.replace(doc.lines[0], name=evil)
    store = dataclasses.replace(doc.store, name="<b>店</b>", footer=("<img src=x onerror=y>",))
    doc = dataclasses.replace(doc, lines=(line,), store=store, cashier="a&b")
    html = render_receipt_html(doc, verified=True, extra_html='<a href="/return">退货</a>')
    assert "<script>" not in html and "<b>店</b>" not in html and "<img src=x" not in html
    assert "&lt;script&gt;" in html and "a&amp;b" in html
    assert '<a href="/return">退货</a>' in html


def test_traditional_store_page() -> None:
    html = render_html(hant_sale())
    assert 'lang="zh-Hant"' in html and "銷售收據" in html and HANT_STORE.name in html


@pytest.mark.skipif(shutil.which("chromium") is None, reason="chromium not installed")
def test_page_renders_in_chromium_and_its_qr_scans(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import zxingcpp
    from PIL import Image
    from receipts_cases import lookup

    from receipts import token as tk

    doc = sale(2)
    page = tmp_path / "r.html"
    page.write_text(render_receipt_html(doc, verified=True), encoding="utf-8")
    shot = tmp_path / "r.png"
    subprocess.run(
        [
            "chromium",
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
            "--window-size=420,1500",
            f"--screenshot={shot}",
            page.as_uri(),
        ],
        check=True,
        capture_output=True,
        timeout=90,
    )
    with Image.open(shot) as img:
        found = [r.text for r in zxingcpp.read_barcodes(img.convert("L"))]
    assert found == [doc.qr_url]
    assert tk.verify(found[0], lookup).receipt_no == 42
    assert re.search(r"HTTPS://R\.EXAMPLE\.COM/R/[A-Z2-7]{143}$", found[0])


def test_page_for_a_sale_not_synced_yet_from_the_token_alone() -> None:
    from receipts_cases import lookup

    from receipts import token as tk
    from receipts.document import from_token
    from receipts.samples import SAMPLE_STORE

    doc = refund()
    fields = tk.verify(doc.qr_url or "", lookup)
    page = render_receipt_html(from_token(fields, store=SAMPLE_STORE), verified=True)
    text = "".join(_parse(page).text)
    assert "退货小票" in text and "000043" in text and "-￥299.00" in text
    assert "2026-11-25 14:30:00" in text and "正在同步" in text and "已验证" in text
    assert "件数" not in text
