"""`guitai cloud segment|coupon issue|promo` as a user runs them (issue 21, items 3–5): JSON
answers, bilingual errors with exit code 2, the export right, CSV, and the old
`cloud promotion add --file` taking the new window keys."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from pos_app.cli import main


def cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    capsys.readouterr()
    rc = main(list(args))
    return rc, capsys.readouterr().out


@pytest.fixture
def db(tmp_path: Path) -> list[str]:
    return ["--db", str(tmp_path / "cloud.db")]


def test_segments_end_to_end_on_the_command_line(
    capsys: pytest.CaptureFixture[str], db: list[str]
) -> None:
    for phone, tier in (("13800138000", "core"), ("13900139000", "ordinary")):
        assert cli(capsys, "cloud", "member", "add", "--phone", phone, "--tier", tier, *db)[0] == 0
    rc, out = cli(capsys, "cloud", "segment", "add", "cores", "--rule", "tier=core", *db, "--json")
    assert rc == 0 and json.loads(out) == {"name": "cores", "rule": "tier=core", "members": 1}
    rc, out = cli(
        capsys, "cloud", "segment", "add", "cores", "--rule", "tier=potential", *db, "--json"
    )
    assert rc == 2 and json.loads(out)["error"]["code"] == "cloud_error"
    assert "--replace" in json.loads(out)["error"]["message_zh"]
    rc, out = cli(
        capsys, "cloud", "segment", "add", "bad", "--rule", "tier=core and", *db, "--json"
    )
    err = json.loads(out)["error"]
    assert rc == 2 and err["code"] == "bad_rule"
    assert "position 14" in err["message"] and "第 14 个字符" in err["message_zh"]
    rc, out = cli(capsys, "cloud", "segment", "list", *db, "--json")
    assert [(s["name"], s["members"]) for s in json.loads(out)] == [("cores", 1)]
    rc, out = cli(capsys, "cloud", "segment", "members", "cores", "--csv", *db)
    assert rc == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [(r["phone"], r["tier"]) for r in rows] == [("138****8000", "core")]
    rc, out = cli(capsys, "cloud", "segment", "members", "cores", "--unmasked", *db, "--json")
    assert rc == 2 and "--by" in json.loads(out)["error"]["message"]
    rc, out = cli(
        capsys,
        "cloud",
        "segment",
        "members",
        "cores",
        "--unmasked",
        "--by",
        "王经理",
        *db,
        "--json",
    )
    assert rc == 0 and [r["phone"] for r in json.loads(out)] == ["13800138000"]
    rc, out = cli(capsys, "cloud", "segment", "publish", "cores", *db, "--json")
    assert json.loads(out) == {"name": "cores", "members": 1, "published": True}


def test_coupon_kinds_and_issue_on_the_command_line(
    capsys: pytest.CaptureFixture[str], db: list[str]
) -> None:
    rc, out = cli(capsys, "cloud", "member", "add", "--phone", "13800138000", *db, "--json")
    mid = json.loads(out)["id"]
    rc, out = cli(
        capsys, "cloud", "coupon", "add", "WASH", "--uses", "3", "--category", "洗护",
        "--valid-from", "2026-12-18", "--per-member", "2", *db, "--json",
    )  # fmt: skip
    assert rc == 0
    assert json.loads(out) | {} == {
        "code": "WASH", "amount_fen": None, "percent_off": None, "min_spend_fen": 0,
        "expires": None, "kind": "count", "uses": 3, "uses_total": 3, "categories": ["洗护"],
        "valid_from": "2026-12-18", "per_member": 2,
    }  # fmt: skip
    rc, out = cli(
        capsys, "cloud", "coupon", "add", "X", "--uses", "2", "--amount-fen", "100", *db, "--json"
    )
    assert rc == 2 and "计次券" in json.loads(out)["error"]["message_zh"]
    rc, out = cli(capsys, "cloud", "coupon", "add", "Y", "--percent-off", "120", *db, "--json")
    assert rc == 2 and "--percent-off" in json.loads(out)["error"]["message"]
    rc, out = cli(capsys, "cloud", "coupon", "issue", "WASH", *db, "--json")
    assert rc == 2 and "--segment" in json.loads(out)["error"]["message"]
    rc, out = cli(capsys, "cloud", "coupon", "issue", "WASH", "--member", mid, *db, "--json")
    first = json.loads(out)
    assert rc == 0 and first["issued"] == 1
    rc, out = cli(capsys, "cloud", "coupon", "issue", "WASH", "--member", mid, *db, "--json")
    assert json.loads(out)["already_issued"] == 1 and json.loads(out)["coupons"] == []
    rc, out = cli(capsys, "cloud", "coupon", "issue", "NOPE", "--member", mid, *db, "--json")
    assert rc == 2 and json.loads(out)["error"]["message_zh"].startswith("没有券 NOPE")


def test_promo_add_refuses_what_tills_would_and_the_old_command_takes_windows(
    capsys: pytest.CaptureFixture[str], db: list[str], tmp_path: Path
) -> None:
    assert cli(capsys, "cloud", "store", "add", "S001", "--name", "一店", *db)[0] == 0
    rc, out = cli(
        capsys, "cloud", "promo", "add", "D", "--kind", "category_percent", "--percent-bp",
        "1000", "--day-of-month", "32", *db, "--json",
    )  # fmt: skip
    assert rc == 2 and "days_of_month" in json.loads(out)["error"]["message"]
    rc, out = cli(
        capsys, "cloud", "promo", "add", "D", "--kind", "category_percent", "--percent-bp",
        "1000", "--store", "S009", *db, "--json",
    )  # fmt: skip
    assert rc == 2 and "S009" in json.loads(out)["error"]["message"]
    rc, out = cli(
        capsys, "cloud", "promo", "add", "D", "--kind", "category_percent", "--percent-bp",
        "1000", "--segment", "nosuch", *db, "--json",
    )  # fmt: skip
    assert rc == 2 and "nosuch" in json.loads(out)["error"]["message"]
    spec = tmp_path / "p.json"
    spec.write_text(
        json.dumps({"kind": "spend_save", "threshold_fen": 30000, "off_fen": 5000,
                    "weekdays": ["sat", "sun"], "stores": ["S001"]}),
        encoding="utf-8",
    )  # fmt: skip
    assert cli(capsys, "cloud", "promotion", "add", "WK", "--file", str(spec), *db)[0] == 0
    rc, out = cli(capsys, "cloud", "promo", "add", "WK2", "--file", str(spec), "--tier", "core",
                  *db, "--json")  # fmt: skip
    assert rc == 0 and json.loads(out)["tiers"] == ["core"]
