"""Reading a CSV file in passes: where its lines come from, and which encoding it is in."""

from __future__ import annotations

import codecs
import contextlib
import io
from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager
from dataclasses import dataclass

from pos_app.domain.errors import InvalidInput

# Opens the file afresh for each pass: a context manager over its lines (newline="" kept) or
# over chunks of its bytes.
LineSource = Callable[[], AbstractContextManager[Iterable[str]]]
ByteSource = Callable[[], AbstractContextManager[Iterable[bytes]]]


def text_source(text: str) -> LineSource:
    """A LineSource over text already in memory (tests, the fuzzer)."""
    return lambda: contextlib.nullcontext(io.StringIO(text, newline=""))


@dataclass(frozen=True)
class Encoding:
    codec: str  # what to open the file with
    name: str  # what to report: "utf-8" also for a file with a BOM
    lines: int  # line breaks in the file (for a progress bar)


def sniff_encoding(source: ByteSource, encoding: str | None = None) -> Encoding:
    """The file's encoding: `encoding` if given, else UTF-8 (with or without BOM), else
    GB18030.  The whole file is decoded here, chunk by chunk, so a bad byte is reported
    before anything is checked or written."""
    # Excel on Chinese Windows saves "CSV" in the ANSI code page, GBK; GB18030 is its superset.
    candidates = [(encoding, encoding)] if encoding else [("utf-8-sig", "utf-8"), ("gb18030",) * 2]
    failure = ""
    for codec, name in candidates:
        try:
            decoder = codecs.getincrementaldecoder(codec)()
        except LookupError as err:
            raise InvalidInput(
                f"Unknown encoding {codec} ({err}): check --encoding (e.g. gb18030, big5, "
                "latin-1, utf-8)",
                f"未知的编码 {codec}（{err}）：请检查 --encoding（例如 gb18030、big5、latin-1、utf-8）",
            ) from err
        lines = offset = 0
        try:
            with source() as chunks:
                for chunk in chunks:
                    decoder.decode(chunk)
                    lines += chunk.count(b"\n")
                    offset += len(chunk)
                decoder.decode(b"", final=True)
                # CPython's utf-8-sig decoder keeps a lone BOM prefix (b"\xef", b"\xef\xbb")
                # buffered even when told the input is final, so it never fails there.
                if decoder.getstate()[0]:
                    raise UnicodeDecodeError(codec, b"", 0, 1, "truncated data at the end")
        except UnicodeDecodeError as err:
            failure = f"byte {offset + err.start:,}: {err.reason}"
            continue
        return Encoding(codec, name, lines)
    if encoding:
        raise InvalidInput(
            f"The file is not readable as {encoding} ({failure}): check --encoding",
            f"无法按 {encoding} 读取文件（{failure}）：请检查 --encoding",
        )
    raise InvalidInput(
        "The file is neither UTF-8 nor GB18030: save it as CSV UTF-8, or pass --encoding",
        "文件既不是 UTF-8 也不是 GB18030 编码：请另存为“CSV UTF-8”，或用 --encoding 指定编码",
    )


def decode_catalog_file(data: bytes, encoding: str | None = None) -> tuple[str, str]:
    """The text of a file already in memory and the encoding used (see sniff_encoding)."""
    found = sniff_encoding(lambda: contextlib.nullcontext([data]), encoding)
    return data.decode(found.codec), found.name
