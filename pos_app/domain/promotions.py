"""The one promotion engine: what a basket saves, by name, line by line.

Pure and deterministic: the same basket prices the same whatever the scan order (lines are
put in a canonical order before anything is spread over them).  Precedence and stacking
(docs/members.md, "Precedence"):

1. member price (already the line's unit price: `Sale.add` takes it for a member);
2. item promotions (buy-X-get-Y, percent off by category): each line takes at most one,
   the promotions tried by priority (higher first), then id;
3. tier discount: lines without a member price and without an item promotion;
4. spend-X-save-Y (满减): the single best one for the customer, on what is left;
5. one coupon (cash with a threshold, percent off, or a count coupon);
6. points redemption, capped at a share of what is left.

Every saving is spread over its lines and never takes a line below zero.  A promotion with
a date/time window or an audience (tiers, segments, stores: promo_windows.py) takes part only
when it is open for this sale; the order above does not change.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from .errors import InvalidInput, RuleViolation
from .money import allocate, percent_of
from .promo_windows import PricingContext, PromoAudience, PromoWindow, promo_open

TIER_ZH = {"core": "核心", "potential": "潜力", "ordinary": "普通"}


class PromoKind(StrEnum):
    SPEND_SAVE = "spend_save"  # 满减: every threshold_fen spent saves off_fen
    CATEGORY_PERCENT = "category_percent"  # percent_bp off items of the categories
    BUY_X_GET_Y = "buy_x_get_y"  # of every buy+get units, the get cheapest are free


class CouponKind(StrEnum):
    CASH = "cash"  # 代金券: amount_fen off a bill of at least threshold_fen
    PERCENT = "percent"  # 折扣券: percent_bp off
    COUNT = "count"  # 计次券: one unit of an eligible service, free


@dataclass(frozen=True, slots=True)
class BasketLine:
    line_no: int
    sku: str
    category: str
    qty: int
    unit_price_fen: int
    net_fen: int  # after the cashier's own line discount
    member_priced: bool = False  # the unit price is a member price below the list price


@dataclass(frozen=True, slots=True)
class Saving:
    """One named saving, e.g. 满300减50 ¥50.00, spread over the lines it applies to."""

    name: str
    kind: str  # tier | spend_save | category_percent | buy_x_get_y | coupon | points
    amount_fen: int
    lines: tuple[tuple[int, int], ...]  # (line_no, fen)
    ref: str = ""  # promotion id, coupon code, or "points"

    def on_line(self, line_no: int) -> int:
        return sum(f for n, f in self.lines if n == line_no)

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "kind": self.kind,
            "ref": self.ref,
            "amount_fen": self.amount_fen,
            "lines": [{"line_no": n, "amount_fen": f} for n, f in self.lines],
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Saving:
        return cls(
            str(d["name"]),
            str(d["kind"]),
            int(d["amount_fen"]),
            tuple((int(x["line_no"]), int(x["amount_fen"])) for x in d["lines"]),
            str(d.get("ref", "")),
        )


def _int(d: Mapping[str, Any], key: str, default: int = 0) -> int:
    v = d.get(key, default)
    if not isinstance(v, int) or isinstance(v, bool) or v < 0:
        raise InvalidInput(
            f"{key} must be a whole number of at least 0, not {v!r}",
            f"{key} 必须是不小于 0 的整数（现为 {v!r}）",
        )
    return v


def _set(d: Mapping[str, Any], key: str) -> frozenset[str]:
    v = d.get(key) or []
    if isinstance(v, str):
        v = [v]
    return frozenset(str(x) for x in v)


@dataclass(frozen=True, slots=True)
class Promotion:
    id: str
    name: str
    kind: PromoKind
    categories: frozenset[str] = frozenset()  # empty: every category
    skus: frozenset[str] = frozenset()  # empty: every sku (of the categories)
    percent_bp: int = 0
    threshold_fen: int = 0
    off_fen: int = 0
    repeat: bool = True  # 满减: every threshold (True) or once
    buy: int = 0
    get: int = 0
    priority: int = 0
    members_only: bool = False
    active: bool = True
    window: PromoWindow = field(
        default_factory=PromoWindow
    )  # when (promo_windows.py): 会员日, weekends …
    audience: PromoAudience = field(
        default_factory=PromoAudience
    )  # for whom: tiers, segments, stores

    def __post_init__(self) -> None:
        if self.kind is PromoKind.SPEND_SAVE and (self.threshold_fen <= 0 or self.off_fen <= 0):
            raise InvalidInput(
                f"Promotion {self.id}: spend-X-save-Y needs threshold_fen and off_fen above 0",
                f"促销 {self.id}：满减需要大于 0 的门槛和减免金额",
            )
        if self.kind is PromoKind.SPEND_SAVE and self.off_fen > self.threshold_fen:
            raise InvalidInput(
                f"Promotion {self.id}: it cannot save more than its threshold",
                f"促销 {self.id}：减免金额不能超过门槛",
            )
        if self.kind is PromoKind.CATEGORY_PERCENT and not 0 < self.percent_bp <= 10_000:
            raise InvalidInput(
                f"Promotion {self.id}: percent_bp must be from 1 to 10000",
                f"促销 {self.id}：折扣比例必须在 1 到 10000 基点之间",
            )
        if self.kind is PromoKind.BUY_X_GET_Y and (self.buy < 1 or self.get < 1):
            raise InvalidInput(
                f"Promotion {self.id}: buy-X-get-Y needs buy and get of at least 1",
                f"促销 {self.id}：买赠需要买 X 赠 Y（均至少为 1）",
            )

    def applies_to(self, ln: BasketLine) -> bool:
        return (not self.categories or ln.category in self.categories) and (
            not self.skus or ln.sku in self.skus
        )

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Promotion:
        try:
            kind = PromoKind(str(d.get("kind", "")))
        except ValueError as err:
            raise InvalidInput(
                f"Unknown promotion kind {d.get('kind')!r}: use "
                + ", ".join(k.value for k in PromoKind),
                f"未知的促销类型 {d.get('kind')!r}",
            ) from err
        return cls(
            id=str(d.get("id", "")),
            name=str(d.get("name") or d.get("id", "")),
            kind=kind,
            categories=_set(d, "categories"),
            skus=_set(d, "skus"),
            percent_bp=_int(d, "percent_bp"),
            threshold_fen=_int(d, "threshold_fen"),
            off_fen=_int(d, "off_fen"),
            repeat=bool(d.get("repeat", True)),
            buy=_int(d, "buy"),
            get=_int(d, "get"),
            priority=int(d.get("priority", 0)),
            members_only=bool(d.get("members_only", False)),
            active=bool(d.get("active", True)),
            window=PromoWindow.from_dict(d, str(d.get("id", ""))),
            audience=PromoAudience.from_dict(d),
        )


@dataclass(frozen=True, slots=True)
class Coupon:
    code: str
    kind: CouponKind
    name: str = ""
    amount_fen: int = 0
    percent_bp: int = 0
    threshold_fen: int = 0
    categories: frozenset[str] = frozenset()
    uses: int = 1  # count coupons: uses left
    member_id: str | None = None  # issued to one member, or to anyone holding the code
    expires_at: str | None = None  # RFC 3339 UTC
    redeemed: bool = False
    starts_at: str | None = None  # RFC 3339: not valid before (a campaign's first day)

    def applies_to(self, ln: BasketLine) -> bool:
        return not self.categories or ln.category in self.categories

    @property
    def label(self) -> str:
        return self.name or f"券 {self.code}"

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Coupon:
        d = {k: v for k, v in d.items() if v is not None}
        if "kind" in d:
            kind_raw = str(d["kind"])
        else:  # `guitai cloud coupon add` publishes amount_fen or percent_off only
            kind_raw = "percent" if "percent_off" in d or "percent_bp" in d else "cash"
        try:
            kind = CouponKind(kind_raw)
        except ValueError as err:
            raise InvalidInput(f"Unknown coupon kind {kind_raw!r}", "未知的券类型") from err
        percent = d.get("percent_bp")
        if percent is None and "percent_off" in d:
            percent = int(d["percent_off"]) * 100
        expires = d.get("expires_at")
        if not expires and d.get("expires"):  # a last valid day: through its end, China time
            expires = f"{d['expires']}T23:59:59+08:00"
        return cls(
            code=str(d.get("code", "")),
            kind=kind,
            name=str(d.get("name", "")),
            amount_fen=_int(d, "amount_fen"),
            percent_bp=int(percent or 0),
            threshold_fen=_int(d, "threshold_fen") or _int(d, "min_spend_fen"),
            categories=_set(d, "categories"),
            uses=_int(d, "uses", 1),
            member_id=d.get("member_id") or None,
            expires_at=expires or None,
            redeemed=bool(d.get("redeemed", False)),
            starts_at=d.get("starts_at")
            or (f"{d['valid_from']}T00:00:00+08:00" if d.get("valid_from") else None),
        )


@dataclass(frozen=True, slots=True)
class PointsRedemption:
    points: int  # asked for
    points_per_yuan: int  # N points = ¥1
    cap_bp: int  # at most this share of what is left to pay


@dataclass(frozen=True, slots=True)
class Pricing:
    savings: tuple[Saving, ...]
    points_used: int = 0
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def total_saving_fen(self) -> int:
        return sum(s.amount_fen for s in self.savings)


def _canonical(lines: Iterable[BasketLine]) -> list[BasketLine]:
    return sorted(
        lines,
        key=lambda ln: (
            ln.sku,
            ln.unit_price_fen,
            ln.qty,
            ln.net_fen,
            ln.member_priced,
            ln.category,
        ),
    )


def _spread(
    name: str, kind: str, ref: str, total: int, lines: Sequence[BasketLine], left: dict[int, int]
) -> Saving | None:
    """A saving of `total` spread over `lines` in proportion to what is left on each."""
    weights = [left[ln.line_no] for ln in lines]
    total = min(total, sum(weights))
    if total <= 0:
        return None
    parts = allocate(total, weights)
    out = []
    for ln, p in zip(lines, parts, strict=True):
        if p:
            left[ln.line_no] -= p
            out.append((ln.line_no, p))
    return Saving(name, kind, total, tuple(sorted(out)), ref)


def _buy_x_get_y(p: Promotion, lines: Sequence[BasketLine], left: dict[int, int]) -> Saving | None:
    # Units sorted cheapest first (ties by sku): of every buy+get units the `get` cheapest are
    # free.  Taking the cheapest of the whole pool is what stores print on their posters.
    units: list[tuple[int, str, int]] = []
    for ln in lines:
        unit_net = ln.net_fen // ln.qty if ln.qty else 0
        units += [(unit_net, ln.sku, ln.line_no)] * ln.qty
    units.sort()
    free = (len(units) // (p.buy + p.get)) * p.get
    per_line: dict[int, int] = {}
    for unit_net, _sku, line_no in units[:free]:
        take = min(unit_net, left[line_no] - per_line.get(line_no, 0))
        per_line[line_no] = per_line.get(line_no, 0) + take
    total = sum(per_line.values())
    if total <= 0:
        return None
    for n, f in per_line.items():
        left[n] -= f
    return Saving(
        p.name, p.kind.value, total, tuple(sorted((n, f) for n, f in per_line.items() if f)), p.id
    )


def _spend_save_amount(p: Promotion, base: int) -> int:
    if base < p.threshold_fen:
        return 0
    return (base // p.threshold_fen) * p.off_fen if p.repeat else p.off_fen


def price_basket(
    lines: Sequence[BasketLine],
    promotions: Sequence[Promotion] = (),
    *,
    is_member: bool = False,
    tier: str | None = None,
    tier_discount_bp: Mapping[str, int] | None = None,
    coupon: Coupon | None = None,
    points: PointsRedemption | None = None,
    context: PricingContext | None = None,
) -> Pricing:
    """Every saving the basket gets, in precedence order (see the module docstring).

    `context` (the clock's instant, the store and its zone, the member's segments) decides
    the promotions with a date/time window or an audience; without it they do not apply."""
    basket = _canonical(ln for ln in lines if ln.qty > 0)
    left = {ln.line_no: max(0, ln.net_fen) for ln in basket}
    savings: list[Saving] = []
    notes: list[str] = []
    active = sorted(
        (
            p
            for p in promotions
            if p.active
            and (is_member or not p.members_only)
            and promo_open(p.window, p.audience, context, is_member=is_member, tier=tier)
        ),
        key=lambda p: (-p.priority, p.id),
    )

    # 2. item promotions: a line takes at most one
    claimed: set[int] = set()
    for p in active:
        if p.kind not in (PromoKind.BUY_X_GET_Y, PromoKind.CATEGORY_PERCENT):
            continue
        mine = [ln for ln in basket if ln.line_no not in claimed and p.applies_to(ln)]
        if not mine:
            continue
        if p.kind is PromoKind.BUY_X_GET_Y:
            s = _buy_x_get_y(p, mine, left)
            if s is not None:
                claimed.update(n for n, _ in s.lines)
                # lines in the pool that paid for the free ones are claimed too
                if s.amount_fen:
                    claimed.update(ln.line_no for ln in mine)
        else:
            amount = sum(percent_of(left[ln.line_no], p.percent_bp) for ln in mine)
            s = _spread(p.name, p.kind.value, p.id, amount, mine, left)
            if s is not None:
                claimed.update(ln.line_no for ln in mine)
        if s is not None:
            savings.append(s)

    # 3. tier discount
    bp = (tier_discount_bp or {}).get(tier or "", 0) if is_member else 0
    if bp > 0:
        mine = [ln for ln in basket if ln.line_no not in claimed and not ln.member_priced]
        amount = sum(percent_of(left[ln.line_no], bp) for ln in mine)
        label = TIER_ZH.get(tier or "", tier or "")
        s = _spread(f"{label}会员折扣", "tier", tier or "", amount, mine, left)
        if s is not None:
            savings.append(s)

    # 4. the best spend-X-save-Y
    best: tuple[int, str, Promotion] | None = None
    for p in active:
        if p.kind is not PromoKind.SPEND_SAVE:
            continue
        base = sum(left[ln.line_no] for ln in basket if p.applies_to(ln))
        amount = _spend_save_amount(p, base)
        if amount > 0 and (best is None or (amount, p.id) > (best[0], best[1])):
            best = (amount, p.id, p)
    if best is not None:
        p = best[2]
        mine = [ln for ln in basket if p.applies_to(ln)]
        s = _spread(p.name, p.kind.value, p.id, best[0], mine, left)
        if s is not None:
            savings.append(s)

    # 5. one coupon
    if coupon is not None:
        s = _coupon_saving(coupon, basket, left)
        savings.append(s)

    # 6. points
    used = 0
    if points is not None and points.points > 0:
        remaining = sum(left.values())
        cap_fen = percent_of(remaining, points.cap_bp) if points.cap_bp < 10_000 else remaining
        yuan = min(points.points // points.points_per_yuan, cap_fen // 100)
        if yuan <= 0:
            notes.append("points_below_minimum")
        else:
            s2 = _spread(
                f"积分抵现 {yuan * points.points_per_yuan} 分",
                "points",
                "points",
                yuan * 100,
                basket,
                left,
            )
            if s2 is not None:
                used = yuan * points.points_per_yuan
                savings.append(s2)
            if yuan * points.points_per_yuan < points.points:
                notes.append("points_capped")
    return Pricing(tuple(savings), used, tuple(notes))


def _coupon_saving(c: Coupon, basket: Sequence[BasketLine], left: dict[int, int]) -> Saving:
    mine = [ln for ln in basket if c.applies_to(ln) and left[ln.line_no] > 0]
    base = sum(left[ln.line_no] for ln in mine)
    if not mine:
        raise RuleViolation(
            f"Coupon {c.code} does not apply to anything in this sale",
            f"券 {c.code} 不适用于本单商品",
        )
    if c.kind is CouponKind.CASH:
        if base < c.threshold_fen:
            raise RuleViolation(
                f"Coupon {c.code} needs a bill of at least ¥{c.threshold_fen / 100:.2f} "
                f"(this one: ¥{base / 100:.2f})",
                f"券 {c.code} 需满 ¥{c.threshold_fen / 100:.2f} 才能使用（本单 ¥{base / 100:.2f}）",
            )
        amount = min(c.amount_fen, base)
        lines: Sequence[BasketLine] = mine
    elif c.kind is CouponKind.PERCENT:
        amount = sum(percent_of(left[ln.line_no], c.percent_bp) for ln in mine)
        lines = mine
    else:
        if c.uses < 1:
            raise RuleViolation(f"Coupon {c.code} has no uses left", f"券 {c.code} 已无剩余次数")
        # one unit of the dearest eligible service (ties: sku), never more than is left on it
        top = max(mine, key=lambda ln: (ln.unit_price_fen, ln.sku))
        amount = min(top.unit_price_fen, left[top.line_no])
        lines = [top]
    s = _spread(c.label, "coupon", c.code, amount, lines, left)
    if s is None:
        raise RuleViolation(
            f"Coupon {c.code} saves nothing on this sale", f"券 {c.code} 对本单无优惠"
        )
    return s
