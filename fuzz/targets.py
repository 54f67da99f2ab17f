"""Every parser that reads bytes from outside the till, as a fuzz target.

Each target takes raw bytes and feeds them to one parser.  The parser's documented refusal
(a GuitaiError subclass: FrameError, TokenError, InvalidInput…) is the right answer to
garbage and is swallowed here; anything else (IndexError, struct.error, UnicodeError,
RecursionError, a hang) is a bug and propagates, so atheris or hypothesis reports it.

Run with atheris:   python fuzz/fuzz_zvt.py -max_total_time=60
Run with hypothesis: pytest tests/unit/fuzz/test_proof_fuzz.py (a bounded number of examples).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pos_app.domain.errors import GuitaiError


def _text(data: bytes) -> str:
    return data.decode("utf-8", errors="replace")


def scanner(data: bytes) -> None:
    """Keyboard-wedge key events (text + timing) and the scanned-code classifier."""
    from pos_app.domain.codes import classify
    from pos_app.domain.wedge import WedgeDecoder

    dec = WedgeDecoder(prefix="\x02" if data[:1] == b"\x02" else "")
    at = 0
    text = _text(data)
    for i in range(0, len(text), 3):
        at += data[i % len(data)] if data else 1
        for out in dec.feed(text[i : i + 3], at):
            code = getattr(out, "code", None)
            if isinstance(code, str):
                classify(code, ereceipt_base_url="https://r.example/R/")
    dec.flush(at + 10_000)
    c = classify(text, ereceipt_base_url="https://r.example/R/")
    assert c.kind is not None


def escpos_status(data: bytes) -> None:
    """DLE EOT 1..4 status replies (one byte each, or missing)."""
    from drivers.escpos.status import decode

    replies: dict[int, int | None] = {}
    for n in range(1, 5):
        b = data[n - 1] if len(data) >= n else None
        replies[n] = b
    decode(replies)


def zvt(data: bytes) -> None:
    """ZVT APDUs, their BMP/TLV fields and status information, and serial framing."""
    from drivers.common.payment_errors import PaymentDriverError
    from drivers.zvt import apdu as z
    from drivers.zvt.transport import decode_serial_frame

    try:
        apdu = z.decode_apdu(data)
        try:
            z.parse_status_info(apdu.data)
        except PaymentDriverError:
            pass
        try:
            list(z.iter_bmps(apdu.data))
        except PaymentDriverError:
            pass
    except PaymentDriverError:
        pass
    try:
        z.parse_tlv(data)
    except PaymentDriverError:
        pass
    try:
        decode_serial_frame(data)
    except PaymentDriverError:
        pass
    z.apdu_length(data)


def wechat_xml(data: bytes) -> None:
    from drivers.common.payment_errors import PaymentDriverError
    from drivers.wechatpay.driver import check_sign, parse_xml

    try:
        params = parse_xml(data)
    except PaymentDriverError:
        return
    check_sign(params, "k" * 32)


def alipay_json(data: bytes) -> None:
    from drivers.alipay.driver import split_answer
    from drivers.common.payment_errors import PaymentDriverError

    try:
        split_answer(_text(data), "alipay.trade.pay")
    except PaymentDriverError:
        pass


def ereceipt_token(data: bytes) -> None:
    from receipts.token import TokenError, decode_token

    for text in (_text(data), "https://r.example/R/" + _text(data)):
        try:
            decode_token(text)
        except TokenError:
            pass


_CATALOG: dict[str, Any] = {}


def _catalog_importer() -> Any:
    if "importer" not in _CATALOG:
        from pos_app.adapters.db.connection import open_database
        from pos_app.adapters.db.unit_of_work import SqliteUnitOfWork
        from pos_app.domain.ports import SystemClock
        from pos_app.services.catalog_import import CatalogImporter

        folder = Path(tempfile.mkdtemp(prefix="guitai-fuzz-catalog-"))
        db = open_database(folder / "till.db")
        _CATALOG.update(db=db, importer=CatalogImporter(SqliteUnitOfWork(db.conn), SystemClock()))
    return _CATALOG["importer"]


def catalog_csv(data: bytes) -> None:
    """A catalog CSV file as `guitai catalog import` reads it (encoding sniffing included)."""
    from pos_app.services.csv_encoding import decode_catalog_file, text_source

    try:
        text, used = decode_catalog_file(data)
    except GuitaiError:
        return
    # a header the importer accepts, so the rows get checked too
    header = "sku,style,name,price,barcode,category,vat\n"
    for candidate in (text, header + text):
        try:
            _catalog_importer().run(text_source(candidate), skip_invalid=True, encoding=used)
        except GuitaiError:
            pass


TARGETS: dict[str, Callable[[bytes], None]] = {
    "scanner": scanner,
    "escpos_status": escpos_status,
    "zvt": zvt,
    "wechat_xml": wechat_xml,
    "alipay_json": alipay_json,
    "ereceipt_token": ereceipt_token,
    "catalog_csv": catalog_csv,
}


def run_atheris(name: str) -> None:
    """Entry point of fuzz/fuzz_<name>.py: coverage-guided fuzzing with atheris."""
    import sys

    import atheris

    os.environ.setdefault("GUITAI_SCRYPT_N", "4096")
    target = TARGETS[name]
    with atheris.instrument_imports():
        import pos_app.domain.codes
        import pos_app.domain.wedge
        import pos_app.services.catalog  # noqa: F401
        import receipts.token  # noqa: F401
    atheris.Setup(sys.argv, target)
    atheris.Fuzz()
