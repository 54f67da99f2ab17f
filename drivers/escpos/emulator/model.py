"""What the emulated printer puts on paper: styled text lines, raster images, QR codes,
barcodes and feeds, grouped into jobs (a job ends with a cut)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# ESC t n → Python codec for the single-byte pages we care about (Epson numbering).
CODE_PAGES = {
    0: "cp437",
    2: "cp850",
    3: "cp860",
    4: "cp863",
    5: "cp865",
    16: "cp1252",
    17: "cp866",
    18: "cp852",
    19: "cp858",
    255: "cp437",
}


@dataclass
class Style:
    bold: bool = False
    underline: int = 0
    width: int = 1
    height: int = 1
    align: str = "left"
    font_b: bool = False
    reverse: bool = False

    def copy(self) -> Style:
        return Style(**self.__dict__)


@dataclass
class Line:
    text: str
    style: Style

    def as_dict(self) -> dict[str, Any]:
        s = self.style
        return {
            "text": self.text,
            "align": s.align,
            "bold": s.bold,
            "width": s.width,
            "height": s.height,
            "underline": s.underline,
        }


@dataclass
class Raster:
    width: int
    height: int
    data: bytes  # 1 bit per pixel, MSB first, 1 = black (ESC/POS convention)
    align: str = "left"
    kind: str = "raster"


@dataclass
class NativeQr:
    data: bytes
    module: int = 3
    ec: str = "L"
    align: str = "left"


@dataclass
class Barcode:
    system: int
    data: bytes


@dataclass
class Job:
    items: list[Any] = field(default_factory=list)  # Line | Raster | NativeQr | Barcode | "feed"
    cuts: list[str] = field(default_factory=list)
    drawer_kicks: list[dict[str, int]] = field(default_factory=list)
    nbytes: int = 0
    unknown: list[str] = field(default_factory=list)
    discarded: int = 0  # bytes thrown away while printing was stopped

    @property
    def lines(self) -> list[Line]:
        return [i for i in self.items if isinstance(i, Line)]

    @property
    def text_lines(self) -> list[str]:
        return [ln.text for ln in self.lines]

    @property
    def has_content(self) -> bool:
        return any(not isinstance(i, str) for i in self.items)


def column_image(data: bytes, n: int, h: int, align: str) -> Raster:
    """ESC * column format (vertical bytes) → row-major raster."""
    rows = [[0] * n for _ in range(h)]
    per = h // 8
    for x in range(n):
        for k in range(per):
            byte = data[x * per + k] if x * per + k < len(data) else 0
            for bit in range(8):
                if byte & (0x80 >> bit):
                    rows[k * 8 + bit][x] = 1
    wbytes = (n + 7) // 8
    out = bytearray()
    for row in rows:
        for bx in range(wbytes):
            v = 0
            for bit in range(8):
                x = bx * 8 + bit
                if x < n and row[x]:
                    v |= 0x80 >> bit
            out.append(v)
    return Raster(wbytes * 8, h, bytes(out), align, "column")
