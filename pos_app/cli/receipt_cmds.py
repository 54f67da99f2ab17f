"""guitai receipt show|verify."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from pos_app.domain.errors import InvalidInput, NotFound
from pos_app.domain.money import format_fen

from .common import emit, json_option, obj

if TYPE_CHECKING:
    from pos_app.adapters.db.unit_of_work import SqliteUnitOfWork


@click.group()
def receipt() -> None:
    """Show, render and verify receipts."""


def _payload(uow: SqliteUnitOfWork, receipt_no: int) -> dict[str, Any]:
    """The sale's stored payload (the JSON a receipt is rendered from)."""
    p = uow.sales.payload(receipt_no=receipt_no)
    if p is None:
        raise NotFound(
            f"No receipt {receipt_no} on this till: check the number (guitai sales list)",
            f"本机没有小票 {receipt_no}，请核对号码",
        )
    return p


@receipt.command("show")
@click.argument("receipt_no", type=int)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "png", "escpos", "html"]),
    default="text",
    show_default=True,
)
@click.option("--paper", type=click.Choice(["58", "80"]), help="Paper width in mm.")
@click.option(
    "--encoding",
    type=click.Choice(["gb18030", "gbk", "big5", "raster"]),
    help="Printer charset, or raster for printers without a Chinese font.",
)
@click.option(
    "--gift",
    is_flag=True,
    help="Gift receipt: no price, payment or member; its QR is the version 2 token.",
)
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write to FILE.")
@click.pass_context
def receipt_show(
    ctx: click.Context,
    receipt_no: int,
    fmt: str,
    paper: str | None,
    encoding: str | None,
    gift: bool,
    output: str | None,
) -> None:
    """Render a receipt as text, PNG, ESC/POS bytes or the e-receipt HTML."""
    from pos_app.adapters import receipt_docs
    from receipts import render_escpos, render_html, render_png, render_text
    from receipts.profiles import paper as paper_of

    till = obj(ctx).till
    doc = receipt_docs.document(till.uow, till.signer(), _payload(till.uow, receipt_no), gift=gift)
    prof = receipt_docs.profile(
        int(paper) if paper else None, encoding, till.uow.settings.get("printer_profile")
    )
    if fmt in ("png", "escpos") and not output and sys.stdout.isatty():
        raise InvalidInput(
            f"{fmt} is binary: write it to a file with -o FILE",
            f"{fmt} 为二进制格式，请用 -o 文件 输出",
        )
    if fmt == "text":
        data: bytes = render_text(doc, paper_of(prof.paper_mm)).encode("utf-8")
    elif fmt == "html":
        data = render_html(doc).encode("utf-8")
    elif fmt == "escpos":
        data = render_escpos(doc, prof)
    else:
        import io

        buf = io.BytesIO()
        render_png(doc, paper_of(prof.paper_mm)).save(buf, format="PNG")
        data = buf.getvalue()
    if output:
        Path(output).write_bytes(data)
        click.echo(f"receipt {receipt_no} written to {output} ({len(data)} bytes)", err=True)
    else:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()


@receipt.command("print")
@click.argument("receipt_no", type=int)
@click.option("--printer", help="Printer name (default: the till's receipt printer).")
@click.option("--gift", is_flag=True, help="Gift receipt: no prices.")
@json_option
@click.pass_context
def receipt_print(
    ctx: click.Context, receipt_no: int, printer: str | None, gift: bool, as_json: bool
) -> None:
    """Print (or reprint, marked 重印) a receipt on a receipt printer."""
    till = obj(ctx).till
    payload = _payload(till.uow, receipt_no)
    out = till.printing().print_receipt(payload, copy=not gift, gift=gift, printer=printer)
    emit(
        out,
        as_json,
        lambda d: (
            f"小票 {receipt_no}：打印任务 {d['job_id']} {d['state']}\n"
            f"receipt {receipt_no}: print job {d['job_id']} {d['state']}"
            + "".join(f"\n  {w}" for w in d["warnings"])
        ),
    )


@receipt.command("verify")
@click.argument("url_or_token")
@json_option
@click.pass_context
def receipt_verify(ctx: click.Context, url_or_token: str, as_json: bool) -> None:
    """Check a scanned e-receipt: signature, issuer and whether it matches a local sale."""
    from pos_app.adapters import receipt_docs
    from receipts.token import TokenError

    till = obj(ctx).till
    try:
        r = receipt_docs.verify_receipt(till.uow, till.signer(), url_or_token)
    except TokenError as err:
        if as_json:
            # code: bad_receipt_token, or topup_receipt for a top-up receipt's QR (issue 23)
            no = {"valid": False, "reason": err.message, "reason_zh": err.message_zh}
            emit(no | {"code": err.code}, True)
        else:
            click.echo(f"NOT VALID: {err.message_zh}\n{err.message}")
        ctx.exit(1)
        return
    local = r["local_sale"]

    def text(d: dict[str, Any]) -> str:  # the answer's JSON, as --json prints it
        # a gift receipt's token (version 2) carries no total to show
        amount = "gift receipt 礼品小票" if d["gift"] else f"total ¥{format_fen(d['total_fen'])}"
        lines = [
            f"VALID e-receipt: till key {d['key_id']}, receipt {d['receipt_no']}, {amount}",
            f"issued 开具时间 {d['issued_at_iso'][:19].replace('T', ' ')} ({d['timezone']})",
        ]
        if local is not None:
            lines.append(
                "matches the local sale"
                if local["matches"]
                else f"does NOT match a local sale: {local['reason']}"
            )
        return "\n".join(lines)

    emit(r, as_json, text)
    if local is not None and not local["matches"]:
        ctx.exit(1)
