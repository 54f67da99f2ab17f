"""Whole numbers typed by a person.

`str.isdigit()` is true for '²', '①' and the digits of other scripts; `int()` then refuses
some of them ('²' raises) and reads others ('٣' is 3).  Everything the till parses as a number
is ASCII 0-9 only, so one check decides and `int()` never meets what it cannot read.
"""

from __future__ import annotations


def is_digits(text: str) -> bool:
    """True for a non-empty run of ASCII 0-9 only."""
    return text.isascii() and text.isdigit()


def only_digits(text: str) -> str:
    """The ASCII digits of a text, in order (a phone number typed with spaces or dashes)."""
    return "".join(ch for ch in text if "0" <= ch <= "9")
