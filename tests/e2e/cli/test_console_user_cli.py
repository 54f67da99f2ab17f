"""`guitai cloud console-user add NAME --role hq|store-manager [--store S …]` (issue 22): the
password from GUITAI_CONSOLE_PASSWORD or a prompt, hashed; refusals in Chinese and English
with exit code 2."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import paths

from cloud.console.auth import Accounts, SignInRefused
from cloud.db import CloudDB
from cloud.service import CloudService


def guitai(*args: str, stdin: str | None = None, **env: str) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if k != "GUITAI_CONSOLE_PASSWORD"}
    environ["PYTHONPATH"] = os.pathsep.join([str(paths.ROOT), environ.get("PYTHONPATH", "")])
    return subprocess.run(
        [sys.executable, "-m", "pos_app.cli", *args],
        capture_output=True,
        text=True,
        env=environ | env,
        input=stdin,
        stdin=None if stdin is not None else subprocess.DEVNULL,
        timeout=120,
    )


def test_console_users_from_the_environment_and_from_a_prompt(tmp_path: Path) -> None:
    db = str(tmp_path / "cloud.db")
    for store in ("S001", "S002"):
        r = guitai("cloud", "store", "add", store, "--name", f"店 {store}", "--db", db)
        assert r.returncode == 0, r.stderr
    r = guitai("cloud", "console-user", "add", "zhang", "--role", "hq", "--db", db, "--json",
               GUITAI_CONSOLE_PASSWORD="head office pass 1")  # fmt: skip
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout) == {"username": "zhang", "role": "hq", "stores": []}
    r = guitai("cloud", "console-user", "add", "mia", "--role", "store-manager", "--store",
               "S001", "--store", "S002", "--db", db,
               stdin="manager pass 22\nmanager pass 22\n")  # fmt: skip
    assert r.returncode == 0, r.stderr
    assert "mia (store-manager; S001, S002)" in r.stdout
    svc = CloudService(CloudDB(db), ereceipt_base_url="")
    try:
        accounts = Accounts(svc.db, lambda: datetime.now(UTC))
        assert accounts.sign_in("mia", "manager pass 22").stores == {"S001", "S002"}
        assert accounts.sign_in("zhang", "head office pass 1").hq
        try:
            accounts.sign_in("mia", "head office pass 1")
            raise AssertionError("a wrong password signed in")
        except SignInRefused:
            pass
        with svc.db.tx() as tx:
            stored = tx.execute("SELECT password_hash FROM console_users").fetchall()
        assert all(s[0].startswith("scrypt$") and "pass" not in s[0] for s in stored)
    finally:
        svc.db.close()


def test_refusals_say_what_to_do_in_both_languages(tmp_path: Path) -> None:
    db = str(tmp_path / "cloud.db")
    guitai("cloud", "store", "add", "S001", "--name", "店", "--db", db)
    cases = [
        (["mia", "--role", "store-manager"], "至少需要一个 --store"),
        (["mia", "--role", "store-manager", "--store", "S404"], "没有门店 S404"),
        (["a b", "--role", "hq"], "用户名为"),
    ]
    for args, zh in cases:
        r = guitai("cloud", "console-user", "add", *args, "--db", db,
                   GUITAI_CONSOLE_PASSWORD="long enough pass")  # fmt: skip
        assert r.returncode == 2 and zh in r.stderr, (args, r.stderr)
    r = guitai("cloud", "console-user", "add", "mia", "--role", "hq", "--db", db,
               GUITAI_CONSOLE_PASSWORD="short")  # fmt: skip
    assert r.returncode == 2 and "至少需要 10 个字符" in r.stderr and "10 characters" in r.stderr


def test_console_rebuild_on_a_cloud_without_events(tmp_path: Path) -> None:
    r = guitai("cloud", "console-rebuild", "--db", str(tmp_path / "cloud.db"), "--json")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout) == {"events": 0, "summary_rows": 0}
