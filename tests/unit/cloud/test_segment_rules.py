"""The segment rule language parsed into its tree (issue 21, item 3): precedence, lists,
quoting, case; pure (no database)."""

from __future__ import annotations

from cloud.members.segment_rules import AllOf, AnyOf, Cond, Not, parse_rule


def test_and_binds_tighter_than_or_and_parentheses_group() -> None:
    assert parse_rule("tier=core or tag=VIP and lapsed>=90d") == AnyOf(
        (
            Cond("tier", "=", ("core",)),
            AllOf((Cond("tag", "=", ("VIP",)), Cond("lapsed", ">=", (90,)))),
        )
    )
    assert parse_rule("(tier=core or tag=VIP) and lapsed>=90d") == AllOf(
        (
            AnyOf((Cond("tier", "=", ("core",)), Cond("tag", "=", ("VIP",)))),
            Cond("lapsed", ">=", (90,)),
        )
    )


def test_values_lists_quotes_and_case() -> None:
    assert parse_rule("NOT Tag IN (\"大 客户\", 'new') AND birthday_month = This") == AllOf(
        (
            Not(Cond("tag", "in", ("大 客户", "new"))),
            Cond("birthday_month", "=", ("this",)),
        )
    )
    assert parse_rule("spend_fen>=100000 and spend_fen<500000 and lapsed<30") == AllOf(
        (
            Cond("spend_fen", ">=", (100000,)),
            Cond("spend_fen", "<", (500000,)),
            Cond("lapsed", "<", (30,)),
        )
    )
    assert parse_rule("birthday_month in (1,12)") == Cond("birthday_month", "in", (1, 12))
    assert parse_rule("store=S001 and associate=小李") == AllOf(
        (Cond("store", "=", ("S001",)), Cond("associate", "=", ("小李",)))
    )
