"""The brand's return rules (退换货规则), published from the cloud (config key `return_rules`)
and judged here, for the refund, the exchange and the returns screen alike.

A window per category counted in the store's local days (the day of the sale is day 0, so a
7-day window ends at the close of the 7th local day after it), a longer one for quality faults,
categories that are never taken back, and a manager's approval (with a reason) above an amount,
outside the window, or for cash back on a card or wallet payment.  A gift receipt (token
version 2) never gives money back: exchanges and store credit only.  No rules published: every return within
what was sold is allowed, as before the brand published any."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from .errors import InvalidInput, NeedsApproval, RuleViolation
from .money import format_fen
from .offline_returns import MARK as OFFLINE_MARK
from .sale import Approval
from .tenders import NETWORK_TENDERS
from .timeutil import local_day, parse_iso

CONFIG_KEY = "return_rules"  # the cloud's config key, pulled into the till's cloud_config
APPROVAL_ACTION = "return_rules"  # the audit trail's action of a manager's override

# Modes of money going back (the refund's --refund, or an exchange's balance)
CASH, ORIGINAL, NONE = "cash", "original", "none"
# Onto a member's stored value (退至储值): the money stays with the brand, so a gift receipt
# may take it and a card or wallet sale may be refunded so without a manager
STORE_CREDIT = "store-credit"

Reason = tuple[str, str]  # (English, Chinese)


@dataclass(frozen=True, slots=True)
class Window:
    """Days after the sale's local day a return is taken without a reason / for a fault."""

    no_reason_days: int
    quality_days: int

    def days(self, quality: bool) -> int:
        return max(self.quality_days, self.no_reason_days) if quality else self.no_reason_days


@dataclass(frozen=True, slots=True)
class ReturnRules:
    window: Window | None = None  # None: no window at all
    categories: tuple[tuple[str, Window], ...] = ()
    non_returnable: frozenset[str] = frozenset()
    approval_above_fen: int | None = None
    original_tender_only: bool = False
    # another store's receipt taken back offline (whole receipt, up to the limit, approved)
    offline_other_store: bool = False
    offline_other_store_limit_fen: int = 0
    # returns without a receipt a member (by phone) may make in 30 days; None: no cap
    no_receipt_limit: int | None = None

    @classmethod
    def from_doc(cls, doc: Mapping[str, Any] | None) -> ReturnRules:
        """The published document (README, "Return rules"); None or {}: no rules."""
        if not doc:
            return cls()
        if not isinstance(doc, Mapping):
            raise _bad("the rules must be a JSON object")
        unknown = set(doc) - _KEYS
        if unknown:
            raise _bad(f"unknown key(s) {', '.join(sorted(unknown))}")
        window = None
        if "no_reason_days" in doc or "quality_days" in doc:
            window = _window(doc, "")
        cats = doc.get("categories") or {}
        if not isinstance(cats, Mapping):
            raise _bad("categories must map a category to its days")
        above = doc.get("approval_above_fen")
        if above is not None and not _count(above):
            raise _bad("approval_above_fen must be a whole number of fen")
        limit = doc.get("offline_other_store_limit_fen", 0)
        if not _count(limit):
            raise _bad("offline_other_store_limit_fen must be a whole number of fen")
        no_receipt = doc.get("no_receipt_limit")
        if no_receipt is not None and not _count(no_receipt):
            raise _bad("no_receipt_limit must be a whole number, 0 or more")
        banned = doc.get("non_returnable") or []
        if not isinstance(banned, list) or not all(isinstance(c, str) for c in banned):
            raise _bad("non_returnable must be a list of categories")
        return cls(
            window=window,
            categories=tuple(sorted((str(c), _window(w, str(c))) for c, w in cats.items())),
            non_returnable=frozenset(banned),
            approval_above_fen=above,
            original_tender_only=bool(doc.get("original_tender_only", False)),
            offline_other_store=bool(doc.get("offline_other_store", False)),
            offline_other_store_limit_fen=int(limit),
            no_receipt_limit=no_receipt,
        )

    def as_doc(self) -> dict[str, Any]:
        doc: dict[str, Any] = {}
        if self.window is not None:
            doc |= {
                "no_reason_days": self.window.no_reason_days,
                "quality_days": self.window.quality_days,
            }
        if self.categories:
            doc["categories"] = {
                c: {"no_reason_days": w.no_reason_days, "quality_days": w.quality_days}
                for c, w in self.categories
            }
        if self.non_returnable:
            doc["non_returnable"] = sorted(self.non_returnable)
        if self.approval_above_fen is not None:
            doc["approval_above_fen"] = self.approval_above_fen
        doc["original_tender_only"] = self.original_tender_only
        if self.offline_other_store or self.offline_other_store_limit_fen:
            doc["offline_other_store"] = self.offline_other_store
            doc["offline_other_store_limit_fen"] = self.offline_other_store_limit_fen
        if self.no_receipt_limit is not None:
            doc["no_receipt_limit"] = self.no_receipt_limit
        return doc

    def window_for(self, category: str) -> Window | None:
        return next((w for c, w in self.categories if c == category), self.window)


_KEYS = {
    "no_reason_days",
    "quality_days",
    "categories",
    "non_returnable",
    "approval_above_fen",
    "original_tender_only",
    "offline_other_store",
    "offline_other_store_limit_fen",
    "no_receipt_limit",
}


def _count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _window(doc: Any, category: str) -> Window:
    where = f" ({category})" if category else ""
    if not isinstance(doc, Mapping):
        raise _bad(f"the window{where} must be an object with no_reason_days and quality_days")
    no_reason = doc.get("no_reason_days", 0)
    quality = doc.get("quality_days", no_reason)
    if not (_count(no_reason) and _count(quality)):
        raise _bad(f"the window{where}: days must be whole numbers, 0 or more")
    return Window(int(no_reason), int(quality))


def _bad(what: str) -> InvalidInput:
    return InvalidInput(
        f"Return rules: {what} (see README, “Return rules”)",
        f"退换货规则有误：{what}（见 README“退换货规则”）",
    )


@dataclass(frozen=True, slots=True)
class LineStatus:
    """One line of a sale as the returns screen shows it."""

    line_no: int
    left: int  # units still returnable by count (sold minus returned)
    until: str | None  # last local day without a reason (YYYY-MM-DD); None: no window
    quality_until: str | None  # last local day for a quality fault
    why_not: Reason | None = None  # not returnable by a cashier now, and why
    approval: bool = False  # a manager may still approve it (outside the window)

    def as_dict(self) -> dict[str, Any]:
        return {
            "line_no": self.line_no,
            "left": self.left,
            "until": self.until,
            "quality_until": self.quality_until,
            "why_not": self.why_not[0] if self.why_not else None,
            "why_not_zh": self.why_not[1] if self.why_not else None,
            "needs_approval": self.approval,
        }


def _sold_day(original: Mapping[str, Any], tz: str) -> date:
    return date.fromisoformat(local_day(parse_iso(str(original["completed_at"])), tz))


def _last_day(sold: date, days: int) -> str:
    return (sold + timedelta(days=days)).isoformat()


def line_statuses(
    rules: ReturnRules,
    original: Mapping[str, Any],
    returned: Mapping[int, int],
    now: datetime,
    tz: str,
) -> list[LineStatus]:
    sold = _sold_day(original, tz)
    today = date.fromisoformat(local_day(now, tz))
    out = []
    for ln in original["lines"]:
        no = int(ln["line_no"])
        left = int(ln["qty"]) - returned.get(no, 0)
        w = rules.window_for(str(ln.get("category", "")))
        until = _last_day(sold, w.no_reason_days) if w else None
        q_until = _last_day(sold, w.days(True)) if w else None
        why: Reason | None = None
        approval = False
        if left <= 0:
            why = ("already returned", "已全部退货")
        elif str(ln.get("category", "")) in rules.non_returnable:
            why = (
                f"category {ln.get('category')} is not returnable",
                f"{ln.get('category')}类商品不可退换",
            )
        elif q_until is not None and today.isoformat() > q_until:
            why = (f"the return window ended on {q_until}", f"已超过退换期限（{q_until}）")
            approval = True
        out.append(LineStatus(no, max(left, 0), until, q_until, why, approval))
    return out


@dataclass(frozen=True, slots=True)
class ReturnCase:
    """A return (or the returned side of an exchange) to judge."""

    original: Mapping[str, Any]
    lines: list[dict[str, Any]]  # the refund's lines (plan_refund_lines)
    money_out_fen: int  # what goes back to the customer (an even exchange: 0)
    mode: str  # CASH, ORIGINAL, STORE_CREDIT or NONE (no money goes back)
    quality: bool = False  # the customer returns it for a fault (质量问题)
    gift: bool = False  # identified by a gift receipt (token version 2)
    exchange: bool = False
    approvals: tuple[Approval, ...] = field(default=())


def judge(
    rules: ReturnRules, case: ReturnCase, now: datetime, tz: str
) -> tuple[list[Reason], list[Reason]]:
    """(refused, needs a manager's approval): why the return cannot go ahead as asked."""
    refused: list[Reason] = []
    approval: list[Reason] = []
    if case.gift and case.money_out_fen > 0 and case.mode != STORE_CREDIT:
        refused.append(
            (
                "a gift receipt allows an exchange or store credit only, never money back: "
                "choose new items worth at least the returned ones, or --refund store-credit "
                "--member PHONE",
                "礼品小票只能换货或转为店铺余额，不能退款：请选择不低于退回金额的新商品，"
                "或退至储值（--refund store-credit --member 手机号）",
            )
        )
    if case.original.get(OFFLINE_MARK):
        _offline_other_store(rules, case, refused, approval)
    sold = _sold_day(case.original, tz)
    today = date.fromisoformat(local_day(now, tz))
    for ln in case.lines:
        cat = str(ln.get("category", ""))
        name = str(ln.get("name", ""))
        if cat in rules.non_returnable:
            refused.append(
                (
                    f"line {ln['line_no']} ({name}): category {cat} is not returnable",
                    f"第 {ln['line_no']} 行（{name}）属于{cat}类，不可退换",
                )
            )
            continue
        w = rules.window_for(cat)
        if w is None:
            continue
        days = w.days(case.quality)
        last = _last_day(sold, days)
        if today.isoformat() > last:
            kind, kind_zh = ("for a fault", "质量问题") if case.quality else ("", "无理由")
            approval.append(
                (
                    f"line {ln['line_no']} ({name}): the {days}-day return window {kind} "
                    f"ended on {last}".replace("  ", " "),
                    f"第 {ln['line_no']} 行（{name}）已超过{kind_zh}退换期限 {days} 天（{last}）",
                )
            )
    if rules.approval_above_fen is not None and case.money_out_fen > rules.approval_above_fen:
        limit = format_fen(rules.approval_above_fen)
        approval.append(
            (
                f"refunds above ¥{limit} need a manager",
                f"退款超过 ¥{limit} 需店长授权",
            )
        )
    paid_by = {str(p["tender"]) for p in case.original.get("payments", [])}
    if (
        rules.original_tender_only
        and case.mode == CASH
        and case.money_out_fen > 0
        and paid_by & {t.value for t in NETWORK_TENDERS}
    ):
        approval.append(
            (
                "card and wallet payments are refunded to the original tender (--refund original)",
                "银行卡和钱包付款只能原路退回（--refund original）",
            )
        )
    return refused, approval


def _offline_other_store(
    rules: ReturnRules, case: ReturnCase, refused: list[Reason], approval: list[Reason]
) -> None:
    """Another store's receipt with the cloud out of reach: only where the brand allows it,
    for goods worth no more than its limit, and always with a manager."""
    value = sum(int(ln["amount_fen"]) for ln in case.lines)
    limit = format_fen(rules.offline_other_store_limit_fen)
    if not rules.offline_other_store:
        refused.append(
            (
                "another store's receipt needs the cloud, which did not answer: try again "
                "when the till is online, or send the customer to that store",
                "其他门店的小票需联网向云端核实，云端未响应：请联网后重试，或请顾客到原门店办理",
            )
        )
    elif value > rules.offline_other_store_limit_fen:
        refused.append(
            (
                f"another store's receipt is taken back offline up to ¥{limit} only, this one "
                f"is ¥{format_fen(value)}: try again when the till is online",
                f"离线时其他门店的小票最多退 ¥{limit}，本单 ¥{format_fen(value)}：请联网后重试",
            )
        )
    approval.append(
        (
            "another store's receipt taken back offline needs a manager",
            "离线办理其他门店小票的退货需店长授权",
        )
    )


def enforce(rules: ReturnRules, case: ReturnCase, now: datetime, tz: str) -> None:
    """Raise when the return may not go ahead: refused outright (RuleViolation), or without
    a manager's approval that gives a reason (NeedsApproval)."""
    refused, approval = judge(rules, case, now, tz)
    if refused:
        raise RuleViolation(
            "Not returnable: " + "; ".join(en for en, _ in refused),
            "不能退换：" + "；".join(zh for _, zh in refused),
        )
    if not approval:
        return
    ok = [a for a in case.approvals if a.action == APPROVAL_ACTION and a.reason.strip()]
    if ok:
        return
    raise NeedsApproval(
        "A manager must approve this return with a reason ("
        + "; ".join(en for en, _ in approval)
        + ")",
        "此退货需店长授权并填写原因（" + "；".join(zh for _, zh in approval) + "）",
    )
