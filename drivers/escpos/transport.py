"""Byte transports to ESC/POS printers, built on python-escpos 3.1's printer classes.

We use python-escpos for opening and writing, and wrap it where 3.1 is unsafe for a till
(../shared/reference/hardware-notes.md §1.2, §1.9):
  * `Usb(timeout=0)` means *no timeout* in libusb: a stalled printer blocks forever.  We always
    pass a finite timeout and read with our own timeout too.
  * `Usb.open()` calls `device.reset()` after `set_configuration()`; a reset re-enumerates some
    printers and throws away what they buffered, so we skip it.
  * Endpoints differ per model (0x81/0x02, 0x84/0x03 …): they come from the URI.
  * `Network(timeout=60)` blocks a status read for a minute on a silent printer; we set short
    read timeouts per call.
  * `File` opens write-only in 3.1; we open read-write when the device allows so DLE EOT
    replies from /dev/usb/lp0 (or a pty) can be read.
Every transport error becomes DeviceUnavailable so callers handle one thing.
"""

from __future__ import annotations

import contextlib
import os
import select
import socket
import time
from abc import ABC, abstractmethod
from typing import Any

from drivers.common.errors import DeviceUnavailable
from drivers.common.uri import DeviceUri

WRITE_CHUNK = 4096


class Transport(ABC):
    """open / write / read_byte(timeout) / drain / close over one escpos printer object."""

    def __init__(self, uri: DeviceUri) -> None:
        self.uri = uri
        self.printer: Any = None  # the python-escpos printer object (Escpos subclass)

    # -- to implement ---------------------------------------------------------------------
    @abstractmethod
    def _make(self) -> Any:
        """The python-escpos printer object for this URI."""

    @abstractmethod
    def _read_some(self, timeout: float) -> bytes:
        """Whatever the printer sent within `timeout` seconds (b"" for none)."""

    # -- common -----------------------------------------------------------------------------
    @property
    def is_open(self) -> bool:
        return self.printer is not None

    def open(self) -> None:
        if self.printer is not None:
            return
        printer = self._make()
        try:
            printer.open()
        except Exception as err:  # escpos wraps USBError/SerialException/OSError differently
            raise _unavailable(self.uri, err) from err
        if getattr(printer, "device", None) in (None, False):
            raise DeviceUnavailable(f"{self.uri.text}: could not be opened", reason="not_found")
        self.printer = printer

    def write(self, data: bytes) -> None:
        self.open()
        try:
            for i in range(0, len(data), WRITE_CHUNK):
                self.printer._raw(data[i : i + WRITE_CHUNK])
        except Exception as err:
            self.close()
            raise _unavailable(self.uri, err, default="disconnected") from err

    def read_byte(self, timeout: float) -> int | None:
        """One byte, or None if nothing arrives within `timeout` seconds."""
        self.open()
        try:
            data = self._read_some(timeout)
        except Exception as err:
            self.close()
            raise _unavailable(self.uri, err, default="disconnected") from err
        return data[0] if data else None

    def drain(self) -> bytes:
        """Throw away stale input (a late reply, ASB pushes, line noise) before asking."""
        junk = b""
        for _ in range(64):
            chunk = self.read_some_nowait()
            if not chunk:
                break
            junk += chunk
        return junk

    def read_some_nowait(self) -> bytes:
        try:
            return self._read_some(0.0)
        except Exception as err:
            self.close()
            raise _unavailable(self.uri, err, default="disconnected") from err

    def close(self) -> None:
        printer, self.printer = self.printer, None
        if printer is not None:
            with contextlib.suppress(Exception):
                printer.close()


def _unavailable(
    uri: DeviceUri, err: BaseException, default: str = "not_found"
) -> DeviceUnavailable:
    text = str(err).strip() or type(err).__name__
    low = text.lower()
    reason = default
    if "permission" in low or "access denied" in low or isinstance(err, PermissionError):
        reason = "permission"
    elif "no backend" in low:
        reason = "no_backend"
    elif "timed out" in low or isinstance(err, (TimeoutError, socket.timeout)):
        reason = "timeout"
    elif isinstance(err, (ConnectionError, BrokenPipeError)):
        reason = "disconnected"
    return DeviceUnavailable(f"{uri.text}: {text}", reason=reason)


class TcpTransport(Transport):
    def _make(self) -> Any:
        from escpos.printer import Network

        connect_timeout = self.uri.float_param("timeout", 5.0, 0.1, 120.0)

        # python-escpos ships no type hints: its classes are Any to mypy (subclassing Any).
        class ClosingNetwork(Network):  # type: ignore[misc]
            device: socket.socket | None

            def open(self, raise_not_found: bool = True) -> None:
                # 3.1 leaks the socket when connect() fails (it only drops the reference).
                try:
                    sock = socket.create_connection((self.host, self.port), self.timeout)
                    # Status questions are 3-byte writes: without NODELAY, Nagle holds each
                    # one back for the ACK of the job (~40 ms per question, measured).
                    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                    self.device = sock
                except OSError as err:
                    self.device = None
                    from escpos.exceptions import DeviceNotFoundError

                    raise DeviceNotFoundError(f"{self.host}:{self.port}: {err}") from err

        return ClosingNetwork(host=self.uri.host, port=self.uri.port, timeout=connect_timeout)

    def write(self, data: bytes) -> None:
        self.open()
        # A slow printer (serial-to-network boxes) drains at its baud rate: allow time per byte.
        self.printer.device.settimeout(self.uri.float_param("write_timeout", 30.0, 0.1, 600.0))
        super().write(data)

    def _read_some(self, timeout: float) -> bytes:
        sock: socket.socket = self.printer.device
        ready, _, _ = select.select([sock], [], [], timeout)
        if not ready:
            return b""
        data = sock.recv(16)
        if not data:
            raise ConnectionResetError("the printer closed the connection")
        return data


class SerialTransport(Transport):
    def _make(self) -> Any:
        from escpos.printer import Serial

        # escpos Serial uses serial.Serial (not serial_for_url), so only real paths work.
        return Serial(
            devfile=self.uri.path,
            baudrate=self.uri.baudrate,
            timeout=self.uri.float_param("timeout", 1.0, 0.0, 60.0),
            dsrdtr=self.uri.params.get("dsrdtr", "0") not in ("0", "false", "no"),
            xonxoff=self.uri.params.get("xonxoff", "0") not in ("0", "false", "no"),
        )

    def open(self) -> None:
        super().open()
        # A printer holding DSR/XOFF would block a write forever: bound it.
        self.printer.device.write_timeout = self.uri.float_param("write_timeout", 30.0, 0.1, 600.0)

    def _read_some(self, timeout: float) -> bytes:
        dev = self.printer.device
        if timeout <= 0:
            n = dev.in_waiting
            return dev.read(min(n, 16)) if n else b""
        dev.timeout = timeout
        data: bytes = dev.read(1)  # pyserial's Serial, reached through untyped python-escpos
        return data


class _ReadWriteFile:
    """python-escpos File opens "wb"; we want replies too (usblp and ptys answer DLE EOT)."""

    def __new__(cls, devfile: str) -> Any:
        from escpos.printer import File

        class RwFile(File):  # type: ignore[misc]  # untyped python-escpos base class
            def open(self, raise_not_found: bool = True) -> None:
                try:
                    fd = os.open(self.devfile, os.O_RDWR | os.O_NOCTTY)
                    self.readable = True
                except OSError:
                    try:
                        fd = os.open(self.devfile, os.O_WRONLY | os.O_NOCTTY)
                    except OSError as err:
                        from escpos.exceptions import DeviceNotFoundError

                        raise DeviceNotFoundError(f"{self.devfile}: {err}") from err
                    self.readable = False
                self.fd = fd
                self.device = os.fdopen(fd, "wb", buffering=0, closefd=True)

        return RwFile(devfile=devfile)


class FileTransport(Transport):
    def _make(self) -> Any:
        return _ReadWriteFile(self.uri.path or "")

    def write(self, data: bytes) -> None:
        # usblp blocks a write to a switched-off printer indefinitely: write non-blocking
        # with our own deadline instead of through the file object.
        self.open()
        fd = self.printer.fd
        deadline = time.monotonic() + self.uri.float_param("write_timeout", 30.0, 0.1, 600.0)
        view = memoryview(data)
        try:
            os.set_blocking(fd, False)
            while view:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError("the printer accepts no data (write timed out)")
                _, ready, _ = select.select([], [fd], [], left)
                if not ready:
                    continue
                try:
                    n = os.write(fd, view[:WRITE_CHUNK])
                except BlockingIOError:
                    continue
                view = view[n:]
        except OSError as err:
            self.close()
            raise _unavailable(self.uri, err, default="disconnected") from err

    def _read_some(self, timeout: float) -> bytes:
        if not getattr(self.printer, "readable", False):
            return b""
        fd = self.printer.fd
        ready, _, _ = select.select([fd], [], [], timeout)
        if not ready:
            return b""
        return os.read(fd, 16)


class UsbTransport(Transport):
    def _make(self) -> Any:
        from escpos.printer import Usb

        timeout_ms = int(self.uri.float_param("timeout", 5.0, 0.1, 120.0) * 1000)

        class NoResetUsb(Usb):  # type: ignore[misc]  # untyped python-escpos base class
            def _configure_usb(self) -> None:
                # 3.1 calls device.reset() here: skip it (see module docstring).
                if not self.device:
                    return
                import usb.core

                try:
                    self.device.set_configuration()
                except usb.core.USBError as err:
                    # Errno 16 "Resource busy": usblp or CUPS holds the interface.
                    raise usb.core.USBError(
                        f"{err}: the usblp kernel driver or CUPS holds the printer; "
                        "blacklist usblp or use file:///dev/usb/lp0"
                    ) from err

        return NoResetUsb(
            idVendor=self.uri.vendor_id,
            idProduct=self.uri.product_id,
            timeout=timeout_ms,  # finite: libusb treats 0 as "wait forever"
            in_ep=self.uri.int_param("in_ep", 0x82, 0x81, 0x8F),
            out_ep=self.uri.int_param("out_ep", 0x01, 0x01, 0x0F),
        )

    def _read_some(self, timeout: float) -> bytes:
        import usb.core

        ms = max(1, int(timeout * 1000))
        try:
            return bytes(self.printer.device.read(self.printer.in_ep, 16, ms))
        except usb.core.USBTimeoutError:
            return b""


def make_transport(uri: DeviceUri) -> Transport:
    classes: dict[str, type[Transport]] = {
        "tcp": TcpTransport,
        "serial": SerialTransport,
        "file": FileTransport,
        "usb": UsbTransport,
    }
    cls = classes.get(uri.scheme)
    if cls is None:
        raise DeviceUnavailable(f"{uri.text}: not a printer address", reason="bad_uri")
    return cls(uri)


def sleep_bounded(seconds: float) -> None:
    time.sleep(max(0.0, min(seconds, 5.0)))
