"""Hypothesis stateful test of the till's sale, returns and shift services on a real SQLite
file, against a plain model: random sequences of sales, partial and over-sized refunds,
voided sales, pay-ins/outs and Z closes.  After every step: receipt numbers are gap-free,
the database's net equals the model's, no line is returned beyond what was sold; each Z
report's net and expected cash equal the model's; the journal chain verifies at the end."""

from __future__ import annotations

import shutil
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from pos_app.domain.errors import GuitaiError, RuleViolation
from pos_app.domain.money import CashRounding
from pos_app.domain.returns import ReturnRequest
from pos_app.domain.tenders import Tender

CODES = ["6901234567892", "6901234567908", "6901234567915", "6901234567922", "6901234567939"]
_TEMPLATE: dict[str, Path] = {}


def _template() -> Path:
    if "home" not in _TEMPLATE:
        from pos_app.cli import main

        root = Path(tempfile.mkdtemp(prefix="guitai-stateful-"))
        home = root / "till"
        init = ["init", "--store-id", "S001", "--store-name", "状态店", "--till-no", "1"]
        assert main(["--home", str(home), *init, "--admin-pin", "7391"]) == 0
        from pos_app.adapters.db.connection import open_database

        db = open_database(home / "till.db")
        import conftest_catalog_seed as seed  # type: ignore[import-not-found]

        seed.seed(db.conn)
        db.close()
        _TEMPLATE["home"] = home
    return _TEMPLATE["home"]


class TillMachine(RuleBasedStateMachine):
    @initialize()
    def start(self) -> None:
        from pos_app.adapters.db.connection import open_database
        from pos_app.bootstrap import build
        from pos_app.config import Paths
        from pos_app.domain.ports import ManualClock

        self.dir = Path(tempfile.mkdtemp(prefix="guitai-sm-"))
        home = self.dir / "till"
        shutil.copytree(_template(), home)
        self.clock = ManualClock(datetime(2026, 11, 25, 2, 0, tzinfo=UTC))
        self.db = open_database(home / "till.db")
        self.till = build(Paths(home), self.db, self.clock)
        self.user = self.till.users.authenticate("admin", "7391")
        self.till.shifts.open(self.user, 10000)
        self.net = 0
        self.shift_net = 0
        self.shift_cash = 10000
        self.sales: list[dict[str, Any]] = []  # receipt_no, lines {line_no: [qty, returned]}

    def teardown(self) -> None:
        if hasattr(self, "db"):
            from pos_app.adapters.db.unit_of_work import SqliteUnitOfWork
            from pos_app.services.journal import verify

            result = verify(SqliteUnitOfWork(self.db.conn))
            self.db.close()
            shutil.rmtree(self.dir, ignore_errors=True)
            assert not result.problems, result.problems[:3]

    @rule(codes=st.lists(st.sampled_from(CODES), min_size=1, max_size=4))
    def sell(self, codes: list[str]) -> None:
        self.clock.advance(seconds=30)
        s = self.till.sales.new_sale(self.user)
        for c in codes:
            self.till.sales.scan(s, c)
        due = s.totals().due_fen
        s.add_tender(Tender.CASH, due, CashRounding.NONE)
        p = self.till.sales.complete(s)
        self.net += p["total_fen"]
        self.shift_net += p["total_fen"]
        self.shift_cash += p["total_fen"]
        lines = {ln["line_no"]: [ln["qty"], 0] for ln in p["lines"]}
        self.sales.append({"receipt_no": p["receipt_no"], "lines": lines})

    @precondition(lambda self: bool(self.sales))
    @rule(pick=st.integers(0, 10_000), qty=st.integers(1, 3), line=st.integers(0, 5))
    def refund(self, pick: int, qty: int, line: int) -> None:
        sale = self.sales[pick % len(self.sales)]
        line_nos = sorted(sale["lines"])
        line_no = line_nos[line % len(line_nos)]
        sold, returned = sale["lines"][line_no]
        self.clock.advance(seconds=30)
        req = [ReturnRequest(line_no, qty)]
        if qty > sold - returned:
            with pytest.raises(RuleViolation):
                self.till.sales.refund(self.user, sale["receipt_no"], req, "cash", "状态测试")
            return
        p = self.till.sales.refund(self.user, sale["receipt_no"], req, "cash", "状态测试")
        assert p["total_fen"] <= 0
        sale["lines"][line_no][1] += qty
        self.net += p["total_fen"]
        self.shift_net += p["total_fen"]
        self.shift_cash += p["total_fen"]

    @rule(code=st.sampled_from(CODES))
    def void_sale(self, code: str) -> None:
        s = self.till.sales.new_sale(self.user)
        self.till.sales.scan(s, code)
        self.till.sales.void(s, "顾客离开")

    @rule(kind=st.sampled_from(["pay_in", "pay_out"]), amount=st.integers(1, 5000))
    def cash_move(self, kind: str, amount: int) -> None:
        try:
            self.till.shifts.cash_move(self.user, kind, amount, "状态测试")
        except GuitaiError:
            assert kind == "pay_out" and amount > self.shift_cash  # cannot pay out more
            return
        self.shift_cash += amount if kind == "pay_in" else -amount

    @rule()
    def close_day(self) -> None:
        self.clock.advance(hours=1)
        # a cash refund of an earlier day's sale can exceed the drawer: count what is there
        counted = max(0, self.shift_cash)
        z = self.till.shifts.close(self.user, counted)
        assert z["net_fen"] == self.shift_net
        assert z["cash"]["expected_fen"] == self.shift_cash
        assert z["cash"]["difference_fen"] == counted - self.shift_cash
        self.clock.advance(days=1)
        self.till.shifts.open(self.user, 10000)
        self.shift_net, self.shift_cash = 0, 10000

    @invariant()
    def database_agrees(self) -> None:
        if not hasattr(self, "db"):
            return
        c = self.db.conn
        nos = [r[0] for r in c.execute("SELECT receipt_no FROM sales ORDER BY receipt_no")]
        assert nos == list(range(1, len(nos) + 1))
        assert (c.execute("SELECT coalesce(sum(total_fen), 0) FROM sales").fetchone()[0]) == (
            self.net
        )
        over = c.execute(
            "SELECT count(*) FROM sale_lines l JOIN sales s ON s.id = l.sale_id "
            "WHERE s.kind = 'sale' AND l.qty < (SELECT coalesce(sum(r.qty), 0) FROM sale_lines r "
            "JOIN sales rs ON rs.id = r.sale_id WHERE rs.original_sale_id = s.id "
            "AND r.line_no = l.line_no)"
        ).fetchone()[0]
        assert over == 0


TestTillStateful = TillMachine.TestCase
TestTillStateful.settings = settings(
    max_examples=12,
    stateful_step_count=15,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    database=None,
)
