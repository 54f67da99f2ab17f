"""The 统一社会信用代码 check of a company's 发票 (GB 32100-2015), on codes companies publish,
on the standard's own worked example, and on the typing mistakes it must catch."""

from __future__ import annotations

import pytest

from cloud.fapiao.application import FapiaoRefused, read_application
from cloud.fapiao.tax_id import CHARSET, WEIGHTS, check_char, normalize_tax_id, tax_id_problem

PUBLISHED = [
    "9144030071526726XG",  # 深圳市腾讯计算机系统有限公司
    "914403001922038216",  # 华为技术有限公司
    "91110000802100433B",  # 北京百度网讯科技有限公司
    "91330100716105852F",  # 阿里巴巴（中国）有限公司
    "91110108551385082Q",  # 小米科技有限责任公司
]


def test_the_weights_are_the_standards() -> None:
    assert WEIGHTS == (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
    assert len(CHARSET) == 31 and not set("IOSVZ") & set(CHARSET)


@pytest.mark.parametrize("code", PUBLISHED)
def test_published_codes_are_valid(code: str) -> None:
    assert tax_id_problem(code) is None


def test_the_standards_worked_example() -> None:
    # GB 32100-2015's example 91350100M000100Y4?: Σ = 1640, 1640 mod 31 = 28, check 31-28 = 3
    assert check_char("91350100M000100Y4") == "3"
    assert tax_id_problem("91350100M000100Y43") is None
    assert tax_id_problem("91350100M000100Y4Z") is not None  # the example's refused code
    assert "check digit" in (tax_id_problem("91350100M000100Y44") or "")


def test_a_check_value_of_31_is_written_0() -> None:
    # find a prefix whose sum is a multiple of 31 and check it ends in 0
    prefix = "91110000" + "00000000" + "0"
    assert sum(CHARSET.index(c) * w for c, w in zip(prefix, WEIGHTS, strict=True)) % 31 != 0
    for last in CHARSET:
        p = prefix[:-1] + last
        if sum(CHARSET.index(c) * w for c, w in zip(p, WEIGHTS, strict=True)) % 31 == 0:
            assert check_char(p) == "0"
            break
    else:
        pytest.fail("no prefix found")


@pytest.mark.parametrize("code", PUBLISHED)
def test_every_single_mistyped_character_is_caught(code: str) -> None:
    for i in range(18):
        for c in CHARSET:
            if c != code[i]:
                assert tax_id_problem(code[:i] + c + code[i + 1 :]) is not None


def test_lower_case_and_spaces_are_normalized_not_refused() -> None:
    assert normalize_tax_id(" 9144 0300 7152 6726 xg ") == "9144030071526726XG"
    app = read_application(
        {"kind": "company", "title": "腾讯", "tax_id": "9144030071526726xg", "email": "a@b.cn"}
    )
    assert app.tax_id == "9144030071526726XG"


@pytest.mark.parametrize(
    ("code", "why"),
    [
        ("9144030071526726X", "18 characters"),
        ("9144030071526726XGG", "18 characters"),
        ("", "18 characters"),
        ("9144030071526726IG", "cannot appear"),
        ("9144030071526726ZG", "cannot appear"),
        ("9144030071526726XA", "check digit"),
    ],
)
def test_wrong_length_characters_and_check_digit(code: str, why: str) -> None:
    assert why in (tax_id_problem(code) or "")
    with pytest.raises(FapiaoRefused) as err:
        read_application({"kind": "company", "title": "某公司", "tax_id": code, "email": "a@b.cn"})
    assert err.value.code == "bad_tax_id" and err.value.status == 400
