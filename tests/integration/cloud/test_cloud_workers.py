"""Several workers, one PostgreSQL (issue 18, item 4): `guitai cloud serve --workers N` runs N
processes on one port (refused on SQLite), and requests for the same till that land on two
real worker processes at the same moment are still handled exactly once: the nonce, the
enrollment code, the stored-value debit, the coupon redemption and the e-receipt follow.
Everything is counted from the database.  (The exactly-once batch ingest runs on two workers
in tests/sync/test_sync_signatures.py::test_same_batch_twice_at_once_is_stored_once.)"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sync_testkit import (
    TillWriter,
    enroll_device,
    enroll_request,
    make_till_home,
    token_for,
)

from pos_app.cli import main
from sync.client import encode_batch
from sync.signing import RequestSigner

pytestmark = pytest.mark.postgres


def kit() -> Any:
    import sync_fixtures

    return sync_fixtures


def race(n: int, send: Callable[[int], httpx.Response]) -> list[httpx.Response]:
    """`send(i)` for i in 0..n-1 from n threads released together; the answers in i order."""
    results: list[httpx.Response | None] = [None] * n
    start = threading.Barrier(n)

    def run(i: int) -> None:
        start.wait(timeout=30)
        results[i] = send(i)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert all(r is not None for r in results), "a racing request did not finish"
    return [r for r in results if r is not None]


def signed(
    workers: Any,
    i: int,
    method: str,
    path: str,
    key: Ed25519PrivateKey,
    device_id: str,
    body: bytes = b"",
    *,
    nonce: str | None = None,
    extra: dict[str, str] | None = None,
) -> httpx.Response:
    """A request signed for the public URL, sent to worker `i`."""
    base, host = workers.via(i)
    headers = RequestSigner(key, device_id).headers(
        method, workers.url + path, body, datetime.now(UTC), nonce
    )
    if body:
        headers["Content-Type"] = "application/json"
    return httpx.request(
        method, base + path, content=body, headers=headers | host | (extra or {}), timeout=60
    )


def one(workers: Any, sql: str, params: tuple[Any, ...] = ()) -> Any:
    with workers.db.tx() as tx:
        return tx.execute(sql, params).fetchone()[0]


@pytest.fixture
def till(two_workers: Any) -> tuple[Ed25519PrivateKey, str]:
    two_workers.service.admin.add_store("S001", "南京西路店")
    key = Ed25519PrivateKey.generate()
    return key, enroll_device(two_workers.service, key)["device_id"]


def test_one_nonce_sent_to_two_workers_at_once_is_accepted_once(two_workers: Any, till) -> None:
    key, device_id = till
    nonce = "n-" + uuid.uuid4().hex
    answers = race(
        2, lambda i: signed(two_workers, i, "GET", "/v1/changes", key, device_id, nonce=nonce)
    )
    assert sorted(r.status_code for r in answers) == [200, 401]
    refused = next(r for r in answers if r.status_code == 401)
    assert refused.json()["error"]["code"] == "replayed_nonce"
    count = "SELECT count(*) FROM nonces WHERE device_id = ? AND nonce = ?"
    assert one(two_workers, count, (device_id, nonce)) == 1


def test_one_enrollment_code_sent_to_two_workers_at_once_enrolls_one_till(
    two_workers: Any,
) -> None:
    two_workers.service.admin.add_store("S001", "南京西路店")
    code = two_workers.service.admin.enrollment_code("S001")["code"]
    keys = [Ed25519PrivateKey.generate() for _ in range(2)]
    url = two_workers.url + "/v1/devices/enroll"

    def send(i: int) -> httpx.Response:
        req = enroll_request(keys[i], code, url=url)
        base, host = two_workers.via(i)
        return httpx.post(
            base + "/v1/devices/enroll", content=req.body, headers=dict(req.headers) | host
        )

    answers = race(2, send)
    assert sorted(r.status_code for r in answers) == [201, 409]
    assert next(r for r in answers if r.status_code == 409).json()["error"]["code"] == "code_used"
    assert one(two_workers, "SELECT count(*) FROM devices") == 1
    enrolled = next(r for r in answers if r.status_code == 201).json()["device_id"]
    assert one(two_workers, "SELECT count(*) FROM enrollment_codes WHERE used_by = ?", (enrolled,))


def test_one_stored_value_debit_sent_to_two_workers_at_once_is_booked_once(
    two_workers: Any, till
) -> None:
    key, device_id = till
    member = two_workers.service.admin.add_member("13900001111", "李先生")["id"]

    def post(i: int, direction: str, amount: int, idem: str) -> httpx.Response:
        body = json.dumps({"member_id": member, "amount_fen": amount, "reference": idem})
        return signed(
            two_workers,
            i,
            "POST",
            f"/v1/stored-value/{direction}",
            key,
            device_id,
            body.encode(),
            extra={"Idempotency-Key": idem},
        )

    top_up = post(0, "credits", 10_000, "top-up-1")
    assert top_up.status_code == 200, top_up.text
    # the same payment retried through both workers at once: one debit, the same answer
    same = race(2, lambda i: post(i, "debits", 3_000, "pay-1"))
    assert [r.status_code for r in same] == [200, 200]
    assert same[0].json() == same[1].json() and same[0].json()["balance_fen"] == 7_000
    # two payments racing for a balance that covers one of them: never below zero
    rival = race(2, lambda i: post(i, "debits", 5_000, f"pay-rival-{i}"))
    assert sorted(r.status_code for r in rival) == [200, 409]
    lost = next(r for r in rival if r.status_code == 409)
    assert lost.json()["error"]["code"] == "insufficient_funds"
    rows = "SELECT count(*) FROM stored_value_ledger WHERE member_id = ?"
    assert one(two_workers, rows, (member,)) == 3  # top-up, pay-1 once, one rival
    balance = "SELECT SUM(delta_fen) FROM stored_value_ledger WHERE member_id = ?"
    assert one(two_workers, balance, (member,)) == 2_000


def test_one_coupon_redeemed_at_two_workers_at_once_is_redeemed_once(
    two_workers: Any, till
) -> None:
    key, device_id = till
    coupon = {"kind": "cash", "name": "50元券", "amount_fen": 5000, "threshold_fen": 10000}
    two_workers.service.admin.add_coupon("VIP50", coupon)

    def redeem(i: int, sale_id: str) -> httpx.Response:
        body = json.dumps({"code": "VIP50", "member_id": None, "sale_id": sale_id}).encode()
        return signed(two_workers, i, "POST", "/v1/coupons/redemptions", key, device_id, body)

    # the same sale's redemption retried through both workers: idempotent
    same = race(2, lambda i: redeem(i, "sale-1"))
    assert [r.status_code for r in same] == [200, 200], [r.text for r in same]
    assert one(two_workers, "SELECT count(*) FROM coupon_redemptions") == 1
    two_workers.service.admin.add_coupon("VIP60", coupon | {"name": "60元券"})

    def rival(i: int) -> httpx.Response:
        body = json.dumps({"code": "VIP60", "member_id": None, "sale_id": f"sale-{i + 2}"})
        return signed(
            two_workers, i, "POST", "/v1/coupons/redemptions", key, device_id, body.encode()
        )

    # two sales at once: one gets the coupon, the other is refused
    answers = race(2, rival)
    assert sorted(r.status_code for r in answers) == [200, 409]
    assert next(r for r in answers if r.status_code == 409).json()["error"]["code"] == (
        "coupon_used"
    )
    count = "SELECT count(*) FROM coupon_redemptions WHERE code = ?"
    assert one(two_workers, count, ("VIP60",)) == 1


def test_one_receipt_followed_at_two_workers_at_once_counts_once(
    tmp_path: Path, two_workers: Any, till
) -> None:
    key, device_id = till
    _, od, _ = make_till_home(tmp_path / "till")
    sale = TillWriter(od, "S001", 1).sale()
    from pos_app.adapters.db.repositories.outbox import SqliteOutbox

    events = SqliteOutbox(od.conn).pending(10, 1 << 20, datetime.now(UTC))
    pushed = signed(two_workers, 1, "POST", "/v1/events", key, device_id, encode_batch(events))
    assert pushed.status_code == 200 and len(pushed.json()["accepted"]) == len(events)
    p = sale["payload"]
    token = token_for(key, p["receipt_no"], 1795588200, p["total_fen"], sale["hash"])

    def follow(i: int) -> httpx.Response:
        base, host = two_workers.via(i)
        return httpx.post(f"{base}/r/{token}/follow", headers=host, timeout=60)

    answers = race(2, follow)
    assert sorted(r.json()["counted"] for r in answers) == [False, True]
    assert one(two_workers, "SELECT count(*) FROM funnel_follows") == 1


def test_changes_published_by_two_workers_at_once_reach_a_puller_once_each(
    two_workers: Any, till
) -> None:
    key, device_id = till
    members = [two_workers.service.admin.add_member(f"1390000{i:04d}")["id"] for i in range(8)]
    start = one(two_workers, "SELECT max(cursor) FROM changes")

    def top_up(i: int) -> httpx.Response:
        body = json.dumps({"member_id": members[i], "amount_fen": 100 + i, "reference": "t"})
        return signed(
            two_workers,
            i,
            "POST",
            "/v1/stored-value/credits",
            key,
            device_id,
            body.encode(),
            extra={"Idempotency-Key": f"top-up-{i}"},
        )

    assert [r.status_code for r in race(8, top_up)] == [200] * 8
    pulled: list[dict[str, Any]] = []
    since = str(start)
    while True:
        page = signed(two_workers, 0, "GET", f"/v1/changes?since={since}&limit=3", key, device_id)
        assert page.status_code == 200, page.text
        pulled += page.json()["changes"]
        since = page.json()["next_cursor"]
        if not page.json()["more"]:
            break
    got = sorted((c["key"], c["data"]["stored_value_fen"]) for c in pulled)
    assert got == sorted((m, 100 + i) for i, m in enumerate(members))


# ---- the --workers flag ------------------------------------------------------------------


def test_serve_refuses_several_workers_on_sqlite(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    rc = main(["cloud", "serve", "--db", str(tmp_path / "c.db"), "--workers", "2"])
    err = capsys.readouterr().err
    assert rc == 2
    assert "--workers 2 needs PostgreSQL (--database-url)" in err
    assert "需要 PostgreSQL" in err
    assert not (tmp_path / "c.db").exists()  # refused before anything was opened


def test_serve_on_an_unreachable_postgresql_is_one_clear_error(
    capsys: pytest.CaptureFixture[str],
) -> None:
    url = f"postgresql://crm@127.0.0.1:{kit()._free_port()}/crm"  # nothing listens there
    capsys.readouterr()
    rc = main(["cloud", "serve", "--database-url", url, "--workers", "2"])
    err = capsys.readouterr().err
    assert rc == 2
    assert "PostgreSQL does not answer" in err and "check that the server runs" in err
    assert "PostgreSQL 无响应" in err
    # an admin command with --json: the error body with its code
    rc = main(["cloud", "devices", "list", "--database-url", url, "--json"])
    out = json.loads(capsys.readouterr().out)
    assert rc == 2 and out["error"]["code"] == "database_unavailable"


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def _spawned_workers(pid: int) -> list[int]:
    workers = []
    for child in _children(pid):
        try:
            cmdline = Path(f"/proc/{child}/cmdline").read_bytes()
        except OSError:
            continue
        if b"spawn_main" in cmdline:  # multiprocessing's spawned process (not its tracker)
            workers.append(child)
    return workers


@contextlib.contextmanager
def _serving(pg_server: str, *flags: str) -> Iterator[tuple[subprocess.Popen[bytes], str, Path]]:
    """`guitai cloud serve --database-url … --port … FLAGS` on a fresh database, ready: (the
    supervisor's process, its URL, its log)."""
    db_url = kit().fresh_pg_database(pg_server)
    port = kit()._free_port()
    env = dict(os.environ, PYTHONPATH=str(kit().ROOT))
    cmd = [sys.executable, "-m", "pos_app.cli", "cloud", "serve", "--database-url", db_url]
    log = Path(kit().tempfile.mkdtemp(prefix="guitai-serve-")) / "serve.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [*cmd, "--port", str(port), *flags], env=env, stdout=subprocess.DEVNULL, stderr=out
        )
    try:
        url = f"http://127.0.0.1:{port}"
        kit().wait_ready(url, proc, log)
        yield proc, url, log
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=10)
        log.unlink(missing_ok=True)
        log.parent.rmdir()


def _both_spawned(proc: subprocess.Popen[bytes], log: Path) -> list[int]:
    deadline = time.monotonic() + 60
    while len(_spawned_workers(proc.pid)) < 2:
        assert time.monotonic() < deadline, log.read_text()
        time.sleep(0.2)
    return _spawned_workers(proc.pid)


def test_serve_with_two_workers_runs_two_processes_on_one_port(pg_server: str) -> None:
    flags = ("--workers", "2", "--pool-size", "3")
    with _serving(pg_server, *flags) as (proc, url, log):
        workers = _both_spawned(proc, log)
        assert len(workers) == 2
        for _ in range(20):  # served (by whichever worker the kernel picked)
            assert httpx.get(url + "/readyz", timeout=10).json() == {
                "status": "ready",
                "database": "postgres",
            }
        assert "2 workers" in log.read_text()
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=60) == 0
        deadline = time.monotonic() + 30
        while any(Path(f"/proc/{w}").exists() for w in workers):
            assert time.monotonic() < deadline, "a worker outlived the stopped server"
            time.sleep(0.2)


@pytest.mark.parametrize(
    ("timeout_s", "stopped_s", "kept"),
    [
        # uvicorn's default (5 s) would kill a worker stopped for 8 s: 60 keeps it
        (60, 8.0, True),
        # and would keep one stopped for 3 s: 1 replaces it
        (1, 3.0, False),
    ],
)
def test_a_worker_silent_for_longer_than_the_healthcheck_timeout_is_replaced(
    pg_server: str, timeout_s: int, stopped_s: float, kept: bool
) -> None:
    """`--timeout-worker-healthcheck`: how long the supervisor waits for a worker's answer to
    its health ping before killing it and starting another.  A stopped process (SIGSTOP)
    answers nothing, as a worker starved of CPU on a loaded host does."""
    flags = ("--workers", "2", "--pool-size", "2")
    with _serving(pg_server, *flags, "--timeout-worker-healthcheck", str(timeout_s)) as (
        proc,
        url,
        log,
    ):
        victim = _both_spawned(proc, log)[0]
        os.kill(victim, signal.SIGSTOP)
        try:
            time.sleep(stopped_s)
        finally:
            with contextlib.suppress(ProcessLookupError):  # already killed and reaped
                os.kill(victim, signal.SIGCONT)
        deadline = time.monotonic() + 60
        if kept:
            time.sleep(2)  # the supervisor's next rounds of pings (every 0.5 s)
            assert victim in _spawned_workers(proc.pid), log.read_text()
        else:
            while victim in _spawned_workers(proc.pid):
                assert time.monotonic() < deadline, "the silent worker was not replaced"
                time.sleep(0.2)
            assert len(_both_spawned(proc, log)) == 2  # and another took its place
        assert httpx.get(url + "/readyz", timeout=10).status_code == 200
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=60) == 0


def test_serve_refuses_a_healthcheck_timeout_out_of_range(
    capsys: pytest.CaptureFixture[str],
) -> None:
    capsys.readouterr()
    rc = main(["cloud", "serve", "--workers", "2", "--timeout-worker-healthcheck", "0"])
    err = capsys.readouterr().err
    assert rc == 2
    assert "--timeout-worker-healthcheck" in err and "0 is not in the range 1<=x<=3600" in err


def test_pooled_connections_carry_the_statement_timeout(
    pg_server: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import psycopg

    from cloud.db import CloudDB

    url = kit().fresh_pg_database(pg_server)
    db = CloudDB(url, pool_size=2, statement_timeout_ms=200)
    try:
        with pytest.raises(psycopg.errors.QueryCanceled), db.tx() as tx:
            tx.execute("SELECT pg_sleep(2)")
        with db.tx() as tx:  # the pool gave the connection back usable
            assert tx.execute("SHOW statement_timeout").fetchone()[0] == "200ms"
        assert db._pool.max_size == 2
    finally:
        db.close()
    # the serve flags' environment variables are the defaults of a CloudDB
    monkeypatch.setenv("GUITAI_CLOUD_STATEMENT_TIMEOUT_MS", "1500")
    monkeypatch.setenv("GUITAI_CLOUD_POOL_SIZE", "3")
    db = CloudDB(url)
    try:
        with db.tx() as tx:
            assert tx.execute("SHOW statement_timeout").fetchone()[0] == "1500ms"
        assert db._pool.max_size == 3
    finally:
        db.close()
