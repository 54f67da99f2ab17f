"""Gift receipts carry no money and a version 2 token; refund receipts say where the money went.

The gift checks read what the printer would print (the ESC/POS bytes decoded, the QR scanned
back from the PNG), never the renderer's input."""

from __future__ import annotations

import copy
import io
import re
from typing import Any

import pytest
import zxingcpp
from receipts_cases import gift_url_for, lookup
from receipts_escpos_reader import read

from receipts import document as rd
from receipts import token as tk
from receipts.escpos import render_escpos
from receipts.html import render_html
from receipts.layout import render_text
from receipts.profiles import get_profile
from receipts.raster import render_png
from receipts.samples import SAMPLE_STORE, sample_refund_payload, sample_sale_payload

# Words of money and membership that never appear on a gift receipt.
MONEY_WORDS = (
    "应收", "实收", "找零", "合计", "原价", "优惠", "抹零", "现金", "银行卡", "银联", "尾号",
    "增值税", "会员", "积分", "￥", "¥", "138****5678",
)  # fmt: skip
AMOUNT = re.compile(r"\d+\.\d\d")


def _gift_payload() -> dict[str, Any]:
    payload = sample_sale_payload(3)
    # every kind of money a sale can carry: a member price, named savings, a member
    payload["lines"][0]["list_price_fen"] = payload["lines"][0]["unit_price_fen"] + 5000
    payload["savings"] = [{"name": "满500减50", "amount_fen": 5000}]
    return payload


def _gift(payload: dict[str, Any]) -> rd.ReceiptDocument:
    return rd.from_sale_payload(
        payload, store=SAMPLE_STORE, gift=True, qr_url=gift_url_for(payload["receipt_no"])
    )


def _repriced(payload: dict[str, Any]) -> dict[str, Any]:
    """The same goods bought at other prices, paid otherwise, by another member."""
    other = copy.deepcopy(payload)
    for line in other["lines"]:
        line["unit_price_fen"] += 1234
        line["amount_fen"] += 1234 * line["qty"]
        line["discount_fen"] = 0
    other["total_fen"] += 99999
    other["payments"] = [{"tender": "wechat", "amount_fen": other["total_fen"], "change_fen": 0}]
    other["member"] = {"id": "M9", "phone_masked": "139****0000", "points_balance": 1}
    other["savings"] = [{"name": "生日礼", "amount_fen": 777}]
    return other


@pytest.mark.parametrize("profile_name", ["generic-58-gb18030", "generic-80-gb18030"])
def test_gift_receipt_bytes_decode_to_no_price_payment_saving_or_member(
    profile_name: str,
) -> None:
    profile = get_profile(profile_name)
    printed = read(render_escpos(_gift(_gift_payload()), profile), profile.encoding)
    text = "\n".join(printed.lines)
    assert "礼品小票" in text and "(不显示价格)" in text
    assert "男士羊毛夹克" in text and "× 2" in text  # the items and their quantities
    for word in MONEY_WORDS:
        assert word not in text, word
    assert not AMOUNT.search(text), AMOUNT.search(text)
    # the QR the printer draws is the version 2 token: no total either
    (url,) = printed.native_qr
    fields = tk.verify(url, lookup)
    assert fields.version == 2 and fields.total_fen == 0 and fields.receipt_no == 42


def test_gift_receipt_text_has_no_price() -> None:
    text = render_text(_gift(_gift_payload()), 80)
    for word in MONEY_WORDS:
        assert word not in text, word
    assert not AMOUNT.search(text)


@pytest.mark.parametrize("paper", [58, 80])
def test_gift_png_and_bytes_do_not_change_with_the_prices(paper: int) -> None:
    """Whatever was paid, by whom, the printed gift receipt is the same to the dot: nothing of
    the money reaches the paper, the PNG or the page."""
    payload = _gift_payload()
    a, b = _gift(payload), _gift(_repriced(payload))
    png_a, png_b = io.BytesIO(), io.BytesIO()
    render_png(a, paper).save(png_a, "PNG")
    render_png(b, paper).save(png_b, "PNG")
    assert png_a.getvalue() == png_b.getvalue()
    profile = get_profile(f"generic-{paper}-gb18030")
    assert render_escpos(a, profile) == render_escpos(b, profile)
    assert render_html(a) == render_html(b)
    scanned = [r.text for r in zxingcpp.read_barcodes(render_png(a, paper))]
    assert scanned == [a.qr_url]
    assert tk.verify(scanned[0], lookup).gift


def test_gift_document_carries_no_money() -> None:
    doc = _gift(_gift_payload())
    assert doc.member is None and doc.tenders == () and doc.vat == () and doc.sections == ()
    assert doc.total_fen == doc.subtotal_fen == doc.discount_fen == 0
    assert all(x.unit_price_fen == x.amount_fen == x.discount_fen == 0 for x in doc.lines)
    assert [x.variant for x in doc.lines][1] == "尺码 F"  # colour/size stay


def _refund(payments: list[dict[str, Any]], store: rd.StoreInfo = SAMPLE_STORE) -> str:
    payload = sample_refund_payload()
    payload["payments"] = payments
    doc = rd.from_refund_payload(payload, store=store, qr_url="HTTPS://X/A")
    profile = get_profile("generic-58-gb18030")
    printed = read(render_escpos(doc, profile), profile.encoding)
    html = render_html(doc)
    # paper (the bytes decoded), preview text and page
    return "\n".join([*printed.lines, render_text(doc, 58), html])


def test_cash_refund_says_cash_was_handed_back() -> None:
    out = _refund([{"tender": "cash", "amount_fen": -29900, "change_fen": 0}])
    assert "现金退回，请保留本小票" in out
    assert "原路退回" not in out


@pytest.mark.parametrize(
    ("tender", "said"),
    [
        ("wechat", "原路退回至微信支付"),
        ("alipay", "原路退回至支付宝"),
        ("card", "原路退回至银行卡"),
        ("stored_value", "原路退回至储值卡"),
    ],
)
def test_refund_to_the_original_tender_names_it(tender: str, said: str) -> None:
    out = _refund([{"tender": tender, "amount_fen": -29900, "change_fen": 0}])
    assert f"{said}，请保留本小票" in out
    assert "现金退回" not in out


def test_refund_split_over_tenders_names_each_once() -> None:
    out = _refund(
        [
            {"tender": "card", "amount_fen": -20000},
            {"tender": "cash", "amount_fen": -5000},
            {"tender": "cash", "amount_fen": -4900},
        ]
    )
    assert "原路退回至银行卡、现金退回，请保留本小票" in out


def test_traditional_chinese_store_says_it_in_its_words() -> None:
    import dataclasses

    hant = dataclasses.replace(SAMPLE_STORE, language="zh-Hant")
    payload = sample_refund_payload()
    payload["payments"] = [{"tender": "alipay", "amount_fen": -29900}]
    doc = rd.from_refund_payload(payload, store=hant)
    assert doc.footer == ("原路退回至支付寶，請保留本收據",)
    assert rd.refund_destination(["cash"], "zh-Hant") == "現金退回"
