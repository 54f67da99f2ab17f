"""`guitai cloud trigger add|list|log|run` as a user runs them (issue 21, item 6): JSON
answers, bilingual refusals with exit code 2, and nothing fired twice by running again."""

from __future__ import annotations

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


def test_triggers_on_the_command_line(capsys: pytest.CaptureFixture[str], db: list[str]) -> None:
    rc, out = cli(
        capsys, "cloud", "trigger", "add", "big", "--when", "purchase_above:50000",
        "--if", "tier=core and category=外套", "--then", "task:回访大单", "--then", "tag:大单",
        "--cap", "1/30d", *db, "--json",
    )  # fmt: skip
    assert rc == 0, out
    assert json.loads(out) | {"created_at": ""} == {
        "name": "big",
        "when": "purchase_above:50000",
        "if": "tier=core and category=外套",
        "then": ["task:回访大单", "tag:大单"],
        "cap": "1/30d",
        "active": True,
        "created_at": "",
    }
    rc, out = cli(capsys, "cloud", "trigger", "list", *db, "--json")
    assert rc == 0 and [(t["name"], t["fired"]) for t in json.loads(out)] == [("big", 0)]
    rc, out = cli(capsys, "cloud", "trigger", "list", *db)
    assert "big  when purchase_above:50000 if tier=core and category=外套" in out

    for args, code in (
        (["again", "--when", "birthday", "--then", "task"], "bad_trigger"),
        (["again", "--when", "return", "--then", "sms:hi"], "bad_trigger"),
        (["again", "--when", "return", "--then", "task", "--cap", "lots"], "bad_trigger"),
        (["again", "--when", "return", "--then", "coupon:NOPE"], "cloud_error"),
        (["big", "--when", "return", "--then", "task"], "cloud_error"),  # the name is taken
    ):
        rc, out = cli(capsys, "cloud", "trigger", "add", *args, *db, "--json")
        err = json.loads(out)["error"]
        assert rc == 2 and err["code"] == code, out
        assert err["message"] and err["message_zh"] and err["message"] != err["message_zh"]

    rc, out = cli(capsys, "cloud", "trigger", "run", "--daily", *db, "--json")
    assert rc == 0 and json.loads(out)["stream"] == {"events": 0, "fired": 0}
    assert json.loads(out)["daily"]["ran"] is True
    rc, out = cli(capsys, "cloud", "trigger", "run", "--daily", *db, "--json")
    assert json.loads(out)["daily"]["ran"] is False  # today's pass ran already
    rc, out = cli(capsys, "cloud", "trigger", "log", *db, "--json")
    assert rc == 0 and json.loads(out) == []
    rc, out = cli(capsys, "cloud", "trigger", "log", *db)
    assert "no firings yet" in out
