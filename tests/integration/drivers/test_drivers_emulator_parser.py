"""The emulator's ESC/POS parser on the subset the project emits."""

from __future__ import annotations

import pytest
from device_fixtures import chinese_receipt
from hypothesis import given, settings
from hypothesis import strategies as st

from drivers.escpos.emulator.parser import EscposParser, Job, NativeQr, Raster
from drivers.escpos.emulator.render import decode_qr, render


def parse(data: bytes, **kw) -> tuple[list[Job], bytes, EscposParser]:
    jobs: list[Job] = []
    replies = bytearray()
    p = EscposParser(on_job=jobs.append, on_reply=replies.extend, **kw)
    p.feed(data)
    return jobs, bytes(replies), p


@pytest.mark.parametrize("codec", ["gb18030", "gbk", "big5"])
def test_chinese_mode_text_in_each_charset(codec: str) -> None:
    text = "收銀台 會員積分" if codec == "big5" else "收银台 会员积分"
    data = b"\x1b\x40\x1c\x26" + text.encode(codec) + b"\x1c\x2e ok\n\x1d\x56\x00"
    jobs, _, _ = parse(data, cjk_codec=codec, chinese_at_power_on=False)
    assert jobs[0].text_lines == [text + " ok"]


def test_gb18030_four_byte_and_fullwidth_yen() -> None:
    text = "￥¥ 𠀀 㐀"  # ¥ (U+00A5) and Ext-A/B are 4-byte GB18030 sequences
    jobs, _, _ = parse(b"\x1c\x26" + text.encode("gb18030") + b"\x1c\x2e\n\x1dV\x00")
    assert jobs[0].text_lines == [text]


def test_single_byte_code_page_switch() -> None:
    data = b"\x1c\x2e\x1b\x74\x10Caf\xe9\n\x1b\x74\x00Caf\x82\n\x1dV\x01"
    jobs, _, _ = parse(data)
    assert jobs[0].text_lines == ["Café", "Café"]
    assert jobs[0].cuts == ["partial"]


def test_styles_and_alignment() -> None:
    data = (
        b"\x1b\x61\x01\x1b\x21\x38big\n\x1b\x40\x1b\x61\x02\x1b\x45\x01R\n"
        b"\x1d\x21\x11W\n\x1dV\x41\x03"
    )
    jobs, _, _ = parse(data)
    lines = [ln.as_dict() for ln in jobs[0].lines]
    assert lines[0]["align"] == "center" and lines[0]["bold"] and lines[0]["width"] == 2
    assert lines[1] == {
        "text": "R",
        "align": "right",
        "bold": True,
        "width": 1,
        "height": 1,
        "underline": 0,
    }
    assert lines[2]["width"] == 2 and lines[2]["height"] == 2


def test_feeds_kicks_and_status_replies() -> None:
    kicks: list[dict] = []
    data = b"\x1b\x64\x03\x1b\x70\x00\x19\xfa\x10\x14\x01\x01\x02\x10\x04\x01\x10\x04\x04"
    jobs: list[Job] = []
    replies = bytearray()
    p = EscposParser(
        on_job=jobs.append,
        on_reply=replies.extend,
        on_kick=kicks.append,
        status=lambda n: {1: 0x16, 4: 0x12}.get(n),
    )
    p.feed(data)
    assert kicks[0] == {"pin": 2, "on_ms": 50, "off_ms": 500}
    assert kicks[1]["pin"] == 5 and kicks[1]["realtime"] == 1
    assert bytes(replies) == b"\x16\x12"
    assert p.job.items.count("feed") == 3 and not jobs


def test_raster_image_and_native_qr_decode() -> None:
    for native in (False, True):
        jobs, _, _ = parse(chinese_receipt("HTTPS://R.EXAMPLE.COM/R/Q1", native_qr=native))
        job = jobs[0]
        kinds = {type(i) for i in job.items}
        assert (NativeQr if native else Raster) in kinds
        texts, err = decode_qr(render(job))
        assert err is None and texts == ["HTTPS://R.EXAMPLE.COM/R/Q1"]
        assert job.text_lines[:3] == [
            "柜台旗舰店",
            "男士羊毛夹克 黑 L  1 × 299.00",
            "合计：￥299.00",
        ]


def test_graphics_store_and_print_and_column_image() -> None:
    raster = bytes([0xFF, 0x00] * 4)  # 16 x 4
    store = bytes([0x30, 0x70, 0x30, 1, 1, 0x31, 16, 0, 4, 0]) + raster
    gs_l = b"\x1d\x28\x4c" + len(store).to_bytes(2, "little") + store
    gs_l += b"\x1d\x28\x4c\x02\x00\x30\x32"
    col = b"\x1b\x2a\x00\x02\x00\xff\x0f"
    jobs, _, _ = parse(gs_l + col + b"\x1dV\x00")
    imgs = [i for i in jobs[0].items if isinstance(i, Raster)]
    assert [(i.kind, i.width, i.height) for i in imgs] == [("graphics", 16, 4), ("column", 8, 8)]


def test_barcode_and_unknown_commands_do_not_stop_parsing() -> None:
    data = b"\x1dk\x02012345678905\x00\x1dkI\x05ABCDE\x1b\xee\x1d\xeeafter\n\x1dV\x00"
    jobs, _, _ = parse(data)
    assert jobs[0].text_lines == ["after"]
    assert jobs[0].unknown == ["1b ee", "1d ee"]


def test_feeding_byte_by_byte_gives_the_same_job() -> None:
    data = chinese_receipt(native_qr=True)
    whole, _, _ = parse(data)
    jobs: list[Job] = []
    p = EscposParser(on_job=jobs.append)
    for i in range(len(data)):
        p.feed(data[i : i + 1])
    assert jobs[0].text_lines == whole[0].text_lines
    assert [type(i) for i in jobs[0].items] == [type(i) for i in whole[0].items]


def test_print_data_is_discarded_while_stopped_but_status_answers() -> None:
    stopped = {"v": True}
    jobs: list[Job] = []
    replies = bytearray()
    p = EscposParser(
        on_job=jobs.append,
        on_reply=replies.extend,
        printing_stopped=lambda: stopped["v"],
        status=lambda n: 0x1A,
    )
    p.feed(b"lost text\n\x10\x04\x01\x1dV\x00")
    assert replies == b"\x1a" and not jobs and p.job.discarded > 0
    stopped["v"] = False
    p.feed(b"printed\n\x1dV\x00")
    assert jobs[0].text_lines == ["printed"]


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=400), st.sampled_from(["gb18030", "gbk", "big5"]))
def test_random_bytes_never_crash_the_parser(data: bytes, codec: str) -> None:
    jobs: list[Job] = []
    p = EscposParser(on_job=jobs.append, cjk_codec=codec)
    p.feed(data)
    p.take_incomplete()


def test_python_escpos_magic_encode_chinese_shortcut() -> None:
    """python-escpos 3.1 text() sends GB18030 without FS & when a line holds Han characters;
    it prints on printers that power on in Chinese mode (the emulator's default) and is
    garbage on those that do not."""
    from escpos.printer import Dummy

    p = Dummy()
    p.text("合计：￥12.00\n")
    p.cut()
    jobs, _, _ = parse(p.output)
    assert jobs[0].text_lines[0] == "合计：￥12.00"
    jobs, _, _ = parse(p.output, chinese_at_power_on=False)
    assert jobs[0].text_lines[0] != "合计：￥12.00"
