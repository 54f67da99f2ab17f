"""SIGKILL a selling till at random moments: the database stays intact, every acknowledged
sale is there with its outbox events, receipt numbers have no gap, the journal verifies."""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks.crash_check import run


@pytest.mark.slow
def test_kill_minus_nine_loses_nothing_acknowledged(till_home: Path) -> None:
    report = run(till_home, kills=50, seed=7, max_wait=0.4)
    assert report.kills == 50
    assert report.problems == []
    assert report.acknowledged > 50  # it really sold between the kills
    assert report.sales_in_db >= report.acknowledged
