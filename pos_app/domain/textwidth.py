"""How wide a text shows in a terminal, for columns of Chinese and Latin text.

`str.ljust` counts characters, but a CJK character takes two columns on screen (Unicode East
Asian Width W or F) and a combining mark none, so a table with 黑 or 均码 in it drifts by a
column per character.  The till's command line and the cloud's use these; the receipt printer
has its own rule (receipts.layout: every non-ASCII glyph is double width there).
"""

from __future__ import annotations

import unicodedata


def display_width(text: str) -> int:
    width = 0
    for ch in text:
        if unicodedata.combining(ch) or unicodedata.category(ch) in ("Mn", "Me", "Cf"):
            continue
        width += 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
    return width


def ljust(text: str, width: int) -> str:
    """`text` padded with spaces on the right to `width` columns (never cut)."""
    return text + " " * max(0, width - display_width(text))


def rjust(text: str, width: int) -> str:
    """`text` padded with spaces on the left to `width` columns (never cut)."""
    return " " * max(0, width - display_width(text)) + text
