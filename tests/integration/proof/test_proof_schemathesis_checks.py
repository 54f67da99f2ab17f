"""schemathesis `--checks all` against the served cloud and the OpenAPI document its code
generates (issue 18, item 2): the unauthenticated routes as a stranger reaches them, and the
signed routes with every request signed by an enrolled till (schemathesis_signing.py) so
that the checks reach the handlers behind the signature.

Every check runs: no 5xx, statuses, content types, headers and bodies as declared, schema-valid
requests accepted and schema-violating ones refused, a missing required header refused, auth
enforced (a probe without the signature, or with a made-up one, is a 401), an undeclared method
a 405 with `Allow`.  schemathesis.toml names the few refusals that are the API's answer to
well-formed data (rules JSON Schema cannot state).  Deterministic generation (no seed, no
example database) and a bounded number of examples per operation: the same requests every run.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import paths
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sync_testkit import enroll_device, token_for

from cloud.app import create_app
from cloud.db import CloudDB
from cloud.ereceipt import CloudConfig
from cloud.server import ThreadedServer
from cloud.service import CloudService

HERE = Path(__file__).resolve().parent  # schemathesis.toml
ROOT = paths.ROOT
PHONE = "13800000000"
EXAMPLES = 25  # per operation and phase; about 20 s a run on a quiet 2-core box

# What runs schemathesis' command line in this interpreter (its console script does the same).
CLI = "import sys; from schemathesis.cli import schemathesis; sys.exit(schemathesis())"


class Cloud:
    def __init__(self, url: str, device_id: str, key: Ed25519PrivateKey, token: str) -> None:
        self.url, self.device_id, self.key = url, device_id, key
        self.token = token  # a genuine e-receipt of the enrolled till (not synced yet)


@pytest.fixture
def cloud(tmp_path: Path) -> Iterator[Cloud]:
    db = CloudDB(str(tmp_path / "cloud.db"))
    svc = CloudService(db, ereceipt_base_url="")
    server = ThreadedServer(create_app(svc, config=CloudConfig(brand_name="青衫", join_url="")))
    server.start()
    try:
        svc.ereceipt_base_url = server.url.upper() + "/R/"
        svc.admin.add_store("S001", "南京西路店")
        svc.admin.add_member(PHONE, "林")
        key = Ed25519PrivateKey.generate()
        device_id = enroll_device(svc, key)["device_id"]
        yield Cloud(server.url, device_id, key, token_for(key, 1, 1_796_000_000, 100, "ab" * 32))
    finally:
        server.stop()
        db.close()


def schemathesis_run(cloud: Cloud, tmp_path: Path, *selection: str, signed: bool) -> str:
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(paths.SUPPORT), str(ROOT)]))
    if signed:
        raw = cloud.key.private_bytes(
            serialization.Encoding.Raw,
            serialization.PrivateFormat.Raw,
            serialization.NoEncryption(),
        )
        env |= {
            "SCHEMATHESIS_HOOKS": "schemathesis_signing",
            "GUITAI_ST_KEY": raw.hex(),
            "GUITAI_ST_DEVICE": cloud.device_id,
        }
    # Real values for the path and query parameters that name a resource, so that the checks
    # reach the handlers' core (a page that renders, a member found, a stored-value call on
    # that member through the links schemathesis infers), beside the 404s of made-up ones.
    config = tmp_path / "schemathesis.toml"
    config.write_text(
        f'parameters = {{ token = "{cloud.token}", phone = "{PHONE}" }}\n'
        + (HERE / "schemathesis.toml").read_text("utf-8"),
        "utf-8",
    )
    args = [
        sys.executable,
        "-c",
        CLI,
        "--config-file",
        str(config),
        "run",
        cloud.url + "/openapi.json",
        "--checks",
        "all",
        "--max-examples",
        str(EXAMPLES),
        "--generation-deterministic",
        "--continue-on-failure",
        "--max-failures",
        "50",
        "--request-timeout",
        "30",
        "--no-color",
        "--output-truncate",
        "true",
        *selection,
    ]
    done = subprocess.run(
        args, env=env, cwd=tmp_path, capture_output=True, text=True, timeout=280, check=False
    )
    out = done.stdout + done.stderr
    first_failure = re.search(r"^_{5,}", out, re.M)
    assert done.returncode == 0, out[first_failure.start() if first_failure else -8000 :][:16000]
    selected = re.search(r"Selected: (\d+)/(\d+)\s+Tested: (\d+)", out)
    assert selected, out[-3000:]
    assert selected[1] == selected[3], out[-3000:]  # every selected operation was tested
    cases = re.search(r"(\d+) generated, (\d+) passed", out)
    assert cases and int(cases[1]) == int(cases[2]) > 100, out[-3000:]
    return out


def test_the_unauthenticated_routes_pass_every_check(cloud: Cloud, tmp_path: Path) -> None:
    out = schemathesis_run(cloud, tmp_path, "--exclude-path-regex", "^/v1/", signed=False)
    # the e-receipt pages, the follow button, the 发票 request and state, WeChat's URL,
    # health, readiness, the document; the join page and calls (GET/POST /r/{token}/join,
    # /join/code), WeChat sign-in (/wx/oauth), the member's page, my receipts and a voucher
    assert "Selected: 16/32" in out, out[-3000:]


def test_the_signed_routes_pass_every_check_signed_by_an_enrolled_till(
    cloud: Cloud, tmp_path: Path
) -> None:
    out = schemathesis_run(cloud, tmp_path, "--include-path-regex", "^/v1/", signed=True)
    # issue 20 added the return reservation and its release, and the no-receipt count
    assert "Selected: 16/32" in out, out[-3000:]
    # The hook's signatures verified: the handlers answered, not only the signature check.
    assert "Authentication failed" not in out, out[-3000:]
