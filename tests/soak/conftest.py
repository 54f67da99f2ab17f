"""The soak tier: crash loops and package builds.  Every test here is marked `slow` (still run
by `make test`; `-m "not slow"` leaves them out of a quick local run)."""

from __future__ import annotations

from pathlib import Path

import pytest
from payments_rig import *  # noqa: F403

HERE = Path(__file__).resolve().parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if HERE in Path(item.path).resolve().parents:
            item.add_marker(pytest.mark.slow)
