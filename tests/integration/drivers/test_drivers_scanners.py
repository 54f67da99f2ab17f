"""Scanners: the keyboard-wedge decoder (bursts, typing, prefix/suffix, truncation), serial
scanners over a pseudo-terminal (CR/LF/CRLF, noise), and every code kind classified."""

from __future__ import annotations

import threading

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from drivers.scanner.driver import LineSplitter, SerialScanner, wait_until
from drivers.scanner.emulator import VirtualScanner
from pos_app.domain.wedge import BadScan, Scan, Typed, WedgeDecoder


def keys(text: str, start: int, gap: int) -> list[tuple[str, int]]:
    return [(ch, start + i * gap) for i, ch in enumerate(text)]


def run(dec: WedgeDecoder, events: list[tuple[str, int]], end: int | None = None) -> list:
    out = []
    for text, at in events:
        out += dec.feed(text, at)
    last = events[-1][1] if events else 0
    out += dec.flush(end if end is not None else last + 10_000)
    return out


def typed_text(out: list) -> str:
    return "".join(o.text for o in out if isinstance(o, Typed))


def test_a_burst_with_enter_is_a_scan() -> None:
    out = run(WedgeDecoder(), keys("6901234567892\r", 0, 8))
    assert out == [Scan("6901234567892", 104)]


def test_typing_passes_through_untouched() -> None:
    out = run(WedgeDecoder(), keys("1234\r", 0, 150))
    assert typed_text(out) == "1234\r" and not any(isinstance(o, Scan) for o in out)


def test_burst_interleaved_with_typing() -> None:
    events = keys("ab", 0, 200) + keys("6901234567892\r", 600, 5) + keys("cd", 1000, 180)
    out = run(WedgeDecoder(), events)
    assert [o for o in out if isinstance(o, Scan)] == [Scan("6901234567892", 665)]
    assert typed_text(out) == "abcd"


def test_person_types_right_before_the_burst() -> None:
    # "x" 60 ms before a burst is not part of it (gap > 40 ms): nothing lost, nothing merged.
    events = [("x", 0), *keys("12345678\r", 60, 4)]
    out = run(WedgeDecoder(), events)
    assert out == [Typed("x"), Scan("12345678", 92)]


def test_truncated_burst_is_a_bad_scan_not_text() -> None:
    out = run(WedgeDecoder(), keys("690123", 0, 5))
    assert out == [BadScan("690123", "no_suffix")]


def test_scanner_without_suffix() -> None:
    out = run(WedgeDecoder(require_suffix=False), keys("6901234567892", 0, 5))
    assert out == [Scan("6901234567892", 60)]


def test_prefix_and_suffix_framing() -> None:
    dec = WedgeDecoder(prefix="\x02", suffix="\x03")
    # A framed scan can be slow (Bluetooth scanners batch keys) and still be a scan.
    events = [("a", 0), ("\x02", 500), *keys("QP-2026-001", 510, 60), ("\x03", 1300)]
    out = run(dec, events)
    assert out == [Typed("a"), Scan("QP-2026-001", 1300)]
    # A framed scan that never ends is reported after the timeout.
    dec = WedgeDecoder(prefix="\x02", suffix="\x03", prefix_timeout_ms=1000)
    assert run(dec, [("\x02", 0), ("1", 5)], end=5000) == [BadScan("1", "timeout")]


def test_next_deadline_tells_the_ui_when_to_flush() -> None:
    dec = WedgeDecoder(max_gap_ms=40)
    assert dec.next_deadline() is None
    dec.feed("a", 100)
    assert dec.next_deadline() == 141
    assert dec.flush(120) == [] and dec.flush(141) == [Typed("a")]


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(st.text(alphabet="0123456789abcXYZ-", min_size=1, max_size=20), st.booleans()),
        max_size=8,
    )
)
def test_no_key_is_ever_lost(chunks: list[tuple[str, bool]]) -> None:
    """Whatever mix of slow typing and fast bursts, every key comes back exactly once."""
    dec = WedgeDecoder()
    events: list[tuple[str, int]] = []
    t = 0
    for text, fast in chunks:
        t += 500
        gap = 5 if fast else 120
        events += keys(text + ("\r" if fast else ""), t, gap)
        t = events[-1][1]
    out = run(dec, events) if events else []
    got = ""
    for o in out:
        got += o.code + "\r" if isinstance(o, Scan) else o.text
    assert got.replace("\r", "") == "".join(text for text, _ in chunks)


def test_line_splitter_endings_noise_and_overflow() -> None:
    sp = LineSplitter(max_length=20)
    assert sp.feed(b"6901234567892\r\n") == ["6901234567892"]
    assert sp.feed(b"12345") == [] and sp.feed(b"678\n") == ["12345678"]
    assert sp.feed(b"\x02STX-ETX\x03\r") == ["STX-ETX"]
    assert sp.feed(b"\xff\xfe\x80\r") == [] and sp.dropped == 1
    assert sp.feed(b"9" * 50 + b"\rOK1\r") == ["OK1"]
    assert sp.dropped >= 2


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=300))
def test_random_serial_noise_never_crashes(noise: bytes) -> None:
    for code in LineSplitter().feed(noise):
        assert code.isprintable()


@pytest.mark.parametrize("suffix", ["CR", "LF", "CRLF"])
def test_serial_scanner_over_a_pty(suffix: str) -> None:
    got: list[str] = []
    lock = threading.Lock()

    def on_code(code: str) -> None:
        with lock:
            got.append(code)

    codes = ["6901234567892", "134567890123456789", "HTTPS://R.EXAMPLE.COM/R/ABC"]
    with VirtualScanner(suffix=suffix) as vs:
        scanner = SerialScanner(f"serial://{vs.device}?baud=9600", on_code)
        scanner.start()
        try:
            assert scanner.connected.wait(5)
            vs.send(b"\x00\xff\xfe garbage \x81\r")  # line noise before the first scan
            for code in codes:
                vs.scan(code)
            assert wait_until(lambda: len(got) >= 3, 5)
        finally:
            scanner.stop()
    assert got[-3:] == codes


def test_unplugged_serial_scanner_reports_and_does_not_crash() -> None:
    errors: list[Exception] = []
    scanner = SerialScanner(
        "serial:///dev/no-such-scanner", lambda c: None, on_error=errors.append, reconnect_s=0.05
    )
    scanner.start()
    try:
        assert wait_until(lambda: len(errors) >= 1, 5)
    finally:
        scanner.stop()
    assert errors[0].reason == "not_found"
