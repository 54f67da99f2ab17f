"""Frame parsers fuzzed with hypothesis: random and truncated input gives a FrameError (the
documented exception of the payment drivers), never another exception and never a hang."""

from __future__ import annotations

import json
import socket

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from drivers.alipay.driver import split_answer
from drivers.common.payment_errors import FrameError, PaymentDriverError
from drivers.wechatpay.driver import parse_xml, to_xml
from drivers.zvt import apdu as z
from drivers.zvt.transport import (
    SerialTransport,
    TcpTransport,
    decode_serial_frame,
    encode_serial_frame,
)

FAST = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

STATUS = bytes.fromhex(
    "2700"
    "04000000012345"
    "0b001001"
    "0c120000"
    "0d1125"
    "29"
    "52500038"
    "870001"
    "8a0a"
    "8bf0f4"
    "56495341"
    "22f0f8"
    "4111111111111111"
    "3b"
    "3030313030312020"
    "06"
    "09"
    "1f100107"
    "2503"
    "070141"
)


@FAST
@given(st.binary(max_size=300))
def test_apdu_decode_random(data: bytes) -> None:
    try:
        apdu = z.decode_apdu(data)
    except FrameError:
        return
    assert apdu.encode() == data or data[2] == 0xFF


@FAST
@given(st.binary(max_size=600), st.integers(0, 0xFF), st.integers(0, 0xFF))
def test_apdu_roundtrip(data: bytes, cls: int, instr: int) -> None:
    apdu = z.Apdu(cls, instr, data)
    assert z.decode_apdu(apdu.encode()) == apdu


@FAST
@given(st.binary(max_size=300))
def test_status_info_random(data: bytes) -> None:
    try:
        info = z.parse_status_info(data)
    except FrameError:
        return
    assert info.masked_pan is None or "*" in info.masked_pan or len(info.masked_pan) <= 10


@FAST
@given(st.integers(0, len(STATUS) - 1))
def test_status_info_truncated(n: int) -> None:
    full = z.parse_status_info(STATUS)
    assert full.masked_pan == "411111******1111" and full.amount_fen == 12345
    try:
        z.parse_status_info(STATUS[:n])
    except FrameError:
        pass


@FAST
@given(st.binary(max_size=200))
def test_tlv_random(data: bytes) -> None:
    try:
        items = z.parse_tlv(data)
    except FrameError:
        return
    assert z.parse_tlv(z.encode_tlv(items)) == items


@FAST
@given(st.binary(max_size=300))
def test_serial_frame_roundtrip(apdu: bytes) -> None:
    assert decode_serial_frame(encode_serial_frame(apdu)) == apdu


@FAST
@given(st.binary(max_size=300))
def test_serial_frame_random(data: bytes) -> None:
    try:
        decode_serial_frame(data)
    except FrameError:
        pass


@FAST
@given(st.binary(min_size=1, max_size=80), st.data())
def test_serial_frame_truncated_or_flipped(apdu: bytes, data: st.DataObject) -> None:
    frame = encode_serial_frame(apdu)
    cut = data.draw(st.integers(0, len(frame) - 1))
    with pytest.raises(FrameError):
        decode_serial_frame(frame[:cut])
    pos = data.draw(st.integers(0, len(frame) - 1))
    bit = data.draw(st.integers(0, 7))
    flipped = bytearray(frame)
    flipped[pos] ^= 1 << bit
    try:
        got = decode_serial_frame(bytes(flipped))
    except FrameError:
        return
    # CRC-16 catches every single-bit error in the body; only framing bytes may re-parse
    assert got == apdu


@FAST
@given(st.binary(max_size=400))
def test_wechat_xml_random(data: bytes) -> None:
    try:
        parse_xml(data)
    except FrameError:
        pass


@FAST
@given(
    st.dictionaries(
        st.from_regex(r"[a-z_]{1,12}", fullmatch=True),
        st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=30).filter(
            lambda s: "]]>" not in s
        ),
        max_size=8,
    ),
    st.data(),
)
def test_wechat_xml_truncated(fields: dict[str, str], data: st.DataObject) -> None:
    doc = to_xml(fields)
    try:
        parsed = parse_xml(doc)
    except FrameError:
        return  # control characters XML cannot carry
    assert parsed == {k: v.strip() for k, v in fields.items()}
    cut = data.draw(st.integers(0, len(doc) - 1))
    with pytest.raises(FrameError):
        parse_xml(doc[:cut])


def test_wechat_xml_refuses_entities() -> None:
    bomb = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><xml><k>&a;</k></xml>'
    with pytest.raises(FrameError):
        parse_xml(bomb)


ANSWER = (
    '{"alipay_trade_pay_response":{"code":"10000","msg":"Success","trade_no":"1",'
    '"total_amount":"1.00"},"sign":"abc"}'
)


@FAST
@given(st.text(max_size=300))
def test_alipay_answer_random(text: str) -> None:
    try:
        split_answer(text, "alipay.trade.pay")
    except FrameError:
        pass


@FAST
@given(st.integers(0, len(ANSWER) - 1))
def test_alipay_answer_truncated(n: int) -> None:
    body, raw, sig = split_answer(ANSWER, "alipay.trade.pay")
    assert json.loads(raw) == body and sig == "abc"
    with pytest.raises(FrameError):
        split_answer(ANSWER[:n], "alipay.trade.pay")


@FAST
@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(max_size=5),
        lambda c: st.lists(c, max_size=3) | st.dictionaries(st.text(max_size=5), c, max_size=3),
        max_leaves=10,
    )
)
def test_alipay_answer_random_json(value: object) -> None:
    try:
        split_answer(
            json.dumps({"alipay_trade_pay_response": value, "sign": 1}), "alipay.trade.pay"
        )
    except FrameError:
        pass


@settings(max_examples=60, deadline=None)
@given(st.binary(max_size=40))
def test_tcp_receive_truncated_stream_never_hangs(data: bytes) -> None:
    a, b = socket.socketpair()
    try:
        b.sendall(data)
        b.close()
        link = TcpTransport.from_socket(a)
        try:
            link.receive(timeout=0.5)
        except PaymentDriverError:
            pass
    finally:
        a.close()


class _Bytes:
    def __init__(self, data: bytes) -> None:
        self.data = bytearray(data)
        self.written = bytearray()

    def read(self, size: int = 1) -> bytes:
        out = bytes(self.data[:size])
        del self.data[:size]
        return out

    def write(self, data: bytes) -> int:
        self.written += data
        return len(data)


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=60))
def test_serial_receive_random_stream_never_hangs(data: bytes) -> None:
    link = SerialTransport(_Bytes(data))
    try:
        link.receive(timeout=0.05)
    except PaymentDriverError:
        pass


@settings(max_examples=80, deadline=None)
@given(st.lists(st.binary(max_size=30), max_size=6))
def test_zvt_client_against_a_garbling_terminal(chunks: list[bytes]) -> None:
    """A terminal that acks and then sends anything: the client ends with a driver error or
    a result, never another exception and never a hang."""
    from drivers.zvt.driver import ZvtClient

    a, b = socket.socketpair()
    try:
        b.sendall(z.ACK + b"".join(chunks))
        b.shutdown(socket.SHUT_WR)
        client = ZvtClient(lambda: TcpTransport.from_socket(a), timeout=0.3, ack_timeout=0.3)
        try:
            client.authorize(100)
        except PaymentDriverError:
            pass
    finally:
        a.close()
        b.close()
