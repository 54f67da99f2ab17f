"""What `sales list` and `receipt verify` show a person: the store's local time, a list that
says when it stops short, a day it cannot read refused, a token read in any case."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from pos_app.cli import main

PIN = "480715"
CODE = "6901230000003"  # the first demo SKU


def run(home: Path, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    capsys.readouterr()
    rc = main(["--home", str(home), *args])
    out = capsys.readouterr()
    return rc, out.out, out.err


@pytest.fixture
def sold(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Path:
    home = tmp_path / "till"
    monkeypatch.setenv("GUITAI_PIN", PIN)
    for args in (
        ["init", "--store-id", "S001", "--store-name", "店", "--till-no", "1", "--admin-pin",
         PIN, "--timezone", "Asia/Shanghai"],
        ["demo-data", "--skus", "30", "--members", "0"],
        ["shift", "open", "--user", "admin", "--float", "500.00"],
        *[["sale", "--user", "admin", "--scan", CODE, "--pay", "cash:300"]] * 3,
    ):  # fmt: skip
        rc, _, err = run(home, capsys, *args)
        assert rc == 0, (args, err)
    return home


def test_sales_list_shows_local_time_and_says_when_it_stops_short(
    sold: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rc, out, err = run(sold, capsys, "sales", "list", "--json")
    rows = json.loads(out)
    assert rc == 0 and len(rows) == 3 and not err
    utc = datetime.fromisoformat(rows[0]["completed_at"].replace("Z", "+00:00"))
    local = utc.astimezone(ZoneInfo("Asia/Shanghai")).strftime("%Y-%m-%d %H:%M:%S")
    assert rows[0]["completed_at_local"] == local
    rc, out, err = run(sold, capsys, "sales", "list")
    assert local in out.splitlines()[0] and "Z " not in out

    rc, out, err = run(sold, capsys, "sales", "list", "--limit", "2")
    assert rc == 0 and len(out.splitlines()) == 2
    assert "--all" in err and "more" in err and "还有更多" in err
    rc, out, err = run(sold, capsys, "sales", "list", "--limit", "2", "--all", "--json")
    assert len(json.loads(out)) == 3 and not err


def test_sales_list_day_is_a_date_today_or_yesterday_and_nothing_else(
    sold: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rc, out, _ = run(sold, capsys, "sales", "list", "--day", "today", "--json")
    assert rc == 0 and len(json.loads(out)) == 3
    day = json.loads(out)[0]["business_day"]
    rc, out, _ = run(sold, capsys, "sales", "list", "--day", day, "--json")
    assert len(json.loads(out)) == 3
    rc, out, _ = run(sold, capsys, "sales", "list", "--day", "yesterday")
    assert rc == 0 and "no sales on that day" in out
    for bad in ("25.11.2026", "2026-02-30", "gestern", "2026-1-5"):
        rc, out, err = run(sold, capsys, "sales", "list", "--day", bad)
        assert rc == 2 and "YYYY-MM-DD" in err and "营业日" in err, (bad, out, err)
        rc, out, _ = run(sold, capsys, "sales", "list", "--day", bad, "--json")
        assert rc == 2 and json.loads(out)["error"]["code"] == "invalid_input"


def test_receipt_verify_prints_local_time_and_reads_a_lower_cased_link(
    sold: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rc, out, _ = run(sold, capsys, "receipt", "show", "1")
    url = out.split("[QR ")[1].split("]")[0]
    rc, out, _ = run(sold, capsys, "receipt", "verify", url, "--json")
    v = json.loads(out)
    assert rc == 0 and isinstance(v["issued_at"], int)
    issued = datetime.fromisoformat(v["issued_at_iso"])
    assert issued.timestamp() == v["issued_at"] and issued.utcoffset().total_seconds() == 8 * 3600
    rc, out, _ = run(sold, capsys, "receipt", "verify", url.lower())
    assert rc == 0 and "VALID" in out and "matches the local sale" in out
    assert issued.strftime("%Y-%m-%d %H:%M:%S") in out and "Asia/Shanghai" in out
