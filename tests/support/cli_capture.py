"""The till's CLI run in-process for the CLI end-to-end tests, with what it printed, and a
till whose shift is open (a uniquely named module; never import conftest)."""

from __future__ import annotations

from pathlib import Path

import pytest

from pos_app.cli import main


def run(home: Path, *args: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """`guitai --home HOME args…`: the exit code, stdout and stderr of this call only."""
    capsys.readouterr()
    rc = main(["--home", str(home), *args])
    out = capsys.readouterr()
    return rc, out.out, out.err


@pytest.fixture
def opened(
    till_home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Path:
    """The test till with admin's shift open on a ¥500.00 float."""
    monkeypatch.setenv("GUITAI_PIN", "7391")
    rc, _, err = run(
        till_home, "shift", "open", "--user", "admin", "--float", "500.00", capsys=capsys
    )
    assert rc == 0, err
    return till_home
