"""The ECR side of ZVT: Registration, Authorization, Reversal, Refund, Abort, Status Enquiry,
Repeat Receipt and End-of-Day over a TCP or serial transport.

Flow (hardware-notes §4.1): ECR sends a command; the PT answers `80 00 00` (or `84 xx`: will not
run it), then any number of Intermediate Status (04 FF), Status-Information (04 0F) and Print
Line (06 D1) / Print Text-Block (06 D3) messages, each acknowledged by us with `80 00 00`, and
ends with Completion (06 0F) or Abort (06 1E xx).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypedDict, Unpack
from urllib.parse import parse_qs, urlsplit

from drivers.common.payment_errors import FrameError, ProviderRefused, TransportError

from . import apdu as z
from .transport import SerialTransport, TcpTransport, Transport

TextCallback = Callable[[str, str], None]  # (english, chinese)


@dataclass
class ZvtResult:
    """How one command ended.  approved: completion with result 00."""

    approved: bool
    result_code: int
    info: z.StatusInfo | None = None
    print_lines: list[str] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)

    @property
    def message(self) -> tuple[str, str]:
        return z.result_text(self.result_code)


def _no_text(en: str, zh: str) -> None:
    return None


class ZvtClient:
    """One terminal.  `transport_factory` opens a fresh link for each command (a TCP terminal
    serves one ECR connection at a time; reconnecting per command survives terminal restarts)."""

    def __init__(
        self,
        transport_factory: Callable[[], Transport],
        *,
        password: str = "000000",
        timeout: float = 120.0,
        ack_timeout: float = 5.0,
        description: str = "zvt",
    ) -> None:
        z.password_bcd(password)  # validate early
        self._factory = transport_factory
        self._password = password
        self.timeout = timeout
        self.ack_timeout = ack_timeout
        self.description = description
        self._lock = threading.Lock()
        self._active: Transport | None = None

    def __repr__(self) -> str:  # the password stays out of logs
        return f"ZvtClient({self.description})"

    # ---- the commands ---------------------------------------------------------------------------

    def register(self) -> ZvtResult:
        return self._run(z.registration(self._password))

    def authorize(self, amount_fen: int, on_text: TextCallback | None = None) -> ZvtResult:
        return self._run(z.authorization(amount_fen), on_text)

    def reverse(self, receipt_no: int, on_text: TextCallback | None = None) -> ZvtResult:
        return self._run(z.reversal(self._password, receipt_no), on_text)

    def refund(self, amount_fen: int, on_text: TextCallback | None = None) -> ZvtResult:
        return self._run(z.refund(self._password, amount_fen), on_text)

    def repeat_receipt(self) -> ZvtResult:
        return self._run(z.repeat_receipt(self._password))

    def status_enquiry(self) -> ZvtResult:
        return self._run(z.status_enquiry(self._password))

    def end_of_day(self) -> ZvtResult:
        return self._run(z.end_of_day(self._password))

    def abort(self) -> None:
        """Ask the PT to abort the running command (06 B0).  From another thread while a
        command runs, the running command then ends with 06 1E."""
        active = self._active
        if active is not None:
            active.send(z.abort())
            return
        link = self._factory()
        try:
            link.send(z.abort())
            self._expect_ack(link)
        finally:
            link.close()

    # ---- the conversation -----------------------------------------------------------------------

    def _expect_ack(self, link: Transport) -> None:
        first = link.receive(self.ack_timeout)
        if first.cls == z.NEGATIVE_ACK_CLASS:
            code = first.instr
            en, zh = z.result_text(code)
            raise ProviderRefused(
                f"the terminal will not run the command: {en} ({zh})", f"{code:02X}"
            )
        if first.command != z.POSITIVE_ACK:
            raise FrameError(f"expected 80 00 00, got {first!r}")

    def _run(self, command: z.Apdu, on_text: TextCallback | None = None) -> ZvtResult:
        on_text = on_text or _no_text
        with self._lock:
            link = self._factory()
            self._active = link
            try:
                link.send(command)
                self._expect_ack(link)
                return self._collect(link, on_text)
            finally:
                self._active = None
                link.close()

    def _collect(self, link: Transport, on_text: TextCallback) -> ZvtResult:
        info: z.StatusInfo | None = None
        lines: list[str] = []
        texts: list[str] = []
        for _ in range(10_000):  # bounded: a terminal that never completes still times out
            msg = link.receive(self.timeout)
            cmd = msg.command
            if cmd == z.POSITIVE_ACK:
                continue  # the ack to our own 06 B0
            link.send(z.Apdu(0x80, 0x00))
            if cmd == z.INTERMEDIATE_STATUS:
                if msg.data:
                    en, zh = z.INTERMEDIATE_TEXTS.get(
                        msg.data[0],
                        (f"Terminal status {msg.data[0]:02X}", f"终端状态 {msg.data[0]:02X}"),
                    )
                    texts.append(en)
                    on_text(en, zh)
            elif cmd == z.STATUS_INFORMATION:
                info = z.parse_status_info(msg.data)
            elif cmd == z.PRINT_LINE:
                lines.append(z.print_line_text(msg.data))
            elif cmd == z.PRINT_TEXT_BLOCK:
                lines.extend(_text_block_lines(msg.data))
            elif cmd == z.COMPLETION:
                code = info.result if info is not None and info.result is not None else 0
                return ZvtResult(code == 0, code, info, lines, texts)
            elif cmd == z.ABORT_PT:
                code = msg.data[0] if msg.data else 0xFF
                return ZvtResult(False, code, info, lines, texts)
            else:
                raise FrameError(f"unexpected message from the terminal: {msg!r}")
        raise FrameError("the terminal sent 10000 messages without completing")


def _text_block_lines(data: bytes) -> list[str]:
    # 06 D3 carries a TLV container (BMP 06); tag 25 holds the lines as tag 07 items.
    lines: list[str] = []
    for bmp, value in z.iter_bmps(data):
        if bmp != 0x06:
            continue
        for tag, body in z.parse_tlv(value):
            if tag == b"\x25":
                lines.extend(v.decode("latin-1") for t, v in z.parse_tlv(body) if t == b"\x07")
    return lines


class LinkOptions(TypedDict, total=False):
    """ZvtClient settings the address does not carry, passed through by client_from_uri."""

    ack_timeout: float


def client_from_uri(
    uri: str,
    *,
    password: str = "000000",
    timeout: float = 120.0,
    **options: Unpack[LinkOptions],
) -> ZvtClient:
    """`zvt+tcp://HOST:PORT?password=123456&timeout=120` or
    `zvt+serial:///dev/ttyUSB0?baud=9600&password=…` (8N2 is the ZVT serial default).
    The address's password and timeout win over the keyword ones."""
    parts = urlsplit(uri)
    query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
    password = query.get("password", password)
    timeout = float(query.get("timeout", timeout))
    if parts.scheme == "zvt+tcp":
        host, port = parts.hostname, parts.port or 20007
        if not host:
            raise ValueError(f"{uri}: no host")

        def tcp() -> Transport:
            return TcpTransport(host, port)

        return ZvtClient(
            tcp, password=password, timeout=timeout, description=f"tcp {host}:{port}", **options
        )
    if parts.scheme == "zvt+serial":
        device = parts.path
        baud = int(query.get("baud", "9600"))
        if not device:
            raise ValueError(f"{uri}: no serial device")

        def serial_link() -> Transport:
            import serial  # pyserial; imported on use so the TCP path needs no serial port

            try:
                port = serial.Serial(device, baud, stopbits=serial.STOPBITS_TWO, timeout=0.05)
            except serial.SerialException as err:
                raise TransportError(f"cannot open {device}: {err}", sent=False) from err
            return SerialTransport(port)

        return ZvtClient(
            serial_link,
            password=password,
            timeout=timeout,
            description=f"serial {device}",
            **options,
        )
    raise ValueError(f"{uri}: not a ZVT address (zvt+tcp://HOST:PORT or zvt+serial:///dev/…)")
