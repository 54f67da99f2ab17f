"""Opening the till's database by the house rules (../shared/ARCHITECTURE.md, SQLite rules).

WAL, synchronous=FULL (an acknowledged sale survives power loss; NORMAL does not), foreign
keys on, a busy timeout, no mmap.  One process owns the database and writes through one
connection; other readers open it read-only.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar, overload

from sqlite_utils import Database

from pos_app.domain.errors import IntegrityError, StateError

from .files import database_files, private_file, restrict
from .migrations import KNOWN, migrations
from .writer_thread import DbThread

_C = TypeVar("_C", bound=sqlite3.Cursor)

# The WAL-reset corruption bug affects SQLite 3.7.0 to 3.51.2 (fixed in 3.51.3).  It needs two
# connections writing or checkpointing at once, which our one-writer rule prevents; we still
# report the engine version so diagnostics can warn.
SAFE_SQLITE = (3, 51, 3)


def sqlite_version() -> tuple[int, int, int]:
    major, minor, patch = (int(x) for x in sqlite3.sqlite_version.split(".")[:3])
    return major, minor, patch


def sqlite_warning() -> str | None:
    """What an engine older than 3.51.3 means for this till, for a person who cannot
    change it: the version, that the bug does not apply, and that nothing is to be done."""
    note = sqlite_note()
    return None if note is None else note[0]


def sqlite_note() -> tuple[str, str] | None:
    """sqlite_warning() in English and Chinese."""
    if sqlite_version() >= SAFE_SQLITE:
        return None
    v = sqlite3.sqlite_version
    return (
        f"SQLite {v} is older than 3.51.3, the release that fixes the WAL-reset bug. That bug "
        "can damage a database only when two connections write to it at the same time; this "
        "till writes through one connection, so it is handled. No action is needed (a newer "
        "SQLite comes with an operating-system update).",
        f"SQLite {v} 低于修复了 WAL 重置缺陷的 3.51.3 版。该缺陷只有在两个连接同时写入同一"
        "数据库时才可能损坏数据；本收银机只通过一个连接写入，已规避此问题。无需任何操作"
        "（操作系统更新时会带来新版 SQLite）。",
    )


# At start we check the tables that hold money: their size grows with sales, not with the
# catalog, so start-up stays as fast at 500,000 SKUs as at 5,000.  The whole file is checked
# on every backup (before each Z close), see backup.py.
MONEY_TABLES = (
    "settings",
    "users",
    "shifts",
    "sales",
    "sale_lines",
    "payments",
    "journal",
    "outbox",
    "cash_moves",
    "voids",
    "audit",
)


def quick_check(conn: sqlite3.Connection) -> str:
    have = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    if not have & set(MONEY_TABLES):
        return str(conn.execute("PRAGMA quick_check").fetchone()[0])
    for table in MONEY_TABLES:
        if table in have:
            result = str(conn.execute(f"PRAGMA quick_check({table})").fetchone()[0])
            if result != "ok":
                return f"{table}: {result}"
    return "ok"


@dataclass
class OpenDatabase:
    path: Path
    conn: sqlite3.Connection
    db: Database

    @property
    def thread(self) -> DbThread:
        thread: DbThread = self.conn.thread  # type: ignore[attr-defined]
        return thread

    def start_thread(self) -> DbThread:
        """From now on every statement on this connection runs on its database thread."""
        self.thread.start()
        return self.thread

    def close(self) -> None:
        """Close the connection on its thread, then end the thread."""
        thread = self.thread
        thread.call(self.conn.close)
        thread.close()


_execute = sqlite3.Connection.execute
# Rows written since the last checkpoint before an idle moment copies them (a sale writes
# ~15-20 rows, ~35 pages): a checkpoint ends with an fsync of the database file, so one per
# handful of sales rather than one per sale, and still far below the 1,000 WAL pages at which
# SQLite would checkpoint inside a COMMIT.
CHECKPOINT_CHANGES = 100
get_ident = threading.get_ident


class GuitaiConnection(sqlite3.Connection):
    """The till's one writing connection and its database thread (writer_thread.DbThread):
    once that thread is started, a statement from any other thread is refused (WrongThread),
    so no device, sync or scheduler thread can run a statement beside a sale's transaction."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.thread = DbThread(busy=lambda: self.in_transaction)
        self.thread.idle = self.checkpoint_if_written
        self._checkpointed_at = 0  # total_changes: nothing written yet, nothing to copy
        # The open unit of work's transaction and savepoints (adapters/db/unit_of_work.py),
        # kept with the connection so every SqliteUnitOfWork on it nests into the same one.
        self.uow_frames: list[Any] = []
        # The file, for helpers that open a connection of their own (the backup's reader):
        # asking this connection (PRAGMA database_list) from another thread would run a
        # statement beside a sale's transaction, whose COMMIT then fails ("SQL statements
        # in progress").
        self.path = str(args[0] if args else kwargs.get("database", ""))

    def use_thread(self, thread: DbThread) -> None:
        """Serve this connection from a database thread that already runs (the CLI's, on
        which its command runs) instead of one of its own."""
        thread.watch(lambda: self.in_transaction)
        thread.idle = self.checkpoint_if_written
        self.thread = thread

    def checkpoint_if_written(self) -> None:
        """Copy what was committed since the last time from the WAL into the database, at the
        database thread's idle time (writer_thread.IDLE_S).  SQLite's own checkpoint (every
        1,000 WAL pages) would otherwise run inside a COMMIT: a sale writes ~35 pages, so
        about one sale in thirty paid for copying the thirty before it.  PASSIVE: it never
        waits for a reader.  Durability does not depend on it (a committed transaction is
        already in the synced WAL); the automatic checkpoint stays for a connection without
        a running thread."""
        try:
            written = self.total_changes
            if written - self._checkpointed_at < CHECKPOINT_CHANGES or self.in_transaction:
                return
            busy, log, copied = _execute(self, "PRAGMA wal_checkpoint(PASSIVE)").fetchone()
            self._checkpointed_at = written
            if busy == 0 and 0 < log == copied:
                self._restart_wal()
        except sqlite3.Error:  # closed meanwhile, or a reader's lock: the next idle retries
            return

    def _restart_wal(self) -> None:
        """Start the WAL over now, once every frame is in the database.  Its next writer
        would: SQLite then writes a new WAL header and, at synchronous=FULL, syncs it before
        the transaction's own frames (sqlite3WalFrames), a second fsync inside that COMMIT.
        One sale in every checkpoint's worth (about one in seven) paid it: strace showed its
        two fdatasyncs, in the sales' slowest seventh (issue 17).  Rewriting the
        header's user_version unchanged is the smallest write (one page): it pays that start
        here, in the quiet moment, and the next sale appends to a WAL already begun.  Nothing
        else reads or sets user_version (migrations are recorded in their own table)."""
        version = int(_execute(self, "PRAGMA user_version").fetchone()[0])
        _execute(self, f"PRAGMA user_version = {version}")

    # The entry points through which a statement runs (sqlite-utils and the repositories use
    # these); each checks the thread first.  Cheap: one attribute read and a comparison.
    def execute(self, *args: Any) -> sqlite3.Cursor:
        owner = self.thread.ident
        if owner is not None and owner != get_ident():
            self.thread.check()
        return _execute(self, *args)

    def executemany(self, *args: Any) -> sqlite3.Cursor:
        self.thread.check()
        return super().executemany(*args)

    def executescript(self, *args: Any) -> sqlite3.Cursor:
        self.thread.check()
        return super().executescript(*args)

    @overload
    def cursor(self, factory: None = None) -> sqlite3.Cursor: ...

    @overload
    def cursor(self, factory: Callable[[sqlite3.Connection], _C]) -> _C: ...

    def cursor(
        self, factory: Callable[[sqlite3.Connection], _C] | None = None
    ) -> sqlite3.Cursor | _C:
        self.thread.check()
        return super().cursor() if factory is None else super().cursor(factory)

    def commit(self) -> None:
        self.thread.check()
        super().commit()

    def rollback(self) -> None:
        self.thread.check()
        super().rollback()

    def close(self) -> None:
        self.thread.check()
        super().close()


def _connect(path: Path, readonly: bool) -> sqlite3.Connection:
    if readonly:
        uri = f"file:{path}?mode=ro"
        conn = sqlite3.connect(
            uri, uri=True, isolation_level=None, check_same_thread=False, factory=GuitaiConnection
        )
    else:
        # isolation_level=None: the unit of work issues BEGIN IMMEDIATE itself (unit_of_work.py).
        conn = sqlite3.connect(
            str(path), isolation_level=None, check_same_thread=False, factory=GuitaiConnection
        )
    conn.execute("PRAGMA busy_timeout = 5000")
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA mmap_size = 0")
    if not readonly:
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = FULL")
        # A changed or deleted value (a credential sealed by 0009, a member's old phone) is
        # overwritten in its page instead of lingering in the page's free space; FAST: only
        # where that costs no extra I/O.
        conn.execute("PRAGMA secure_delete = FAST")
    return conn


def open_database(
    path: Path, *, readonly: bool = False, check: bool = True, thread: DbThread | None = None
) -> OpenDatabase:
    """Open (creating if needed, unless read-only) and migrate the till's database.  thread:
    the running database thread to serve it (the CLI's; called on that thread); otherwise the
    connection gets one of its own, started when first asked for."""
    if readonly and not path.exists():
        raise StateError(
            f"No till database at {path}: run `guitai init` first",
            f"{path} 没有收银数据库：请先运行 guitai init",
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    if not readonly:
        private_file(path)  # before SQLite makes it (and its WAL and SHM) with the umask's mode
        for part in database_files(path)[1:]:
            restrict(part)
    try:
        conn = _connect(path, readonly)
        if thread is not None:
            assert isinstance(conn, GuitaiConnection)
            conn.use_thread(thread)
        if check:
            result = quick_check(conn)
            if result != "ok":
                raise IntegrityError(
                    f"The database {path} is damaged ({result}). Stop selling and restore the "
                    "latest backup with `guitai restore FILE`",
                    f"数据库 {path} 已损坏（{result}）。请停止收银，用 guitai restore 恢复最近的备份",
                )
    except sqlite3.DatabaseError as err:
        raise IntegrityError(
            f"{path} cannot be opened as a Guitai database ({err}). Check the path, or restore a "
            "backup with `guitai restore FILE`",
            f"无法打开数据库 {path}（{err}）。请检查路径，或用 guitai restore 恢复备份",
        ) from err
    # No sqlite-utils plugins on the till's connection: none is wanted there, and looking
    # for them scans every installed package's entry points (~40 ms of the till's start).
    db = Database(conn, execute_plugins=False)
    applied = [m.name for m in migrations.applied(db)]
    unknown = [name for name in applied if name not in KNOWN]
    if unknown:
        conn.close()
        raise StateError(
            f"The database {path} was written by a newer Guitai (migrations {', '.join(unknown)}). "
            "Install that version or newer; this program will not touch it",
            f"数据库 {path} 由更新版本的柜台写入，请安装该版本或更新版本后再使用",
        )
    pending = [] if readonly else migrations.pending(db)
    if pending:
        try:
            if applied and _has_sales(conn):
                backup_before_upgrade(conn, path, pending[0].name)
            # Each migration runs in one transaction with its record (sqlite-utils): one that
            # fails leaves the database at the previous step, for a fixed program to continue.
            migrations.apply(db)
            # The pages as they were before the upgrade (plain-text credentials before 0009)
            # would otherwise stay in the WAL file until it is next overwritten.
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        except BaseException:
            conn.close()
            raise
    return OpenDatabase(path=path, conn=conn, db=db)


def _has_sales(conn: sqlite3.Connection) -> bool:
    try:
        return conn.execute("SELECT 1 FROM sales LIMIT 1").fetchone() is not None
    except sqlite3.OperationalError:  # no sales table: nothing to lose
        return False


def backup_before_upgrade(conn: sqlite3.Connection, path: Path, first_pending: str) -> Path:
    """A checked copy in the till's backups folder before a newer program changes the schema of
    a database that holds sales; if it cannot be written, the database is left as it was."""
    from datetime import UTC, datetime

    from .backup import backup

    written = backup(conn, [path.parent / "backups"], datetime.now(UTC), f"before-{first_pending}")
    return written[0]
