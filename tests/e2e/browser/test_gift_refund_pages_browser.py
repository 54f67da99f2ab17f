"""The gift receipt's page and a refund receipt's page in headless Chromium at a phone's size
(390 × 844), from the served cloud; screenshots kept in docs/screenshots/
(ereceipt-gift-page.png, ereceipt-refund-page.png)."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import paths
import pytest
from sync_testkit import TillWriter, enroll_device, enroll_settings, make_till_home

from pos_app.cli.sync_cmds import build_relay
from receipts import token as tk

CHROMIUM = "/usr/bin/chromium"
SHOTS = paths.SCREENSHOTS
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
    "--window-size=390,844",
]


def chromium(url: str, tmp: Path, *extra: str) -> str:
    r = subprocess.run(
        [CHROMIUM, *FLAGS, f"--user-data-dir={tmp / 'chromium'}", *extra, url],
        check=True,
        capture_output=True,
        timeout=90,
    )
    return r.stdout.decode("utf-8", "replace")


@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed")
@pytest.mark.parametrize("cloud_db_url", ["sqlite"], indirect=True)
def test_gift_and_refund_pages_in_chromium(tmp_path: Path, cloud_db_url: str) -> None:
    from PIL import Image
    from sync_fixtures import Cloud

    from cloud.ereceipt import CloudConfig

    cloud = Cloud(
        cloud_db_url,
        config=CloudConfig(brand_name="青衫 QINGSHAN", account_name="青衫服饰"),
    ).start()
    try:
        cloud.service.admin.add_store("S001", "南京西路店")
        paths_, od, key = make_till_home(tmp_path / "till")
        answer = enroll_device(cloud.service, key)
        enroll_settings(od.conn, answer, cloud.url)
        writer = TillWriter(od, "S001", 1)
        sale = writer.sale()
        writer.sale()
        refund = writer.refund()
        parts = build_relay(paths_, od.conn)
        try:
            assert parts.relay.push().accepted == 3
        finally:
            parts.close()
        base = answer["ereceipt_base_url"]  # upper case: HTTP://127.0.0.1:PORT/R/
        gift = tk.issue_gift_token(
            key,
            receipt_no=sale["payload"]["receipt_no"],
            issued_at=1795588200,
            entry_hash=bytes.fromhex(sale["hash"]),
        )
        rp = refund["payload"]
        refund_token = tk.issue_token(
            key,
            receipt_no=rp["receipt_no"],
            issued_at=1795588800,
            total_fen=rp["total_fen"],
            entry_hash=bytes.fromhex(refund["hash"]),
        )

        # what the phone's browser shows, read from Chromium's rendered document
        dom = chromium(base + gift, tmp_path, "--dump-dom")
        text = re.sub(r"<[^>]+>", " ", dom)
        assert "礼品小票" in text and "如何换货" in text and "真实小票" in text
        assert sale["payload"]["lines"][0]["name"] in text
        assert not re.search(r"\d+\.\d\d", text) and "¥" not in text and "合计" not in text
        dom = chromium(base + refund_token, tmp_path, "--dump-dom")
        assert "现金退回" in dom and "退款将原路退回" not in dom

        SHOTS.mkdir(parents=True, exist_ok=True)
        for name, token in (
            ("ereceipt-gift-page.png", gift),
            ("ereceipt-refund-page.png", refund_token),
        ):
            out = tmp_path / name
            chromium(base + token, tmp_path, f"--screenshot={out}")
            img = Image.open(out).convert("RGB")
            assert img.size == (390, 844)
            assert len(img.getcolors(maxcolors=1 << 20) or []) > 50  # not a blank page
            shutil.copyfile(out, SHOTS / name)
    finally:
        cloud.stop()
