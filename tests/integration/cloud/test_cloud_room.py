"""The cloud is a room of its own: a till install carries none of its server stack, the till's
code never imports it, and `guitai cloud …` still comes through the till's command, saying how
to install what is missing."""

from __future__ import annotations

import re
import sys
from importlib.metadata import entry_points, requires
from pathlib import Path

import grimp
import pytest

from pos_app.cli import main

SERVER_STACK = ("fastapi", "pydantic", "starlette", "uvicorn", "psycopg", "sqlalchemy", "alembic")


def _name(requirement: str) -> str:
    return re.split(r"[\s\[<>=!~;]", requirement, maxsplit=1)[0].lower()


def test_a_till_install_requires_none_of_the_server_stack() -> None:
    reqs = requires("guitai") or []
    for name in SERVER_STACK:
        found = [r for r in reqs if _name(r) == name]
        assert found, f"{name} is not a requirement of any extra"
        for r in found:
            # only `pip install guitai[cloud]` brings it
            assert re.search(r"""extra\s*==\s*["']cloud["']""", r), r


def test_the_cloud_commands_come_through_an_entry_point() -> None:
    found = {ep.name: ep.value for ep in entry_points(group="guitai.commands")}
    assert found == {
        "cloud": "cloud.cli.commands:cloud",
        "cloud-stock": "cloud.cli.stock_cmds:cloud_stock",
    }


def _is_demo(module: str) -> bool:
    # The live demo starts a local cloud beside the till (the one importer the house plan allows).
    return module == "pos_app.demo" or module.startswith("pos_app.demo.")


def test_the_till_never_reaches_the_cloud_or_its_server_stack() -> None:
    graph = grimp.build_graph(
        "pos_app", "cloud", "sync", "receipts", "drivers", include_external_packages=True
    )
    for module in [m for m in graph.modules if _is_demo(m)]:
        graph.remove_module(module)
    for target in ("cloud", *SERVER_STACK):
        if target not in graph.modules:
            continue  # nothing at all imports it
        chains = graph.find_shortest_chains(importer="pos_app", imported=target, as_packages=True)
        assert not chains, f"the till imports {target}: {sorted(chains)[:3]}"


def cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    capsys.readouterr()
    rc = main(list(args))
    out = capsys.readouterr()
    return rc, out.out, out.err


def test_serve_without_the_server_stack_says_how_to_install_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("starlette", "uvicorn"):
        monkeypatch.setitem(sys.modules, name, None)  # as on a till: not installed
    db = str(tmp_path / "cloud.db")
    rc, _, err = cli(capsys, "cloud", "serve", "--db", db)
    assert rc == 2
    assert "pip install 'guitai[cloud]'" in err and "未安装云端服务所需的软件包" in err
    assert "starlette, uvicorn" in err
    # the admin commands on SQLite need none of it
    rc, _, err = cli(capsys, "cloud", "store", "add", "S001", "--name", "南京西路店", "--db", db)
    assert rc == 0, err


def test_postgresql_without_psycopg_says_how_to_install_it(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "psycopg", None)
    url = "postgresql://guitai@127.0.0.1:1/none"
    rc, _, err = cli(capsys, "cloud", "devices", "list", "--database-url", url)
    assert rc == 2 and "psycopg" in err and "pip install 'guitai[cloud]'" in err
    rc, out, _ = cli(capsys, "cloud", "devices", "list", "--database-url", url, "--json")
    assert rc == 2 and '"code": "cloud_extra_missing"' in out


def test_a_till_built_without_the_cloud_says_where_it_is(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # The PyInstaller build carries guitai's metadata (its entry points) but not the package.
    for name in ("cloud.cli.commands", "cloud.cli.stock_cmds"):
        monkeypatch.setitem(sys.modules, name, None)
    rc, _, err = cli(capsys, "cloud", "store", "list", "--db", "x.db")
    assert rc == 2 and "pip install 'guitai[cloud]'" in err and "属于云端" in err
    rc, _, err = cli(capsys, "cloud-stock", "show", "--help")
    assert rc == 2 and "pip install 'guitai[cloud]'" in err
    rc, out, _ = cli(capsys, "cloud", "--json")
    assert rc == 2 and '"code": "not_installed"' in out
