"""SQLite's disk errors as errors a person can act on.

A full disk (SQLITE_FULL), a read-only database or file system (SQLITE_READONLY, also when
the file or its folder lost write permission) and an I/O error (SQLITE_IOERR) stop selling:
the transaction is rolled back, nothing is half-written, and the cashier sees what happened
and what to do.  Once space or write access returns the till sells again without a restart.
"""

from __future__ import annotations

import sqlite3

from pos_app.domain.errors import StateError

SQLITE_READONLY = 8
SQLITE_IOERR = 10
SQLITE_FULL = 13


class StorageFull(StateError):
    code = "disk_full"


class StorageReadOnly(StateError):
    code = "database_read_only"


class StorageIOError(StateError):
    code = "disk_io_error"


def storage_error(err: BaseException) -> StateError | None:
    """The GuitaiError for a disk-level SQLite error, or None for any other error."""
    if not isinstance(err, sqlite3.Error):
        return None
    primary = (getattr(err, "sqlite_errorcode", None) or 0) & 0xFF
    text = str(err).lower()
    if primary == SQLITE_FULL or "database or disk is full" in text:
        return StorageFull(
            "The disk is full: the sale was not saved. Free space on the till's disk "
            "(or call support); selling resumes by itself once there is room.",
            "磁盘已满：本笔交易未保存。请清理收银机磁盘空间（或联系技术支持），"
            "有空间后即可继续收银。",
        )
    if primary == SQLITE_READONLY or "readonly database" in text or "read-only" in text:
        return StorageReadOnly(
            "The till's database is read-only: the sale was not saved. Check that the disk "
            "is not write-protected or remounted read-only, then try again.",
            "收银数据库为只读：本笔交易未保存。请检查磁盘是否被写保护或以只读方式挂载，然后重试。",
        )
    if primary == SQLITE_IOERR or "disk i/o error" in text:
        return StorageIOError(
            "The disk reported an I/O error: the sale was not saved. Do not switch off the "
            "till; call support to check the disk.",
            "磁盘读写错误：本笔交易未保存。请勿关机，联系技术支持检查磁盘。",
        )
    return None
