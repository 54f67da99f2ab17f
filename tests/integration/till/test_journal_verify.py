"""`journal verify` finds an edited, deleted, inserted or reordered entry, and edits of the
sale rows that the reports read."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from pos_app.cli import main

CODES = ["6901234567892", "6901234567908", "6901234567915"]
# The first line and the first payment of the first sale (what rowid 1 was before the lines
# and payments became WITHOUT ROWID tables).
FIRST = "sale_id = (SELECT id FROM sales WHERE receipt_no = 1) AND "


@pytest.fixture
def sold(till_home: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("GUITAI_PIN", "7391")
    h = ["--home", str(till_home)]
    assert main([*h, "shift", "open", "--user", "admin", "--float", "100"]) == 0
    for code in CODES:
        assert main([*h, "sale", "--user", "admin", "--scan", code, "--pay", "cash:1000"]) == 0
    assert main([*h, "return", "--user", "admin", "--receipt", "2"]) == 0
    return till_home


def verify(home: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, dict]:
    capsys.readouterr()
    rc = main(["--home", str(home), "journal", "verify", "--json"])
    return rc, json.loads(capsys.readouterr().out)


def tamper(home: Path, *sql: str) -> None:
    conn = sqlite3.connect(home / "till.db")
    conn.execute("PRAGMA foreign_keys = OFF")
    for s in sql:
        conn.execute(s)
    conn.commit()
    conn.close()


def test_clean_journal_verifies(sold: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rc, out = verify(sold, capsys)
    assert rc == 0 and out["ok"] and out["entries"] == 4
    assert (out["sales"], out["refunds"]) == (3, 1)  # a refund is not counted as a sale


@pytest.mark.parametrize(
    ("sql", "expect"),
    [
        (
            [
                "UPDATE journal SET payload = replace(payload, '\"total_fen\":9900', "
                "'\"total_fen\":990') WHERE seq = 2"
            ],
            "edited",
        ),
        (["DELETE FROM journal WHERE seq = 2"], "deleted"),
        (
            [
                "UPDATE journal SET seq = seq + 10 WHERE seq >= 3",
                "INSERT INTO journal SELECT 3, kind, 'x', payload, prev_hash, entry_hash, created_at "
                "FROM journal WHERE seq = 1",
            ],
            "inserted",
        ),
        (
            [
                "UPDATE journal SET seq = 99 WHERE seq = 2",
                "UPDATE journal SET seq = 2 WHERE seq = 3",
                "UPDATE journal SET seq = 3 WHERE seq = 99",
            ],
            "reordered",
        ),
        (["UPDATE sales SET total_fen = 100 WHERE receipt_no = 1"], "differs from the journal"),
        (
            ["UPDATE sale_lines SET amount_fen = 1 WHERE " + FIRST + "line_no = 1"],
            "sale lines were edited",
        ),
        (["UPDATE payments SET amount_fen = 1 WHERE " + FIRST + "seq = 1"], "payments were edited"),
        (
            [
                "DELETE FROM sale_lines WHERE " + FIRST + "line_no = 1",
                "DELETE FROM payments WHERE " + FIRST + "seq = 1",
                "DELETE FROM sales WHERE receipt_no = 1",
            ],
            "no sale row",
        ),
        (["DELETE FROM outbox WHERE type = 'sale.completed' AND seq = 2"], "outbox event"),
    ],
)
def test_tampering_is_found(
    sold: Path, capsys: pytest.CaptureFixture[str], sql: list[str], expect: str
) -> None:
    tamper(sold, *sql)
    rc, out = verify(sold, capsys)
    assert rc == 1 and not out["ok"]
    text = " ".join(p["problem"] for p in out["problems"])
    assert expect in text, text
