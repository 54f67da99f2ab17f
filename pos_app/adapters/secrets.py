"""Provider credentials (the WeChat Pay API key…) sealed with AES-GCM before they reach the
database.  The key that seals them is a file in the till's keys folder (0700, file 0600), next
to the signing key and the PIN pepper; the database, its WAL and every backup hold only the
sealed form, so a copied `till.db` or a backup on a USB stick gives no credential away.

Restoring onto a new PC therefore needs the keys folder too, as it already does for the
signing key and the pepper (docs/operations.md)."""

from __future__ import annotations

import base64
import os
import sqlite3
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from pos_app.domain.errors import StateError

from .keys import write_secret

PREFIX = "sealed:v1:"
_NONCE = 12


def key_file_for(database: Path) -> Path:
    """The sealing key of the till whose database is `database` (config.Paths' layout)."""
    return database.parent / "keys" / "secrets.key"


def database_file(conn: sqlite3.Connection) -> Path | None:
    path = getattr(conn, "path", None)
    if not isinstance(path, str):
        rows = conn.execute("PRAGMA database_list").fetchall()
        path = next((str(f or "") for _s, name, f in rows if name == "main"), "")
    if not path or path == ":memory:" or path.startswith("file::memory:"):
        return None
    return Path(path)


def is_sealed(value: object) -> bool:
    return isinstance(value, str) and value.startswith(PREFIX)


class SecretBox:
    """Seal and open short secrets; `context` (provider and field) is bound to each sealed
    value, so a sealed key copied into another field does not open."""

    def __init__(self, key_file: Path) -> None:
        self.key_file = key_file
        self._key: bytes | None = None

    @classmethod
    def for_connection(cls, conn: sqlite3.Connection) -> SecretBox:
        db = database_file(conn)
        if db is None:
            raise StateError(
                "Credentials can only be kept for a till database on disk",
                "只有磁盘上的收银数据库才能保存支付凭据",
            )
        return cls(key_file_for(db))

    def _aead(self, *, create: bool) -> AESGCM:
        if self._key is None:
            if not self.key_file.exists():
                if not create:
                    raise StateError(
                        f"The key that opens the stored payment credentials ({self.key_file}) "
                        "is missing: restore the keys folder from backup, or configure the "
                        "provider again with `guitai payments configure`",
                        f"缺少解密支付凭据的密钥文件 {self.key_file}：请从备份恢复 keys 目录，"
                        "或用 guitai payments configure 重新配置",
                    )
                try:
                    write_secret(self.key_file, AESGCM.generate_key(bit_length=256))
                except FileExistsError:
                    pass  # another process made it first: use theirs
            self._key = self.key_file.read_bytes()
        return AESGCM(self._key)

    def seal(self, plain: str, context: str) -> str:
        aead = self._aead(create=True)
        nonce = os.urandom(_NONCE)
        sealed = aead.encrypt(nonce, plain.encode(), context.encode())
        return PREFIX + base64.b64encode(nonce + sealed).decode()

    def open(self, value: str, context: str) -> str:
        raw = base64.b64decode(value[len(PREFIX) :])
        aead = self._aead(create=False)
        try:
            plain = aead.decrypt(raw[:_NONCE], raw[_NONCE:], context.encode())
        except InvalidTag as err:
            raise StateError(
                f"The stored {context} does not open with {self.key_file} (a keys folder from "
                "another till?): configure the provider again with `guitai payments configure`",
                f"保存的 {context} 无法用 {self.key_file} 解开（keys 目录来自其他收银台？）："
                "请用 guitai payments configure 重新配置",
            ) from err
        return plain.decode()
