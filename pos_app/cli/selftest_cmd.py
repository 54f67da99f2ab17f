"""`guitai selftest`: a headless check that this installation can sell, render a receipt and
verify its journal (the packaging tests run it inside the PyInstaller build)."""

from __future__ import annotations

import contextlib
import os
import sqlite3
from pathlib import Path
from typing import Any

import click

from pos_app import __version__
from pos_app.domain.errors import GuitaiError, InvalidInput, StateError

from .common import emit, json_option


def run_selftest(folder: Path, *, qt: bool = True) -> list[dict[str, Any]]:
    """Set up a till in `folder`, sell one item for cash, render its receipt every way, check
    its signed QR and the journal.  Returns the checks; raises at the first failure."""
    from pos_app.adapters import receipt_docs
    from pos_app.adapters.db.connection import open_database
    from pos_app.adapters.db.unit_of_work import SqliteUnitOfWork
    from pos_app.adapters.keys import create_key, create_pepper
    from pos_app.bootstrap import build, shutdown
    from pos_app.config import Paths
    from pos_app.domain.tenders import Tender
    from pos_app.domain.users import Role
    from pos_app.services.journal import verify
    from receipts import render_escpos, render_png, render_text
    from receipts.profiles import paper as paper_of
    from receipts.token import verify as verify_token

    checks: list[dict[str, Any]] = []

    def ok(name: str, **info: Any) -> None:
        checks.append({"check": name, "ok": True, **info})

    paths = Paths(folder)
    create_key(paths.private_key)
    create_pepper(paths.pepper)
    db = open_database(paths.database)
    till = build(paths, db)
    try:
        uow = SqliteUnitOfWork(db.conn)
        with uow:
            for k, v in {
                "store_id": "SELFTEST",
                "store_name": "自检门店",
                "till_no": "1",
                "timezone": "Asia/Shanghai",
                "cash_rounding": "none",
            }.items():
                uow.settings.put(k, v)
            db.conn.execute(
                "INSERT INTO skus(sku, style, name, price_fen, category) "
                "VALUES('SELF-1', 'SELF', '自检商品 T恤', 9900, '自检')"
            )
            db.conn.execute(
                "INSERT INTO barcodes(code, sku, kind) VALUES('6901234567892', 'SELF-1', 'ean13')"
            )
            uow.commit()
        ok("database", sqlite=sqlite3.sqlite_version)
        pin = "2468"
        till.users.add("selftest", {Role.MANAGER, Role.CASHIER}, pin)
        user = till.users.authenticate("selftest", pin)
        till.shifts.open(user, 10000)
        sale = till.sales.new_sale(user)
        till.sales.scan(sale, "6901234567892")
        till.checkout.pay(sale, Tender.parse("cash"), 10000, None)
        payload = till.checkout.complete(sale)
        ok("sale", receipt_no=payload["receipt_no"], total_fen=payload["total_fen"])
        doc = receipt_docs.document(till.uow, till.signer(), payload)
        prof = receipt_docs.profile(None, None, None)
        text = render_text(doc, paper_of(prof.paper_mm))
        if "自检商品" not in text:
            raise StateError("the receipt text lacks the item", "小票文本缺少商品")
        raw = render_escpos(doc, prof)
        png = render_png(doc, paper_of(prof.paper_mm))
        ok("receipt", text_lines=text.count("\n") + 1, escpos_bytes=len(raw), png=png.size)
        if doc.qr_url is None:
            raise StateError("the receipt has no QR code", "小票没有二维码")
        fields = verify_token(doc.qr_url, lambda kid: till.signer().public_key_raw)
        if fields.receipt_no != payload["receipt_no"]:
            raise StateError("the receipt QR names another receipt", "小票二维码的单号不符")
        ok("qr signature", key_id=till.signer().key_id.hex())
        result = verify(till.uow)
        if not result.ok or result.entries != 1:
            raise StateError(
                f"the journal does not verify: {[p.problem for p in result.problems]}",
                "流水校验失败",
            )
        ok("journal", entries=result.entries)
        from escpos.printer import Dummy

        d = Dummy(profile="TM-T88V")
        d.text("selftest\n")
        ok("python-escpos", profile="TM-T88V", capabilities="loaded")
        backup = till.backups.backup("selftest")
        ok("backup", file=backup[0].name)
    finally:
        shutdown(till)
        db.close()
    if qt:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        from PySide6.QtGui import QGuiApplication

        # platformName() is static: it reports on the application `_app` keeps alive meanwhile.
        _app = QGuiApplication.instance() or QGuiApplication(["guitai-selftest"])
        ok("qt", platform=QGuiApplication.platformName())
    return checks


@click.command()
@click.option("--keep", type=click.Path(file_okay=False), help="Keep the test till in DIR.")
@click.option("--no-qt", is_flag=True, help="Skip the Qt start-up check.")
@json_option
def selftest(keep: str | None, no_qt: bool, as_json: bool) -> None:
    """Headless check of this installation: a temp till sells one item, renders and verifies.

    Touches no real till: everything happens in a temporary folder (exit 0 when all passed)."""
    import tempfile

    with contextlib.ExitStack() as stack:
        if keep:
            folder = Path(keep)
            if folder.exists() and any(folder.iterdir()):
                raise InvalidInput(f"{folder} is not empty", f"{folder} 不是空目录")
        else:
            folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="guitai-st-")))
        try:
            checks = run_selftest(folder / "till", qt=not no_qt)
        except GuitaiError:
            raise
        except Exception as err:
            raise StateError(
                f"Self-test failed: {type(err).__name__}: {err}. Reinstall the package or send "
                "`guitai selftest` output to support",
                f"自检失败：{type(err).__name__}: {err}。请重新安装或联系技术支持",
            ) from err
    emit(
        {"ok": True, "version": __version__, "checks": checks},
        as_json,
        lambda d: (
            "\n".join(
                f"ok  {c['check']:<14} "
                + ", ".join(f"{k}={v}" for k, v in c.items() if k not in ("check", "ok"))
                for c in d["checks"]
            )
            + f"\n自检通过 selftest passed (guitai {__version__})"
        ),
    )


__all__ = ["run_selftest", "selftest"]
