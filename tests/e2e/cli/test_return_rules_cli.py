"""Return rules end to end (issue 20, item 4): `guitai cloud return-rules set` publishes them,
a till enrolled with the served cloud pulls them (`guitai sync run`), and `guitai return`
refuses what they hold back."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pos_app.cli import main

TEE, CARE = "6901234567908", "6901234567939"  # ¥99.00 男装, ¥30.00 服务


def cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    capsys.readouterr()
    rc = main(list(args))
    out = capsys.readouterr()
    return rc, out.out, out.err


def db_args(url: str) -> list[str]:
    return ["--database-url", url] if url.startswith("postgresql") else ["--db", url]


def test_published_rules_reach_the_till_and_hold_back_a_return(
    till_home: Path,
    cloud,  # type: ignore[no-untyped-def]
    cloud_db_url: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("GUITAI_PIN", "7391")
    db = db_args(cloud_db_url)
    rc, out, err = cli(
        capsys, "cloud", "return-rules", "set", "--no-reason-days", "7", "--quality-days", "30",
        "--non-returnable", "服务", "--approval-above", "500", *db, "--json",
    )  # fmt: skip
    assert rc == 0, out + err
    assert json.loads(out)["non_returnable"] == ["服务"]
    rc, out, _ = cli(capsys, "cloud", "return-rules", "show", *db, "--json")
    assert json.loads(out)["approval_above_fen"] == 50000
    rc, _, err = cli(capsys, "cloud", "return-rules", "set", "--category", "鞋履", *db)
    assert rc == 2 and "CATEGORY=DAYS" in err

    cloud.service.admin.add_store("S001", "静安嘉里店")
    code = cloud.service.admin.enrollment_code("S001")["code"]
    home = ["--home", str(till_home)]
    rc, out, err = cli(capsys, *home, "enroll", "--cloud", cloud.url, "--code", code, "--json")
    assert rc == 0, out + err
    rc, out, err = cli(capsys, *home, "sync", "run", "--json")
    assert rc == 0, out + err

    assert cli(capsys, *home, "shift", "open", "--user", "admin", "--float", "500")[0] == 0
    rc, out, _ = cli(
        capsys, *home, "sale", "--user", "admin", "--scan", TEE, "--scan", CARE,
        "--pay", "cash:129", "--json",
    )  # fmt: skip
    no = str(json.loads(out)["receipt_no"])
    rc, out, _ = cli(capsys, *home, "return", "--user", "admin", "--receipt", no, "--json")
    error = json.loads(out)["error"]
    assert rc == 2 and error["code"] == "rule_violation"
    assert (
        "category 服务 is not returnable" in error["message"] and "不可退换" in error["message_zh"]
    )
    # a refund above ¥500.00 asks for a manager, saying how on the command line
    rc, out, _ = cli(
        capsys, *home, "sale", "--user", "admin", "--scan", TEE, "--qty", f"{TEE}=6",
        "--pay", "cash:594", "--json",
    )  # fmt: skip
    big = str(json.loads(out)["receipt_no"])
    rc, out, _ = cli(capsys, *home, "return", "--user", "admin", "--receipt", big, "--json")
    error = json.loads(out)["error"]
    assert rc == 2 and error["code"] == "needs_approval" and "--approve MANAGER" in error["message"]
    monkeypatch.setenv("GUITAI_APPROVER_PIN", "7391")
    rc, out, err = cli(
        capsys, *home, "return", "--user", "admin", "--receipt", big, "--approve", "admin",
        "--reason", "顾客不满意", "--json",
    )  # fmt: skip
    assert rc == 0, out + err
    assert json.loads(out)["approvals"][0]["action"] == "return_rules"
    # an approval needs its reason
    rc, out, _ = cli(
        capsys, *home, "return", "--user", "admin", "--receipt", no, "--line", "1=1",
        "--approve", "admin", "--json",
    )  # fmt: skip
    assert rc == 2 and "--reason" in json.loads(out)["error"]["message"]
    rc, out, err = cli(
        capsys, *home, "return", "--user", "admin", "--receipt", no, "--line", "1=1", "--json"
    )
    assert rc == 0, out + err
    assert json.loads(out)["total_fen"] == -9900
