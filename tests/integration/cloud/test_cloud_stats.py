"""`guitai cloud stats`: the fleet's figures from events really pushed to the served cloud,
on both backends (issue 18, item 5)."""

from __future__ import annotations

import json
import re
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from cloud.rejections import CloudRejections
from pos_app.cli import main
from pos_app.domain.textwidth import display_width
from sync.client import CloudClient
from sync.signing import RequestSigner


class Till:
    def __init__(self, cloud: Any, store_id: str) -> None:
        self.url = cloud.url
        self.key = Ed25519PrivateKey.generate()
        with CloudClient(cloud.url, key=self.key) as c:
            code = cloud.service.admin.enrollment_code(store_id)["code"]
            self.device_id = c.enroll(code, {})["device_id"]
        self.seq = 0

    def push(self, good: int, bad: int = 0) -> dict[str, Any]:
        events = []
        for n in range(good + bad):
            self.seq += 1
            events.append(
                {
                    "id": str(uuid.uuid4()),
                    "type": "device.status",
                    # a schema this cloud does not know: rejected, kept as a dead letter
                    "schema": 1 if n < good else 99,
                    "seq": self.seq,
                    "occurred_at": "2026-11-25T02:00:00Z",
                    "payload": {},
                }
            )
        body = json.dumps({"events": events}).encode()
        url = self.url + "/v1/events"
        h = RequestSigner(self.key, self.device_id).headers("POST", url, body, datetime.now(UTC))
        resp = httpx.post(url, content=body, headers=h | {"Content-Type": "application/json"})
        assert resp.status_code == 200, resp.text
        answer: dict[str, Any] = resp.json()
        assert len(answer["accepted"]) == good and len(answer["rejected"]) == bad, answer
        return answer


def stats(capsys: Any, db_url: str, *extra: str) -> tuple[int, str]:
    db = ["--database-url", db_url] if db_url.startswith("postgresql") else ["--db", db_url]
    capsys.readouterr()
    rc = main(["cloud", "stats", *db, *extra])
    return rc, capsys.readouterr().out


def test_stats_count_tills_events_and_dead_letters_pushed_to_the_served_cloud(
    cloud: Any, cloud_db_url: str, capsys: Any
) -> None:
    cloud.service.admin.add_store("S001", "南京西路店")
    cloud.service.admin.add_store("S002", "淮海中路旗舰店")
    a, b = Till(cloud, "S001"), Till(cloud, "S002")
    silent = Till(cloud, "S002")  # enrolled, never pushed: the oldest contact
    a.push(good=3, bad=1)
    b.push(good=2, bad=2)

    rc, out = stats(capsys, cloud_db_url, "--json")
    assert rc == 0
    got = json.loads(out)
    assert got["tills_active"] == 3 and got["tills_seen_last_hour"] == 2
    assert got["window_minutes"] == 60
    assert got["events_ingested"] == 8 and got["events_per_minute"] == round(8 / 60, 2)
    oldest = got["oldest_unsynced_till"]
    assert oldest["device_id"] == silent.device_id and oldest["never_synced"] is True
    assert (oldest["store_id"], oldest["store_name"]) == ("S002", "淮海中路旗舰店")
    assert got["dead_letters_total"] == 3
    assert got["dead_letters_by_store"] == [
        {"store_id": "S001", "store_name": "南京西路店", "dead_letters": 1},
        {"store_id": "S002", "store_name": "淮海中路旗舰店", "dead_letters": 2},
    ]

    # the silent till pushes: now the oldest contact is a till that did sync, the earliest one
    silent.push(good=1)
    # cleared rejections are no longer dead letters
    CloudRejections(cloud.service.db, cloud.service.now).clear(device_id=b.device_id)
    rc, out = stats(capsys, cloud_db_url, "--json", "--minutes", "1")
    got = json.loads(out)
    assert got["tills_seen_last_hour"] == 3 and got["window_minutes"] == 1
    assert got["events_ingested"] == 9 and got["events_per_minute"] == 9.0
    assert got["oldest_unsynced_till"]["device_id"] == a.device_id
    assert got["oldest_unsynced_till"]["never_synced"] is False
    assert got["dead_letters_by_store"] == [
        {"store_id": "S001", "store_name": "南京西路店", "dead_letters": 1}
    ]

    rc, out = stats(capsys, cloud_db_url)
    assert rc == 0
    head, _, stores = out.rstrip("\n").partition("\n\n")
    # label and value columns line up by display width, CJK included
    values = [re.fullmatch(r"(.*?\S)\s{2,}(\S.*)", line) for line in head.splitlines()]
    assert len(values) == 6 and all(values), head
    assert len({display_width(m.string[: m.start(2)]) for m in values if m}) == 1, head
    assert "近一小时联系 seen in the last hour" in head and "死信 dead letters" in head
    assert a.device_id in head
    lines = stores.splitlines()
    assert lines[0].startswith("门店 store") and "S001 南京西路店" in lines[1]
    assert len({display_width(line) for line in lines}) == 1, stores  # counts right-aligned


def test_stats_of_an_empty_cloud_and_a_bad_window(tmp_path: Path, capsys: Any) -> None:
    db = str(tmp_path / "cloud.db")
    rc, out = stats(capsys, db, "--json")
    got = json.loads(out)
    assert rc == 0 and got["oldest_unsynced_till"] is None and got["events_ingested"] == 0
    rc, out = stats(capsys, db)
    assert "没有已注册的收银台" in out and "no till enrolled" in out
    rc, _ = stats(capsys, db, "--minutes", "0")
    assert rc == 2
