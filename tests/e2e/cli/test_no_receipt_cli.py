"""The brand's cap on returns without a receipt, end to end (issue 20, item 4): `guitai cloud
return-rules set --no-receipt-limit N` publishes it, the till pulls it, and `guitai return
--no-receipt` refuses the member's return beyond it, in both languages."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pos_app.cli import main

TEE = "6901234567908"  # ¥99.00


def cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    capsys.readouterr()
    rc = main(list(args))
    out = capsys.readouterr()
    return rc, out.out, out.err


@pytest.mark.parametrize("cloud_db_url", ["sqlite"], indirect=True)
def test_the_published_no_receipt_limit_refuses_the_return_beyond_it(
    till_home: Path,
    cloud,  # type: ignore[no-untyped-def]
    cloud_db_url: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("GUITAI_PIN", "7391")
    monkeypatch.setenv("GUITAI_APPROVER_PIN", "7391")
    db = ["--db", cloud_db_url]
    rc, out, err = cli(
        capsys, "cloud", "return-rules", "set", "--no-receipt-limit", "1", *db, "--json"
    )
    assert rc == 0, out + err
    assert json.loads(out)["no_receipt_limit"] == 1
    rc, out, _ = cli(capsys, "cloud", "return-rules", "show", *db, "--json")
    assert json.loads(out)["no_receipt_limit"] == 1

    cloud.service.admin.add_store("S001", "静安嘉里店")
    code = cloud.service.admin.enrollment_code("S001")["code"]
    home = ["--home", str(till_home)]
    assert cli(capsys, *home, "enroll", "--cloud", cloud.url, "--code", code)[0] == 0
    assert cli(capsys, *home, "sync", "run")[0] == 0
    assert cli(capsys, *home, "shift", "open", "--user", "admin", "--float", "500")[0] == 0
    ret = [*home, "return", "--user", "admin", "--no-receipt", "--scan", TEE, "--member",
           "13900139000", "--approve", "admin", "--reason", "无小票", "--json"]  # fmt: skip
    rc, out, err = cli(capsys, *ret)
    assert rc == 0, out + err
    assert json.loads(out)["no_receipt"]["phone_masked"] == "139****9000"
    rc, out, _ = cli(capsys, *ret)
    error = json.loads(out)["error"]
    assert rc == 2 and error["code"] == "rule_violation"
    assert "the brand allows 1" in error["message"] and "品牌上限 1 次" in error["message_zh"]
