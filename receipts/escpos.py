"""ESC/POS bytes for a receipt, per printer profile, built with python-escpos 3.1's `Dummy`.

python-escpos 3.1 is the last release and several of its behaviours are wrong for Chinese
receipts (shared/reference/hardware-notes.md §1), so this module talks to `Dummy` through a
thin wrapper that avoids them:

* `text()` goes through MagicEncode, whose Chinese shortcut (PR #356) sends a whole string as
  GB18030 without `FS &`/`FS .` whenever it holds a character of U+4E00-U+9FA5, and otherwise
  picks single-byte code pages and prints `?` for anything else (`￥` alone, Ext-A/B
  ideographs), and emits `ESC t 0` before the first text (notes §1.8; issues #190, #491, #638).
  We never call `text()`: each line is encoded by us with the profile's charset and sent with
  `_raw()`, wrapped in `FS &` … `FS .` when it holds anything outside ASCII (escpos-php
  `textChinese()` pattern).  A line the charset cannot hold is printed as an image of that line,
  so nothing is ever replaced by `?`.
* `¥` (U+00A5) is not in GBK and is a four-byte GB18030 code that printers print as "0 6"
  (node-escpos #332): it is mapped to the fullwidth `￥` (A3 A4).  Python's big5 codec has no
  `￥` but maps Big5 A2 44 (the fullwidth yen sign of Big5) to U+00A5, so for Big5 `￥` goes out
  as that.
* `qr(native=True)` sends `GS ( k` without consulting the profile (notes §1.3; printers without
  it print ASCII fragments, escpos-printer-db #64), and its image path lets `qrcode` choose
  modes, uses a 1-module border and sends stray MagicEncode text.  We decide native vs image
  from our own profile, and draw the image QR ourselves (alphanumeric mode, 4-module quiet zone).
* `image()` prints a notice to stdout when the profile's pixel width is "Unknown" (the default
  profile): we give `Dummy` a profile carrying the paper's dots.
* `cut()` always feeds 6 lines first; the right feed depends on the print head to cutter
  distance, so we feed the profile's `cut_feed_lines` and send the cut ourselves.
* `ESC @` (hardware init) returns a printer to its power-on Chinese mode (on for Zjiang/HCC
  boards, off for HPRT; notes §1.8), so after it a printer that starts in Chinese mode gets
  `FS .` and every line then states its own mode.
"""

from __future__ import annotations

import copy
from functools import lru_cache
from typing import Any

from .document import ReceiptDocument
from .layout import Block, Feed, Logo, Qr, Text, layout
from .profiles import PrinterProfile
from .raster import logo_image, qr_image, render_blocks, text_line_image
from .token import QR_DOTS_PER_MODULE

ESC = b"\x1b"
GS = b"\x1d"
FS = b"\x1c"
INIT = ESC + b"@"
CHINESE_ON = FS + b"&"
CHINESE_OFF = FS + b"."
LF = b"\n"
BOLD_ON, BOLD_OFF = ESC + b"E\x01", ESC + b"E\x00"
# GS ! 0x11 doubles width and height of single-byte characters; Chinese characters take their
# size from FS ! (bit 2 double width, bit 3 double height) on Chinese-font printers
# (escpos-php #931: "ESC ! for ascii, FS ! for chinese").
BIG_ON = GS + b"!\x11" + FS + b"!\x0c"
BIG_OFF = GS + b"!\x00" + FS + b"!\x00"
ALIGN_LEFT, ALIGN_CENTER = ESC + b"a\x00", ESC + b"a\x01"
PARTIAL_CUT, FULL_CUT = GS + b"V\x01", GS + b"V\x00"

_CODEC = {"gb18030": "gb18030", "gbk": "gbk", "big5": "big5"}
_TRANSLATE = {
    "gb18030": str.maketrans({"¥": "￥"}),
    "gbk": str.maketrans({"¥": "￥"}),
    "big5": str.maketrans({"￥": "¥"}),
}


@lru_cache(maxsize=4)
def _escpos_profile(dots: int, columns: int) -> Any:
    # Imported here: python-escpos loads its capability database when imported, and nothing
    # may do work at import time in this package.
    from escpos.capabilities import get_profile

    prof = get_profile("default")
    data = copy.deepcopy(prof.profile_data)
    data["media"]["width"]["pixels"] = dots
    prof.profile_data = data
    return prof


def _printer(profile: PrinterProfile) -> Any:
    from escpos.printer import Dummy

    printer = Dummy()
    printer.profile = _escpos_profile(profile.dots, profile.columns)
    return printer


def encode_line(text: str, encoding: str) -> bytes | None:
    """The bytes of one line in the printer's Chinese charset (without FS & / FS .), or None
    when a character does not exist there.  For GB18030, characters outside the Basic
    Multilingual Plane count as missing too: GB18030 printer fonts carry the BMP set (with
    Extension A) but not the supplementary planes, so 𠀀 prints as an image, not as a box."""
    if text.isascii():
        return text.encode("ascii")
    if encoding == "raster":
        return None
    mapped = text.translate(_TRANSLATE[encoding])
    if encoding == "gb18030" and any(ord(c) > 0xFFFF for c in mapped):
        return None
    try:
        return mapped.encode(_CODEC[encoding])
    except UnicodeEncodeError:
        return None


class ReceiptPrinterBytes:
    """Our wrapper over python-escpos's Dummy: raw, known-state commands only."""

    def __init__(self, profile: PrinterProfile) -> None:
        self.profile = profile
        self._p = _printer(profile)
        self.image_lines = 0  # lines sent as images because the charset lacks a character
        self._chinese = False
        self._centered = False

    def init(self) -> None:
        self._p.hw("INIT")
        self._chinese = self.profile.text_mode and self.profile.chinese_mode_at_power_on
        self._centered = False
        self._leave_chinese()

    def _leave_chinese(self) -> None:
        if self._chinese:
            self._p._raw(CHINESE_OFF)
            self._chinese = False

    def _align(self, centered: bool) -> None:
        if centered != self._centered:
            self._p._raw(ALIGN_CENTER if centered else ALIGN_LEFT)
            self._centered = centered

    def text_line(self, block: Text) -> None:
        """One line.  Chinese mode is switched on before the first line holding non-ASCII text
        and off before the next ASCII-only line, image or cut, so a run of Chinese lines shares
        one FS & … FS . pair and ASCII never depends on the printer's Chinese mode."""
        text = block.text.lstrip(" ") if block.centered else block.text
        data = encode_line(text, self.profile.encoding)
        if data is None:
            self.image_lines += 1
            self.image(
                text_line_image(block.text, self.profile.dots, bold=block.bold, big=block.big)
            )
            return
        self._align(block.centered)
        if text.isascii():
            self._leave_chinese()
        elif not self._chinese:
            self._p._raw(CHINESE_ON)
            self._chinese = True
        prefix = (BIG_ON if block.big else b"") + (BOLD_ON if block.bold else b"")
        suffix = (BOLD_OFF if block.bold else b"") + (BIG_OFF if block.big else b"")
        self._p._raw(prefix + data + LF + suffix)

    def image(self, img: Any) -> None:
        """GS v 0 raster (python-escpos splits images taller than 960 dots into several).

        White space right of the last black dot is cut off (to a whole byte): GS v 0 prints
        from the left margin, so it would only cost bytes on the wire."""
        self._leave_chinese()
        self._align(False)
        box = img.point(lambda v: 255 if v < 128 else 0).getbbox()
        if box:
            right_edge = min(img.width, -(-box[2] // 8) * 8)
            img = img.crop((0, 0, right_edge, img.height))
        self._p.image(img, impl="bitImageRaster")

    def qr(self, url: str) -> None:
        self._leave_chinese()
        if self.profile.native_qr:
            # GS ( k model 2, EC level M, module size in dots; centred with ESC a because
            # python-escpos refuses center=True in native mode.
            self._align(True)
            self._p.qr(url, ec=1, size=QR_DOTS_PER_MODULE.get(self.profile.dots, 6), native=True)
            self._p._raw(LF)
        else:
            # The quiet zone above and below is paper feed, not rows of white dots (4 modules x
            # 72 bytes a row each side on 80 mm paper): the layout feeds a line before the QR
            # and we feed one after.  A line (ESC d, default spacing 1/6 inch = 30-34 dots)
            # covers 4 modules of 7-8 dots.  ESC J (feed n motion units) is not used: its unit
            # is 1/360 inch on Epson TM-T88 (GS P default) but one dot on most 203 dpi printers.
            self.image(qr_image(url, self.profile.dots, vertical_quiet_zone=False))
            self._p.print_and_feed(1)

    def feed(self, lines: int) -> None:
        if lines > 0:
            self._leave_chinese()
            self._p.print_and_feed(lines)

    def cut(self) -> None:
        self._leave_chinese()
        self._align(False)
        self.feed(self.profile.cut_feed_lines)
        if self.profile.cut == "partial":
            self._p._raw(PARTIAL_CUT)
        elif self.profile.cut == "full":
            self._p._raw(FULL_CUT)

    @property
    def output(self) -> bytes:
        data: bytes = self._p.output
        return data


def render_escpos(doc: ReceiptDocument, profile: PrinterProfile) -> bytes:
    """The receipt as the bytes to send to the printer (init … cut)."""
    out = ReceiptPrinterBytes(profile)
    out.init()
    blocks: list[Block] = layout(doc, profile.paper)
    if not profile.text_mode:
        # No Chinese font: the whole receipt as one image (split by python-escpos at 960 dots).
        out.image(render_blocks(blocks, profile.dots))
    else:
        for block in blocks:
            if isinstance(block, Text):
                out.text_line(block)
            elif isinstance(block, Feed):
                out.feed(block.lines)
            elif isinstance(block, Qr):
                out.qr(block.url)
            elif isinstance(block, Logo):
                img = logo_image(block.path, profile.dots)
                if img is not None:
                    out.image(img)
    out.cut()
    return out.output
