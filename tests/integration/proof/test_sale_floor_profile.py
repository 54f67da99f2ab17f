"""benchmarks.profile_sale_floor measures a sale's COMMIT with parts of it left out (issue 17's
ratios against the house plan's rule 1).  Its figures mean something only if each shape writes
what it says and no more, and if the till is whole again afterwards: checked here on a real
till by counting the rows each kind of sale leaves."""

from __future__ import annotations

import contextlib
import io
import os
from pathlib import Path
from typing import Any

import pytest
from printer_fixtures import vprinter  # noqa: F401  (the fixture)

from benchmarks import profile_sale_floor
from benchmarks.bench_foundation import PIN, make_till, open_till
from drivers.escpos.emulator.printer import VirtualPrinter
from pos_app.domain.tenders import Tender

TABLES = ("journal", "outbox", "sales", "sale_lines", "stock_moves")


@pytest.fixture
def till(tmp_path: Path, vprinter: VirtualPrinter) -> Any:
    os.environ.setdefault("GUITAI_SCRYPT_N", "4096")
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        home = make_till(tmp_path, 300)
    t, _clock = open_till(home)
    user = t.users.authenticate("admin", PIN)
    if t.uow.shifts.find_open() is None:
        t.shifts.open(user, 0)
    # A printer, wired as the CLI wires it: each sale reserves its receipt's print job in its
    # transaction (the benchmark's till has none, so its sales owe no receipt).
    t.hardware().store.add_device("front", "printer", f"tcp://127.0.0.1:{vprinter.serve_tcp(0)}")
    t.side_effects.wire(lambda *_a: None)
    yield t
    from pos_app.bootstrap import shutdown

    shutdown(t)  # the printer's device thread
    t.database.close()


def _sell(till: Any) -> dict[str, int]:
    conn = till.database.conn
    before = {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES}
    user = till.users.authenticate("admin", PIN)
    sale = till.sales.new_sale(user)
    for (code,) in conn.execute("SELECT code FROM barcodes WHERE kind = 'ean13' LIMIT 2"):
        till.sales.scan(sale, code)
    sale.add_tender(Tender.CASH, sale.totals().due_fen, till.identity().cash_rounding)
    sql: list[str] = []
    conn.set_trace_callback(sql.append)
    try:
        till.sales.complete(sale)
    finally:
        conn.set_trace_callback(None)
    rows = {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] - before[t] for t in TABLES}
    # The receipt's job reserved inside the sale's transaction (after it, the printing makes
    # one anyway when none was reserved).
    in_commit = sql[: next(i for i, s in enumerate(sql) if s.strip().upper() == "COMMIT")]
    rows["print_jobs"] = sum(s.lstrip().startswith("INSERT INTO print_jobs") for s in in_commit)
    return rows


def test_each_shape_leaves_out_what_it_names_and_the_till_is_whole_after(till: Any) -> None:
    whole = _sell(till)
    # A sale of two lines: its journal entry, its two events (sale, stock), its row, its
    # lines, its two movements and, in the same transaction, the receipt it owes.
    assert whole == {
        "journal": 1,
        "outbox": 2,
        "sales": 1,
        "sale_lines": 2,
        "stock_moves": 2,
        "print_jobs": 1,
    }
    expected = {
        "rule_1": dict(whole, outbox=1, stock_moves=0, print_jobs=0),
        "journal_outbox": dict(whole, outbox=1, stock_moves=0, print_jobs=0, sales=0, sale_lines=0),
        "journal": {t: int(t == "journal") for t in (*TABLES, "print_jobs")},
    }
    for name, rows in expected.items():
        with profile_sale_floor.left_out(till, profile_sale_floor.SHAPES[name]):
            assert _sell(till) == rows, name
        assert _sell(till) == whole, f"after {name}"


def test_the_profile_prints_every_shape_against_the_bare_insert() -> None:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        figures = profile_sale_floor.main(["--skus", "300", "--sales", "20", "--rounds", "1"])
    for name in profile_sale_floor.SHAPES:
        assert name in out.getvalue()
        for key in ("complete_vs_bare_p50_ratio", "complete_vs_bare_p99_ratio"):
            (ratio,) = figures[name][key]
            assert ratio > 0, (name, key)
