"""The cloud's database URL, password and all, given without the command line (where `ps` and
the shell's history show it): `--database-url-file PATH` or GUITAI_DATABASE_URL; the flag
still works, and the password appears in no output."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pos_app.cli import main

SECRET = "Pw-9f3Kq7Zx"


def stats(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    rc = main(["cloud", "stats", "--json", *args])
    out = capsys.readouterr()
    return rc, out.out + out.err


def url_file(tmp_path: Path, url: str) -> Path:
    f = tmp_path / "database-url"
    f.write_text(url + "\n", encoding="utf-8")
    f.chmod(0o600)
    return f


def test_the_url_from_a_file_from_the_environment_and_the_flag(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"sqlite:///{tmp_path / 'cloud.db'}"
    rc, out = stats(capsys, "--database-url-file", str(url_file(tmp_path, url)))
    assert rc == 0 and json.loads(out)["tills_active"] == 0
    assert (tmp_path / "cloud.db").exists()  # the file's URL was the one opened

    monkeypatch.setenv("GUITAI_DATABASE_URL", f"sqlite:///{tmp_path / 'from-env.db'}")
    rc, out = stats(capsys)
    assert rc == 0 and (tmp_path / "from-env.db").exists()

    # the file given on the command wins over the environment
    rc, _ = stats(capsys, "--database-url-file", str(url_file(tmp_path, url)))
    assert rc == 0

    rc, _ = stats(capsys, "--database-url", f"sqlite:///{tmp_path / 'from-flag.db'}")
    assert rc == 0 and (tmp_path / "from-flag.db").exists()


def test_both_or_an_unreadable_file_are_refused_in_both_languages(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    f = url_file(tmp_path, f"postgresql://guitai:{SECRET}@127.0.0.1:1/crm")
    rc, out = stats(capsys, "--database-url-file", str(f), "--database-url", "sqlite:///x.db")
    err = json.loads(out)["error"]
    assert rc == 2 and "not both" in err["message"] and "只能选一个" in err["message_zh"]

    rc, out = stats(capsys, "--database-url-file", str(tmp_path / "missing"))
    err = json.loads(out)["error"]
    assert rc == 2 and "cannot read it" in err["message"] and "无法读取" in err["message_zh"]

    empty = tmp_path / "empty"
    empty.write_text("\n", encoding="utf-8")
    rc, out = stats(capsys, "--database-url-file", str(empty))
    assert rc == 2 and "为空" in json.loads(out)["error"]["message_zh"]
    assert SECRET not in out


def test_the_password_appears_in_no_output(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # nothing listens on port 1: the command fails and says so
    url = f"postgresql://guitai:{SECRET}@127.0.0.1:1/crm"
    rc, out = stats(capsys, "--database-url-file", str(url_file(tmp_path, url)))
    assert rc == 2 and "PostgreSQL" in out
    assert SECRET not in out
    monkeypatch.setenv("GUITAI_DATABASE_URL", url)
    rc, out = stats(capsys)
    assert rc == 2 and SECRET not in out
