"""`guitai cloud serve` wires the receipts package (token codec, HTML renderer) into the
e-receipt page.  Skipped until receipts.token / document / html are on the branch."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import httpx
import pytest
from sync_testkit import TillWriter, enroll_device, enroll_settings, make_till_home, token_for

from pos_app.cli.cloud_cmds import receipts_wiring
from pos_app.cli.sync_cmds import build_relay

pytest_plugins = ["sync_fixtures"]  # our fixtures (no conftest.py: see sync_fixtures)

pytestmark = pytest.mark.skipif(
    any(importlib.util.find_spec(f"receipts.{m}") is None for m in ("token", "document", "html")),
    reason="needs receipts.token, receipts.document and receipts.html",
)


@pytest.mark.parametrize("cloud_db_url", ["sqlite"], indirect=True)
def test_page_uses_the_receipts_package(tmp_path: Path, cloud_db_url: str) -> None:

    codec, renderer = receipts_wiring()
    assert codec is not None and renderer is not None
    from sync_fixtures import Cloud  # loaded as a plugin above

    cloud = Cloud(cloud_db_url, token_codec=codec, render_receipt_html=renderer).start()
    try:
        svc = cloud.service
        svc.add_store("S001", "南京西路店")
        paths, od, key = make_till_home(tmp_path / "till")
        answer = enroll_device(svc, key)
        enroll_settings(od.conn, answer, cloud.url)
        writer = TillWriter(od, "S001", 1)
        sale = writer.sale()
        refund = writer.refund()
        parts = build_relay(paths, od.conn)
        try:
            assert parts.relay.push().accepted == 2
        finally:
            parts.close()
        for row in (sale, refund):
            p = row["payload"]
            token = token_for(key, p["receipt_no"], 1795588200, p["total_fen"], row["hash"])
            page = httpx.get(cloud.url + "/r/" + token)
            assert page.status_code == 200
            assert p["lines"][0]["name"] in page.text
            assert "关注我们" in page.text  # the cloud's invitation, passed as extra_html
        unsynced = token_for(key, 99, 1795588200, 100, "00" * 32)
        page = httpx.get(cloud.url + "/r/" + unsynced)
        assert "明细正在同步中" in page.text
    finally:
        cloud.stop()
