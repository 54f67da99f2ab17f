"""Segment rules over a generated member set, on SQLite and PostgreSQL (issue 21, item 3):
each field and operator, combinations, compared with a plain-Python reading of the same rule
over the same members; masked and unmasked (audited) lists; bulk coupon issue idempotent."""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest

from cloud.common import ApiError
from cloud.db import CloudDB
from cloud.service import CloudService
from pos_app.domain.errors import InvalidInput

NOW = datetime(2026, 12, 18, 2, 0, tzinfo=UTC)  # 10:00 on 18 December in Shanghai


def _iso(dt: datetime) -> str:
    return dt.strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class Gen:
    id: str
    phone: str
    tier: str
    tags: list[str]
    birthday: str | None
    associate: str | None
    store: str | None  # where they joined
    created: datetime
    buys: list[tuple[datetime, str, int, list[str]]] = field(default_factory=list)
    # (at, store, total_fen, categories); refunds have a negative total and no categories

    def last_activity(self) -> datetime:
        sales = [b[0] for b in self.buys if b[2] > 0]
        return max(sales) if sales else self.created

    def spend(self) -> int:
        return sum(b[2] for b in self.buys if b[0] >= NOW - timedelta(days=365))

    def lapsed_at_least(self, days: int) -> bool:
        return _iso(self.last_activity()) <= _iso(NOW - timedelta(days=days))


def _generate(n: int, seed: int = 21) -> list[Gen]:
    rnd = random.Random(seed)
    out = []
    for i in range(n):
        created = NOW - timedelta(days=rnd.randint(1, 900), hours=rnd.randint(0, 23))
        g = Gen(
            id=f"M{i:05d}",
            phone=f"138{i:08d}",
            tier=rnd.choice(["core", "potential", "ordinary", "ordinary"]),
            tags=rnd.sample(["VIP", "大客户", "学生", "new"], rnd.randint(0, 2)),
            birthday=(
                f"19{rnd.randint(60, 99)}-{rnd.randint(1, 12):02d}-{rnd.randint(1, 28):02d}"
                if rnd.random() < 0.8
                else None
            ),
            associate=rnd.choice(["小李", "小王", None]),
            store=rnd.choice(["S001", "S002", None]),
            created=created,
        )
        for _ in range(rnd.randint(0, 4)):
            at = NOW - timedelta(days=rnd.randint(0, 500), minutes=rnd.randint(0, 600))
            if at < created:
                continue
            cats = rnd.sample(["男装", "女装", "配饰", "鞋"], rnd.randint(1, 2))
            g.buys.append(
                (at, rnd.choice(["S001", "S002", "S003"]), rnd.randint(1, 90) * 1000, cats)
            )
        if g.buys and rnd.random() < 0.2:
            at, store, total, _ = g.buys[0]
            g.buys.append((at + timedelta(days=1), store, -total // 2, []))
        out.append(g)
    return out


MEMBERS = _generate(240)


@pytest.fixture
def svc(cloud_db_url: str) -> Iterator[CloudService]:
    db = CloudDB(cloud_db_url)
    s = CloudService(db, ereceipt_base_url="", now=lambda: NOW)
    with db.tx() as tx:
        for g in MEMBERS:
            data: dict[str, object] = {"tags": g.tags}
            for k, v in (
                ("birthday", g.birthday),
                ("associate", g.associate),
                ("store_id", g.store),
            ):
                if v is not None:
                    data[k] = v
            tx.execute(
                "INSERT INTO members(id, phone, name, tier, points, data, created_at, updated_at) "
                "VALUES (?, ?, ?, ?, 0, ?, ?, ?)",
                (
                    g.id,
                    g.phone,
                    "",
                    g.tier,
                    json.dumps(data, ensure_ascii=False),
                    _iso(g.created),
                    _iso(g.created),
                ),
            )
            for k, (at, store, total, cats) in enumerate(g.buys):
                items = [{"sku": c, "category": c, "qty": 1, "amount_fen": 1} for c in cats]
                tx.execute(
                    "INSERT INTO member_purchases(event_id, member_id, sale_id, store_id, kind, "
                    "total_fen, items, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        f"{g.id}-{k}",
                        g.id,
                        f"{g.id}-sale-{k}",
                        store,
                        "sale.completed" if total > 0 else "refund.completed",
                        total,
                        json.dumps(items, ensure_ascii=False),
                        _iso(at),
                    ),
                )
    try:
        yield s
    finally:
        db.close()


def _month(g: Gen) -> int | None:
    return int(g.birthday[5:7]) if g.birthday else None


def _bought(g: Gen, cat: str) -> bool:
    return any(cat in b[3] for b in g.buys if b[2] > 0)


def _shopped(g: Gen, store: str) -> bool:
    return g.store == store or any(b[1] == store for b in g.buys)


# rule -> the same rule read in plain Python
CASES: list[tuple[str, Callable[[Gen], bool]]] = [
    ("tag=VIP", lambda g: "VIP" in g.tags),
    ("tag != VIP", lambda g: "VIP" not in g.tags),
    ('tag in ("大客户", 学生)', lambda g: "大客户" in g.tags or "学生" in g.tags),
    ("tier=core", lambda g: g.tier == "core"),
    ("TIER = Potential", lambda g: g.tier == "potential"),
    ("tier in (core, potential)", lambda g: g.tier in ("core", "potential")),
    ("tier!=ordinary", lambda g: g.tier != "ordinary"),
    ("lapsed>=90d", lambda g: g.lapsed_at_least(90)),
    ("lapsed>90", lambda g: g.lapsed_at_least(91)),
    ("lapsed<30d", lambda g: not g.lapsed_at_least(30)),
    ("lapsed<=30d", lambda g: not g.lapsed_at_least(31)),
    ("lapsed=0d", lambda g: not g.lapsed_at_least(1)),
    ("birthday_month=this", lambda g: _month(g) == 12),
    ("birthday_month=next", lambda g: _month(g) == 1),
    ("birthday_month=5", lambda g: _month(g) == 5),
    ("birthday_month in (1, 2, 3)", lambda g: _month(g) in (1, 2, 3)),
    ("spend_fen>=100000", lambda g: g.spend() >= 100_000),
    ("spend_fen<50000", lambda g: g.spend() < 50_000),
    ("spend_fen>=20000 and spend_fen<80000", lambda g: 20_000 <= g.spend() < 80_000),
    ("spend_fen=0", lambda g: g.spend() == 0),
    ("category=配饰", lambda g: _bought(g, "配饰")),
    ("category in (鞋, 女装)", lambda g: _bought(g, "鞋") or _bought(g, "女装")),
    ("category!=男装", lambda g: not _bought(g, "男装")),
    ("store=S003", lambda g: _shopped(g, "S003")),
    ("store=S001", lambda g: _shopped(g, "S001")),
    ("associate=小李", lambda g: g.associate == "小李"),
    ("associate != 小李", lambda g: g.associate != "小李"),
    (
        "tier=core and lapsed>=90d and birthday_month=this",
        lambda g: g.tier == "core" and g.lapsed_at_least(90) and _month(g) == 12,
    ),
    (
        "tier=core or tag=VIP and store=S002",  # and binds tighter than or
        lambda g: g.tier == "core" or ("VIP" in g.tags and _shopped(g, "S002")),
    ),
    (
        "(tier=core or tag=VIP) and store=S002",
        lambda g: (g.tier == "core" or "VIP" in g.tags) and _shopped(g, "S002"),
    ),
    (
        "not (category=男装 or associate=小王) and spend_fen>0",
        lambda g: not (_bought(g, "男装") or g.associate == "小王") and g.spend() > 0,
    ),
    ("not not tier=potential", lambda g: g.tier == "potential"),
]


def test_every_field_and_combination_selects_what_the_rule_says(svc: CloudService) -> None:
    seg = svc.members.segments
    for i, (rule, expect) in enumerate(CASES):
        name = f"s{i}"
        added = seg.add(name, rule)
        want = sorted(g.id for g in MEMBERS if expect(g))
        got = seg.member_ids(name)
        assert got == want, rule
        assert added["members"] == len(want), rule
        # the generated set is not degenerate: each rule tells members apart
        assert 0 < len(want) < len(MEMBERS) or rule == "lapsed=0d", (rule, len(want))
    listed = {r["name"]: r for r in seg.listing()}
    assert listed["s0"]["rule"] == "tag=VIP"


def test_lists_are_masked_unless_exported_by_someone_and_recorded(svc: CloudService) -> None:
    seg = svc.members.segments
    seg.add("cores", "tier=core")
    masked = seg.members("cores")
    cores = [g for g in MEMBERS if g.tier == "core"]
    assert [r["phone"] for r in masked] == [g.phone[:3] + "****" + g.phone[-4:] for g in cores]
    whole = seg.members("cores", unmasked_for="王经理", reason="会员日短信")
    assert [r["phone"] for r in whole] == [g.phone for g in cores]
    with svc.db.tx() as tx:
        rows = tx.execute("SELECT what, who, reason, rows FROM member_exports").fetchall()
    assert [tuple(r) for r in rows] == [("segment:cores", "王经理", "会员日短信", len(cores))]


@pytest.mark.parametrize(
    ("rule", "pos", "says"),
    [
        ("", 1, "empty"),
        ("tier=gold", 6, "tier is core, potential, ordinary"),
        ("teir=core", 1, "unknown field"),
        ("tier=core and", 14, "expected a field"),
        ("tier=core lapsed>=3d", 11, "unexpected"),
        ("lapsed>=soon", 9, "lapsed takes days"),
        ("tag>=VIP", 4, "tag takes"),
        ("(tier=core or tag=VIP", 22, "expected “)”"),
        ("tag in (VIP", 12, "expected “,” or “)”"),
        ('tag="VIP', 5, "unclosed quote"),
        ("birthday_month=13", 16, "birthday_month takes"),
        ("spend_fen>=12.5", 12, "spend_fen takes whole fen"),
        ("tier core", 6, "expected an operator"),
    ],
)
def test_a_bad_rule_is_refused_with_its_position_in_both_languages(
    svc: CloudService, rule: str, pos: int, says: str
) -> None:
    with pytest.raises(InvalidInput) as err:
        svc.members.segments.add("bad", rule)
    assert err.value.code == "bad_rule"
    assert f"position {pos}:" in err.value.message and says in err.value.message
    assert f"第 {pos} 个字符" in err.value.message_zh
    assert svc.members.segments.listing() == []  # nothing stored


def test_bulk_issue_is_idempotent_and_keeps_the_per_member_limit(svc: CloudService) -> None:
    seg = svc.members.segments
    seg.add("vips", "tag=VIP")
    vips = [g.id for g in MEMBERS if "VIP" in g.tags]
    svc.admin.add_coupon("BDAY", {"kind": "percent", "percent_bp": 1000, "per_member": 2})
    first = svc.members.issuing.issue_segment("BDAY", "vips")
    assert first["issued"] == len(vips) and first["already_issued"] == 0
    again = svc.members.issuing.issue_segment("BDAY", "vips")
    assert (again["issued"], again["already_issued"]) == (0, len(vips))
    campaign = svc.members.issuing.issue("BDAY", [*vips[:3], "NOSUCH"], batch="2027")
    assert (campaign["issued"], campaign["unknown_members"]) == (3, ["NOSUCH"])
    third = svc.members.issuing.issue("BDAY", vips[:1], batch="2028")
    assert (third["issued"], third["over_limit"]) == (0, 1)
    with svc.db.tx() as tx:
        n = tx.execute("SELECT count(*) FROM coupon_issues WHERE code = 'BDAY'").fetchone()[0]
        pushed = tx.execute(
            "SELECT count(*) FROM changes WHERE kind = 'coupon' AND key LIKE ?", ("BDAY-%",)
        ).fetchone()[0]
        data = json.loads(
            tx.execute(
                "SELECT data FROM coupons WHERE code = ?", (first["coupons"][0]["coupon_code"],)
            ).fetchone()[0]
        )
    assert n == pushed == len(vips) + 3
    assert data["member_id"] == first["coupons"][0]["member_id"] and data["percent_bp"] == 1000
    assert "per_member" not in data
    with pytest.raises(ApiError) as unknown:
        svc.members.issuing.issue("NOPE", vips[:1])
    assert unknown.value.code == "unknown_coupon"
