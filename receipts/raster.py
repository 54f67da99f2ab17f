"""Drawing the receipt as an image: the PNG preview (till screen, printer emulator) and the
raster print for printers without a Chinese font.  One drawing for both, on the column grid of
ESC/POS font A (12 × 24 dots per column, 30-dot line pitch), so the preview is the paper.
"""

from __future__ import annotations

import logging
from functools import lru_cache
from pathlib import Path
from typing import Any

from PIL import Image, ImageDraw

from .document import ReceiptDocument
from .fonts import font_chain, load_font
from .layout import Block, Feed, Qr, Text, char_width, layout
from .profiles import CELL_HEIGHT, CELL_WIDTH, LINE_PITCH, Paper
from .profiles import paper as to_paper
from .token import QR_DOTS_PER_MODULE, QR_QUIET_MODULES, qr_matrix

log = logging.getLogger(__name__)

WHITE = 255
BLACK = 0
LOGO_MAX_HEIGHT = 160
_FONT_PX = 22  # glyph size inside the 24-dot cell: leaves a dot of air around Chinese glyphs
_INK = 110  # anti-aliased coverage at or above which a dot is printed


_NOT_A_CHAR = "\U0010fffd"  # a private-use code point no font maps: renders .notdef


def _draw(font: Any, ch: str, w: int, h: int) -> Image.Image:
    canvas = Image.new("L", (w * 2, h), 0)
    ImageDraw.Draw(canvas).text((w, round(h * 0.83)), ch, fill=255, font=font, anchor="ms")
    return canvas


@lru_cache(maxsize=16)
def _notdef(path: Path, scale: int, w: int) -> Image.Image:
    return _draw(load_font(_FONT_PX * scale, path), _NOT_A_CHAR, w, CELL_HEIGHT * scale)


@lru_cache(maxsize=4096)
def _glyph(chain: tuple[Path, ...], ch: str, scale: int) -> tuple[Image.Image, int]:
    """A bilevel mask of one character in its cell (1 or 2 columns wide) and the cell width.

    The first font of the chain with a glyph for the character draws it; a glyph wider than
    its cell (W, m, @ in a proportional font) is squeezed to the cell so columns stay aligned.
    """
    cols = char_width(ch)
    w, h = CELL_WIDTH * cols * scale, CELL_HEIGHT * scale
    cell = Image.new("L", (w, h), 0)
    if not cols or ch.isspace():
        return cell, w
    drawn: Image.Image | None = None
    for path in chain:
        font = load_font(_FONT_PX * scale, path)
        img = _draw(font, ch, w, h)
        if drawn is None:
            drawn = img  # no font has it: the main font's .notdef box, honestly
        if img.tobytes() != _notdef(path, scale, w).tobytes():
            drawn = img
            break
    assert drawn is not None
    box = drawn.getbbox()
    if box:
        left, _top, right, _bottom = box
        ink = drawn.crop((left, 0, right, h))
        if ink.width > w:
            ink = ink.resize((w, h), Image.Resampling.LANCZOS)
        cell.paste(ink, ((w - ink.width) // 2, 0))
    return cell.point(lambda v: 255 if v >= _INK else 0), w


def draw_text_line(
    img: Image.Image, y: int, text: str, *, bold: bool = False, big: bool = False
) -> int:
    """Draw one laid-out line at y; returns the height used (30 dots, 60 when big)."""
    scale = 2 if big else 1
    chain = font_chain()
    top = y + (LINE_PITCH - CELL_HEIGHT) * scale // 2
    x = 0
    for ch in text:
        mask, w = _glyph(chain, ch, scale)
        if x + w > img.width:
            break
        if mask.getbbox():
            img.paste(BLACK, (x, top), mask)
            if bold:
                img.paste(BLACK, (x + 1, top), mask)
        x += w
    return LINE_PITCH * scale


def text_line_image(
    text: str, width_dots: int, *, bold: bool = False, big: bool = False
) -> Image.Image:
    """One text line as an image, for a line the printer's charset cannot hold."""
    img = Image.new("L", (width_dots, LINE_PITCH * (2 if big else 1)), WHITE)
    draw_text_line(img, 0, text, bold=bold, big=big)
    return img


def qr_image(url: str, dots: int, *, vertical_quiet_zone: bool = True) -> Image.Image:
    """The QR with its 4-module quiet zone, modules of QR_DOTS_PER_MODULE dots, centred on
    the paper width.  Without `vertical_quiet_zone` the white rows above and below are left
    out (the ESC/POS renderer feeds paper instead of sending rows of white dots)."""
    matrix = qr_matrix(url)
    n = len(matrix)
    module = QR_DOTS_PER_MODULE.get(dots) or max(1, dots // (n + 2 * QR_QUIET_MODULES))
    while module > 1 and (n + 2 * QR_QUIET_MODULES) * module > dots:
        module -= 1
    small = Image.new("L", (n, n), WHITE)
    small.putdata([BLACK if dark else WHITE for r in matrix for dark in r])
    symbol = small.resize((n * module, n * module), Image.Resampling.NEAREST)
    quiet = QR_QUIET_MODULES * module if vertical_quiet_zone else 0
    out = Image.new("L", (dots, n * module + 2 * quiet), WHITE)
    out.paste(symbol, ((dots - n * module) // 2, quiet))
    return out


def logo_image(path: str, dots: int) -> Image.Image | None:
    """The store logo fitted to the paper (at most LOGO_MAX_HEIGHT dots high), dithered to
    black and white, centred.  A missing or broken logo is logged and left out: a paid sale's
    receipt must still print."""
    try:
        with Image.open(Path(path)) as src:
            src.load()
            rgba = src.convert("RGBA")
    except OSError as err:
        log.warning("receipt logo %s cannot be read (%s); printing without it", path, err)
        return None
    flat = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
    flat.alpha_composite(rgba)
    gray = flat.convert("L")
    gray.thumbnail((dots, LOGO_MAX_HEIGHT), Image.Resampling.LANCZOS)
    bw = gray.convert("1").convert("L")
    out = Image.new("L", (dots, bw.height), WHITE)
    out.paste(bw, ((dots - bw.width) // 2, 0))
    return out


def _block_image(block: Block, dots: int) -> Image.Image | int:
    if isinstance(block, Text):
        return LINE_PITCH * (2 if block.big else 1)
    if isinstance(block, Feed):
        return LINE_PITCH * block.lines
    if isinstance(block, Qr):
        return qr_image(block.url, dots)
    logo = logo_image(block.path, dots)
    return logo if logo is not None else 0


def render_blocks(blocks: list[Block], dots: int) -> Image.Image:
    parts: list[tuple[Block, Image.Image | int]] = [(b, _block_image(b, dots)) for b in blocks]
    height = sum(p if isinstance(p, int) else p.height for _, p in parts)
    img = Image.new("L", (dots, max(height, 1)), WHITE)
    y = 0
    for block, part in parts:
        if isinstance(part, Image.Image):
            img.paste(part, (0, y))
            y += part.height
        elif isinstance(block, Text):
            y += draw_text_line(img, y, block.text, bold=block.bold, big=block.big)
        else:
            y += part
    return img


def render_png(doc: ReceiptDocument, paper_width: int | str | Paper) -> Any:
    """The receipt as a black-and-white PIL image exactly as wide as the paper's dots
    (384 or 576).  Save it with `.save(path, "PNG")`."""
    p = to_paper(paper_width)
    return render_blocks(layout(doc, p), p.dots)
