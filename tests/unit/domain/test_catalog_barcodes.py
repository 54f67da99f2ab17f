"""Check digits and barcode kinds (pure domain)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pos_app.domain.catalog import (
    BarcodeKind,
    Sku,
    barcode_kind,
    code_variants,
    gs1_check_digit,
    has_valid_check_digit,
    parse_vat_rate,
    validate_barcode,
    with_check_digit,
)
from pos_app.domain.errors import InvalidInput

digits = st.text(alphabet="0123456789", min_size=1, max_size=1)


@pytest.mark.parametrize(
    ("code", "kind"),
    [
        ("6901234567892", BarcodeKind.EAN13),  # GS1 China
        ("4006381333931", BarcodeKind.EAN13),  # the textbook EAN-13
        ("96385074", BarcodeKind.EAN8),
        ("036000291452", BarcodeKind.UPCA),
        ("2000000000008", BarcodeKind.STORE),  # restricted circulation 20–29
        ("2912345678906", BarcodeKind.STORE),
    ],
)
def test_known_codes(code: str, kind: BarcodeKind) -> None:
    assert has_valid_check_digit(code)
    assert validate_barcode(code) is kind


@pytest.mark.parametrize("length", [7, 11, 12])
@given(data=st.data())
def test_generated_codes_are_valid(length: int, data: st.DataObject) -> None:
    body = data.draw(st.text(alphabet="0123456789", min_size=length, max_size=length))
    code = with_check_digit(body)
    assert has_valid_check_digit(code)
    assert barcode_kind(code) is not None


@pytest.mark.parametrize("length", [7, 11, 12])
@given(data=st.data())
def test_any_single_digit_change_fails(length: int, data: st.DataObject) -> None:
    body = data.draw(st.text(alphabet="0123456789", min_size=length, max_size=length))
    code = with_check_digit(body)
    pos = data.draw(st.integers(0, len(code) - 1))
    new = data.draw(digits.filter(lambda d: d != code[pos]))
    changed = code[:pos] + new + code[pos + 1 :]
    assert not has_valid_check_digit(changed)
    with pytest.raises(InvalidInput) as err:
        barcode_kind(changed)
    assert "条码校验位错误" in err.value.message_zh
    assert "Bad check digit" in err.value.message


def test_check_digit_reference_values() -> None:
    assert gs1_check_digit("690123456789") == 2
    assert gs1_check_digit("400638133393") == 1
    assert gs1_check_digit("9638507") == 4


def test_non_barcodes() -> None:
    assert barcode_kind("QP-2026-0001-BLK-L") is None
    assert barcode_kind("12345") is None
    with pytest.raises(InvalidInput):
        validate_barcode("12345")
    # A store's own prefix marks store codes, which carry no check digit.
    assert barcode_kind("QP000123", ["QP"]) is BarcodeKind.STORE


def test_upc_a_and_its_ean13_form_are_one_code() -> None:
    assert code_variants("036000291452") == ("036000291452", "0036000291452")
    assert code_variants("0036000291452") == ("0036000291452", "036000291452")
    assert code_variants("6901234567892") == ("6901234567892",)


@pytest.mark.parametrize(
    ("text", "bp"),
    [
        ("13%", 1300),
        ("9%", 900),
        ("0%", 0),
        ("0.13", 1300),
        ("0.06", 600),
        ("1300bp", 1300),
        ("13", 1300),
        ("", 1300),
        ("6.5%", 650),
        ("0", 0),
    ],
)
def test_vat_forms(text: str, bp: int) -> None:
    assert parse_vat_rate(text) == bp


@pytest.mark.parametrize("text", ["abc", "101%", "13.5bp", "-1%", "13 %%"])
def test_bad_vat(text: str) -> None:
    with pytest.raises(InvalidInput):
        parse_vat_rate(text)


def test_sku_validation() -> None:
    Sku(sku="QP-2026-0001-BLK-L", style="QP-2026-0001", name="男士羊毛夹克 黑 L", price_fen=29900)
    with pytest.raises(InvalidInput):
        Sku(sku="QP 1", style="QP", name="x", price_fen=1)
    with pytest.raises(InvalidInput):
        Sku(sku="QP-1", style="QP", name=" ", price_fen=1)
    with pytest.raises(InvalidInput):
        Sku(sku="QP-1", style="QP", name="x", price_fen=100, member_price_fen=101)
