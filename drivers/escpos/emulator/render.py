"""Render a parsed job to a PNG receipt image and decode its QR codes.

Pillow comes with python-escpos; zxing-cpp (`import zxingcpp`) is optional at runtime: without
it jobs still render and log, and `qr_error` says how to enable decoding.  zxing-cpp is used
rather than pyzbar because pyzbar needs libzbar and mis-decodes UTF-8 Chinese as Shift-JIS
(hardware-notes §2).
"""

from __future__ import annotations

import functools
import unicodedata
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .parser import Barcode, Job, Line, NativeQr, Raster

if TYPE_CHECKING:
    from PIL.Image import Image as PilImage
    from PIL.ImageFont import FreeTypeFont, ImageFont

CJK_FONT = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"
PAPER_DOTS = 576  # 80 mm paper at 203 dpi; 58 mm paper is 384
LINE_H = 30
BASE_FONT = 24
CELL_W = 12


@functools.lru_cache(maxsize=16)
def _font(size: int) -> FreeTypeFont | ImageFont:
    from PIL import ImageFont

    try:
        return ImageFont.truetype(CJK_FONT, size)
    except OSError:
        return ImageFont.load_default()


def raster_image(r: Raster) -> PilImage:
    from PIL import Image, ImageOps

    wbytes = r.width // 8
    data = r.data.ljust(wbytes * r.height, b"\x00")[: wbytes * r.height]
    img = Image.frombytes("1", (r.width, r.height), data)
    # ESC/POS 1 = black dot; PIL mode "1" 1 = white.
    return ImageOps.invert(img.convert("L"))


def qr_image(q: NativeQr) -> PilImage:
    import qrcode
    from qrcode.constants import ERROR_CORRECT_H, ERROR_CORRECT_L, ERROR_CORRECT_M, ERROR_CORRECT_Q

    ec = {"L": ERROR_CORRECT_L, "M": ERROR_CORRECT_M, "Q": ERROR_CORRECT_Q, "H": ERROR_CORRECT_H}
    code = qrcode.QRCode(error_correction=ec[q.ec], box_size=q.module, border=0)
    # python-escpos stores native QR data UTF-8 encoded (hardware-notes §1.3)
    code.add_data(q.data.decode("utf-8", errors="replace"))
    code.make(fit=True)
    # qrcode ships no types: its image wraps a PIL image (get_image).
    pil: PilImage = code.make_image(fill_color="black", back_color="white").get_image()
    return pil.convert("L")


def _cells(ch: str) -> int:
    # Ambiguous-width characters (·, ×, ○) are double-byte in GB18030/GBK/Big5: two cells.
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F", "A") else 1


def _text_line(item: Line, width: int) -> PilImage:
    """One text line on the printer's fixed grid: Font A cells are 12 x 24 dots, Chinese
    characters take two cells (24 x 24), Font B 9 x 17; GS ! / FS ! multiply them."""
    from PIL import Image, ImageDraw

    s = item.style
    cell_w = (9 if s.font_b else CELL_W) * max(1, min(s.width, 8))
    height = (17 if s.font_b else BASE_FONT) * max(1, min(s.height, 8))
    img = Image.new("L", (width, int(height * 1.25)), 255)
    draw = ImageDraw.Draw(img)
    font = _font(height)
    total = sum(_cells(ch) for ch in item.text) * cell_w
    x = 0
    if s.align == "center":
        x = max(0, (width - total) // 2)
    elif s.align == "right":
        x = max(0, width - total)
    for ch in item.text:
        w = _cells(ch) * cell_w
        glyph_w = draw.textlength(ch, font=font)
        draw.text(
            (x + max(0, (w - glyph_w) / 2), 0),
            ch,
            font=font,
            fill=0,
            stroke_width=1 if s.bold else 0,
            stroke_fill=0,
        )
        x += w
        if x >= width:
            break  # a real printer wraps; lines we emit never exceed the paper
    return img


def render(job: Job, width: int = PAPER_DOTS) -> PilImage:
    from PIL import Image, ImageDraw

    blocks: list[tuple[PilImage, str]] = []
    for item in job.items:
        if isinstance(item, Line):
            blocks.append((_text_line(item, width), "left"))
        elif isinstance(item, Raster):
            blocks.append((raster_image(item), item.align))
        elif isinstance(item, NativeQr):
            blocks.append((qr_image(item), item.align))
        elif isinstance(item, Barcode):
            img = Image.new("L", (width, LINE_H), 255)
            ImageDraw.Draw(img).text(
                (0, 0),
                f"[barcode {item.data.decode('ascii', 'replace')}]",
                font=_font(BASE_FONT - 4),
                fill=0,
            )
            blocks.append((img, "left"))
        elif item == "feed":
            blocks.append((Image.new("L", (width, LINE_H), 255), "left"))
    margin = 16
    height = margin * 2 + sum(b.height for b, _ in blocks)
    page = Image.new("L", (width, max(height, 2 * margin)), 255)
    y = margin
    for img, align in blocks:
        x = 0
        if align == "center":
            x = max(0, (width - img.width) // 2)
        elif align == "right":
            x = max(0, width - img.width)
        page.paste(img, (x, y))
        y += img.height
    return page


def decode_qr(image: PilImage) -> tuple[list[str], str | None]:
    """QR texts found in a page image, and an error message when decoding is unavailable."""
    try:
        import zxingcpp
    except ImportError:
        return [], "QR decoding needs zxing-cpp: pip install zxing-cpp"
    from PIL import ImageOps

    img = ImageOps.expand(image.convert("L"), border=24, fill=255)
    texts = []
    for scale in (1, 2):
        probe = img if scale == 1 else img.resize((img.width * 2, img.height * 2))
        results = zxingcpp.read_barcodes(
            probe, formats=zxingcpp.BarcodeFormats(zxingcpp.BarcodeFormat.QRCode)
        )
        texts = [r.text for r in results]
        del results
        if texts:
            break
    # zxing finds codes bottom-up sometimes; keep print order by position is not exposed, so
    # sort by first appearance in the native/raster order is left to the caller.
    return texts, None


def job_record(
    job: Job, job_no: int, png_path: Path | None, width: int = PAPER_DOTS, complete: bool = True
) -> dict[str, Any]:
    page = render(job, width)
    if png_path is not None:
        png_path.parent.mkdir(parents=True, exist_ok=True)
        page.save(png_path)
    qr_texts, qr_error = (
        decode_qr(page) if any(isinstance(i, (Raster, NativeQr)) for i in job.items) else ([], None)
    )
    return {
        "job": job_no,
        "complete": complete,
        "text_lines": job.text_lines,
        "lines": [ln.as_dict() for ln in job.lines],
        "images": [
            {"width": i.width, "height": i.height, "kind": i.kind}
            for i in job.items
            if isinstance(i, Raster)
        ],
        "qr_native": [
            q.data.decode("utf-8", "replace") for q in job.items if isinstance(q, NativeQr)
        ],
        "qr": qr_texts,
        "qr_error": qr_error,
        "barcodes": [
            b.data.decode("ascii", "replace") for b in job.items if isinstance(b, Barcode)
        ],
        "cuts": job.cuts,
        "drawer_kicks": job.drawer_kicks,
        "bytes": job.nbytes,
        "discarded_bytes": job.discarded,
        "unknown_commands": job.unknown,
        "png": str(png_path) if png_path else None,
    }
