"""The device-bytes convention of tests/fixtures/README.md holds: every model folder says what
each of its files is, and every file is there to be read."""

from __future__ import annotations

from pathlib import Path

import pytest
from device_fixtures import FIXTURES


def _model_folders() -> list[Path]:
    return sorted(p for p in FIXTURES.iterdir() if p.is_dir() and not p.name.startswith("_"))


def test_there_is_a_device_fixture_folder() -> None:
    assert [p.name for p in _model_folders()] != []


@pytest.mark.parametrize("folder", _model_folders(), ids=lambda p: p.name)
def test_every_fixture_file_is_described_in_its_folder_readme(folder: Path) -> None:
    readme = folder / "README.md"
    assert readme.exists(), f"{folder}: add a README.md (tests/fixtures/README.md)"
    text = readme.read_text("utf-8")
    files = [p.name for p in folder.iterdir() if p.is_file() and p.name != "README.md"]
    assert files != []
    assert [f for f in files if f"`{f}`" not in text] == []
