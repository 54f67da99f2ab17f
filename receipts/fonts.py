"""Finding the CJK font used for raster receipts and previews.

The till brings its font with it: Debian's fonts-wqy-microhei (installed by
`scripts/system-deps.sh`).  `GUITAI_CJK_FONT` points at another TrueType/OpenType file.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Any

from .errors import FontNotFound

FONT_ENV = "GUITAI_CJK_FONT"
FALLBACK_ENV = "GUITAI_CJK_FALLBACK_FONTS"  # more font files, separated by os.pathsep
FONT_PACKAGE = "fonts-wqy-microhei"
SEARCH_PATHS = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/wqy-microhei/wqy-microhei.ttc",  # Fedora / Arch layout
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
)


def find_cjk_font() -> Path:
    """The font file: $GUITAI_CJK_FONT if set (it must exist), else the first of SEARCH_PATHS."""
    override = os.environ.get(FONT_ENV)
    if override:
        path = Path(override).expanduser()
        if not path.is_file():
            raise FontNotFound(
                f"{FONT_ENV}={override} does not name a font file; fix the setting or unset it "
                f"to use the {FONT_PACKAGE} font",
                f"{FONT_ENV}={override} 不是字体文件；"
                f"请修正该设置，或删除它以使用 {FONT_PACKAGE} 字体",
            )
        return path
    for candidate in SEARCH_PATHS:
        if Path(candidate).is_file():
            return Path(candidate)
    raise FontNotFound(
        f"no Chinese font found for receipt images (looked in {', '.join(SEARCH_PATHS)}); "
        f"install the Debian package {FONT_PACKAGE} (sudo apt-get install {FONT_PACKAGE}, or "
        f"run scripts/system-deps.sh) or set {FONT_ENV} to a TrueType font with Chinese glyphs",
        f"找不到用于小票图像的中文字体；请安装 Debian 软件包 {FONT_PACKAGE}"
        f"（sudo apt-get install {FONT_PACKAGE} 或运行 scripts/system-deps.sh），"
        f"或将 {FONT_ENV} 设为含中文字形的 TrueType 字体",
    )


# Fonts tried, in order, for a character the main font has no glyph for: wqy-microhei covers
# GB2312/GBK/Big5 but not CJK Extension A (㐀) or B (𠀀); HanaMin (Debian fonts-hanazono,
# installed by scripts/system-deps.sh) covers Extension A (HanaMinA) and B-F (HanaMinB).
FALLBACK_PATHS = (
    "/usr/share/fonts/truetype/hanazono/HanaMinA.ttf",
    "/usr/share/fonts/truetype/hanazono/HanaMinB.ttf",
)


def font_chain() -> tuple[Path, ...]:
    """The main font, then every fallback font that exists."""
    extra = [x for x in os.environ.get(FALLBACK_ENV, "").split(os.pathsep) if x]
    chain = [find_cjk_font()]
    for candidate in (*extra, *FALLBACK_PATHS):
        path = Path(candidate).expanduser()
        if path.is_file() and path not in chain:
            chain.append(path)
    return tuple(chain)


@lru_cache(maxsize=16)
def _load(path: str, size: int) -> Any:
    from PIL import ImageFont

    try:
        return ImageFont.truetype(path, size)
    except OSError as err:
        raise FontNotFound(
            f"cannot read the font {path}: {err}; reinstall {FONT_PACKAGE} or set {FONT_ENV}",
            f"无法读取字体 {path}：{err}；请重新安装 {FONT_PACKAGE} 或设置 {FONT_ENV}",
        ) from err


def load_font(size: int, path: Path | str | None = None) -> Any:
    """A font (the main CJK font unless `path` is given) at a pixel size, cached."""
    return _load(str(path or find_cjk_font()), size)
