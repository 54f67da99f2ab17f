"""`guitai cloud associate …` as a user runs them (issue 21, item 7): the password from the
environment or a prompt (never the command line), bilingual refusals with exit code 2."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from pos_app.cli import main


def cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    capsys.readouterr()
    rc = main(list(args))
    return rc, capsys.readouterr().out


def test_associates_on_the_command_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = ["--db", str(tmp_path / "cloud.db")]
    assert cli(capsys, "cloud", "store", "add", "S001", "--name", "一店", *db)[0] == 0
    monkeypatch.setenv("GUITAI_ASSOCIATE_PASSWORD", "xiaoli-2026!")
    rc, out = cli(capsys, "cloud", "associate", "add", "小李", "--store", "S001", *db, "--json")
    assert rc == 0 and json.loads(out) == {"name": "小李", "store_id": "S001"}
    for args, code in (
        (["add", "小李", "--store", "S001"], "cloud_error"),  # the name is taken
        (["add", "小王", "--store", "S999"], "cloud_error"),
        (["allow-coupon", "NOPE"], "cloud_error"),
        (["assign", "M404", "--to", "小李"], "cloud_error"),
    ):
        rc, out = cli(capsys, "cloud", "associate", *args, *db, "--json")
        err = json.loads(out)["error"]
        assert rc == 2 and err["code"] == code and err["message_zh"] != err["message"], out
    monkeypatch.setenv("GUITAI_ASSOCIATE_PASSWORD", "short")
    rc, out = cli(capsys, "cloud", "associate", "add", "小王", "--store", "S001", *db, "--json")
    assert rc == 2 and "8" in json.loads(out)["error"]["message_zh"]

    # no variable: asked for, twice, hidden
    monkeypatch.delenv("GUITAI_ASSOCIATE_PASSWORD")
    from cloud.cli.commands import cloud

    res = CliRunner().invoke(
        cloud,
        ["associate", "add", "小王", "--store", "S001", *db, "--json"],
        input="wang-2026-pass\nwang-2026-pass\n",
    )
    assert res.exit_code == 0, res.output
    assert "wang-2026-pass" not in res.output
    rc, out = cli(capsys, "cloud", "associate", "script", "followup", "--text", "{name}您好", *db,
                  "--json")  # fmt: skip
    assert rc == 0 and json.loads(out)["kind"] == "followup"
    rc, out = cli(capsys, "cloud", "associate", "tasks", "小王", *db, "--json")
    assert rc == 0 and json.loads(out) == []
