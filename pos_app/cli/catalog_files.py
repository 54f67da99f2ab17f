"""The files of `guitai catalog import`: the CSV file read in passes, the rejects file written."""

from __future__ import annotations

import contextlib
import csv
import functools
import os
from collections.abc import Iterable, Iterator
from pathlib import Path

from pos_app.domain.errors import GuitaiError
from pos_app.services.catalog_import import ImportResult
from pos_app.services.csv_encoding import ByteSource, LineSource

CHUNK = 1 << 20


def file_bytes(path: Path) -> ByteSource:
    @contextlib.contextmanager
    def chunks() -> Iterator[Iterable[bytes]]:
        with path.open("rb") as fh:
            yield iter(functools.partial(fh.read, CHUNK), b"")

    return chunks


def file_lines(path: Path, codec: str) -> LineSource:
    # newline="": line breaks inside quoted cells reach the csv reader as they are.
    return lambda: path.open(encoding=codec, newline="")


def write_rejects(path: Path, result: ImportResult) -> None:
    """The rejected rows with their line and reasons, in UTF-8 with BOM whatever the input's
    encoding: the reasons are Chinese and English, which Big5 or Latin-1 cannot hold, and
    the BOM makes Excel open it as UTF-8.  Written beside and then renamed, so a failure
    leaves no half-written file."""
    partial = path.with_name(path.name + ".partial")
    try:
        with partial.open("w", encoding="utf-8-sig", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(["line", "reason", "reason_zh", *result.header])
            for r in result.rejects:
                writer.writerow([r.line, r.reason, r.reason_zh, *r.cells])
        os.replace(partial, path)
    except OSError as err:
        with contextlib.suppress(OSError):
            partial.unlink()
        raise GuitaiError(
            f"Could not write the rejects file {path} ({err.strerror or err}): nothing was "
            "imported; make the folder writable or move the CSV file to one that is, then run "
            "the import again",
            f"无法写入错误行文件 {path}（{err.strerror or err}）：未导入任何商品；请让该文件夹"
            "可写，或把 CSV 文件移到可写的文件夹后重新导入",
        ) from err
