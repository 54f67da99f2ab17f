"""The composition root (pos_app/bootstrap.py): one frozen, typed App with no behaviour, built
without loading payments, hardware or the keys, whose lazy parts are built once whatever
thread asks first; nothing below the CLI imports it, and the UI probes no feature."""

from __future__ import annotations

import dataclasses
import inspect
import json
import re
import subprocess
import sys
import threading
import tomllib
from pathlib import Path
from typing import Any

import grimp
import paths
import pytest

ROOT = paths.ROOT


def test_the_app_is_a_frozen_typed_record_without_behaviour(till: Any) -> None:
    from pos_app.bootstrap import App

    assert dataclasses.is_dataclass(App) and isinstance(till, App)
    for f in dataclasses.fields(App):
        assert isinstance(f.type, str) and "Any" not in f.type, f.name
    own = {
        name
        for name, value in vars(App).items()
        if inspect.isfunction(value) or isinstance(value, property | classmethod | staticmethod)
    }
    generated = {"__init__", "__repr__", "__eq__", "__setattr__", "__delattr__", "__hash__"}
    assert own <= generated, own - generated
    with pytest.raises(dataclasses.FrozenInstanceError):
        till.sales = None


def test_lazy_parts_are_built_once_whatever_thread_asks_first() -> None:
    from pos_app.adapters.lazy import Lazy

    builds: list[object] = []
    release = threading.Event()

    def build() -> object:
        builds.append(object())
        release.wait(timeout=30)  # the other threads ask while this one is still building
        return builds[-1]

    lazy = Lazy(build)
    got: list[object] = []
    threads = [threading.Thread(target=lambda: got.append(lazy())) for _ in range(8)]
    for t in threads:
        t.start()
    assert lazy.built() is None or len(builds) == 1
    release.set()
    for t in threads:
        t.join(timeout=30)
    assert len(builds) == 1 and len(got) == 8 and all(g is builds[0] for g in got)
    assert lazy.built() is builds[0]


def test_the_app_shares_one_of_each_lazy_part(till: Any) -> None:
    assert till.members() is till.members()
    assert till.payments() is till.checkout.payments  # the checkout pays through the App's
    assert till.catalog() is till.catalog()


_PROBE = """
import json, sys
from pathlib import Path
from pos_app.adapters.db.connection import open_database
from pos_app.bootstrap import build
from pos_app.config import Paths

paths = Paths(Path(sys.argv[1]))
app = build(paths, open_database(paths.database))
heavy = ["pos_app.adapters.payments", "pos_app.adapters.hardware", "drivers", "receipts",
         "httpx", "apscheduler", "PIL"]
out = {"loaded": [m for m in heavy if m in sys.modules],
       "built": [n for n in ("payments", "hardware", "printing", "members", "signer")
                 if getattr(app, n).built() is not None]}
try:
    app.signer()
except Exception as err:
    out["signer"] = type(err).__name__
print(json.dumps(out))
"""


def test_building_the_app_loads_no_payments_hardware_or_key(till_home: Path) -> None:
    """Start-up time (start → ready < 1.5 s) and a till whose key is unreadable still
    starts: the key, payments, hardware and printing are built on first use."""
    key = till_home / "keys" / "till_ed25519.pem"
    assert key.exists()
    key.unlink()
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, str(till_home)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert out == {"loaded": [], "built": [], "signer": "StateError"}


def test_nothing_below_the_cli_imports_it() -> None:
    graph = grimp.build_graph("pos_app", cache_dir=None)
    for low in ("pos_app.bootstrap", "pos_app.ui", "pos_app.adapters", "pos_app.services"):
        chain = graph.find_shortest_chain(importer=low, imported="pos_app.cli", as_packages=True)
        assert chain is None, chain
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))
    (layers,) = [c for c in meta["tool"]["importlinter"]["contracts"] if c["type"] == "layers"]
    assert layers["layers"] == [
        "pos_app.cli : pos_app.demo",
        "pos_app.ui",
        "pos_app.bootstrap",
        "pos_app.adapters",
        "pos_app.services",
        "pos_app.domain",
    ]


def test_the_ui_probes_no_feature_of_the_app() -> None:
    """The App always has its services: a screen calls them, it never asks whether they
    exist (`getattr(self.till, "checkout", None)` hid a missing part as a silent no-op)."""
    probe = re.compile(r"\b(getattr|hasattr)\((type\()?(self\.)?(session\.)?till\b")
    found = [
        f"{p.relative_to(ROOT)}:{n}"
        for p in sorted((ROOT / "pos_app").rglob("*.py"))
        for n, line in enumerate(p.read_text("utf-8").splitlines(), 1)
        if probe.search(line)
    ]
    assert found == []
