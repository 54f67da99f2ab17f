"""Serial barcode scanners (pyserial) on a device thread.

The scanner sends `code + suffix` (CR, LF or CRLF, programmable on the scanner).  We return raw
strings; classifying them is the domain's job (pos_app/domain/codes.py).  Line noise, bytes that
are not text, and over-long lines are dropped with a count, never raised into the till.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from drivers.common.errors import DeviceUnavailable
from drivers.common.uri import DeviceUri, parse_uri

if TYPE_CHECKING:
    import serial

MAX_CODE = 512


class LineSplitter:
    """Bytes in, codes out.  Pure: used by the thread below and by tests."""

    def __init__(
        self, suffix: bytes = b"\r", max_length: int = MAX_CODE, encoding: str = "utf-8"
    ) -> None:
        if suffix not in (b"\r", b"\n", b"\r\n"):
            raise ValueError("scanner suffix must be CR, LF or CRLF")
        self.max_length = max_length
        self.encoding = encoding
        self._buf = bytearray()
        self._overflow = False
        self.dropped = 0

    def feed(self, data: bytes) -> list[str]:
        codes: list[str] = []
        for b in data:
            if b in (0x0D, 0x0A):
                # CR, LF and CRLF all end a code; an empty line (the LF of CRLF) is skipped.
                if self._overflow:
                    self._overflow = False
                elif self._buf:
                    code = self._decode(bytes(self._buf))
                    if code is not None:
                        codes.append(code)
                self._buf.clear()
                continue
            if self._overflow:
                continue  # the rest of an over-long line: drop it up to its end
            if len(self._buf) >= self.max_length:
                self._buf.clear()
                self._overflow = True
                self.dropped += 1
                continue
            self._buf.append(b)
        return codes

    def _decode(self, raw: bytes) -> str | None:
        raw = raw.strip(b"\x02\x03\x00 \t")  # STX/ETX framing and padding some scanners add
        try:
            text = raw.decode(self.encoding)
        except UnicodeDecodeError:
            self.dropped += 1
            return None
        if not text or not text.isprintable():
            self.dropped += 1
            return None
        return text


class SerialScanner:
    """Reads a serial scanner on its own thread and calls `on_code(str)` per scan."""

    def __init__(
        self,
        uri: DeviceUri | str,
        on_code: Callable[[str], None],
        *,
        suffix: bytes = b"\r",
        on_error: Callable[[Exception], None] | None = None,
        reconnect_s: float = 2.0,
    ) -> None:
        self.uri = parse_uri(uri, "scanner") if isinstance(uri, str) else uri
        self.on_code = on_code
        self.on_error = on_error
        self.splitter = LineSplitter(suffix)
        self.reconnect_s = reconnect_s
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._port: serial.Serial | None = None
        self.connected = threading.Event()

    def open(self) -> None:
        import serial

        try:
            self._port = serial.Serial(self.uri.path, baudrate=self.uri.baudrate, timeout=0.2)
        except (serial.SerialException, OSError, ValueError) as err:
            raise DeviceUnavailable(f"{self.uri.text}: {err}", reason="not_found") from err
        self.connected.set()

    def start(self) -> None:
        if self._thread is None:
            self._stop.clear()
            self._thread = threading.Thread(
                target=self._run, name=f"scanner:{self.uri.path}", daemon=True
            )
            self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            if self._port is None:
                try:
                    self.open()
                except DeviceUnavailable as err:
                    self._report(err)
                    self._stop.wait(self.reconnect_s)
                    continue
            port = self._port
            if port is None:  # stop() closed it just now: the loop ends
                continue
            try:
                data = port.read(256)
            except Exception as err:  # unplugged: report, close, retry
                self._report(DeviceUnavailable(f"{self.uri.text}: {err}", reason="disconnected"))
                self._close_port()
                self._stop.wait(self.reconnect_s)
                continue
            for code in self.splitter.feed(data or b""):
                try:
                    self.on_code(code)
                except Exception as err:  # a bad handler must not kill the reader
                    self._report(err)

    def _report(self, err: Exception) -> None:
        if self.on_error is not None:
            with contextlib.suppress(Exception):
                self.on_error(err)

    def _close_port(self) -> None:
        port, self._port = self._port, None
        self.connected.clear()
        if port is not None:
            with contextlib.suppress(Exception):
                port.close()

    def stop(self, timeout: float = 2.0) -> None:
        self._stop.set()
        thread, self._thread = self._thread, None
        if thread is not None:
            thread.join(timeout)
        self._close_port()


def wait_until(pred: Callable[[], bool], timeout: float) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if pred():
            return True
        time.sleep(0.01)
    return pred()
