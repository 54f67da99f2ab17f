"""Credentials and the till's data at rest: the WeChat Pay key never on a command line nor in
plain text in till.db, its WAL or a backup; the database files and backups owner-only."""

from __future__ import annotations

import os
import shutil
import sqlite3
import stat
import zipfile
from collections.abc import Iterator
from pathlib import Path

import paths
import pytest

from pos_app.adapters.db.connection import open_database
from pos_app.adapters.db.repositories.payments import SqlitePaymentProviders
from pos_app.cli import main

KEY = "WXKEY-9f3c1a77e2d54b0c8a6e"
FIXTURES = paths.FIXTURES
WECHAT = ("payments", "configure", "wechat", "--url", "https://api.mch.weixin.qq.com")
MERCHANT = ("--appid", "wx0000000000000000", "--mch-id", "1900000109")


def run(home: Path, *args: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    capsys.readouterr()
    rc = main(["--home", str(home), *args])
    out = capsys.readouterr()
    return rc, out.out, out.err


def holding(paths: list[Path], secret: str) -> list[str]:
    return [p.name for p in paths if p.exists() and secret.encode() in p.read_bytes()]


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def loose_umask() -> Iterator[None]:
    """The common umask 022: files come out world-readable unless the till says otherwise."""
    old = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(old)


def test_the_wechat_key_is_refused_on_the_command_line(
    till_home: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("GUITAI_WECHAT_KEY", raising=False)
    rc, _, err = run(till_home, *WECHAT, *MERCHANT, "--key", KEY, capsys=capsys)
    assert rc == 2 and "GUITAI_WECHAT_KEY" in err and "prompt" in err and "提示" in err
    db = open_database(till_home / "till.db")
    try:
        assert SqlitePaymentProviders(db.conn).names() == []
    finally:
        db.close()
    rc, _, err = run(till_home, *WECHAT, *MERCHANT, capsys=capsys)  # no terminal to ask in
    assert rc == 2 and "GUITAI_WECHAT_KEY" in err and "终端" in err


def test_the_wechat_key_is_sealed_in_the_database_its_wal_and_backups(
    till_home: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    db_file = till_home / "till.db"
    files = [db_file, Path(f"{db_file}-wal"), Path(f"{db_file}-shm")]
    keeper = open_database(db_file)  # holds the WAL open, as a running till does
    try:
        monkeypatch.setenv("GUITAI_WECHAT_KEY", KEY)
        rc, _, err = run(till_home, *WECHAT, *MERCHANT, capsys=capsys)
        assert rc == 0, err
        assert Path(f"{db_file}-wal").stat().st_size > 0
        assert holding(files, KEY) == []
        assert SqlitePaymentProviders(keeper.conn).get("wechat")[1]["key"] == KEY  # type: ignore[index]
        monkeypatch.setenv("GUITAI_PIN", "7391")
        rc, _, err = run(till_home, "backup", capsys=capsys)
        assert rc == 0, err
        backups = list((till_home / "backups").glob("till-*.db"))
        assert backups and holding(backups, KEY) == []
        rc, _, err = run(till_home, "diagnostics", "-o", str(till_home / "d.zip"), capsys=capsys)
        assert rc == 0, err
        with zipfile.ZipFile(till_home / "d.zip") as z:
            assert all(KEY.encode() not in z.read(n) for n in z.namelist())
    finally:
        keeper.close()
    assert mode(till_home / "keys" / "secrets.key") == 0o600
    # the sealed key opens only with this till's keys folder
    (till_home / "keys" / "secrets.key").unlink()
    db = open_database(db_file)
    try:
        with pytest.raises(Exception, match="keys folder"):
            SqlitePaymentProviders(db.conn).get("wechat")
    finally:
        db.close()


def test_an_upgrade_seals_a_key_stored_in_plain_text(tmp_path: Path) -> None:
    """A till from before 0009 (the committed fixture) with the key in plain text."""
    home = tmp_path / "till"
    home.mkdir()
    db_file = home / "till.db"
    shutil.copyfile(FIXTURES / "till-schema-0006.db", db_file)
    c = sqlite3.connect(db_file)
    c.execute(
        "INSERT INTO payment_providers(name, url, settings, updated_at) VALUES('wechat', "
        "'https://api.mch.weixin.qq.com', ?, '2026-01-01')",
        (f'{{"appid": "wx1", "key": "{KEY}", "mch_id": "1900000109"}}',),
    )
    c.commit()
    c.close()
    assert holding([db_file], KEY) == [db_file.name]
    db = open_database(db_file)
    try:
        live = [db_file, Path(f"{db_file}-wal")]
        assert holding(live, KEY) == []
        assert SqlitePaymentProviders(db.conn).get("wechat")[1]["key"] == KEY  # type: ignore[index]
    finally:
        db.close()
    assert holding([db_file], KEY) == []


def test_database_wal_shm_and_backups_are_owner_only(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    loose_umask: None,
) -> None:
    home = tmp_path / "till"
    init = ("init", "--store-id", "S001", "--store-name", "店", "--till-no", "1")
    assert run(home, *init, "--admin-pin", "7391", capsys=capsys)[0] == 0
    db_file = home / "till.db"
    keeper = open_database(db_file)
    try:
        keeper.conn.execute("INSERT INTO settings(key, value) VALUES('x', 'y')")
        for f in (db_file, Path(f"{db_file}-wal"), Path(f"{db_file}-shm")):
            assert mode(f) == 0o600, f.name
        monkeypatch.setenv("GUITAI_PIN", "7391")
        second = tmp_path / "usb"
        rc, _, err = run(
            home, "backup", "--to", str(home / "backups"), "--to", str(second), capsys=capsys
        )
        assert rc == 0, err
        for folder in (home / "backups", second):
            assert mode(folder) == 0o700
            assert [mode(b) for b in folder.glob("till-*.db")] == [0o600]
    finally:
        keeper.close()
    # a till made by an earlier version, world-readable: closed up when next opened
    os.chmod(db_file, 0o644)
    open_database(db_file).close()
    assert mode(db_file) == 0o600


def test_the_cloud_refuses_the_wechat_token_on_its_command_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rc, _, err = run(
        tmp_path, "cloud", "serve", "--db", str(tmp_path / "c.db"), "--wechat-token", "T0KEN",
        capsys=capsys,
    )  # fmt: skip
    assert rc == 2 and "GUITAI_WECHAT_TOKEN" in err and "环境变量" in err
    assert not (tmp_path / "c.db").exists()  # refused before anything started


def test_a_backup_folder_that_refuses_chmod_still_gets_its_backup(
    till_home: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    loose_umask: None,
) -> None:
    """A FAT USB stick as the second location refuses chmod (EPERM); the backup is written."""
    usb = tmp_path / "usb"
    usb.mkdir(mode=0o755)
    real_chmod = os.chmod

    def fat_chmod(path: object, mode: int, *a: object, **kw: object) -> None:
        if str(path).startswith(str(usb)):
            raise PermissionError(1, "Operation not permitted", str(path))
        real_chmod(path, mode, *a, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "chmod", fat_chmod)
    monkeypatch.setenv("GUITAI_PIN", "7391")
    rc, _, err = run(till_home, "backup", "--to", str(usb), capsys=capsys)
    assert rc == 0, err
    assert len(list(usb.glob("till-*.db"))) == 1
