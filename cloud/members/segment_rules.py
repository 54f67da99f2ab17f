"""The segment rule language (docs/members.md, "Segments"): text → a rule tree, pure.

    rule  := any ("or" any)*
    any   := all ("and" all)*          -- `and` binds tighter than `or`
    all   := "not" all | "(" rule ")" | cond
    cond  := FIELD OP VALUE | FIELD "in" "(" VALUE ("," VALUE)* ")"
    OP    := = | != | >= | <= | > | <

Fields: tag, tier, lapsed (days: 90d), birthday_month (1–12, this, next), spend_fen,
category, store, associate.  Words are case-insensitive; values are bare words or quoted
("…" or '…').  A rule that does not parse is refused with the position of the fault.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pos_app.domain.errors import InvalidInput

# field -> the operators it takes; `in` is allowed wherever `=` is
FIELDS: dict[str, frozenset[str]] = {
    "tag": frozenset({"=", "!="}),
    "tier": frozenset({"=", "!="}),
    "lapsed": frozenset({"=", ">=", "<=", ">", "<"}),
    "birthday_month": frozenset({"=", "!="}),
    "spend_fen": frozenset({"=", "!=", ">=", "<=", ">", "<"}),
    "category": frozenset({"=", "!="}),
    "store": frozenset({"=", "!="}),
    "associate": frozenset({"=", "!="}),
}
TIERS = ("core", "potential", "ordinary")
_MONTH_WORDS = ("this", "next")


class BadRule(InvalidInput):
    code = "bad_rule"


@dataclass(frozen=True, slots=True)
class Cond:
    field: str
    op: str  # = != >= <= > < in
    values: tuple[str | int, ...]


@dataclass(frozen=True, slots=True)
class Not:
    rule: Rule


@dataclass(frozen=True, slots=True)
class AllOf:
    rules: tuple[Rule, ...]


@dataclass(frozen=True, slots=True)
class AnyOf:
    rules: tuple[Rule, ...]


Rule = Cond | Not | AllOf | AnyOf

_TOKEN = re.compile(
    r"""\s*(?:
        (?P<str>"[^"]*"|'[^']*')
      | (?P<op>!=|>=|<=|=|>|<)
      | (?P<punct>[(),])
      | (?P<word>[^\s()=!<>,"']+)
    )""",
    re.VERBOSE,
)


@dataclass(frozen=True, slots=True)
class _Tok:
    kind: str  # str | op | punct | word | end
    text: str
    pos: int  # 1-based column


def _fail(text: str, pos: int, en: str, zh: str) -> BadRule:
    caret = " " * (pos - 1) + "^"
    return BadRule(
        f"Bad segment rule at position {pos}: {en}\n  {text}\n  {caret}\n"
        "See docs/members.md, Segments, for the rule syntax",
        f"分群规则第 {pos} 个字符处有误：{zh}\n  {text}\n  {caret}\n规则写法见 docs/members.md 的「分群」",
    )


def _tokens(text: str) -> list[_Tok]:
    out: list[_Tok] = []
    i = 0
    while i < len(text):
        if text[i:].strip() == "":
            break
        m = _TOKEN.match(text, i)
        if m is None or m.end() == i:
            pos = i + 1 + (len(text[i:]) - len(text[i:].lstrip()))
            raise _fail(text, pos, "an unclosed quote", "引号未闭合")
        kind = m.lastgroup or "word"
        value = m.group(kind)
        out.append(_Tok(kind, value, m.start(kind) + 1))
        i = m.end()
    out.append(_Tok("end", "", len(text) + 1))
    return out


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.toks = _tokens(text)
        self.i = 0

    def peek(self) -> _Tok:
        return self.toks[self.i]

    def take(self) -> _Tok:
        t = self.toks[self.i]
        self.i += 1
        return t

    def is_word(self, word: str) -> bool:
        t = self.peek()
        return t.kind == "word" and t.text.lower() == word

    def fail(self, t: _Tok, en: str, zh: str) -> BadRule:
        return _fail(self.text, t.pos, en, zh)

    def rule(self) -> Rule:
        parts = [self.all()]
        while self.is_word("or"):
            self.take()
            parts.append(self.all())
        return parts[0] if len(parts) == 1 else AnyOf(tuple(parts))

    def all(self) -> Rule:
        parts = [self.one()]
        while self.is_word("and"):
            self.take()
            parts.append(self.one())
        return parts[0] if len(parts) == 1 else AllOf(tuple(parts))

    def one(self) -> Rule:
        t = self.peek()
        if self.is_word("not"):
            self.take()
            return Not(self.one())
        if t.kind == "punct" and t.text == "(":
            self.take()
            inner = self.rule()
            close = self.take()
            if close.kind != "punct" or close.text != ")":
                raise self.fail(close, "expected “)”", "缺少“)”")
            return inner
        return self.cond()

    def cond(self) -> Cond:
        t = self.take()
        if t.kind != "word":
            what = "the end of the rule" if t.kind == "end" else f"“{t.text}”"
            raise self.fail(
                t,
                f"expected a field ({', '.join(FIELDS)}), found {what}",
                f"此处应为字段（{', '.join(FIELDS)}）",
            )
        field = t.text.lower()
        if field not in FIELDS:
            raise self.fail(
                t,
                f"unknown field “{t.text}”: use one of {', '.join(FIELDS)}",
                f"未知字段“{t.text}”，可用：{', '.join(FIELDS)}",
            )
        op_tok = self.take()
        if op_tok.kind == "word" and op_tok.text.lower() == "in":
            if "=" not in FIELDS[field]:
                raise self.fail(op_tok, f"{field} takes no “in”", f"{field} 不支持 in")
            return Cond(field, "in", self._list(field))
        if op_tok.kind != "op":
            raise self.fail(
                op_tok, f"expected an operator after {field} (= != >= <= > < in)", "此处应为运算符"
            )
        if op_tok.text not in FIELDS[field]:
            allowed = " ".join(sorted(FIELDS[field]))
            raise self.fail(
                op_tok,
                f"{field} takes {allowed}, not {op_tok.text}",
                f"{field} 只支持 {allowed}，不支持 {op_tok.text}",
            )
        return Cond(field, op_tok.text, (self._value(field),))

    def _list(self, field: str) -> tuple[str | int, ...]:
        t = self.take()
        if t.kind != "punct" or t.text != "(":
            raise self.fail(t, "expected “(” after in", "in 之后应为“(”")
        values = [self._value(field)]
        while True:
            t = self.take()
            if t.kind == "punct" and t.text == ",":
                values.append(self._value(field))
            elif t.kind == "punct" and t.text == ")":
                return tuple(values)
            else:
                raise self.fail(t, "expected “,” or “)”", "此处应为“,”或“)”")

    def _value(self, field: str) -> str | int:
        t = self.take()
        if t.kind not in ("word", "str"):
            raise self.fail(t, f"expected a value for {field}", f"此处应为 {field} 的取值")
        raw = t.text[1:-1] if t.kind == "str" else t.text
        if field == "lapsed":
            m = re.fullmatch(r"(\d{1,5})d?", raw.lower())
            if m is None:
                raise self.fail(
                    t, f"lapsed takes days, like 90d (not “{raw}”)", "lapsed 取天数，如 90d"
                )
            return int(m.group(1))
        if field == "spend_fen":
            if not re.fullmatch(r"\d{1,15}", raw):
                raise self.fail(
                    t,
                    f"spend_fen takes whole fen, like 100000 (not “{raw}”)",
                    "spend_fen 取整数（分）",
                )
            return int(raw)
        if field == "birthday_month":
            low = raw.lower()
            if low in _MONTH_WORDS:
                return low
            if not (raw.isdigit() and 1 <= int(raw) <= 12):
                raise self.fail(
                    t,
                    f"birthday_month takes 1–12, this or next (not “{raw}”)",
                    "birthday_month 取 1–12、this 或 next",
                )
            return int(raw)
        if field == "tier" and raw.lower() not in TIERS:
            raise self.fail(
                t, f"tier is {', '.join(TIERS)} (not “{raw}”)", f"等级只能是 {', '.join(TIERS)}"
            )
        if field == "tier":
            return raw.lower()
        return raw


def parse_rule(text: str) -> Rule:
    """The rule tree of `text`, or BadRule saying where and what is wrong."""
    if not text.strip():
        raise _fail(text, 1, "the rule is empty", "规则为空")
    p = _Parser(text)
    tree = p.rule()
    rest = p.peek()
    if rest.kind != "end":
        raise p.fail(
            rest,
            f"unexpected “{rest.text}” (join conditions with and / or)",
            "多余的内容（条件之间请用 and / or 连接）",
        )
    return tree
