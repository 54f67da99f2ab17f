"""ESC/POS output read back the way a printer reads it: text in the printer's charset inside
FS & … FS ., lines the charset cannot hold as images (never '?'), QR native or as an image."""

from __future__ import annotations

import pytest
from receipts_cases import GOLDEN_CASES, RARE, hant_sale, sale, sale_with_rare_names
from receipts_escpos_reader import read

from receipts.escpos import encode_line, render_escpos
from receipts.layout import Text, layout
from receipts.profiles import get_profile

TEXT_CASES = [n for n, (_, p) in sorted(GOLDEN_CASES.items()) if get_profile(p).text_mode]


@pytest.mark.parametrize("name", TEXT_CASES)
def test_text_mode_prints_every_line_exactly_or_as_an_image(name: str) -> None:
    factory, profile_name = GOLDEN_CASES[name]
    profile = get_profile(profile_name)
    doc = factory()
    data = render_escpos(doc, profile)
    printed = read(data, profile.encoding)
    expected: list[str] = []
    as_images = 0
    for block in layout(doc, profile.paper):
        if not isinstance(block, Text):
            continue
        text = block.text.lstrip(" ") if block.centered else block.text
        if encode_line(text, profile.encoding) is None:
            as_images += 1
        else:
            expected.append(text.replace("¥", "￥") if profile.encoding != "big5" else text)
    got = [x for x in printed.lines if x]  # feeds print empty lines
    want = [x for x in expected if x]
    if profile.encoding == "big5":
        # Python's big5 codec reads the Big5 fullwidth yen (A2 44) back as U+00A5
        want = [x.replace("￥", "¥") for x in want]
    assert got == want
    qr_images = 0 if profile.native_qr or doc.qr_url is None else 1
    logo_images = 0
    assert len(printed.images) == as_images + qr_images + logo_images
    assert all(img.width <= profile.dots and img.width % 8 == 0 for img in printed.images)
    assert "?" not in "".join(printed.lines)
    assert data.startswith(b"\x1b@")
    assert printed.cuts == [1 if profile.cut == "partial" else 0]


def test_chinese_mode_is_switched_around_chinese_text_only() -> None:
    profile = get_profile("generic-80-gb18030")
    data = render_escpos(sale(1), profile)
    # ASCII-only rule lines go out of Chinese mode, Chinese lines in it
    rule = b"-" * 48 + b"\n"
    before = data[: data.index(rule)]
    assert before.rindex(b"\x1c.") > before.rindex(b"\x1c&")
    assert data.count(b"\x1c&") == data.count(b"\x1c.")
    # python-escpos's MagicEncode never ran: no ESC t code page switch anywhere
    assert b"\x1bt" not in data


def test_printer_starting_in_chinese_mode_is_put_in_a_known_state() -> None:
    gbk = get_profile("generic-58-gbk")
    assert gbk.chinese_mode_at_power_on
    assert render_escpos(sale(1), gbk).startswith(b"\x1b@\x1c.")
    assert not render_escpos(sale(1), get_profile("generic-80-gb18030")).startswith(b"\x1b@\x1c.")


def test_yen_sign_is_fullwidth_in_each_charset() -> None:
    assert encode_line("¥12.00", "gbk") == "￥12.00".encode("gbk") == b"\xa3\xa412.00"
    assert encode_line("¥12.00", "gb18030") == b"\xa3\xa412.00"
    assert encode_line("￥12.00", "big5") == b"\xa2\x4412.00"
    assert encode_line("¥12.00", "big5") == b"\xa2\x4412.00"


@pytest.mark.parametrize(
    ("text", "gb18030", "gbk", "big5"),
    [
        ("男士羊毛夹克", True, True, False),
        ("歡迎光臨 櫃檯", True, True, True),
        ("㐀 (Ext-A)", True, False, False),
        ("𠀀 (Ext-B)", False, False, False),
        ("〇号", True, True, False),
        ("龘", True, True, True),
        ("ＦＵＬＬ　ＷＩＤＴＨ", True, True, True),
        ("Café", True, True, False),
        ("plain ascii", True, True, True),
    ],
)
def test_which_lines_each_charset_can_hold(text: str, gb18030: bool, gbk: bool, big5: bool) -> None:
    for encoding, ok in (("gb18030", gb18030), ("gbk", gbk), ("big5", big5)):
        data = encode_line(text, encoding)
        assert (data is not None) == ok, (text, encoding)
        if data is not None:
            assert b"?" not in data
            assert data.decode(encoding).replace("￥", "¥") == text.replace("￥", "¥")
    assert (encode_line(text, "raster") is not None) == text.isascii()


@pytest.mark.parametrize("profile_name", ["generic-58-gbk", "big5-80", "generic-80-gb18030"])
def test_rare_characters_become_an_image_line_never_a_question_mark(profile_name: str) -> None:
    profile = get_profile(profile_name)
    data = render_escpos(sale_with_rare_names(), profile)
    printed = read(data, profile.encoding)
    assert not any("𠀀" in line or "?" in line for line in printed.lines)
    line_images = [img for img in printed.images if img.height in (30, 60)]
    assert line_images, "the rare-character line must be printed as an image"
    # the image really holds ink (the glyphs were drawn, not left blank)
    assert all(img.getextrema()[0] == 0 for img in line_images)
    assert RARE not in "".join(printed.lines)


def test_big5_store_prints_traditional_labels_as_text() -> None:
    profile = get_profile("big5-80")
    printed = read(render_escpos(hant_sale(), profile), "big5")
    joined = "\n".join(printed.lines)
    for label in ("銷售收據", "收據號", "應收", "會員", "謝謝惠顧"):
        assert label in joined
    # only the simplified product name needs an image; the QR is native on this profile
    assert len(printed.images) == 1


def test_native_qr_settings_and_data() -> None:
    doc = sale(1)
    for name, module in (("generic-80-gb18030", 8), ("generic-58-gb18030", 7)):
        printed = read(render_escpos(doc, get_profile(name)))
        assert printed.native_qr == [doc.qr_url]
        assert printed.qr_settings == {"model": 0x32, "module": module, "ec": 0x31}  # model 2, M


def test_no_native_qr_on_a_printer_without_it() -> None:
    data = render_escpos(sale(1), get_profile("generic-58-gbk"))
    assert b"\x1d(k" not in data
    assert b"\x1dv0" in data


def test_raster_mode_is_one_image_and_no_text() -> None:
    for name in ("tm-t88-raster", "generic-58-raster"):
        profile = get_profile(name)
        data = render_escpos(sale(2), profile)
        printed = read(data, "raster")
        assert printed.lines == [] or all(x == "" for x in printed.lines)
        assert len(printed.images) == 1
        assert profile.dots - 16 < printed.images[0].width <= profile.dots
        assert b"\x1c&" not in data and b"\x1d(k" not in data


def test_logo_is_printed_as_an_image(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import dataclasses

    from PIL import Image, ImageDraw

    logo = tmp_path / "logo.png"
    img = Image.new("RGBA", (800, 300), (255, 255, 255, 0))
    ImageDraw.Draw(img).ellipse((100, 20, 700, 280), fill=(200, 0, 0, 255))
    img.save(logo)
    doc = sale(1)
    doc = dataclasses.replace(doc, store=dataclasses.replace(doc.store, logo_path=str(logo)))
    printed = read(render_escpos(doc, get_profile("generic-80-gb18030")))
    assert printed.images and 400 < printed.images[0].width <= 576
    assert 100 < printed.images[0].height <= 160
    # a missing logo file does not stop a paid sale's receipt
    gone = dataclasses.replace(
        doc, store=dataclasses.replace(doc.store, logo_path=str(tmp_path / "x.png"))
    )
    assert read(render_escpos(gone, get_profile("generic-80-gb18030"))).images == []


def test_python_escpos_31_quirks_we_work_around_are_still_there() -> None:
    """Captured python-escpos 3.1 behaviour (hardware-notes §1.8, §1.3).  If an upgrade fixes
    one, this fails and the wrapper's comment can be revisited."""
    from escpos.printer import Dummy

    p = Dummy()
    p.text("￥12.00")  # no Han character in the call: single-byte code pages, '?' for ￥
    assert p.output == b"\x1bt\x00?12.00"
    p = Dummy()
    p.text("合计 ￥1")  # the GB18030 shortcut: no FS & / FS .
    assert p.output == "合计 ￥1".encode("gb18030")
    p = Dummy()
    p.text("𠀀")
    assert b"?" in p.output
