"""ZVT APDUs: `CLASS INSTR LEN DATA`, BMP fields, BCD amounts and the TLV container.

Facts from ../shared/reference/hardware-notes.md §4.1 (ZVT PA00P015 as implemented by Portalum.Zvt
and kotlin-zvt-library): LEN is one byte, or `FF` followed by a two-byte little-endian extended
length; BMP numbers are followed by a fixed-size value, an LLVAR/LLLVAR value whose length digits
are sent as `Fx` bytes, or (BMP 06) a BER-TLV container.  Every parser here raises only
FrameError for bad input.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from drivers.common.payment_errors import FrameError

# ---- APDU classes and instructions (ECR → PT and PT → ECR) --------------------------------------
ACK = bytes.fromhex("800000")
REGISTRATION = (0x06, 0x00)
AUTHORIZATION = (0x06, 0x01)
LOG_OFF = (0x06, 0x02)
REPEAT_RECEIPT = (0x06, 0x20)
REVERSAL = (0x06, 0x30)
REFUND = (0x06, 0x31)
END_OF_DAY = (0x06, 0x50)
ABORT_ECR = (0x06, 0xB0)
STATUS_ENQUIRY = (0x05, 0x01)
INTERMEDIATE_STATUS = (0x04, 0xFF)
STATUS_INFORMATION = (0x04, 0x0F)
COMPLETION = (0x06, 0x0F)
ABORT_PT = (0x06, 0x1E)
PRINT_LINE = (0x06, 0xD1)
PRINT_TEXT_BLOCK = (0x06, 0xD3)
POSITIVE_ACK = (0x80, 0x00)
NEGATIVE_ACK_CLASS = 0x84  # 84 xx: the PT will not run the command; xx is the reason

CURRENCY_CNY = 156  # ISO 4217 numeric, sent as 2-byte BCD 01 56

# Intermediate status codes (04 FF) the cashier should see.  Texts after the ZVT spec's table.
INTERMEDIATE_TEXTS: dict[int, tuple[str, str]] = {
    0x00: ("Terminal waits for amount confirmation", "请在终端上确认金额"),
    0x01: ("Please watch the PIN pad", "请看密码键盘"),
    0x02: ("Please watch the PIN pad", "请看密码键盘"),
    0x04: ("Waiting for the bank's answer", "正在等待银行应答"),
    0x0A: ("Insert card", "请插卡"),
    0x0B: ("Please remove card", "请取卡"),
    0x0C: ("Card not readable", "无法读卡"),
    0x0E: ("Please wait…", "请稍候…"),
    0x15: ("Incorrect PIN", "密码错误"),
    0x17: ("Please wait…", "请稍候…"),
    0x1B: ("Approved", "交易成功"),
    0x1D: ("Declined", "交易被拒绝"),
    0xD2: ("Enter PIN", "请输入密码"),
}

# Result codes (BMP 27 / 06 1E / 84 xx).  01–63 come from the authorisation host.
RESULT_TEXTS: dict[int, tuple[str, str]] = {
    0x00: ("Approved", "交易成功"),
    0x05: ("Declined by the card issuer", "发卡行拒绝交易"),
    0x33: ("Card expired", "卡已过期"),
    0x51: ("Insufficient funds", "余额不足"),
    0x64: ("Card not readable", "无法读卡"),
    0x6C: ("Aborted (timeout or abort key)", "交易已取消（超时或按了取消键）"),
    0x6F: ("Wrong currency", "币种错误"),
    0x83: ("Function not possible", "终端无法执行此功能"),
    0x9C: ("Repeat the process", "请重试"),
    0xA0: ("Terminal busy", "终端忙"),
    0xB4: ("Already reversed", "交易已撤销"),
    0xB5: ("Reversal not possible", "无法撤销"),
    0xFF: ("System error", "终端系统错误"),
}


def result_text(code: int) -> tuple[str, str]:
    return RESULT_TEXTS.get(code, (f"Terminal error {code:02X}", f"终端错误 {code:02X}"))


# ---- APDU ---------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Apdu:
    cls: int
    instr: int
    data: bytes = b""

    @property
    def command(self) -> tuple[int, int]:
        return (self.cls, self.instr)

    def encode(self) -> bytes:
        n = len(self.data)
        if n > 0xFFFF:
            raise FrameError(f"APDU data too long ({n} bytes)")
        head = bytes([self.cls, self.instr])
        if n < 0xFF:
            return head + bytes([n]) + self.data
        return head + b"\xff" + n.to_bytes(2, "little") + self.data

    def __repr__(self) -> str:
        return f"Apdu({self.cls:02X} {self.instr:02X}, {len(self.data)} bytes)"


def apdu_length(buf: bytes) -> int | None:
    """Total size of the APDU at the start of buf, or None if more bytes are needed."""
    if len(buf) < 3:
        return None
    if buf[2] != 0xFF:
        return 3 + buf[2]
    if len(buf) < 5:
        return None
    return 5 + int.from_bytes(buf[3:5], "little")


def decode_apdu(buf: bytes) -> Apdu:
    """Decode exactly one APDU; FrameError if truncated or with trailing bytes."""
    total = apdu_length(buf)
    if total is None or len(buf) < total:
        raise FrameError(f"truncated APDU ({len(buf)} bytes: {buf[:8].hex(' ')})")
    if len(buf) > total:
        raise FrameError(f"{len(buf) - total} bytes after the APDU")
    start = 3 if buf[2] != 0xFF else 5
    return Apdu(buf[0], buf[1], bytes(buf[start:total]))


# ---- BCD ----------------------------------------------------------------------------------------


def bcd(value: int, size: int) -> bytes:
    if value < 0:
        raise ValueError("BCD needs a non-negative number")
    digits = str(value).rjust(size * 2, "0")
    if len(digits) > size * 2:
        raise ValueError(f"{value} does not fit in {size} BCD bytes")
    return bytes.fromhex(digits)


def from_bcd(raw: bytes) -> int:
    text = raw.hex()
    if not text.isdigit():
        raise FrameError(f"not BCD: {raw.hex(' ')}")
    return int(text) if text else 0


def _llvar_length(raw: bytes, digits: int) -> int:
    n = 0
    for b in raw[:digits]:
        if b & 0xF0 != 0xF0 or b & 0x0F > 9:
            raise FrameError(f"bad LL length byte {b:02X}")
        n = n * 10 + (b & 0x0F)
    return n


def llvar(value: bytes, digits: int = 2) -> bytes:
    n = str(len(value)).rjust(digits, "0")
    if len(n) > digits:
        raise ValueError("LLVAR value too long")
    return bytes(0xF0 | int(c) for c in n) + value


# ---- BMP fields ---------------------------------------------------------------------------------
# kind: ("bin", n) fixed raw bytes, ("bcd", n) fixed BCD, ("ll", 2|3) length-prefixed, ("tlv", 0)
BMPS: dict[int, tuple[str, int]] = {
    0x01: ("bin", 1),
    0x02: ("bin", 1),
    0x03: ("bin", 1),
    0x04: ("bcd", 6),
    0x05: ("bin", 1),
    0x06: ("tlv", 0),
    0x0B: ("bcd", 3),
    0x0C: ("bcd", 3),
    0x0D: ("bcd", 2),
    0x0E: ("bcd", 2),
    0x17: ("bcd", 2),
    0x19: ("bin", 1),
    0x22: ("ll", 2),
    0x23: ("ll", 2),
    0x24: ("ll", 3),
    0x27: ("bin", 1),
    0x29: ("bcd", 4),
    0x2A: ("bin", 15),
    0x2D: ("ll", 2),
    0x2E: ("ll", 3),
    0x37: ("bcd", 3),
    0x3A: ("bcd", 2),
    0x3B: ("bin", 8),
    0x3C: ("ll", 3),
    0x3D: ("bcd", 3),
    0x49: ("bcd", 2),
    0x60: ("ll", 3),
    0x87: ("bcd", 2),
    0x88: ("bcd", 3),
    0x8A: ("bin", 1),
    0x8B: ("ll", 2),
    0x8C: ("bin", 1),
    0x92: ("ll", 3),
    0x9A: ("ll", 3),
    0xA0: ("bin", 1),
    0xA7: ("ll", 2),
    0xAA: ("bcd", 3),
    0xAF: ("ll", 3),
    0xBA: ("bin", 5),
    0xD0: ("bin", 1),
    0xD1: ("ll", 2),
    0xD2: ("bin", 1),
    0xD3: ("bin", 1),
    0xE0: ("bin", 1),
}


def ber_length(raw: bytes, pos: int) -> tuple[int, int]:
    """(length, next position) of a BER length at raw[pos]."""
    if pos >= len(raw):
        raise FrameError("truncated TLV length")
    first = raw[pos]
    if first < 0x80:
        return first, pos + 1
    n = first & 0x7F
    if n == 0 or n > 2 or pos + 1 + n > len(raw):
        raise FrameError(f"bad TLV length byte {first:02X}")
    return int.from_bytes(raw[pos + 1 : pos + 1 + n], "big"), pos + 1 + n


def encode_ber_length(n: int) -> bytes:
    if n < 0x80:
        return bytes([n])
    if n <= 0xFF:
        return bytes([0x81, n])
    return bytes([0x82]) + n.to_bytes(2, "big")


def parse_tlv(raw: bytes) -> list[tuple[bytes, bytes]]:
    """The (tag, value) pairs of a TLV container's body (constructed values left as bytes)."""
    out: list[tuple[bytes, bytes]] = []
    pos = 0
    while pos < len(raw):
        start = pos
        first = raw[pos]
        pos += 1
        if first & 0x1F == 0x1F:  # multi-byte tag: continuation bytes have bit 8 set
            while True:
                if pos >= len(raw):
                    raise FrameError("truncated TLV tag")
                pos += 1
                if raw[pos - 1] & 0x80 == 0:
                    break
                if pos - start > 4:
                    raise FrameError("TLV tag longer than 4 bytes")
        tag = bytes(raw[start:pos])
        length, pos = ber_length(raw, pos)
        if pos + length > len(raw):
            raise FrameError(f"TLV value of tag {tag.hex()} truncated")
        out.append((tag, bytes(raw[pos : pos + length])))
        pos += length
    return out


def encode_tlv(items: list[tuple[bytes, bytes]]) -> bytes:
    return b"".join(tag + encode_ber_length(len(v)) + v for tag, v in items)


def iter_bmps(data: bytes) -> Iterator[tuple[int, bytes]]:
    """Walk the BMP fields of an APDU's data: (bmp number, raw value)."""
    pos = 0
    while pos < len(data):
        bmp = data[pos]
        pos += 1
        spec = BMPS.get(bmp)
        if spec is None:
            raise FrameError(f"unknown BMP {bmp:02X} at offset {pos - 1}")
        kind, size = spec
        if kind in ("bin", "bcd"):
            if pos + size > len(data):
                raise FrameError(f"BMP {bmp:02X} truncated")
            value = bytes(data[pos : pos + size])
            pos += size
        elif kind == "ll":
            if pos + size > len(data):
                raise FrameError(f"BMP {bmp:02X} length truncated")
            n = _llvar_length(data[pos : pos + size], size)
            pos += size
            if pos + n > len(data):
                raise FrameError(f"BMP {bmp:02X} value truncated")
            value = bytes(data[pos : pos + n])
            pos += n
        else:  # TLV container
            n, body = ber_length(data, pos)
            if body + n > len(data):
                raise FrameError("TLV container truncated")
            value = bytes(data[body : body + n])
            parse_tlv(value)  # validate now: a bad container is a bad frame
            pos = body + n
        yield bmp, value


def mask_pan_digits(digits: str) -> str:
    """First six and last four digits kept, the rest '*' (PCI DSS 3.4 display rule)."""
    digits = digits.replace("E", "*").replace("e", "*")
    if len(digits) <= 10:
        return "*" * len(digits)
    return digits[:6] + "*" * (len(digits) - 10) + digits[-4:]


@dataclass(frozen=True, slots=True)
class StatusInfo:
    """What a Status-Information (04 0F) said.  The PAN is masked the moment it is parsed."""

    result: int | None = None
    amount_fen: int | None = None
    trace: int | None = None
    receipt_no: int | None = None
    turnover_no: int | None = None
    terminal_id: str | None = None
    auth_code: str | None = None
    card_type: int | None = None
    card_name: str | None = None
    masked_pan: str | None = None
    date: str | None = None  # MMDD
    time: str | None = None  # hhmmss
    currency: int | None = None
    extra: dict[int, bytes] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "result": self.result,
            "amount_fen": self.amount_fen,
            "trace": self.trace,
            "receipt_no": self.receipt_no,
            "turnover_no": self.turnover_no,
            "terminal_id": self.terminal_id,
            "auth_code": self.auth_code,
            "card_type": self.card_type,
            "card_name": self.card_name,
            "masked_pan": self.masked_pan,
            "date": self.date,
            "time": self.time,
        }


def _ascii(raw: bytes) -> str:
    # Terminals send CP437 by spec; CardComplete sends ISO-8859-x (hardware-notes §4.1).  Latin-1
    # decodes any byte, so a vendor deviation never makes the answer unparseable.
    return raw.decode("latin-1").strip("\x00 ")


def parse_status_info(data: bytes) -> StatusInfo:
    values: dict[str, Any] = {}
    extra: dict[int, bytes] = {}
    for bmp, raw in iter_bmps(data):
        if bmp == 0x27:
            values["result"] = raw[0]
        elif bmp == 0x04:
            values["amount_fen"] = from_bcd(raw)
        elif bmp == 0x0B:
            values["trace"] = from_bcd(raw)
        elif bmp == 0x87:
            values["receipt_no"] = from_bcd(raw)
        elif bmp == 0x88:
            values["turnover_no"] = from_bcd(raw)
        elif bmp == 0x29:
            values["terminal_id"] = raw.hex()
        elif bmp == 0x3B:
            values["auth_code"] = _ascii(raw)
        elif bmp == 0x8A:
            values["card_type"] = raw[0]
        elif bmp == 0x8B:
            values["card_name"] = _ascii(raw)
        elif bmp == 0x22:
            digits = raw.hex().upper().rstrip("F")
            if not all(c.isdigit() or c == "E" for c in digits):
                raise FrameError("BMP 22 (PAN) is not BCD")
            values["masked_pan"] = mask_pan_digits(digits)
        elif bmp in (0x23, 0x2D, 0x2E):
            continue  # track data: never kept, not even in `extra`
        elif bmp == 0x0C:
            values["time"] = raw.hex()
        elif bmp == 0x0D:
            values["date"] = raw.hex()
        elif bmp == 0x49:
            values["currency"] = from_bcd(raw)
        else:
            extra[bmp] = raw
    return StatusInfo(extra=extra, **values)


# ---- command builders (ECR → PT) ----------------------------------------------------------------


def password_bcd(password: str) -> bytes:
    if len(password) != 6 or not password.isdigit():
        raise ValueError("the ZVT password is six digits")
    return bytes.fromhex(password)


def registration(password: str, config_byte: int = 0xBA, currency: int = CURRENCY_CNY) -> Apdu:
    # config 0xBA: ECR prints receipts (payment + admin), ECR controls payment, intermediate
    # status wanted, ECR-assisted; service byte 03: no function change from the PT's keys.
    data = password_bcd(password) + bytes([config_byte]) + bcd(currency, 2) + b"\x03\x00"
    return Apdu(*REGISTRATION, data)


def authorization(amount_fen: int, currency: int = CURRENCY_CNY) -> Apdu:
    return Apdu(*AUTHORIZATION, b"\x04" + bcd(amount_fen, 6) + b"\x49" + bcd(currency, 2))


def reversal(password: str, receipt_no: int) -> Apdu:
    return Apdu(*REVERSAL, password_bcd(password) + b"\x87" + bcd(receipt_no, 2))


def refund(password: str, amount_fen: int) -> Apdu:
    return Apdu(*REFUND, password_bcd(password) + b"\x04" + bcd(amount_fen, 6))


def repeat_receipt(password: str) -> Apdu:
    return Apdu(*REPEAT_RECEIPT, password_bcd(password))


def end_of_day(password: str) -> Apdu:
    return Apdu(*END_OF_DAY, password_bcd(password))


def status_enquiry(password: str) -> Apdu:
    return Apdu(*STATUS_ENQUIRY, password_bcd(password))


def abort() -> Apdu:
    return Apdu(*ABORT_ECR)


def print_line_text(data: bytes) -> str:
    """06 D1: one attribute byte then the text."""
    if not data:
        raise FrameError("empty print line")
    return _ascii(data[1:]) if len(data) > 1 else ""
