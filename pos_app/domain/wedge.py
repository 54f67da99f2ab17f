"""Keyboard-wedge scanner decoding: pure logic, no Qt (in the domain so the UI may use it;
the UI may not import drivers).

A wedge scanner types its code as a burst of keys a few ms apart, usually ended by Enter
(some are programmed with an STX prefix and ETX suffix).  The UI feeds every key event with
its timestamp (a Qt event filter: `event.text()` and `event.timestamp()`), and gets back scans
and the text a person typed, in order.  No key is ever lost: whatever is not a scan comes back
as typed text.  Keys are held only while they could still be the start of a burst (at most
`max_gap_ms`): the UI calls `flush(now_ms)` from a timer at `next_deadline()`.

Tuning (hardware-notes §3.1): scanners send keys 1–20 ms apart; people rarely type two keys
under ~50 ms apart, and never a dozen in a row.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Scan:
    code: str
    at_ms: int


@dataclass(frozen=True, slots=True)
class Typed:
    text: str


@dataclass(frozen=True, slots=True)
class BadScan:
    """A burst that looked like a scanner but did not end properly (truncated, garbled)."""

    text: str
    reason: str  # no_suffix | timeout | too_long


Output = Scan | Typed | BadScan

SUFFIXES = ("\r", "\n")


class WedgeDecoder:
    def __init__(
        self,
        *,
        max_gap_ms: int = 40,
        min_length: int = 4,
        max_length: int = 512,
        prefix: str = "",
        suffix: str | tuple[str, ...] = SUFFIXES,
        require_suffix: bool = True,
        prefix_timeout_ms: int = 2000,
    ) -> None:
        if max_gap_ms <= 0 or min_length < 1 or max_length < min_length:
            raise ValueError("wedge decoder: need max_gap_ms > 0 and 1 <= min_length <= max_length")
        self.max_gap_ms = max_gap_ms
        self.min_length = min_length
        self.max_length = max_length
        self.prefix = prefix
        self.suffixes = (suffix,) if isinstance(suffix, str) else tuple(suffix)
        self.require_suffix = require_suffix
        self.prefix_timeout_ms = prefix_timeout_ms
        self._buf: list[str] = []
        self._last_ms: int | None = None
        self._in_prefix = False

    # -- public ---------------------------------------------------------------------------------
    def feed(self, text: str, at_ms: int) -> list[Output]:
        """One key event: the text it produces ('' for none) and its time in ms."""
        out: list[Output] = []
        if not text:
            return out
        if self._in_prefix:
            return self._feed_prefixed(text, at_ms)
        out += self.flush(at_ms)
        if self.prefix and text == self.prefix:
            out += self._release_typed()
            self._in_prefix = True
            self._last_ms = at_ms
            return out
        if text in self.suffixes:
            if self._buf and self._burst_ok():
                out.append(Scan("".join(self._buf), at_ms))
                self._reset()
                return out
            out += self._release_typed()
            out.append(Typed(text))
            return out
        if len(text) != 1 or not text.isprintable():
            out += self._release_typed()
            out.append(Typed(text))
            return out
        self._buf.append(text)
        self._last_ms = at_ms
        if len(self._buf) > self.max_length:
            out.append(BadScan("".join(self._buf), "too_long"))
            self._reset()
        return out

    def flush(self, now_ms: int) -> list[Output]:
        """Release keys whose burst has ended (no key within max_gap_ms)."""
        if self._last_ms is None:
            return []
        gap = now_ms - self._last_ms
        if self._in_prefix:
            if gap > self.prefix_timeout_ms:
                text = "".join(self._buf)
                self._reset()
                return [BadScan(text, "timeout")]
            return []
        if gap <= self.max_gap_ms:
            return []
        if not self.require_suffix and len(self._buf) >= self.min_length:
            code = "".join(self._buf)
            at = self._last_ms
            self._reset()
            return [Scan(code, at)]
        if len(self._buf) >= self.min_length:
            text = "".join(self._buf)
            self._reset()
            return [BadScan(text, "no_suffix")]
        return self._release_typed()

    def next_deadline(self) -> int | None:
        """When (ms) the UI should call flush() if no key comes first; None: nothing held."""
        if self._last_ms is None:
            return None
        return self._last_ms + (self.prefix_timeout_ms if self._in_prefix else self.max_gap_ms) + 1

    # -- internals ------------------------------------------------------------------------------
    def _feed_prefixed(self, text: str, at_ms: int) -> list[Output]:
        if self._last_ms is not None and at_ms - self._last_ms > self.prefix_timeout_ms:
            bad = BadScan("".join(self._buf), "timeout")
            self._reset()
            return [bad, *self.feed(text, at_ms)]
        self._last_ms = at_ms
        if text in self.suffixes:
            code = "".join(self._buf)
            self._reset()
            return [Scan(code, at_ms)] if code else [BadScan("", "no_suffix")]
        if text == self.prefix:  # a new scan began before the last one ended
            bad = BadScan("".join(self._buf), "no_suffix")
            self._buf = []
            return [bad]
        self._buf.append(text)
        if len(self._buf) > self.max_length:
            bad = BadScan("".join(self._buf), "too_long")
            self._reset()
            return [bad]
        return []

    def _burst_ok(self) -> bool:
        return len(self._buf) >= self.min_length

    def _release_typed(self) -> list[Output]:
        if not self._buf:
            self._reset()
            return []
        text = "".join(self._buf)
        self._reset()
        return [Typed(text)]

    def _reset(self) -> None:
        self._buf = []
        self._last_ms = None
        self._in_prefix = False
