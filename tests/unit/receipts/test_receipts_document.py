"""The receipt document built from sale/refund payloads, Z reports and test pages."""

from __future__ import annotations

import dataclasses

import pytest

from receipts import document as rd
from receipts.errors import BadReceiptData, FontNotFound, UnknownPrinterProfile
from receipts.escpos import render_escpos
from receipts.html import render_html
from receipts.layout import render_text
from receipts.profiles import PRESETS, get_profile, paper
from receipts.samples import (
    SAMPLE_STORE,
    sample_refund_payload,
    sample_sale_payload,
    sample_z_report,
)


def test_sale_document_from_the_payload() -> None:
    payload = sample_sale_payload(10)
    doc = rd.from_sale_payload(payload, store=SAMPLE_STORE, qr_url="HTTPS://X/R/A")
    assert doc.kind == "sale" and doc.title == "销售小票"
    assert doc.receipt_no == 42 and doc.receipt_no_text == "000042"
    assert doc.time_text == "2026-11-25 14:30:00"  # UTC 06:30 in Asia/Shanghai
    assert len(doc.lines) == 10 and doc.total_fen == payload["total_fen"]
    assert sum(x.amount_fen for x in doc.lines) == doc.total_fen
    assert doc.discount_fen == payload["line_discount_fen"]
    assert doc.cashier == "王芳" and doc.associate == "李娜"
    assert doc.vat[0].rate_bp == 1300
    assert doc.member is not None and doc.member.phone_masked == "138****5678"
    text = render_text(doc, 80)
    for needed in (
        "小票号：000042",
        "收银员：王芳",
        "导购：李娜",
        "含增值税 13%",
        "找零",
        "积分余额",
    ):
        assert needed in text


def test_card_shows_type_and_last_four_only() -> None:
    payload = sample_sale_payload(2)
    payload["payments"][1]["card"] = {
        "type": "VISA",
        "masked_pan": "4111111111111234",  # even if a full number slipped through
        "auth_code": "A1",
    }
    doc = rd.from_sale_payload(payload, store=SAMPLE_STORE)
    card = doc.tenders[1]
    assert card.label == "银行卡" and card.detail == "VISA 尾号1234"
    for rendering in (render_text(doc, 80), render_html(doc)):
        assert "411111" not in rendering and "尾号1234" in rendering
    assert b"411111" not in render_escpos(doc, get_profile("generic-80-gb18030"))


def test_member_phone_is_masked_even_when_given_in_full() -> None:
    payload = sample_sale_payload(1)
    payload["member"] = {"id": "m", "phone": "13812345678"}
    doc = rd.from_sale_payload(payload, store=SAMPLE_STORE)
    assert doc.member is not None and doc.member.phone_masked == "138****5678"


def test_gift_receipt_has_no_prices() -> None:
    payload = sample_sale_payload(3)
    doc = rd.from_sale_payload(payload, store=SAMPLE_STORE, gift=True, qr_url="HTTPS://X/R/A")
    text = render_text(doc, 80)
    assert "礼品小票" in text
    for amount in ("299.00", "89.00", rd.money(payload["total_fen"]), "找零", "现金"):
        assert amount not in text
    html = render_html(doc)
    assert "299.00" not in html and "礼品小票" in html
    assert b"299.00" not in render_escpos(doc, get_profile("generic-80-gb18030"))


def test_reprint_is_marked_with_its_count() -> None:
    doc = rd.from_sale_payload(sample_sale_payload(1), store=SAMPLE_STORE, reprint_count=3)
    assert "重　印　  第　3 次" in render_text(doc, 58)
    assert "重印 第3次" in render_html(doc)


def test_refund_receipt_shows_money_out_negative() -> None:
    doc = rd.from_refund_payload(sample_refund_payload(), store=SAMPLE_STORE, qr_url="HTTPS://X/A")
    assert doc.title == "退货小票" and doc.total_fen == -29900
    text = render_text(doc, 58)
    assert "原小票号：000042" in text and "退货原因：尺码不合适" in text
    assert "-299.00" in text.replace("　", "").replace(" ", "")


def test_z_report_is_generic() -> None:
    doc = rd.from_z_report(sample_z_report(), SAMPLE_STORE)
    text = render_text(doc, 80)
    assert "日结报表 (Z)" in text and "收款方式" in text and "实点现金" in text
    assert "Z 序号" in text
    # a report without sections: scalars as rows (fen as money), dicts and lists as sections
    report = {
        "z_no": 8,
        "sales_total_fen": 1234567,
        "refund_count": 2,
        "tenders": {"cash_fen": 100000, "wechat_fen": 1134567},
        "vat": [{"rate_bp": 1300, "gross_fen": 1234567, "vat_fen": 142029}],
    }
    text = render_text(rd.from_z_report(report, SAMPLE_STORE), 58)
    assert "12345.67" in text and "11345.67" in text and "1420.29" in text
    custom = rd.from_z_report(
        {"title": "X 报表"}, SAMPLE_STORE, sections=[rd.Section("自定义", (("a", "b"),))]
    )
    assert "X 报表" in render_text(custom, 58) and "自定义" in render_text(custom, 58)


@pytest.mark.parametrize("name", sorted(PRESETS))
def test_test_page_for_every_profile(name: str) -> None:
    profile = get_profile(name)
    doc = rd.test_page(SAMPLE_STORE, profile)
    text = render_text(doc, profile.paper_mm)
    assert name in text and profile.encoding.upper() in text
    data = render_escpos(doc, profile)
    assert data.startswith(b"\x1b@")


def test_bad_payloads_say_what_is_missing() -> None:
    payload = sample_sale_payload(1)
    del payload["lines"]
    with pytest.raises(BadReceiptData, match="'lines'"):
        rd.from_sale_payload(payload, store=SAMPLE_STORE)
    payload = sample_sale_payload(1)
    payload["total_fen"] = 299.0
    with pytest.raises(BadReceiptData, match="integer"):
        rd.from_sale_payload(payload, store=SAMPLE_STORE)
    payload = sample_sale_payload(1)
    payload["completed_at"] = "yesterday"
    with pytest.raises(BadReceiptData, match="RFC 3339"):
        rd.from_sale_payload(payload, store=SAMPLE_STORE)


def test_profiles_and_paper() -> None:
    assert get_profile("generic-58-gbk").columns == 32
    assert paper("80mm").dots == 576 and paper(58).columns == 32
    with pytest.raises(UnknownPrinterProfile, match="generic-80-gb18030"):
        get_profile("nope")
    with pytest.raises(UnknownPrinterProfile):
        paper(76)
    with pytest.raises(UnknownPrinterProfile, match="encoding"):
        dataclasses.replace(get_profile("big5-80"), encoding="utf8")
    custom = get_profile("generic-80-gb18030").with_options(native_qr=False, name="store-1")
    assert custom.native_qr is False and custom.name == "store-1"
    with pytest.raises(UnknownPrinterProfile, match="colour"):
        custom.with_options(colour=True)


def test_missing_font_names_the_package(monkeypatch: pytest.MonkeyPatch) -> None:
    from receipts import fonts

    monkeypatch.setattr(fonts, "SEARCH_PATHS", ("/nonexistent/a.ttc",))
    monkeypatch.delenv(fonts.FONT_ENV, raising=False)
    with pytest.raises(FontNotFound, match="fonts-wqy-microhei"):
        fonts.find_cjk_font()
    monkeypatch.setenv(fonts.FONT_ENV, "/nonexistent/b.ttf")
    with pytest.raises(FontNotFound, match="GUITAI_CJK_FONT"):
        fonts.find_cjk_font()
    monkeypatch.setenv(fonts.FONT_ENV, "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")
    assert fonts.find_cjk_font().name == "wqy-microhei.ttc"


def test_profile_from_settings() -> None:
    from receipts.profiles import profile_from_config

    assert profile_from_config("big5-80") == get_profile("big5-80")
    p = profile_from_config({"profile": "generic-80-gb18030", "native_qr": False, "paper_mm": 58})
    assert (p.native_qr, p.columns, p.dots) == (False, 32, 384)
    with pytest.raises(UnknownPrinterProfile, match="must be a bool"):
        profile_from_config({"native_qr": "yes"})
    with pytest.raises(UnknownPrinterProfile, match="unknown printer profile settings: speed"):
        profile_from_config({"speed": 3})


def test_a_member_price_prints_the_list_price_and_the_saving_by_name() -> None:
    """原价合计 is at list prices and 会员价优惠 is named on the line and in 优惠明细 (it was
    invisible: the receipt's 原价合计 showed the member price)."""
    payload = sample_sale_payload(1)
    ln = payload["lines"][0]
    listed = ln["unit_price_fen"] + 4_000
    ln["list_price_fen"] = listed
    doc = rd.from_sale_payload(payload, store=SAMPLE_STORE)
    assert doc.lines[0].unit_price_fen == listed
    assert doc.lines[0].member_saving_fen == ln["qty"] * 4_000
    assert doc.subtotal_fen == payload["subtotal_fen"] + ln["qty"] * 4_000
    assert doc.sections[0].title == "优惠明细"
    assert doc.sections[0].rows[0] == ("会员价优惠", rd.money(-ln["qty"] * 4_000))
    assert doc.subtotal_fen - doc.discount_fen - doc.rounding_fen == doc.total_fen
    for rendering in (render_text(doc, 58), render_html(doc)):
        assert "会员价优惠" in rendering and rd.money(listed) in rendering
    # a line sold at its list price says nothing of member prices
    ln["list_price_fen"] = ln["unit_price_fen"]
    doc = rd.from_sale_payload(payload, store=SAMPLE_STORE)
    assert "会员价优惠" not in render_text(doc, 80)
