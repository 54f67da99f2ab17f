"""`make demo`: a scripted store day on a fresh till, headless (with a display:
`pos_app.demo.live`, the till's window against emulators and a local cloud).

Sets up a till in demo-output/ (or GUITAI_DEMO_DIR), loads a demo catalog and members, rings
up a few hundred sales through the same services the till uses (discounts with approvals,
voided lines and sales, suspend/resume, split tenders, returns, pay in/out, no-sale opens),
prints X and Z reports, renders receipts, verifies the journal, and says where it all went.
"""

from __future__ import annotations

import json
import os
import random
import shlex
import shutil
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypedDict

from pos_app.cli import main as cli_main
from pos_app.domain.errors import GuitaiError
from pos_app.domain.money import format_fen
from pos_app.domain.ports import ManualClock
from pos_app.domain.pricing import Discount
from pos_app.domain.returns import ReturnRequest
from pos_app.domain.tenders import Tender
from pos_app.domain.users import Role

ADMIN_PIN = "8264"
CASHIERS = (("wang", "1597"), ("li", "2046"))
# The demo store as `guitai init` sets it up, for the scripted day and the live demo alike.
INIT_ARGS = (
    "init",
    "--store-id",
    "S001",
    "--store-name",
    "静安嘉里中心店",
    "--till-no",
    "1",
    "--admin-pin",
    ADMIN_PIN,
    "--address",
    "上海市静安区南京西路1515号",
    "--cash-rounding",
    "jiao",
)


class DayCounts(TypedDict):
    """What the scripted day did, counted as it rang up."""

    sales: int
    refunds: int
    voided_sales: int
    voided_lines: int
    suspended: int
    approvals: int
    split: int


class DaySummary(DayCounts):
    """The day's summary.json: the counts and what the close of day found."""

    journal_ok: bool
    journal_entries: int
    z_no: int
    net: str
    cash_difference: str
    outbox: int


def _cli(home: Path, *args: str) -> None:
    rc = cli_main(["--home", str(home), *args])
    if rc != 0:
        raise SystemExit(f"demo step failed: guitai {' '.join(args)} (exit {rc})")


def setup(out: Path, skus: int, members: int) -> Path:
    home = out / "till"
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    _cli(home, *INIT_ARGS)
    _cli(home, "demo-data", "--skus", str(skus), "--members", str(members), "--seed", "7")
    return home


def ring_day(home: Path, out: Path, sales: int, seed: int = 7) -> DaySummary:
    from pos_app.adapters import receipt_docs
    from pos_app.adapters.db.connection import open_database
    from pos_app.bootstrap import build
    from pos_app.config import Paths
    from pos_app.services.journal import verify

    rnd = random.Random(seed)
    # 10:00 Shanghai time on a fixed day, so every demo run prints the same day
    clock = ManualClock(datetime(2026, 11, 25, 2, 0, tzinfo=UTC))
    paths = Paths(home)
    db = open_database(paths.database)
    till = build(paths, db, clock)
    admin = till.users.authenticate("admin", ADMIN_PIN)
    for name, pin in CASHIERS:
        till.users.add(name, {Role.CASHIER}, pin)
    cashiers = [till.users.authenticate(name, pin) for name, pin in CASHIERS]
    approval = till.users.approval("admin", ADMIN_PIN, "discount", "VIP 客户")
    # Customers buy what is on the shelf: an item is picked in proportion to its stock (a
    # sold-out size now and then too: a mis-stocked item, flagged on the Z as sold below zero).
    stocked = db.conn.execute(
        "SELECT b.code, coalesce(l.on_hand, 0) FROM barcodes b "
        "LEFT JOIN stock_levels l ON l.sku = b.sku WHERE b.kind = 'ean13' ORDER BY b.code "
        "LIMIT 2000"
    ).fetchall()
    codes = [r[0] for r in stocked]
    weights = [max(0, r[1]) + 0.2 for r in stocked]
    till.shifts.open(admin, 50000)
    stats: DayCounts = {
        "sales": 0,
        "refunds": 0,
        "voided_sales": 0,
        "voided_lines": 0,
        "suspended": 0,
        "approvals": 0,
        "split": 0,
    }
    step = timedelta(hours=11) / max(sales, 1)
    completed: list[dict[str, Any]] = []
    x_report: dict[str, Any] | None = None
    for i in range(sales):
        clock.advance(seconds=step.total_seconds() * rnd.uniform(0.5, 1.5))
        user = rnd.choice(cashiers)
        sale = till.sales.new_sale(user)
        for _ in range(rnd.choice([1, 1, 2, 2, 3, 4])):
            till.sales.scan(sale, rnd.choices(codes, weights)[0])
        roll = rnd.random()
        if roll < 0.05 and len(sale.lines) > 1:
            sale.void_line(sale.lines[-1].line_no, "顾客不要了")
            stats["voided_lines"] += 1
        elif roll < 0.08:
            till.sales.void(sale, "顾客离开")
            stats["voided_sales"] += 1
            continue
        elif roll < 0.12:
            sid = till.sales.suspend(sale, "试衣中")
            sale = till.sales.resume(sid, user)
            stats["suspended"] += 1
        if rnd.random() < 0.15:
            sale.set_line_discount(sale.lines[0].line_no, Discount.parse("10%", "店庆"))
        if rnd.random() < 0.05:
            sale.set_order_discount(Discount.parse("20%", "VIP"), approval)
            stats["approvals"] += 1
        due = sale.totals().due_fen
        if rnd.random() < 0.2 and due > 200:
            sale.add_tender(Tender.CARD, due // 2, till.identity().cash_rounding, reference="DEMO")
            stats["split"] += 1
            due = sale.totals().due_fen
        cash = till.identity().cash_rounding.cash_due(due)
        sale.add_tender(
            Tender.CASH, cash + rnd.choice([0, 0, 100, 1000, 5000]), till.identity().cash_rounding
        )
        completed.append(till.sales.complete(sale))
        stats["sales"] += 1
        if rnd.random() < 0.06 and len(completed) > 3:
            orig = rnd.choice(completed[:-1])
            try:
                till.sales.refund(
                    user, orig["receipt_no"], [ReturnRequest(1, 1)], "original", "尺码不合适"
                )
                stats["refunds"] += 1
            except GuitaiError:
                pass  # already returned: a real cashier would see the message and move on
        if i == sales // 2:
            till.shifts.cash_move(admin, "pay_out", 3000, "快递费")
            till.shifts.cash_move(admin, "pay_in", 20000, "补充零钱")
            till.shifts.cash_move(cashiers[0], "no_sale", 0, "换零钱")
            x_report = till.shifts.x_report()
    clock.advance(minutes=30)
    expected = till.shifts.x_report()["cash"]["expected_fen"]
    z = till.shifts.close(admin, expected - 50)  # 5 jiao short, as real days go
    out_dir = out / "receipts"
    out_dir.mkdir()
    from receipts import render_escpos, render_png, render_text
    from receipts.profiles import get_profile, paper

    for sold in completed[:3] + completed[-2:]:
        p = till.uow.sales.payload(receipt_no=sold["receipt_no"])
        assert p is not None, "a receipt the day just completed is in the store"
        doc = receipt_docs.document(till.uow, till.signer(), p)
        no = p["receipt_no"]
        (out_dir / f"receipt-{no:06d}.txt").write_text(render_text(doc, paper(80)), "utf-8")
        render_png(doc, paper(80)).save(out_dir / f"receipt-{no:06d}.png")
        (out_dir / f"receipt-{no:06d}.escpos").write_bytes(
            render_escpos(doc, get_profile("generic-80-gb18030"))
        )
    zdoc = receipt_docs.z_document(till.uow, z)
    render_png(zdoc, paper(80)).save(out / "z-report.png")
    for name, report in (("x-report", x_report), ("z-report", z)):
        if report is None:  # no X: a day too short to reach its middle
            continue
        # The text is the document the printer prints and `guitai report x|z` shows.
        text = render_text(receipt_docs.z_document(till.uow, report), paper(80))
        (out / f"{name}.txt").write_text(text + "\n", "utf-8")
        (out / f"{name}.json").write_text(json.dumps(report, ensure_ascii=False, indent=2), "utf-8")
    result = verify(till.uow)
    summary: DaySummary = {
        **stats,
        "journal_ok": result.ok,
        "journal_entries": result.entries,
        "z_no": z["z_no"],
        "net": format_fen(z["net_fen"]),
        "cash_difference": format_fen(z["cash"]["difference_fen"]),
        "outbox": db.conn.execute("SELECT count(*) FROM outbox").fetchone()[0],
    }
    db.close()
    return summary


def guitai_command() -> str:
    """How to reach `guitai` from any shell: the script installed beside this interpreter
    (.venv/bin/guitai), which works without activating the venv."""
    script = Path(sys.executable).parent / "guitai"
    if script.exists():
        return shlex.quote(str(script))
    return f"{shlex.quote(sys.executable)} -m pos_app.cli"


def main() -> int:
    from pos_app.demo import live

    if live.has_display():
        # With a screen: the till's window against emulated devices and a local cloud.
        return live.main()
    out = Path(os.environ.get("GUITAI_DEMO_DIR", "demo-output")).resolve()
    skus = int(os.environ.get("GUITAI_DEMO_SKUS", "5000"))
    sales = int(os.environ.get("GUITAI_DEMO_SALES", "300"))
    print(f"Guitai demo day → {out}")
    home = setup(out, skus, members=2000)
    stats = ring_day(home, out, sales)
    (out / "summary.json").write_text(json.dumps(stats, ensure_ascii=False, indent=2), "utf-8")
    print(json.dumps(stats, ensure_ascii=False, indent=2))
    users = [f"admin / {ADMIN_PIN} (manager)"] + [f"{n} / {p} (cashier)" for n, p in CASHIERS]
    print(f"\nUsers / PINs 用户与密码: {', '.join(users)}")
    print(f"Till folder: {home}")
    print(f"  try: {guitai_command()} --home {shlex.quote(str(home))} sales list")
    print("  (or `. .venv/bin/activate` once, then `guitai --home … sales list`)")
    print(f"Receipts (text, PNG, ESC/POS): {out / 'receipts'}")
    if (out / "x-report.txt").exists():
        print(f"X report: {out / 'x-report.txt'} (text; JSON: {out / 'x-report.json'})")
    print(
        f"Z report: {out / 'z-report.txt'} (text; JSON: {out / 'z-report.json'}, "
        f"PNG: {out / 'z-report.png'})"
    )
    return 0 if stats["journal_ok"] else 1
