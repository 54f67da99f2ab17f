"""The e-receipt page: the receipt document as a self-contained mobile HTML page in Chinese
(inline CSS, no scripts, no outside requests), which the cloud serves at the QR's URL and
the till can show.  Every piece of receipt text is HTML-escaped."""

from __future__ import annotations

import base64
import io
from html import escape

from .document import ReceiptDocument, money, rate_text
from .labels import tr

_CSS = """
*{box-sizing:border-box}
body{margin:0;background:#f2f2f2;color:#222;font:15px/1.5 -apple-system,"PingFang SC",
"Hiragino Sans GB","Microsoft YaHei","WenQuanYi Micro Hei",sans-serif}
main{max-width:480px;margin:0 auto;background:#fff;padding:16px 16px 24px;min-height:100vh}
header{text-align:center}
header img{max-width:60%;max-height:80px}
h1{font-size:20px;margin:8px 0 2px}
h2{font-size:16px;margin:4px 0;font-weight:600}
.muted{color:#777;font-size:13px}
.banner{border-radius:6px;padding:8px 12px;margin:0 0 12px;font-weight:600}
.ok{background:#e8f6ec;color:#17692f}
.bad{background:#fdecea;color:#a11b12}
.reprint{color:#a11b12;font-weight:700;text-align:center;margin:4px 0}
table{width:100%;border-collapse:collapse}
td{padding:3px 0;vertical-align:top}
td.r{text-align:right;white-space:nowrap;padding-left:8px}
hr{border:0;border-top:1px dashed #bbb;margin:10px 0}
.item .sub{color:#777;font-size:13px}
.total td{font-size:19px;font-weight:700;padding-top:6px}
footer{text-align:center;color:#555;font-size:13px;margin-top:12px}
.qr{display:block;margin:12px auto 4px;width:180px;height:180px}
"""


def _row(left: str, right: str = "", cls: str = "") -> str:
    c = f' class="{cls}"' if cls else ""
    return f'<tr{c}><td>{escape(left)}</td><td class="r">{escape(right)}</td></tr>'


def _qr_svg(url: str) -> str:
    from .token import QR_QUIET_MODULES, qr_matrix

    matrix = qr_matrix(url)
    n = len(matrix) + 2 * QR_QUIET_MODULES
    q = QR_QUIET_MODULES
    path = "".join(
        f"M{x + q} {y + q}h1v1h-1z"
        for y, r in enumerate(matrix)
        for x, dark in enumerate(r)
        if dark
    )
    return (
        f'<svg class="qr" viewBox="0 0 {n} {n}" xmlns="http://www.w3.org/2000/svg" '
        f'role="img" aria-label="{escape(url)}" shape-rendering="crispEdges">'
        f'<rect width="{n}" height="{n}" fill="#fff"/><path d="{path}" fill="#000"/></svg>'
    )


def _logo(path: str) -> str:
    from PIL import Image

    try:
        with Image.open(path) as img:
            img.thumbnail((480, 160))
            buf = io.BytesIO()
            img.save(buf, "PNG")
    except OSError:
        return ""
    data = base64.b64encode(buf.getvalue()).decode("ascii")
    return f'<img src="data:image/png;base64,{data}" alt="">'


def render_receipt_html(
    doc: ReceiptDocument,
    *,
    verified: bool | None,
    extra_html: str = "",
    show_qr: bool = True,
    lead_html: str = "",
) -> str:
    """The e-receipt page.

    `verified`: True shows "signature verified", False a red "altered / unknown till" warning,
    None nothing (e.g. the till's own preview).  `extra_html` is inserted *unescaped* before
    the footer, `lead_html` first of all (the cloud's summary above the fold): only pass
    markup you produced yourself (the cloud's links, return status…).
    """
    s = doc.store
    lang = s.language
    html_lang = "zh-Hant" if lang == "zh-Hant" else "zh-CN"
    title = escape(tr(lang, "电子小票"))
    out: list[str] = [
        f'<!DOCTYPE html><html lang="{html_lang}"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width,initial-scale=1">',
        '<meta name="robots" content="noindex">',
        f"<title>{escape(s.name)} · {title}</title><style>{_CSS}</style></head><body><main>",
    ]
    out.append(lead_html)
    if verified is True:
        out.append(
            '<div class="banner ok">✓ '
            + escape(tr(lang, "已验证：本小票由门店收银机签发，未被篡改"))
            + "</div>"
        )
    elif verified is False:
        out.append(
            '<div class="banner bad">⚠ '
            + escape(tr(lang, "验证失败：本小票已被篡改或来自未知收银机，请勿凭此退换货"))
            + "</div>"
        )
    out.append("<header>")
    if s.logo_path:
        out.append(_logo(s.logo_path))
    out.append(f"<h1>{escape(s.name)}</h1>")
    for text in (s.address, f"{tr(lang, '电话')} {s.phone}" if s.phone else ""):
        if text:
            out.append(f'<div class="muted">{escape(text)}</div>')
    out.append(f"<h2>{escape(doc.title)}</h2>")
    if doc.reprint_count:
        out.append(f'<div class="reprint">重印 第{doc.reprint_count}次</div>')
    if doc.gift:
        out.append('<div class="muted">' + escape(tr(lang, "(不显示价格)")) + "</div>")
    out.append("</header><hr><table>")
    meta = [
        (tr(lang, "小票号"), doc.receipt_no_text if doc.receipt_no is not None else ""),
        (tr(lang, "原小票号"), f"{doc.original_receipt_no:06d}" if doc.original_receipt_no else ""),
        (tr(lang, "门店"), s.store_id),
        (tr(lang, "收银台"), f"{doc.till_no:02d}" if doc.till_no is not None else ""),
        (tr(lang, "收银员"), doc.cashier),
        (tr(lang, "导购"), doc.associate),
        (tr(lang, "时间"), doc.time_text),
        (tr(lang, "退货原因"), doc.reason),
        *doc.meta.items(),
    ]
    out.extend(_row(k, v) for k, v in meta if v)
    out.append("</table>")
    if doc.lines:
        out.append("<hr><table>")
        for line in doc.lines:
            right = f"× {line.qty}" if doc.gift else money(line.qty * line.unit_price_fen)
            out.append(f'<tr class="item"><td>{escape(line.name)}')
            sub = [line.variant] if line.variant else []
            if not doc.gift:
                sub.append(f"{line.qty} × {money(line.unit_price_fen)}")
                if line.member_saving_fen:
                    sub.append(f"{tr(lang, '会员价优惠')} {money(-line.member_saving_fen)}")
                if line.discount_fen:
                    sub.append(f"{tr(lang, '优惠')} {money(-line.discount_fen)}")
            if sub:
                out.append(f'<div class="sub">{escape("　".join(sub))}</div>')
            out.append(f'</td><td class="r">{escape(right)}</td></tr>')
        out.append("</table>")
    if doc.kind in ("sale", "refund"):
        out.append("<hr><table>")
        if doc.lines:
            out.append(_row(tr(lang, "件数"), str(doc.item_count)))
        if not doc.gift:
            if doc.kind == "sale" and doc.lines:
                out.append(_row(tr(lang, "原价合计"), money(doc.subtotal_fen)))
                if doc.discount_fen:
                    out.append(_row(tr(lang, "优惠合计"), money(-doc.discount_fen)))
                if doc.rounding_fen:
                    out.append(_row(tr(lang, "抹零"), money(-doc.rounding_fen)))
            label = tr(lang, "应收" if doc.kind == "sale" else "退款合计")
            sign = "-￥" if doc.total_fen < 0 else "￥"
            out.append(_row(label, sign + money(abs(doc.total_fen)), "total"))
            for t in doc.tenders:
                out.append(
                    _row(t.label + (f" {t.detail}" if t.detail else ""), money(t.amount_fen))
                )
                if t.change_fen:
                    out.append(_row(tr(lang, "找零"), money(t.change_fen)))
            for v in doc.vat:
                out.append(
                    _row(
                        tr(lang, "含增值税 {rate}", rate=rate_text(v.rate_bp)),
                        money(v.vat_fen),
                    )
                )
        out.append("</table>")
    if doc.member is not None:
        m = doc.member
        out.append("<hr><table>")
        out.append(_row(tr(lang, "会员"), m.phone_masked + (f" {m.tier}" if m.tier else "")))
        if m.points_earned is not None:
            out.append(_row(tr(lang, "本次积分"), f"{m.points_earned:+d}"))
        if m.points_balance is not None:
            out.append(_row(tr(lang, "积分余额"), str(m.points_balance)))
        out.append("</table>")
    for section in doc.sections:
        out.append("<hr>")
        if section.title:
            out.append(f"<h2>{escape(section.title)}</h2>")
        out.append("<table>" + "".join(_row(k, v) for k, v in section.rows) + "</table>")
    out.append(extra_html)
    if show_qr and doc.qr_url:
        out.append(_qr_svg(doc.qr_url))
        out.append(f'<div class="muted" style="text-align:center">{escape(doc.qr_caption)}</div>')
    if doc.footer:
        out.append(
            "<footer>" + "".join(f"<div>{escape(x)}</div>" for x in doc.footer) + "</footer>"
        )
    out.append("</main></body></html>")
    return "\n".join(out)


def render_html(doc: ReceiptDocument) -> str:
    """The e-receipt page with no verification banner (the till's own preview)."""
    return render_receipt_html(doc, verified=None)
