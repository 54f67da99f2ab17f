"""`make demo` with a display: emulators and a local cloud start, the till folder is set up
and enrolled, the window opens (offscreen here, closed by GUITAI_DEMO_QUIT_AFTER_MS)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import paths


def test_demo_with_a_display_sets_up_an_enrolled_till_and_opens_the_window(
    tmp_path: Path,
) -> None:
    root = paths.ROOT
    env = dict(
        os.environ,
        QT_QPA_PLATFORM="offscreen",
        DISPLAY=":99",  # "a display": Qt still draws offscreen
        GUITAI_SCRYPT_N="4096",
        GUITAI_DEMO_DIR=str(tmp_path / "demo"),
        GUITAI_DEMO_SKUS="50",
        GUITAI_DEMO_QUIT_AFTER_MS="1500",
    )
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(root), env.get("PYTHONPATH")) if p)
    out = subprocess.run(
        [sys.executable, "-m", "pos_app.demo"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr[-3000:]
    assert "ready: signin screen, 2 users" in out.stdout
    # the other stores of the demo chain have stock in the local cloud (docs/catalog.md)
    grid = json.loads(
        subprocess.run(
            [sys.executable, "-m", "pos_app.cli", "cloud-stock", "show", "QP-2026-0001",
             "--db", str(tmp_path / "demo" / "cloud.db"), "--json"],
            env=env, capture_output=True, text=True, timeout=60, check=True,
        ).stdout
    )  # fmt: skip
    stocked = {s["store_id"] for s in grid["stores"] if sum(s["skus"].values()) > 0}
    assert stocked == {"S001", "S002", "S003", "S004"}
    assert "try (in another shell while the till runs):" in out.stdout
    text = out.stdout
    setup = json.loads(text[text.index("{") : text.index("}") + 1])
    for key in ("printer", "terminal", "wechat", "alipay", "cloud"):
        assert "127.0.0.1" in setup[key]
    home = Path(setup["till"])
    import sqlite3

    conn = sqlite3.connect(home / "till.db")
    settings = dict(conn.execute("SELECT key, value FROM settings"))
    kinds = {r[0] for r in conn.execute("SELECT kind FROM devices")}
    providers = {r[0] for r in conn.execute("SELECT name FROM payment_providers")}
    conn.close()
    assert settings.get("device_id") and settings.get("cloud_url") == setup["cloud"]
    assert kinds == {"printer", "terminal"} and providers == {"wechat", "alipay"}
