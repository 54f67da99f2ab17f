"""ZVT bytes: APDU lengths, BCD, LLVAR, TLV, command builders, CRC-16/KERMIT and the serial
framing over a real pseudo-terminal (DLE doubling, ACK/NAK and retransmission)."""

from __future__ import annotations

import os
import pty
import select
import threading
import tty

import pytest

from drivers.common.payment_errors import FrameError, TransportError
from drivers.zvt import apdu as z
from drivers.zvt.driver import ZvtClient, client_from_uri
from drivers.zvt.transport import (
    ACK,
    DLE,
    NAK,
    SerialTransport,
    crc16_kermit,
    decode_serial_frame,
    encode_serial_frame,
)


def test_crc16_kermit_check_value() -> None:
    # the catalogue check value of CRC-16/KERMIT; hardware-notes §4.1 verified it for Portalum
    assert crc16_kermit(b"123456789") == 0x2189


def test_apdu_lengths() -> None:
    assert z.Apdu(0x80, 0x00).encode() == z.ACK
    long = z.Apdu(0x06, 0xD3, b"x" * 300)
    raw = long.encode()
    assert raw[:5] == bytes([0x06, 0xD3, 0xFF, 0x2C, 0x01])  # FF + little-endian 300
    assert z.decode_apdu(raw) == long
    with pytest.raises(FrameError):
        z.decode_apdu(raw[:-1])
    with pytest.raises(FrameError):
        z.decode_apdu(raw + b"\x00")


def test_command_builders_bytes() -> None:
    assert z.authorization(12345).encode().hex() == "06010a04000000012345490156"
    assert z.registration("123456").encode().hex() == "060008123456ba01560300"
    assert z.reversal("000000", 17).encode().hex() == "063006000000870017"
    assert z.status_enquiry("000000").encode().hex() == "050103000000"
    assert z.abort().encode().hex() == "06b000"
    with pytest.raises(ValueError):
        z.password_bcd("12ab56")


def test_bcd_and_llvar() -> None:
    assert z.bcd(12345, 6) == bytes.fromhex("000000012345")
    assert z.from_bcd(bytes.fromhex("0123")) == 123
    with pytest.raises(FrameError):
        z.from_bcd(b"\x1a")
    assert z.llvar(b"VISA") == b"\xf0\xf4VISA"
    info = z.parse_status_info(b"\x8b" + z.llvar(b"VISA") + b"\x27\x00")
    assert info.card_name == "VISA" and info.result == 0


def test_pan_is_masked_on_parse_and_track_data_dropped() -> None:
    data = (
        b"\x22"
        + z.llvar(bytes.fromhex("4111111111111111"))
        + b"\x23"
        + z.llvar(b"\x41\x11\x11\x11\x11\x11\x11\x11\xd2\x51")
    )
    info = z.parse_status_info(data)
    assert info.masked_pan == "411111******1111"
    assert 0x23 not in info.extra and "4111111111111111" not in repr(info)
    # a terminal that already masks with E nibbles
    info = z.parse_status_info(b"\x22" + z.llvar(bytes.fromhex("411111EEEEEE1111")))
    assert info.masked_pan == "411111******1111"


def test_tlv() -> None:
    items = [(b"\x1f\x10", b"\x07"), (b"\x25", b"\x07\x01A"), (b"\x26", b"x" * 200)]
    assert z.parse_tlv(z.encode_tlv(items)) == items
    with pytest.raises(FrameError):
        z.parse_tlv(b"\x25\x05ab")


def test_serial_frame_doubles_dle() -> None:
    apdu = bytes([0x06, 0x01, 0x02, DLE, 0x05])
    frame = encode_serial_frame(apdu)
    assert frame[:2] == b"\x10\x02" and b"\x10\x10" in frame
    assert frame[-4:-2] == b"\x10\x03"
    assert int.from_bytes(frame[-2:], "little") == crc16_kermit(apdu + b"\x03")
    assert decode_serial_frame(frame) == apdu
    bad = bytearray(frame)
    bad[3] ^= 0x01
    with pytest.raises(FrameError, match="CRC"):
        decode_serial_frame(bytes(bad))


class _Fd:
    """A pseudo-terminal end as the byte stream SerialTransport reads (short read timeout)."""

    def __init__(self, fd: int) -> None:
        self.fd = fd

    def read(self, size: int = 1) -> bytes:
        ready, _, _ = select.select([self.fd], [], [], 0.05)
        return os.read(self.fd, size) if ready else b""

    def write(self, data: bytes) -> int:
        return os.write(self.fd, data)


class _SerialTerminal(threading.Thread):
    """A minimal PT on the other end of the pty: answers one Authorization, NAKs the first
    frame it gets (to prove retransmission), and approves."""

    def __init__(self, fd: int) -> None:
        super().__init__(daemon=True)
        self.stream = _Fd(fd)
        self.link = SerialTransport(self.stream)
        self.got: list[z.Apdu] = []
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            first = self.link.read_frame(_deadline(5))
            self.stream.write(bytes([NAK]))  # pretend it was damaged: the ECR must resend
            self.got.append(z.decode_apdu(decode_serial_frame(first)))
            cmd = self.link.receive(5)
            self.got.append(cmd)
            self.link.send(z.Apdu(0x80, 0x00))
            info = (
                b"\x27\x00\x04"
                + z.bcd(5000, 6)
                + b"\x0b"
                + z.bcd(7, 3)
                + b"\x87"
                + z.bcd(9, 2)
                + b"\x22"
                + z.llvar(bytes.fromhex("5555555555554444"))
            )
            for msg in (
                z.Apdu(0x04, 0xFF, b"\x0a"),
                z.Apdu(0x04, 0x0F, info),
                z.Apdu(0x06, 0xD1, b"\x00CARD SLIP \x10 LINE"),
                z.Apdu(0x06, 0x0F),
            ):
                self.link.send(msg)
                ack = self.link.receive(5)
                assert ack.command == (0x80, 0x00)
        except BaseException as err:  # reported by the test
            self.error = err


def _deadline(seconds: float) -> float:
    import time

    return time.monotonic() + seconds


def test_client_over_serial_pty() -> None:
    master, slave = pty.openpty()
    tty.setraw(master)
    tty.setraw(slave)
    pt = _SerialTerminal(slave)
    pt.start()
    try:
        texts: list[str] = []
        client = ZvtClient(lambda: SerialTransport(_Fd(master)), timeout=5)
        result = client.authorize(5000, on_text=lambda en, zh: texts.append(en))
        pt.join(5)
        assert pt.error is None, pt.error
        assert result.approved and result.info is not None
        assert result.info.masked_pan == "555555******4444" and result.info.receipt_no == 9
        assert texts == ["Insert card"] and result.print_lines == ["CARD SLIP \x10 LINE"]
        assert pt.got[0] == pt.got[1] == z.authorization(5000)  # resent after the NAK
    finally:
        os.close(master)
        os.close(slave)


def test_serial_gives_up_after_three_naks() -> None:
    class Naks:
        def read(self, size: int = 1) -> bytes:
            return bytes([NAK])

        def write(self, data: bytes) -> int:
            return len(data)

    with pytest.raises(TransportError, match="NAK"):
        SerialTransport(Naks()).send(z.abort())
    assert ACK == 0x06


def test_client_from_uri() -> None:
    c = client_from_uri("zvt+tcp://127.0.0.1:1?password=123456&timeout=3")
    assert c.timeout == 3 and "123456" not in repr(c)
    with pytest.raises(TransportError):
        c.register()  # nothing listens on port 1
    assert "serial /dev/ttyS9" in repr(client_from_uri("zvt+serial:///dev/ttyS9?baud=115200"))
    with pytest.raises(ValueError):
        client_from_uri("http://x")


def test_full_flows_over_serial_with_the_emulator_and_pyserial() -> None:
    """The ZVT emulator on a pseudo-terminal, the till's client through pyserial on the other
    end (zvt+serial:///dev/pts/N): authorization with texts and slip, reversal, refund."""
    from drivers.zvt.emulator import ZvtEmulator, ZvtEmulatorConfig

    emu = ZvtEmulator(config=ZvtEmulatorConfig(step_delay=0.01)).start()
    try:
        path = emu.start_serial()
        client = client_from_uri(f"zvt+serial://{path}?baud=9600&password=000000&timeout=5")
        texts: list[str] = []
        r = client.authorize(10193, on_text=lambda en, zh: texts.append(en))  # 93: user paying
        assert r.approved and r.info is not None and r.info.masked_pan == "411111******1111"
        assert texts[0] == "Insert card" and "Please wait…" in texts
        assert any("APPROVED" in line for line in r.print_lines)
        assert client.reverse(r.info.receipt_no).approved
        assert client.refund(500).approved
        declined = client.authorize(10191)
        assert not declined.approved and declined.result_code == 0x05
        assert [t.kind for t in emu.ledger] == ["sale", "refund", "sale"] and emu.ledger[0].reversed
    finally:
        emu.stop()
