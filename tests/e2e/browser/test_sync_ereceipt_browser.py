"""The e-receipt page in headless Chromium at a phone's size, synced and not yet synced.
Screenshots are kept in docs/screenshots/ (ereceipt-synced.png, ereceipt-unsynced.png)."""

from __future__ import annotations

import base64
import io
import shutil
import subprocess
from pathlib import Path

import paths
import pytest
from sync_testkit import TillWriter, enroll_device, enroll_settings, make_till_home, token_for

from pos_app.adapters.sync_link import build_relay

CHROMIUM = "/usr/bin/chromium"
SHOTS = paths.SCREENSHOTS


def qr_data_uri() -> str:
    import qrcode

    img = qrcode.make("https://weixin.qq.com/r/guitai-demo", box_size=4, border=2)
    buf = io.BytesIO()
    img.save(buf)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode()


def screenshot(url: str, out: Path, tmp: Path) -> None:
    subprocess.run(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={tmp / 'chromium'}",
            "--hide-scrollbars",
            f"--screenshot={out}",
            "--window-size=390,844",
            url,
        ],
        check=True,
        capture_output=True,
        timeout=90,
    )


@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed")
@pytest.mark.parametrize("cloud_db_url", ["sqlite"], indirect=True)
def test_ereceipt_page_in_chromium(tmp_path: Path, cloud_db_url: str) -> None:
    from PIL import Image

    from cloud.ereceipt import CloudConfig

    cfg = CloudConfig(
        brand_name="青衫 QINGSHAN", account_name="青衫服饰", account_qr_data_uri=qr_data_uri()
    )
    from sync_fixtures import Cloud  # loaded as a plugin above

    cloud = Cloud(cloud_db_url, config=cfg).start()
    try:
        svc = cloud.service
        svc.admin.add_store("S001", "南京西路店")
        paths, od, key = make_till_home(tmp_path / "till")
        answer = enroll_device(svc, key)
        enroll_settings(od.conn, answer, cloud.url)
        writer = TillWriter(od, "S001", 1)
        sale = writer.sale()
        parts = build_relay(paths, od.conn)
        try:
            assert parts.relay.push().accepted == 1
        finally:
            parts.close()
        p = sale["payload"]
        synced = token_for(key, p["receipt_no"], 1795588200, p["total_fen"], sale["hash"])
        unsynced = token_for(key, 2, 1795588500, 59800, "cd" * 32)
        SHOTS.mkdir(parents=True, exist_ok=True)
        base = answer["ereceipt_base_url"]  # upper case: HTTP://127.0.0.1:PORT/R/
        for name, token in (("ereceipt-synced.png", synced), ("ereceipt-unsynced.png", unsynced)):
            out = tmp_path / name
            screenshot(base + token, out, tmp_path)
            img = Image.open(out).convert("RGB")
            assert img.size == (390, 844)
            # not a blank page: the verdict banner's green and the text's dark pixels are there
            colours = img.getcolors(maxcolors=1 << 20) or []
            assert len(colours) > 50
            shutil.copyfile(out, SHOTS / name)
    finally:
        cloud.stop()
