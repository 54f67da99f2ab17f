"""Online backup while selling, backup before each Z close, and restore."""

from __future__ import annotations

import json
import sqlite3
import threading
from pathlib import Path

import pytest

from pos_app.cli import main


def test_backup_taken_while_selling_restores_to_a_verifying_journal(
    till_home: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    monkeypatch.setenv("GUITAI_PIN", "7391")
    h = ["--home", str(till_home)]
    assert main([*h, "shift", "open", "--user", "admin", "--float", "0"]) == 0
    from pos_app.adapters.db.connection import open_database
    from pos_app.bootstrap import build
    from pos_app.config import Paths
    from pos_app.domain.money import CashRounding
    from pos_app.domain.tenders import Tender

    db = open_database(till_home / "till.db")
    till = build(Paths(till_home), db)
    user = till.users.authenticate("admin", "7391")
    stop = threading.Event()
    lock = threading.Lock()

    def sell() -> None:
        while not stop.is_set():
            with lock:
                s = till.sales.new_sale(user)
                till.sales.scan(s, "6901234567908")
                s.add_tender(Tender.CASH, 9900, CashRounding.NONE)
                till.sales.complete(s)

    t = threading.Thread(target=sell)
    t.start()
    try:
        with lock:  # one writer connection: the backup runs between two sales
            written = till.backups.backup("manual", [tmp_path / "b1", tmp_path / "b2"])
    finally:
        stop.set()
        t.join()
    assert [p.parent.name for p in written] == ["b1", "b2"]
    sold = db.conn.execute("SELECT count(*) FROM sales").fetchone()[0]
    db.close()
    backed = sqlite3.connect(written[0]).execute("SELECT count(*) FROM sales").fetchone()[0]
    assert 0 < backed <= sold
    capsys.readouterr()
    assert main([*h, "restore", str(written[1]), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["journal_ok"] and out["entries"] == backed
    assert Path(out["previous_database_kept_at"]).exists()
    assert main([*h, "journal", "verify"]) == 0


def test_z_close_takes_a_backup_first(till_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GUITAI_PIN", "7391")
    h = ["--home", str(till_home)]
    assert main([*h, "shift", "open", "--user", "admin", "--float", "0"]) == 0
    assert main([*h, "shift", "close", "--user", "admin", "--counted", "0"]) == 0
    backups = list((till_home / "backups").glob("till-*-z-close.db"))
    assert len(backups) == 1


def test_restore_refuses_a_damaged_file(
    till_home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.db"
    bad.write_bytes(b"not a database" * 100)
    assert main(["--home", str(till_home), "restore", str(bad)]) == 2
    assert "not a Guitai database" in capsys.readouterr().err
    assert main(["--home", str(till_home), "journal", "verify"]) == 0
