"""Strict CSV records from a stream of lines, each with the line it starts on.

Python's csv reader, left to itself, lets one stray quote swallow the rest of a file into a
single cell, names the line where the damage ends rather than where it starts, and stops the
whole run on a cell over its field limit.  Here a record that reaches the end of the file
inside a quote, spans more than `max_lines` lines or more than `max_chars` characters is one
bad record at the line where it starts, and reading resumes on the line after that one, so
the rows after a typo are still read as rows.
"""

from __future__ import annotations

import csv
import hashlib
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

MAX_RECORD_LINES = 10  # a catalog cell with more line breaks than this is a stray quote
MAX_RECORD_CHARS = 65_536  # well under csv's own field limit (131,072), which aborts the run
MAX_FIELD_CHARS = 1_000  # no catalog value (SKU, name, price, barcodes) comes near this


@dataclass(frozen=True)
class Record:
    line: int  # where the record starts (1 = the header)
    cells: list[str]


@dataclass(frozen=True)
class BadRecord:
    line: int
    reason: str
    reason_zh: str
    cells: tuple[str, ...]  # the first line's cells, as well as they can be read


class _Overlong(Exception):
    """The record being read passed a limit; `lines` says whether it was the line count."""

    def __init__(self, lines: bool) -> None:
        super().__init__()
        self.lines = lines


class _Lines:
    """The lines the csv reader pulls, counted, hashed, and held while one record is read."""

    def __init__(self, source: Iterable[str], max_lines: int, max_chars: int) -> None:
        self.source = iter(source)
        self.max_lines = max_lines
        self.max_chars = max_chars
        self.replay: deque[str] = deque()  # lines to read again after a bad record
        self.number = 0  # the number of the last line handed out
        self.taken: list[str] = []
        self.chars = 0
        self.at_end = False
        self.hash = hashlib.blake2b(digest_size=16)

    def start_record(self) -> None:
        self.taken = []
        self.chars = 0
        self.at_end = False

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        if self.replay:
            text = self.replay.popleft()
        else:
            try:
                text = next(self.source)
            except StopIteration:
                self.at_end = True
                raise
            self.hash.update(text.encode("utf-8", "surrogatepass"))
        if self.taken and (
            len(self.taken) >= self.max_lines or self.chars + len(text) > self.max_chars
        ):
            self.replay.appendleft(text)  # it starts the next attempt, not this record
            raise _Overlong(lines=len(self.taken) >= self.max_lines)
        self.number += 1
        self.taken.append(text)
        self.chars += len(text)
        if self.chars > self.max_chars:
            raise _Overlong(lines=False)
        return text


class RecordReader:
    """Iterate once for Record and BadRecord items in file order; `digest()` then identifies
    the text read, so a second pass can tell whether the file changed in between."""

    def __init__(
        self,
        lines: Iterable[str],
        *,
        max_lines: int = MAX_RECORD_LINES,
        max_chars: int = MAX_RECORD_CHARS,
        max_field: int = MAX_FIELD_CHARS,
    ) -> None:
        self._lines = _Lines(lines, max_lines, max_chars)
        self.max_field = max_field

    def digest(self) -> str:
        return self._lines.hash.hexdigest()

    def __iter__(self) -> Iterator[Record | BadRecord]:
        lines = self._lines
        # strict: a quote inside a quoted cell that is not doubled is an error, not a guess,
        # and the end of the file inside a quote is an error, not the end of the cell.
        reader = csv.reader(lines, strict=True)
        while True:
            lines.start_record()
            start = lines.number + 1
            try:
                cells = next(reader)
            except StopIteration:
                return
            except (csv.Error, _Overlong) as err:
                yield self._bad(start, err, lines.at_end)
                # Only the record's first line is spent: the others are read again as rows.
                lines.replay.extendleft(reversed(lines.taken[1:]))
                lines.number = start
                continue
            long = next((i for i, c in enumerate(cells) if len(c) > self.max_field), None)
            if long is not None:
                yield BadRecord(
                    start,
                    f"field {long + 1} is {len(cells[long]):,} characters long; at most "
                    f"{self.max_field:,} are allowed: check for a stray quote",
                    f"第 {long + 1} 个字段长 {len(cells[long]):,} 个字符，最多允许 "
                    f"{self.max_field:,} 个：请检查是否多了引号",
                    self._clip(cells),
                )
                continue
            yield Record(start, cells)

    def _bad(self, start: int, err: Exception, at_end: bool) -> BadRecord:
        lines = self._lines
        cells = self._first_cells(lines.taken[0] if lines.taken else "")
        if isinstance(err, _Overlong) and err.lines:
            return BadRecord(
                start,
                f"a quote opened on line {start} is not closed within {lines.max_lines} lines: "
                "close or remove the quote",
                f"第 {start} 行开始的引号在 {lines.max_lines} 行内没有闭合：请补上或删除该引号",
                cells,
            )
        if isinstance(err, _Overlong):
            return BadRecord(
                start,
                f"the record starting on line {start} is longer than {lines.max_chars:,} "
                "characters: check for a stray quote or a damaged line",
                f"第 {start} 行开始的记录超过 {lines.max_chars:,} 个字符："
                "请检查是否多了引号或该行已损坏",
                cells,
            )
        if at_end:
            return BadRecord(
                start,
                f"a quote opened on line {start} is never closed (the file ends inside it): "
                "close or remove the quote",
                f"第 {start} 行开始的引号直到文件末尾都没有闭合：请补上或删除该引号",
                cells,
            )
        return BadRecord(
            start,
            f"misplaced quote on line {start} ({err}): a cell that contains a quote must be "
            'quoted whole, with the quote doubled, e.g. "12"" pizza"',
            f"第 {start} 行引号位置不对（{err}）：含引号的单元格要整体加引号，"
            '并把其中的引号写两遍，例如 "12"" 寸"',
            cells,
        )

    def _first_cells(self, text: str) -> tuple[str, ...]:
        text = text.rstrip("\r\n")
        try:
            # Lenient on purpose: the cells only help a person find the line in the rejects file.
            cells = next(csv.reader([text[: self._lines.max_chars]]), [])
        except csv.Error:
            cells = [text]
        return self._clip(cells)

    def _clip(self, cells: list[str]) -> tuple[str, ...]:
        return tuple(c if len(c) <= self.max_field else c[: self.max_field] + "…" for c in cells)
