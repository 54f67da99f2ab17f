"""Online backups (sqlite3 backup API: a consistent copy while the till keeps selling) and
restore.  A backup is checked (`quick_check`) before it counts; the newest ones are kept.

The copy is read through a connection of its own, inside one read transaction, in a single
backup step.  In WAL mode a reader sees the database as of the moment its transaction began and
never blocks the writer (nor is blocked by it), so the till goes on committing sales while the
copy is made, and the copy holds each of those sales wholly or not at all.  (Copying through the
till's own connection would need the writer lock for the whole copy — 1.9 s at 500,000 SKUs
with no sale possible — or it would copy a sale's uncommitted rows.)  A database that is not in
WAL mode (or in memory) falls back to the writer's connection, on its database thread.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

from pos_app.domain.errors import IntegrityError, InvalidInput, StateError

from .files import private_dir, private_file

KEEP = 30


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _main_file(conn: sqlite3.Connection) -> str:
    path = getattr(conn, "path", None)
    if isinstance(path, str):  # a GuitaiConnection knows its file: nothing runs on it
        return "" if path in ("", ":memory:") or path.startswith("file::memory:") else path
    # a plain connection: ask it, outside anyone's transaction
    rows = conn.execute("PRAGMA database_list").fetchall()
    return next((str(file or "") for _seq, name, file in rows if name == "main"), "")


@contextlib.contextmanager
def _snapshot_source(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """A connection to copy from: a separate reader inside a read transaction (WAL), else the
    writer's own connection, in its database thread's turn.  Nothing runs on the writer's
    connection from another thread: a statement there would make a sale's COMMIT on the
    selling thread fail with "SQL statements in progress" (seen in bench_ops)."""
    thread = getattr(conn, "thread", None)
    turn: Any = contextlib.nullcontext() if thread is None else thread.turn()
    path = _main_file(conn)
    reader = None
    if path:
        # Read-write but query-only: a read-only (mode=ro) connection to a WAL database can
        # fail with "disk I/O error" while the writer checkpoints (seen in bench_ops).
        reader = sqlite3.connect(
            path, uri=path.startswith("file:"), isolation_level=None, timeout=5.0
        )
        reader.execute("PRAGMA query_only = ON")
        mode = reader.execute("PRAGMA journal_mode").fetchall()[0][0]
        if str(mode).lower() != "wal":
            reader.close()
            reader = None
    if reader is None:
        with turn:
            yield conn
        return
    try:
        reader.execute("BEGIN")
        # The snapshot is taken by the first read, not by BEGIN (a deferred transaction).
        reader.execute("SELECT count(*) FROM sqlite_master").fetchall()
        yield reader
        reader.execute("COMMIT")
    finally:
        reader.close()


def backup(
    conn: sqlite3.Connection,
    dest_dirs: list[Path],
    stamp: datetime,
    reason: str,
    *,
    on_snapshot: Callable[[], None] | None = None,
) -> list[Path]:
    """Copy the live database into each folder as till-<stamp>-<reason>.db.

    Never uses the till's writing connection on a WAL database (see the module's note).
    `on_snapshot` runs once the copy's point in time is fixed, before the pages are copied
    (tests use it to commit a sale "during" the backup)."""
    if not dest_dirs:
        raise InvalidInput("No backup folder configured", "未配置备份目录")
    name = f"till-{stamp.strftime('%Y%m%dT%H%M%S')}-{reason}.db"
    written = []
    first: Path | None = None
    for d in dest_dirs:
        private_dir(d)
        target = d / name
        tmp = d / (name + ".part")
        tmp.unlink(missing_ok=True)  # a part left by a crash: made again, owner-only
        private_file(tmp)
        if first is None:
            out = sqlite3.connect(tmp)
            try:
                with _snapshot_source(conn) as source:
                    if on_snapshot is not None:
                        on_snapshot()
                    # pages=-1 (the default): the whole file in one step, all inside the
                    # reader's snapshot; a step-wise copy would restart on every commit.
                    source.backup(out)
                ok = out.execute("PRAGMA quick_check").fetchone()[0]
                out.execute("PRAGMA journal_mode = DELETE")
            except BaseException:
                out.close()
                tmp.unlink(missing_ok=True)
                raise
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
        private_file(keep)
        with sqlite3.connect(database) as live, sqlite3.connect(keep) as out:
            live.backup(out)
    database.parent.mkdir(parents=True, exist_ok=True)  # restoring onto a fresh PC
    tmp = database.with_name(database.name + ".restoring")
    tmp.unlink(missing_ok=True)
    private_file(tmp)
    shutil.copyfile(backup_file, tmp)
    _fsync(tmp)
    for suffix in ("-wal", "-shm"):
        Path(str(database) + suffix).unlink(missing_ok=True)
    tmp.replace(database)
    return keep
