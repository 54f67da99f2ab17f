"""Online backups (sqlite3 backup API: a consistent copy while the till keeps selling) and
restore.  A backup is checked (`quick_check`) before it counts; the newest ones are kept."""

from __future__ import annotations

import os
import shutil
import sqlite3
from datetime import datetime
from pathlib import Path

from pos_app.domain.errors import IntegrityError, InvalidInput, StateError

KEEP = 30


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def backup(
    conn: sqlite3.Connection, dest_dirs: list[Path], stamp: datetime, reason: str
) -> list[Path]:
    """Copy the live database into each folder as till-<stamp>-<reason>.db."""
    if not dest_dirs:
        raise InvalidInput("No backup folder configured", "未配置备份目录")
    name = f"till-{stamp.strftime('%Y%m%dT%H%M%S')}-{reason}.db"
    written = []
    first: Path | None = None
    for d in dest_dirs:
        d.mkdir(parents=True, exist_ok=True)
        target = d / name
        tmp = d / (name + ".part")
        if first is None:
            out = sqlite3.connect(tmp)
            try:
                conn.backup(out)
                ok = out.execute("PRAGMA quick_check").fetchone()[0]
                out.execute("PRAGMA journal_mode = DELETE")
            finally:
                out.close()
            if ok != "ok":
                tmp.unlink(missing_ok=True)
                raise IntegrityError(
                    f"The backup copy failed its check ({ok})", f"备份副本校验失败（{ok}）"
                )
            first = target
        else:
            shutil.copyfile(first, tmp)
        _fsync(tmp)
        tmp.replace(target)
        written.append(target)
        _prune(d)
    return written


def _prune(folder: Path) -> None:
    old = sorted(folder.glob("till-*.db"))[:-KEEP]
    for p in old:
        p.unlink(missing_ok=True)


def check_backup(path: Path) -> None:
    if not path.is_file():
        raise InvalidInput(f"No backup file at {path}", f"找不到备份文件 {path}")
    try:
        c = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            ok = c.execute("PRAGMA quick_check").fetchone()[0]
            c.execute("SELECT count(*) FROM journal").fetchone()
        finally:
            c.close()
    except sqlite3.DatabaseError as err:
        raise IntegrityError(
            f"{path} is not a Guitai database ({err})", f"{path} 不是有效的柜台数据库"
        ) from err
    if ok != "ok":
        raise IntegrityError(
            f"{path} is damaged ({ok}); pick another backup", f"备份 {path} 已损坏，请选择其他备份"
        )


def restore(backup_file: Path, database: Path, stamp: datetime) -> Path:
    """Put a checked backup in place; the current database is kept beside it, never deleted."""
    check_backup(backup_file)
    keep = database.with_name(f"{database.name}.before-restore-{stamp.strftime('%Y%m%dT%H%M%S')}")
    if database.exists():
        probe = sqlite3.connect(database, timeout=0.1)
        try:
            probe.execute("BEGIN EXCLUSIVE")
            probe.execute("ROLLBACK")
        except sqlite3.OperationalError as err:
            raise StateError(
                "The till is running: close it before restoring", "收银程序正在运行：请先关闭再恢复"
            ) from err
        finally:
            probe.close()
        with sqlite3.connect(database) as live, sqlite3.connect(keep) as out:
            live.backup(out)
    database.parent.mkdir(parents=True, exist_ok=True)  # restoring onto a fresh PC
    tmp = database.with_name(database.name + ".restoring")
    shutil.copyfile(backup_file, tmp)
    _fsync(tmp)
    for suffix in ("-wal", "-shm"):
        Path(str(database) + suffix).unlink(missing_ok=True)
    tmp.replace(database)
    return keep
