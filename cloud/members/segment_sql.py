"""A segment's rule tree (segment_rules.py) compiled to one SELECT of member ids, in
SQLAlchemy Core, for SQLite and PostgreSQL.

Every value is a bound parameter.  The two engines differ only in reading the JSON kept as
text (members.data, member_purchases.items): SQLite's json_extract/json_each, PostgreSQL's
jsonb operators; the rest is shared.  Times compared are the stored RFC 3339 UTC texts, so
the cut-offs are computed here from the injected clock, never by the database's own clock.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.sql.elements import ColumnElement

from cloud.storage.schema import member_purchases as mp_table
from cloud.storage.schema import members as m
from pos_app.domain.timeutil import zone

from .segment_rules import AllOf, AnyOf, Cond, Not, Rule

SPEND_WINDOW_DAYS = 365  # spend_fen: net spend (sales less refunds) over the last year


@dataclass(frozen=True, slots=True)
class Clock:
    now: datetime  # aware
    tz: str  # the brand's time zone: which month is "this"


def _stamp(dt: datetime) -> str:
    return dt.astimezone(zone("UTC")).strftime("%Y-%m-%dT%H:%M:%SZ")


class _Compiler:
    def __init__(self, dialect: str, clock: Clock) -> None:
        self.pg = dialect == "postgres"
        self.clock = clock

    # ---- JSON kept as text -----------------------------------------------------------

    def _data_text(self, key: str) -> ColumnElement[Any]:
        # '' for a key the member lacks: a comparison is then false, never NULL, so `not`
        # and `!=` select the members without it too
        value: ColumnElement[Any]
        if self.pg:
            value = sa.cast(m.c.data, postgresql.JSONB).op("->>")(key)
        else:
            value = sa.func.json_extract(m.c.data, f"$.{key}")
        return sa.func.coalesce(value, "")

    def _has_tag(self, tag: str) -> ColumnElement[bool]:
        if self.pg:
            tags = sa.cast(m.c.data, postgresql.JSONB).op("->")("tags")
            return sa.func.coalesce(
                tags.op("@>")(sa.func.jsonb_build_array(sa.cast(sa.literal(tag), sa.Text))),
                sa.false(),
            )
        each = sa.func.json_each(m.c.data, "$.tags").table_valued("value")
        return sa.exists(sa.select(sa.literal(1)).select_from(each).where(each.c.value == tag))

    def _bought_category(self, category: str) -> ColumnElement[bool]:
        mp = mp_table.alias("mp")
        item_cat: ColumnElement[Any]
        if self.pg:
            each = sa.func.jsonb_array_elements(
                sa.cast(mp.c["items"], postgresql.JSONB)
            ).table_valued("value")
            item_cat = each.c.value.op("->>")("category")
        else:
            each = sa.func.json_each(mp.c["items"]).table_valued("value")
            item_cat = sa.func.json_extract(each.c.value, "$.category")
        return sa.exists(
            sa.select(sa.literal(1))
            .select_from(mp.join(each, sa.true()))
            .where(mp.c.member_id == m.c.id, mp.c.kind == "sale.completed", item_cat == category)
        )

    # ---- fields ----------------------------------------------------------------------

    def _lapsed_at_least(self, days: int) -> ColumnElement[bool]:
        # last purchase, or the day they joined for a member who never bought
        mp = mp_table.alias("mp")
        last = (
            sa.select(sa.func.max(mp.c.at))
            .where(mp.c.member_id == m.c.id, mp.c.kind == "sale.completed")
            .scalar_subquery()
        )
        cutoff = _stamp(self.clock.now - timedelta(days=days))
        return sa.func.coalesce(last, m.c.created_at) <= cutoff

    def _spend(self) -> ColumnElement[Any]:
        mp = mp_table.alias("mp")
        since = _stamp(self.clock.now - timedelta(days=SPEND_WINDOW_DAYS))
        return sa.func.coalesce(
            sa.select(sa.func.sum(mp.c.total_fen))
            .where(
                mp.c.member_id == m.c.id,
                mp.c.kind.in_(("sale.completed", "refund.completed")),
                mp.c.at >= since,
            )
            .scalar_subquery(),
            0,
        )

    def _month(self, v: str | int) -> str:
        local = self.clock.now.astimezone(zone(self.clock.tz))
        month = local.month
        if v == "next":
            month = month % 12 + 1
        elif isinstance(v, int):
            month = v
        return f"{month:02d}"

    def _shopped_at(self, store: str) -> ColumnElement[bool]:
        mp = mp_table.alias("mp")
        return sa.or_(
            self._data_text("store_id") == store,
            sa.exists(
                sa.select(sa.literal(1)).where(mp.c.member_id == m.c.id, mp.c.store_id == store)
            ),
        )

    def _equals(self, field: str, v: str | int) -> ColumnElement[bool]:
        if field == "tag":
            return self._has_tag(str(v))
        if field == "tier":
            return m.c.tier == v
        if field == "birthday_month":
            return sa.func.substr(self._data_text("birthday"), 6, 2) == self._month(v)
        if field == "category":
            return self._bought_category(str(v))
        if field == "store":
            return self._shopped_at(str(v))
        if field == "associate":
            return self._data_text("associate") == str(v)
        if field == "lapsed":
            return sa.and_(
                self._lapsed_at_least(int(v)), sa.not_(self._lapsed_at_least(int(v) + 1))
            )
        if field == "spend_fen":
            return self._spend() == int(v)
        raise AssertionError(field)  # the parser admits no other field

    def cond(self, c: Cond) -> ColumnElement[bool]:
        if c.op == "in":
            return sa.or_(*(self._equals(c.field, v) for v in c.values))
        v = c.values[0]
        if c.op == "=":
            return self._equals(c.field, v)
        if c.op == "!=":
            return sa.not_(self._equals(c.field, v))
        if c.field == "lapsed":
            days = int(v)
            at_least = {">=": days, ">": days + 1, "<": days, "<=": days + 1}[c.op]
            test = self._lapsed_at_least(at_least)
            return test if c.op in (">=", ">") else sa.not_(test)
        spend = self._spend()
        ops = {">=": spend >= v, "<=": spend <= v, ">": spend > v, "<": spend < v}
        return ops[c.op]

    def rule(self, r: Rule) -> ColumnElement[bool]:
        if isinstance(r, Cond):
            return self.cond(r)
        if isinstance(r, Not):
            return sa.not_(self.rule(r.rule))
        if isinstance(r, AllOf):
            return sa.and_(*(self.rule(x) for x in r.rules))
        assert isinstance(r, AnyOf)
        return sa.or_(*(self.rule(x) for x in r.rules))


def member_query(rule: Rule, dialect: str, clock: Clock) -> sa.Select[Any]:
    """SELECT id, phone, name, tier FROM members WHERE <rule> ORDER BY id."""
    where = _Compiler(dialect, clock).rule(rule)
    return sa.select(m.c.id, m.c.phone, m.c.name, m.c.tier).where(where).order_by(m.c.id)


def to_sql(stmt: sa.Select[Any], dialect: str) -> tuple[str, list[Any]]:
    """The statement as `?` SQL and its positional parameters, for cloud.db.Tx."""
    d: Any = sqlite.dialect()
    if dialect == "postgres":
        d = postgresql.dialect(paramstyle="qmark")  # type: ignore[no-untyped-call]
    compiled = stmt.compile(dialect=d, compile_kwargs={"render_postcompile": True})
    params = compiled.params
    return compiled.string, [params[name] for name in compiled.positiontup or ()]
