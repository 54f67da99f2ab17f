"""The 统一社会信用代码 (unified social credit code) of a company buyer on a 发票, checked as
GB 32100-2015 defines it: 18 characters from 0-9 and the capitals without I, O, S, V and Z,
the 18th a check character over the first 17 (weights 3^(i-1) mod 31; check value
31 − (Σ mod 31), 31 written as 0).  A wrong check character is almost always a typing
mistake: refusing it here saves the customer an invoice the tax bureau would reject."""

from __future__ import annotations

CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
VALUE = {c: i for i, c in enumerate(CHARSET)}
WEIGHTS = tuple(pow(3, i, 31) for i in range(17))
LENGTH = 18


def normalize_tax_id(text: str) -> str:
    """What a customer typed, as the code is written: without spaces, in capitals (phones
    type lower case as readily)."""
    return "".join(text.split()).upper()


def check_char(first17: str) -> str:
    """The check character of the first 17 characters (each from CHARSET)."""
    total = sum(VALUE[c] * w for c, w in zip(first17, WEIGHTS, strict=True))
    return CHARSET[(31 - total % 31) % 31]


def tax_id_problem(code: str) -> str | None:
    """None for a valid code (already normalized), else why not, in English."""
    if len(code) != LENGTH:
        return f"a 统一社会信用代码 has {LENGTH} characters, this one has {len(code)}"
    bad = sorted({c for c in code if c not in VALUE})
    if bad:
        return f"{''.join(bad)!r} cannot appear in a 统一社会信用代码 (no I, O, S, V or Z)"
    if check_char(code[:17]) != code[17]:
        return "its last character (the check digit) does not match: a character is mistyped"
    return None
