"""Printer profiles: what a receipt printer can do, as far as rendering cares.

python-escpos's capability database (escpos-printer-db) has no notion of the Chinese double-byte
mode, its charset, or whether Chinese mode is on at power-up (python-escpos issue #678), and its
`qr()` never checks `qrCode` (hardware-notes §1.3).  So the till keeps its own small profile.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from typing import Any, Literal

from .errors import UnknownPrinterProfile

Encoding = Literal["gb18030", "gbk", "big5", "raster"]
Cut = Literal["full", "partial", "none"]

# Character cell of ESC/POS font A on 203 dpi printers: 12 x 24 dots, so 32 columns fill
# 384 dots (58 mm paper) and 48 columns fill 576 dots (80 mm paper).  A Chinese glyph is
# 24 x 24 dots, two columns.
CELL_WIDTH = 12
CELL_HEIGHT = 24
# The default line spacing (ESC 2) is 30 dots on the 203 dpi printers we target, so one text
# line occupies 30 dots of paper; images standing in for a text line are drawn 30 dots high.
LINE_PITCH = 30


@dataclass(frozen=True, slots=True)
class Paper:
    """Paper width as the layout sees it."""

    mm: Literal[58, 80]
    columns: int
    dots: int


PAPER_58 = Paper(58, 32, 384)
PAPER_80 = Paper(80, 48, 576)


def paper(width: int | str | Paper) -> Paper:
    """58 / 80 (or "58mm" / "80mm", or a Paper) → the Paper."""
    if isinstance(width, Paper):
        return width
    key = str(width).lower().removesuffix("mm").strip()
    if key == "58":
        return PAPER_58
    if key == "80":
        return PAPER_80
    raise UnknownPrinterProfile(
        f"paper width {width!r} is not supported: use 58 or 80 (mm)",
        f"不支持纸宽 {width!r}：请使用 58 或 80（毫米）",
    )


@dataclass(frozen=True, slots=True)
class PrinterProfile:
    """One printer model (or one configured printer).

    `encoding`: the double-byte charset of the printer's Chinese font, or "raster" for a printer
    without a Chinese font (the whole receipt then goes as one image).  `native_qr`: the printer
    implements `GS ( k` QR; otherwise the QR is sent as a GS v 0 image.
    `chinese_mode_at_power_on`: manuals disagree (HCC POS80B: on; HPRT PPTII-A: off;
    hardware-notes §1.8), and ESC @ returns to the power-on state, so after ESC @ a printer whose
    Chinese mode is on gets FS . to reach the state we assume (single-byte ASCII).
    `cut_feed_lines`: lines fed before the cut so the last printed line clears the cutter
    (the print head to cutter distance differs per model); `cut`: full, partial or none.
    """

    name: str
    paper_mm: Literal[58, 80] = 80
    columns: int = 48
    dots: int = 576
    encoding: Encoding = "gb18030"
    native_qr: bool = True
    chinese_mode_at_power_on: bool = False
    cut_feed_lines: int = 4
    cut: Cut = "partial"

    def __post_init__(self) -> None:
        if self.paper_mm not in (58, 80):
            raise UnknownPrinterProfile(
                f"profile {self.name}: paper must be 58 or 80 mm, not {self.paper_mm}",
                f"打印机配置 {self.name}：纸宽必须为 58 或 80 毫米，而不是 {self.paper_mm}",
            )
        if self.encoding not in ("gb18030", "gbk", "big5", "raster"):
            raise UnknownPrinterProfile(
                f"profile {self.name}: encoding {self.encoding!r} is not one of "
                "gb18030, gbk, big5, raster",
                f"打印机配置 {self.name}：编码 {self.encoding!r} "
                "不是 gb18030、gbk、big5、raster 之一",
            )
        if not (16 <= self.columns <= 64 and 0 < self.dots <= 832):
            raise UnknownPrinterProfile(
                f"profile {self.name}: {self.columns} columns / {self.dots} dots is not a "
                "receipt printer",
                f"打印机配置 {self.name}：{self.columns} 列 / {self.dots} 点不是小票打印机",
            )
        if self.cut not in ("full", "partial", "none") or not 0 <= self.cut_feed_lines <= 20:
            raise UnknownPrinterProfile(
                f"profile {self.name}: cut must be full/partial/none with 0-20 feed lines",
                f"打印机配置 {self.name}：切纸方式须为 full/partial/none，走纸 0-20 行",
            )

    @property
    def paper(self) -> Paper:
        return Paper(self.paper_mm, self.columns, self.dots)

    @property
    def text_mode(self) -> bool:
        return self.encoding != "raster"

    def with_options(self, **changes: Any) -> PrinterProfile:
        """A copy with some fields changed (e.g. from the till's printer settings)."""
        allowed = {f.name for f in fields(self)}
        unknown = sorted(set(changes) - allowed)
        if unknown:
            raise UnknownPrinterProfile(
                f"unknown printer profile settings: {', '.join(unknown)}",
                f"未知的打印机配置项：{', '.join(unknown)}",
            )
        return replace(self, **changes)


PRESETS: dict[str, PrinterProfile] = {
    p.name: p
    for p in (
        # Most Chinese-market 80 mm printers (Xprinter, HPRT, Gprinter, Epson TM-T70II-CH…).
        PrinterProfile("generic-80-gb18030", 80, 48, 576, "gb18030", True, False, 4, "partial"),
        # Cheap 58 mm printers (POS-5890, ZJ-5870): GBK font, no GS ( k (ZJ-5870 qrCode: false
        # in escpos-printer-db), Chinese mode on at power-up on the Zjiang boards.
        PrinterProfile("generic-58-gbk", 58, 32, 384, "gbk", False, True, 3, "full"),
        PrinterProfile("generic-58-gb18030", 58, 32, 384, "gb18030", True, False, 3, "partial"),
        # Export Epson TM-T88 models have no Chinese font: the whole receipt as one image.
        # 180 dpi, 512 dots and 42 columns on 80 mm (escpos-printer-db TM-T88IV/V).  GS ( k
        # exists from the TM-T88IV on; a TM-T88III prints fragments (escpos-printer-db #64):
        # set native_qr false for one.
        PrinterProfile("tm-t88-raster", 80, 42, 512, "raster", True, False, 4, "partial"),
        PrinterProfile("generic-58-raster", 58, 32, 384, "raster", False, False, 3, "full"),
        # Taiwan / Hong Kong models (e.g. TM-T82III Traditional Chinese, python-escpos #638).
        PrinterProfile("big5-80", 80, 48, 576, "big5", True, False, 4, "partial"),
    )
}


def get_profile(name: str) -> PrinterProfile:
    """A named preset (see `PRESETS`)."""
    try:
        return PRESETS[name]
    except KeyError:
        raise UnknownPrinterProfile(
            f"unknown printer profile {name!r}; known profiles: {', '.join(sorted(PRESETS))}",
            f"未知的打印机型号配置 {name!r}；可用配置：{', '.join(sorted(PRESETS))}",
        ) from None


_FIELD_TYPES: dict[str, type] = {
    "name": str,
    "paper_mm": int,
    "columns": int,
    "dots": int,
    "encoding": str,
    "native_qr": bool,
    "chinese_mode_at_power_on": bool,
    "cut_feed_lines": int,
    "cut": str,
}


def profile_from_config(config: str | Mapping[str, Any]) -> PrinterProfile:
    """A profile from the till's printer settings: a preset name, or a mapping with `profile`
    (the preset to start from, default generic-80-gb18030) and any fields to override, e.g.
    `{"profile": "generic-80-gb18030", "native_qr": false, "cut_feed_lines": 5}`."""
    if isinstance(config, str):
        return get_profile(config)
    settings = dict(config)
    base = get_profile(str(settings.pop("profile", "generic-80-gb18030")))
    for key, value in settings.items():
        expected = _FIELD_TYPES.get(key)
        if expected is None:
            continue  # with_options names every unknown key
        if not isinstance(value, expected) or (expected is int and isinstance(value, bool)):
            raise UnknownPrinterProfile(
                f"printer setting {key}={value!r} must be a {expected.__name__}",
                f"打印机设置 {key}={value!r} 的类型应为 {expected.__name__}",
            )
    if "paper_mm" in settings and not {"columns", "dots"} & settings.keys():
        p = paper(settings["paper_mm"])
        settings.update(columns=p.columns, dots=p.dots)
    return base.with_options(**settings)
