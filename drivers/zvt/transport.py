"""ZVT transports: TCP (APDUs as they are) and serial (DLE STX … DLE ETX + CRC-16/KERMIT, ACK/NAK).

hardware-notes §4.1: on TCP (port 20007) APDUs travel with no extra framing.  On serial every DLE
in the APDU is doubled, the frame is `DLE STX` APDU `DLE ETX` CRC, the CRC is CRC-16/KERMIT over
the *unstuffed* APDU plus ETX, sent low byte first, and the receiver answers ACK (06) or NAK (15).
"""

from __future__ import annotations

import os
import select
import socket
import time
from typing import Protocol

from drivers.common.payment_errors import FrameError, TransportError, TransportTimeout

from .apdu import Apdu, apdu_length, decode_apdu

DLE, STX, ETX, ACK, NAK = 0x10, 0x02, 0x03, 0x06, 0x15
MAX_NAK_RETRIES = 3


def crc16_kermit(data: bytes) -> int:
    crc = 0
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0x8408 if crc & 1 else crc >> 1
    return crc


def encode_serial_frame(apdu: bytes) -> bytes:
    crc = crc16_kermit(apdu + bytes([ETX]))
    stuffed = apdu.replace(bytes([DLE]), bytes([DLE, DLE]))
    return bytes([DLE, STX]) + stuffed + bytes([DLE, ETX]) + crc.to_bytes(2, "little")


def decode_serial_frame(frame: bytes) -> bytes:
    """The APDU inside one complete frame; FrameError on bad framing or CRC."""
    if len(frame) < 6 or frame[:2] != bytes([DLE, STX]):
        raise FrameError("serial frame does not start with DLE STX")
    body = bytearray()
    i = 2
    while True:
        if i >= len(frame):
            raise FrameError("serial frame has no DLE ETX")
        b = frame[i]
        if b == DLE:
            if i + 1 >= len(frame):
                raise FrameError("serial frame ends after DLE")
            nxt = frame[i + 1]
            if nxt == DLE:
                body.append(DLE)
                i += 2
                continue
            if nxt == ETX:
                i += 2
                break
            raise FrameError(f"DLE followed by {nxt:02X} inside a frame")
        body.append(b)
        i += 1
    if len(frame) - i != 2:
        raise FrameError(f"serial frame has {len(frame) - i} bytes after DLE ETX, want 2 (CRC)")
    got = int.from_bytes(frame[i : i + 2], "little")
    want = crc16_kermit(bytes(body) + bytes([ETX]))
    if got != want:
        raise FrameError(f"CRC mismatch: got {got:04X}, computed {want:04X}")
    return bytes(body)


class ByteStream(Protocol):
    """What the serial framing needs: pyserial's Serial or a pseudo-terminal file."""

    def read(self, size: int = 1) -> bytes: ...
    def write(self, data: bytes) -> int | None: ...


class FdStream:
    """A file descriptor (a pseudo-terminal end) as a ByteStream with a short read timeout."""

    def __init__(self, fd: int, read_timeout: float = 0.05) -> None:
        self.fd = fd
        self.read_timeout = read_timeout

    def read(self, size: int = 1) -> bytes:
        ready, _, _ = select.select([self.fd], [], [], self.read_timeout)
        if not ready:
            return b""
        try:
            return os.read(self.fd, size)
        except OSError:  # the other end closed: behave like a silent line
            return b""

    def write(self, data: bytes) -> int:
        try:
            return os.write(self.fd, data)
        except OSError as err:
            raise TransportError(f"serial write failed: {err}", sent=True) from err


class Transport(Protocol):
    def send(self, apdu: Apdu) -> None: ...
    def receive(self, timeout: float) -> Apdu: ...
    def close(self) -> None: ...


class TcpTransport:
    """One TCP connection to the terminal; APDUs as they are."""

    def __init__(self, host: str, port: int, *, connect_timeout: float = 5.0) -> None:
        self.host, self.port = host, port
        try:
            self._sock = socket.create_connection((host, port), timeout=connect_timeout)
        except OSError as err:
            raise TransportError(
                f"cannot connect to the terminal at {host}:{port}: {err}", sent=False
            ) from err

    @classmethod
    def from_socket(cls, sock: socket.socket) -> TcpTransport:
        """Wrap an accepted connection (the emulator's side)."""
        link = cls.__new__(cls)
        link.host, link.port = "peer", 0
        link._sock = sock
        return link

    def send(self, apdu: Apdu) -> None:
        try:
            self._sock.sendall(apdu.encode())
        except OSError as err:
            raise TransportError(f"sending to the terminal failed: {err}", sent=True) from err

    def _read_exact(self, n: int, deadline: float) -> bytes:
        buf = bytearray()
        while len(buf) < n:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TransportTimeout()
            self._sock.settimeout(left)
            try:
                chunk = self._sock.recv(n - len(buf))
            except TimeoutError as err:
                raise TransportTimeout() from err
            except OSError as err:
                raise TransportError(
                    f"connection to the terminal failed: {err}", sent=True
                ) from err
            if not chunk:
                raise TransportError("the terminal closed the connection", sent=True)
            buf += chunk
        return bytes(buf)

    def receive(self, timeout: float) -> Apdu:
        deadline = time.monotonic() + timeout
        head = self._read_exact(3, deadline)
        if head[2] == 0xFF:
            head += self._read_exact(2, deadline)
        total = apdu_length(head)
        assert total is not None
        return decode_apdu(head + self._read_exact(total - len(head), deadline))

    def close(self) -> None:
        try:
            self._sock.close()
        except OSError:
            pass


class SerialTransport:
    """ZVT serial framing over a byte stream (a pyserial port or a pseudo-terminal).

    The stream's own read timeout should be short (e.g. 0.05 s): we loop until our deadline.
    """

    def __init__(self, stream: ByteStream) -> None:
        self.stream = stream

    def _read_byte(self, deadline: float) -> int:
        while time.monotonic() < deadline:
            b = self.stream.read(1)
            if b:
                return b[0]
        raise TransportTimeout()

    def send(self, apdu: Apdu) -> None:
        frame = encode_serial_frame(apdu.encode())
        for _ in range(MAX_NAK_RETRIES):
            try:
                self.stream.write(frame)
            except OSError as err:
                raise TransportError(f"serial write failed: {err}", sent=True) from err
            reply = self._read_byte(time.monotonic() + 2.0)
            if reply == ACK:
                return
            if reply != NAK:
                raise TransportError(f"terminal answered {reply:02X}, not ACK/NAK", sent=True)
        raise TransportError("the terminal refused the frame three times (NAK)", sent=True)

    def read_frame(self, deadline: float) -> bytes:
        """One raw frame (from DLE STX to the CRC), skipping noise before it."""
        prev = -1
        while True:
            b = self._read_byte(deadline)
            if prev == DLE and b == STX:
                break
            prev = b
        frame = bytearray([DLE, STX])
        while True:
            b = self._read_byte(deadline)
            frame.append(b)
            if b == DLE:
                nxt = self._read_byte(deadline)
                frame.append(nxt)
                if nxt == ETX:
                    frame.append(self._read_byte(deadline))
                    frame.append(self._read_byte(deadline))
                    return bytes(frame)
            if len(frame) > 70_000:
                raise FrameError("serial frame longer than any APDU")

    def receive(self, timeout: float) -> Apdu:
        deadline = time.monotonic() + timeout
        for _ in range(MAX_NAK_RETRIES):
            frame = self.read_frame(deadline)
            try:
                apdu = decode_apdu(decode_serial_frame(frame))
            except FrameError:
                self.stream.write(bytes([NAK]))
                continue
            self.stream.write(bytes([ACK]))
            return apdu
        raise FrameError("three bad frames in a row from the terminal")

    def close(self) -> None:
        close = getattr(self.stream, "close", None)
        if close is not None:
            close()
