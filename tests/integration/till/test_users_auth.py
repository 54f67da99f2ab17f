"""Users and PINs against a real till folder: lockout under racing processes, answers that do
not tell which names exist, PIN rules, and the manager's user administration."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import paths
import pytest

from pos_app.cli import main

WORKER = paths.SUPPORT / "pin_race_worker.py"
ROOT = paths.ROOT
ADMIN_PIN = "7391"  # tests/conftest.py
OPEN_SHIFT = ("shift", "open", "--user", "admin", "--float", "0")


def run(home: Path, *args: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    capsys.readouterr()
    rc = main(["--home", str(home), *args])
    out = capsys.readouterr()
    return rc, out.out, out.err


def user_row(home: Path, name: str) -> tuple[int, str | None, int]:
    c = sqlite3.connect(home / "till.db")
    try:
        row = c.execute(
            "SELECT failed_attempts, locked_until, active FROM users WHERE name = ?", (name,)
        ).fetchone()
    finally:
        c.close()
    return int(row[0]), row[1], int(row[2])


def test_racing_wrong_pins_each_count_and_lock_the_user(till_home: Path) -> None:
    """Twelve processes, started together, each try a wrong PIN on one till.db, half as a
    sign-in and half as a manager's approval.  Each attempt that reaches the PIN check is
    counted, so exactly the free failures get through and the lockout engages; before the fix
    every process read the same count during its hash and wrote back "1"."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                str(WORKER),
                str(till_home),
                "approval" if i % 2 else "signin",
                "admin",
                "2580",
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env=env,
            cwd=ROOT,
        )
        for i in range(12)
    ]
    try:
        for p in procs:
            assert p.stdout is not None and p.stdout.readline().strip() == "ready"
        for p in procs:  # the start line, as close together as pipes allow
            assert p.stdin is not None
            p.stdin.write("go\n")
            p.stdin.flush()
        answers = [p.communicate(timeout=120)[0].strip() for p in procs]
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.wait()
    failures, locked_until, _ = user_row(till_home, "admin")
    checked = answers.count("wrong") + answers.count("wrong-locked")
    assert "accepted" not in answers
    assert checked + answers.count("locked-refused") == len(procs)
    assert failures == checked == 3  # FREE_FAILURES: the third wrong PIN locks
    assert answers.count("wrong-locked") == 1 and locked_until is not None


def test_a_name_that_is_not_a_user_is_answered_like_a_wrong_pin(
    till_home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("GUITAI_PIN", "2580")
    answers = {}
    for name in ("admin", "nobody"):
        rc, out, _ = run(
            till_home, "shift", "open", "--user", name, "--float", "0", "--json", capsys=capsys
        )
        assert rc == 2
        err = json.loads(out)["error"]
        answers[name] = {k: v.replace(name, "NAME") for k, v in err.items()}
    assert answers["admin"] == answers["nobody"]
    assert answers["admin"]["code"] == "access_denied" and answers["admin"]["message_zh"]


@pytest.mark.parametrize("pin", ["1234", "0000", "123456", "4321", "9876", "1212", "12"])
def test_init_refuses_a_trivial_admin_pin(
    tmp_path: Path, pin: str, capsys: pytest.CaptureFixture[str]
) -> None:
    home = tmp_path / "till"
    rc, out, _ = run(
        home,
        "init",
        "--store-id",
        "S001",
        "--store-name",
        "店",
        "--till-no",
        "1",
        "--admin-pin",
        pin,
        "--json",
        capsys=capsys,
    )
    err = json.loads(out)["error"]
    assert rc == 2 and err["code"] == "invalid_input" and err["message_zh"] != err["message"]
    assert "PIN" in err["message"] and not (home / "till.db").exists()
    assert not (home / "keys").exists()  # refused before anything was made


def test_user_add_and_pin_change_refuse_trivial_pins(
    till_home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("GUITAI_PIN", ADMIN_PIN)
    monkeypatch.setenv("GUITAI_NEW_PIN", "1111")
    rc, _, err = run(till_home, "user", "add", "li", "--role", "cashier", capsys=capsys)
    assert rc == 2 and "too easy" in err and "太容易" in err
    monkeypatch.setenv("GUITAI_NEW_PIN", "3456")
    rc, _, err = run(till_home, "user", "pin", "admin", capsys=capsys)
    assert rc == 2 and "too easy" in err
    monkeypatch.setenv("GUITAI_NEW_PIN", "2580")
    assert run(till_home, "user", "pin", "admin", capsys=capsys)[0] == 0
    monkeypatch.setenv("GUITAI_PIN", "2580")
    assert run(till_home, "user", "list", capsys=capsys)[0] == 0
    rc, _, err = run(till_home, "shift", "open", "--user", "admin", "--float", "0", capsys=capsys)
    assert rc == 0, err


def test_a_prompt_without_a_terminal_says_which_variable_to_set(till_home: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GUITAI_PIN")}
    env["PYTHONPATH"] = str(ROOT)
    done = subprocess.run(
        [sys.executable, "-m", "pos_app.cli", "--home", str(till_home), *OPEN_SHIFT],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=120,
    )
    assert done.returncode == 2, done.stderr
    assert "GUITAI_PIN" in done.stderr and "terminal" in done.stderr and "终端" in done.stderr
    assert "aborted" not in done.stderr


def test_managers_disable_enable_unlock_and_reset_pins(
    till_home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("GUITAI_PIN", ADMIN_PIN)
    monkeypatch.setenv("GUITAI_NEW_PIN", "5926")
    assert run(till_home, "user", "add", "li", "--role", "cashier", capsys=capsys)[0] == 0

    # li locks herself out; a cashier cannot unlock, a manager can
    monkeypatch.setenv("GUITAI_PIN", "2580")
    for _ in range(3):
        assert (
            run(till_home, "shift", "open", "--user", "li", "--float", "0", capsys=capsys)[0] == 2
        )
    assert user_row(till_home, "li")[1] is not None
    monkeypatch.setenv("GUITAI_PIN", ADMIN_PIN)
    rc, out, _ = run(till_home, "user", "unlock", "li", "--user", "admin", "--json", capsys=capsys)
    assert rc == 0 and json.loads(out)["locked_until"] is None
    assert user_row(till_home, "li")[:2] == (0, None)

    # disabled: the right PIN no longer signs in, on the CLI or for the till's screens
    rc, _, _ = run(till_home, "user", "disable", "li", "--user", "admin", capsys=capsys)
    assert rc == 0 and user_row(till_home, "li")[2] == 0
    monkeypatch.setenv("GUITAI_PIN", "5926")
    rc, _, err = run(till_home, "shift", "open", "--user", "li", "--float", "0", capsys=capsys)
    assert rc == 2 and "disabled" in err and "停用" in err
    rc, out, _ = run(till_home, "user", "list", "--json", capsys=capsys)
    assert {u["name"]: u["active"] for u in json.loads(out)} == {"admin": True, "li": False}
    # … nor can a cashier re-enable herself
    rc, _, err = run(till_home, "user", "enable", "li", "--user", "li", capsys=capsys)
    assert rc == 2

    monkeypatch.setenv("GUITAI_PIN", ADMIN_PIN)
    assert run(till_home, "user", "enable", "li", "--user", "admin", capsys=capsys)[0] == 0
    # a manager resets li's PIN; the old one stops working
    monkeypatch.setenv("GUITAI_NEW_PIN", "6183")
    assert run(till_home, "user", "pin", "li", "--user", "admin", capsys=capsys)[0] == 0
    monkeypatch.setenv("GUITAI_PIN", "5926")
    assert run(till_home, "shift", "open", "--user", "li", "--float", "0", capsys=capsys)[0] == 2
    monkeypatch.setenv("GUITAI_PIN", "6183")
    rc, _, err = run(till_home, "shift", "open", "--user", "li", "--float", "0", capsys=capsys)
    assert rc == 0, err

    c = sqlite3.connect(till_home / "till.db")
    try:
        trail = c.execute("SELECT action, user, approver FROM audit ORDER BY id").fetchall()
    finally:
        c.close()
    assert trail == [
        ("user.unlock", "li", "admin"),
        ("user.disable", "li", "admin"),
        ("user.enable", "li", "admin"),
        ("user.pin_reset", "li", "admin"),
    ]


def test_a_disabled_user_cannot_sign_in_on_the_till_screens(till: object) -> None:
    from pos_app.domain.errors import AccessDenied
    from pos_app.domain.users import Role

    t: object = till
    users = t.users  # type: ignore[attr-defined]
    admin = users.authenticate("admin", ADMIN_PIN)
    users.add("wang", {Role.CASHIER}, "5926")
    users.set_active("wang", False, admin)
    with pytest.raises(AccessDenied) as e:
        users.authenticate("wang", "5926")  # what the sign-in screen calls
    assert "disabled" in e.value.message
    with pytest.raises(AccessDenied):
        users.approval("wang", "5926", "discount", "")


def test_settings_set_needs_a_manager_or_technician_pin(
    till_home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ("settings", "set", "discount_limits", '{"cashier": 5000}')
    rc, _, err = run(till_home, *args, capsys=capsys)
    assert rc == 2 and "--user" in err
    monkeypatch.setenv("GUITAI_PIN", ADMIN_PIN)
    monkeypatch.setenv("GUITAI_NEW_PIN", "5926")
    assert run(till_home, "user", "add", "li", "--role", "cashier", capsys=capsys)[0] == 0
    monkeypatch.setenv("GUITAI_PIN", "5926")
    rc, _, err = run(till_home, *args, "--user", "li", capsys=capsys)
    assert rc == 2 and "manager or technician" in err
    monkeypatch.setenv("GUITAI_PIN", "2580")
    assert run(till_home, *args, "--user", "admin", capsys=capsys)[0] == 2
    monkeypatch.setenv("GUITAI_PIN", ADMIN_PIN)
    assert run(till_home, *args, "--user", "admin", capsys=capsys)[0] == 0
    c = sqlite3.connect(till_home / "till.db")
    try:
        value = c.execute("SELECT value FROM settings WHERE key = 'discount_limits'").fetchone()
        trail = c.execute("SELECT action, user, details FROM audit").fetchall()
    finally:
        c.close()
    assert json.loads(value[0]) == {"cashier": 5000}
    assert [(a, u) for a, u, _ in trail] == [("settings.set", "admin")]
    assert json.loads(trail[0][2])["key"] == "discount_limits"
