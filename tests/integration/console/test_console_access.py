"""The console's sign-in, sessions and roles on the served cloud (issue 22, item 1): the
login form, the redirect of a visitor without a session, lockout, a new session id at every
sign-in (no fixation), CSRF on every form, a store manager refused another store's pages and
actions (forged requests included), and the audit log of every change."""

from __future__ import annotations

import re
from typing import Any

import pytest
from console_kit import PASSWORD, Browser, Till, add_user
from sync_fixtures import Cloud

from cloud.console.auth import MAX_FAILURES, Accounts
from cloud.console.sessions import COOKIE
from cloud.passwords import hash_password, password_matches


@pytest.fixture
def chain(cloud: Cloud) -> dict[str, Any]:
    a = Till(cloud, "S001", "南京西路店")
    b = Till(cloud, "S002", "淮海路店")
    add_user(cloud, "hq", "hq")
    add_user(cloud, "mia", "store-manager", ["S001"])
    return {"cloud": cloud, "a": a, "b": b}


def test_every_console_page_sends_a_visitor_without_a_session_to_the_login_form(
    chain: dict[str, Any],
) -> None:
    with Browser(chain["cloud"].url) as b:
        for path in ("/console/", "/console/stores/S001", "/console/sales", "/console/z",
                     "/console/audit", "/console/sales.csv", "/console/no-such-page"):  # fmt: skip
            r = b.get(path)
            assert r.status_code == 303, path
            assert r.headers["location"].startswith("/console/login?next="), path
        form = b.get("/console/login")
        assert form.status_code == 200
        assert 'name="username"' in form.text and 'name="password"' in form.text


def test_sign_in_then_out(chain: dict[str, Any]) -> None:
    with Browser(chain["cloud"].url) as b:
        r = b.login("hq")
        assert r.status_code == 303 and r.headers["location"] == "/console/"
        cookie = r.headers["set-cookie"]
        assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Path=/console" in cookie
        page = b.get("/console/")
        assert page.status_code == 200 and "S002" in page.text
        assert b.post("/console/logout", {}).status_code == 303
        assert b.get("/console/").status_code == 303


def test_a_wrong_password_is_refused_and_locks_the_account_after_five(
    chain: dict[str, Any],
) -> None:
    with Browser(chain["cloud"].url) as b:
        unknown = b.login("nobody", "x" * 12)
        wrong = b.login("mia", "x" * 12)
        assert unknown.status_code == wrong.status_code == 401
        assert "用户名或密码不正确" in wrong.text and "wrong" in wrong.text
        for _ in range(MAX_FAILURES - 1):
            r = b.login("mia", "x" * 12)
        assert r.status_code == 401 and "锁定" in r.text and "locked" in r.text
        # the right password does not open a locked account
        r = b.login("mia")
        assert r.status_code == 401 and "locked" in r.text
        assert b.get("/console/").status_code == 303


def test_passwords_are_stored_as_scrypt_hashes() -> None:
    stored = hash_password("a long password")
    assert stored.startswith("scrypt$") and "a long password" not in stored
    assert password_matches("a long password", stored)
    assert not password_matches("a long passwore", stored)


def test_an_unknown_name_costs_the_same_scrypt_as_a_wrong_password(
    chain: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The answer's time must not tell which names exist: the check for a name nobody has
    runs scrypt at the cost of a real account's (it once used 2^12 against 2^15)."""
    import hashlib

    costs: list[int] = []
    real = hashlib.scrypt

    def counting(*args: Any, **kw: Any) -> bytes:
        costs.append(int(kw["n"]))
        return real(*args, **kw)

    # above the suite's own cost (tests/conftest.py), as a deployment's is
    monkeypatch.setenv("GUITAI_SCRYPT_N", "8192")
    add_user(chain["cloud"], "ola", "hq")
    monkeypatch.setattr(hashlib, "scrypt", counting)
    with Browser(chain["cloud"].url) as b:
        b.login("ola", "x" * 12)
        wrong = costs[-1]
        costs.clear()
        b.login("nobody", "x" * 12)
    assert costs and set(costs) == {wrong}, (costs, wrong)


def test_a_session_id_planted_before_sign_in_is_never_signed_in(chain: dict[str, Any]) -> None:
    cloud = chain["cloud"]
    with Browser(cloud.url) as victim, Browser(cloud.url) as attacker:
        # the attacker's own valid session, and a made-up one, planted in the victim's browser
        attacker.login("hq")
        planted = attacker.client.cookies.get(COOKIE)
        victim.client.cookies.set(COOKIE, planted, domain="127.0.0.1", path="/console")
        r = victim.login("mia")
        fresh = victim.client.cookies.get(COOKIE)
        assert r.status_code == 303 and fresh and fresh != planted
        # the planted session ended with the sign-in; the attacker holds nothing of mia's
        assert attacker.get("/console/").status_code == 303
        assert "S002" not in victim.get("/console/").text


def test_a_forged_cookie_is_no_session(chain: dict[str, Any]) -> None:
    with Browser(chain["cloud"].url) as b:
        b.login("mia")
        sid, _exp, sig = b.client.cookies.get(COOKIE).split(".")
        b.client.cookies.set(
            COOKIE, f"{sid}.99999999999.{sig}", domain="127.0.0.1", path="/console"
        )
        assert b.get("/console/").status_code == 303


def test_a_form_without_the_sessions_csrf_token_changes_nothing(chain: dict[str, Any]) -> None:
    cloud, a = chain["cloud"], chain["a"]
    dead = a.rejected_sale()
    with Browser(cloud.url) as b:
        b.login("hq")
        for token in ("", "forged-token"):
            r = b.post("/console/stores/S001/requeue", {"event_id": dead}, csrf=token)
            assert r.status_code == 403 and "nothing was changed" in r.text
        r = b.post("/console/stores/S001/revoke", {"device_id": a.device_id}, csrf="x")
        assert r.status_code == 403
    with cloud.db.tx() as tx:
        assert tx.execute("SELECT status FROM events WHERE id = ?", (dead,)).fetchone()[0] == (
            "rejected"
        )
        assert tx.execute(
            "SELECT revoked_at FROM devices WHERE device_id = ?", (a.device_id,)
        ).fetchone() == (None,)


def test_the_login_form_needs_its_own_token(chain: dict[str, Any]) -> None:
    with Browser(chain["cloud"].url) as b:
        r = b.client.post(
            "/console/login", data={"username": "hq", "password": PASSWORD, "csrf": "made-up"}
        )
        assert r.status_code == 403 and f"{COOKIE}=" not in r.headers.get("set-cookie", "")


def test_a_store_manager_sees_only_their_stores(chain: dict[str, Any]) -> None:
    cloud, a, other = chain["cloud"], chain["a"], chain["b"]
    a.sale(name="夹克")
    other.sale(name="衬衫", unit_fen=12300)
    dead = other.rejected_sale()
    with Browser(cloud.url) as b:
        b.login("mia")
        home = b.get("/console/")
        assert "S001" in home.text and "S002" not in home.text
        for path in ("/console/stores/S002", "/console/sales?store=S002",
                     "/console/sales.csv?store=S002&by=day", "/console/z?store=S002"):  # fmt: skip
            r = b.get(path)
            assert r.status_code == 403, path
            assert "无权" in r.text and "may not" in r.text
        # her sales page adds up her store only
        sales = b.get("/console/sales?from=2026-11-01&to=2026-11-30")
        assert "¥459.00" in sales.text and "¥123.00" not in sales.text
        # forged actions on another store, directly or through her own store's address
        token = b.csrf()
        for path, data in (
            ("/console/stores/S002/requeue", {"event_id": dead}),
            ("/console/stores/S001/requeue", {"event_id": dead}),
            ("/console/stores/S002/revoke", {"device_id": other.device_id}),
            ("/console/stores/S001/revoke", {"device_id": other.device_id}),
            ("/console/stores/S002/enrol", {}),
        ):
            assert b.post(path, data, csrf=token).status_code == 403, path
        assert b.get("/console/audit").status_code == 200
    with cloud.db.tx() as tx:
        assert tx.execute("SELECT status FROM events WHERE id = ?", (dead,)).fetchone()[0] == (
            "rejected"
        )
        assert tx.execute(
            "SELECT revoked_at FROM devices WHERE device_id = ?", (other.device_id,)
        ).fetchone() == (None,)
        assert tx.execute("SELECT COUNT(*) FROM enrollment_codes").fetchone()[0] == 2


def test_every_change_made_from_the_console_is_in_the_audit_log(chain: dict[str, Any]) -> None:
    cloud, a = chain["cloud"], chain["a"]
    dead = a.rejected_sale()
    with Browser(cloud.url) as b:
        b.login("mia")
        assert b.post("/console/stores/S001/requeue", {"event_id": dead}).status_code == 303
        code = b.post("/console/stores/S001/enrol", {})
        shown = re.search(r'id="enrol-code">([A-Z0-9-]+)<', code.text)
        assert shown, code.text
        assert b.post("/console/stores/S001/revoke", {"device_id": a.device_id}).status_code == 303
        log = b.get("/console/audit").text
    for action in ("sign_in", "requeue_dead_letter", "enrolment_code", "revoke_till"):
        assert action in log
    assert shown.group(1) not in log  # the one-time code is a secret until used
    with cloud.db.tx() as tx:
        rows = tx.execute(
            "SELECT username, action, store_id FROM console_audit ORDER BY id"
        ).fetchall()
    assert [tuple(r) for r in rows] == [
        ("mia", "sign_in", ""),
        ("mia", "requeue_dead_letter", "S001"),
        ("mia", "enrolment_code", "S001"),
        ("mia", "revoke_till", "S001"),
    ]


def test_an_account_changed_from_the_command_line_loses_its_sessions(chain: dict[str, Any]) -> None:
    cloud = chain["cloud"]
    with Browser(cloud.url) as b:
        b.login("mia")
        assert b.get("/console/").status_code == 200
        Accounts(cloud.service.db, cloud.service.now).add(
            "mia", "store-manager", "another long password", ["S001"]
        )
        assert b.get("/console/").status_code == 303


def test_sign_in_returns_to_the_page_asked_for_and_never_to_another_site(
    chain: dict[str, Any],
) -> None:
    from console_kit import CSRF

    with Browser(chain["cloud"].url) as b:
        for asked, landed in (("/console/z", "/console/z"),
                              ("https://evil.example/", "/console/"),
                              ("//evil.example/console/", "/console/")):  # fmt: skip
            page = b.get(f"/console/login?next={asked}")
            token = CSRF.search(page.text)
            assert token
            r = b.client.post("/console/login", data={"username": "hq", "password": PASSWORD,
                              "csrf": token.group(1), "next": asked})  # fmt: skip
            assert r.status_code == 303 and r.headers["location"] == landed, asked
