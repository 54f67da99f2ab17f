"""`guitai emulate fapiao` as a real process (issue 19): found by the till's `guitai emulate`
through the cloud's entry point, it issues invoices with a PDF link, fails on request, and
stops on SIGTERM."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys

import httpx
import paths


def test_the_invoicing_provider_emulator_runs_and_can_be_told_to_fail() -> None:
    cmd = [sys.executable, "-m", "pos_app.cli", "emulate", "fapiao", "--port", "0",
           "--fail", "购买方税号未登记"]  # fmt: skip
    env = dict(os.environ, PYTHONPATH=str(paths.ROOT))
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    try:
        assert proc.stdout is not None
        first = json.loads(proc.stdout.readline())
        url = first["url"]
        assert first["fail"] == "购买方税号未登记"
        body = {"request_id": "r-1", "kind": "personal", "title": "王芳", "total_fen": 9900,
                "lines": [{"rate_bp": 1300, "gross_fen": 9900, "vat_fen": 1139}]}  # fmt: skip
        failed = httpx.post(f"{url}/v1/invoices", json=body, timeout=10)
        assert failed.json() == {"status": "failed", "reason": "购买方税号未登记"}
        assert httpx.post(f"{url}/control", json={"fail": None}, timeout=10).json() == {
            "fail": None
        }
        issued = httpx.post(f"{url}/v1/invoices", json=body, timeout=10).json()
        assert issued["status"] == "issued" and len(issued["number"]) == 20
        # the same request again: the same invoice, never a second
        assert httpx.post(f"{url}/v1/invoices", json=body, timeout=10).json() == issued
        pdf = httpx.get(issued["pdf_url"], timeout=10)
        assert pdf.headers["content-type"] == "application/pdf"
        assert pdf.content.startswith(b"%PDF-1.4")
        red = httpx.post(
            f"{url}/v1/invoices/{issued['number']}/red",
            json={"request_id": "refund-1", "total_fen": -9900, "lines": []},
            timeout=10,
        ).json()
        assert red["status"] == "issued" and red["number"] != issued["number"]
        listed = httpx.get(f"{url}/invoices", timeout=10).json()
        assert [(i["red"], i["reverses"]) for i in listed] == [
            (True, issued["number"]),
            (False, None),
        ]
    finally:
        proc.send_signal(signal.SIGTERM)
        _out, err = proc.communicate(timeout=15)
    assert proc.returncode == 0, err
