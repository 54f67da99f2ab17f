"""The power-loss control (synchronous=NORMAL) must show a loss, or the harness proves
nothing: it cuts on, up to its cap, until one cut has lost an acknowledged sale; the till's
own setting (FULL) is cut exactly as often as asked."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from benchmarks.soak import powerloss


def _cuts(monkeypatch: pytest.MonkeyPatch, losing: set[tuple[str, int]]) -> list[tuple[str, int]]:
    made: list[tuple[str, int]] = []

    def one_cut(_template: Path, _work: Path, sync: str, seed: int, _wait: float) -> dict[str, Any]:
        made.append((sync, seed - 1000))
        lost = (sync, seed - 1000) in losing
        return {"acked": 10, "have": 7 if lost else 10, "integrity": "ok", "problems": []}

    monkeypatch.setattr(powerloss, "make_till", lambda path: path)
    monkeypatch.setattr(powerloss, "one_cut", one_cut)
    return made


def test_the_control_cuts_on_until_it_loses_a_sale(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    made = _cuts(monkeypatch, {("NORMAL", 4)})
    full, normal = powerloss.run(tmp_path, 3)
    assert [m for m in made if m[0] == "FULL"] == [("FULL", i) for i in range(3)]
    assert [m for m in made if m[0] == "NORMAL"] == [("NORMAL", i) for i in range(5)]
    assert (full.cuts, full.acknowledged_lost_runs) == (3, 0)
    assert (normal.cuts, normal.acknowledged_lost_runs, normal.lost_sales) == (5, 1, 3)


def test_a_control_that_never_loses_stops_at_its_cap_and_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    made = _cuts(monkeypatch, set())
    _full, normal = powerloss.run(tmp_path, 3, control_cap=6)
    assert len([m for m in made if m[0] == "NORMAL"]) == 6
    assert (normal.cuts, normal.acknowledged_lost_runs) == (6, 0)


def test_a_control_that_loses_early_takes_only_the_cuts_asked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    made = _cuts(monkeypatch, {("NORMAL", 0)})
    _full, normal = powerloss.run(tmp_path, 3)
    assert normal.cuts == 3 and len(made) == 6
