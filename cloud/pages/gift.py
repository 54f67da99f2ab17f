"""The page of a gift receipt's QR (an e-receipt token of version 2,
shared/specs/ereceipt-token-v1.md): the store, the items (name, colour, size, quantity) and how
to exchange them, never a price, total, payment, discount or member.

The items come from the synced sale through `receipts`' gift document, which is built without
money, so nothing of what was paid can reach this page even by mistake; the token itself
carries no total.  An altered token or one from an unknown till shows no receipt details."""

from __future__ import annotations

import html
from typing import Any

from receipts import document as rdoc
from receipts.errors import ReceiptError

from ..ereceipt import CloudConfig, local_time, page, verdict_html

# Verdicts under which the gift's items are shown: the till's signature holds (a revoked till
# printed it before it was revoked; the banner says so).
SHOWS_ITEMS = ("genuine", "revoked_till")

EXCHANGE_STEPS = (
    "带上礼品（吊牌完好、未经洗涤穿着）和这张礼品小票，到{brand}任一门店。",
    "店员扫描小票上的二维码，即可找到原购买记录，无需出示购买凭证或付款信息。",
    "可换同款的其他颜色、尺码，或换购其他商品；礼品小票不显示、也不告知购买价格。",
    "换货期限与条件以门店退换货规定为准，如有疑问请咨询门店。",
)


def gift_page(found: dict[str, Any], cfg: CloudConfig) -> str:
    """The whole page for a version 2 token; `found` is the page route's lookup (verdict,
    token fields, the till's device row, the synced sale or None)."""
    e = html.escape
    fields, dev, sale, verdict = found["fields"], found["device"], found["sale"], found["verdict"]
    title = f"{cfg.brand_name} 礼品小票"
    body = [verdict_html(verdict)]
    if verdict not in SHOWS_ITEMS:
        body.append(
            '<div class="card"><p>这张礼品小票无法验证，不能凭此换货；请向赠送者或门店确认。</p>'
            '<p class="muted">This gift receipt cannot be verified: it cannot be used for an '
            "exchange.</p></div>"
        )
        return page(title, "".join(body))
    store = str(dev["store_name"] or dev["store_id"]) if dev else ""
    body.append(
        f'<div class="card"><h1>{e(cfg.brand_name)} · {e(store)}</h1>'
        f'<div class="muted">礼品小票 Gift receipt · 小票号 {fields.receipt_no:06d} · '
        f"{e(local_time(fields.issued_at))}</div></div>"
    )
    items = _items(sale["payload"], store) if sale and sale["type"] == "sale.completed" else ""
    if items:
        body.append(items)
    else:
        body.append(
            '<div class="card"><h1>礼品清单</h1><p class="muted">商品明细正在同步，请稍后刷新查看。'
            "(The items are on their way from the store.)</p></div>"
        )
    steps = "".join(f"<li>{e(s.format(brand=cfg.brand_name))}</li>" for s in EXCHANGE_STEPS)
    body.append(
        f'<div class="card"><h1>如何换货</h1><ol>{steps}</ol>'
        '<p class="muted">How to exchange: bring the items and this gift receipt to any of '
        "our stores; the QR code finds the purchase, no price is shown.</p></div>"
    )
    return page(title, "".join(body))


def _items(payload: dict[str, Any], store_name: str) -> str:
    e = html.escape
    store = rdoc.StoreInfo(name=store_name, store_id=str(payload.get("store_id", "")))
    try:
        doc = rdoc.from_sale_payload(payload, store=store, gift=True)
    except ReceiptError:  # a synced payload the receipt cannot be drawn from: no list
        return ""
    rows = []
    for line in doc.lines:
        variant = f'<br><span class="muted">{e(line.variant)}</span>' if line.variant else ""
        rows.append(f'<tr><td>{e(line.name)}{variant}</td><td class="r">× {line.qty}</td></tr>')
    return (
        f'<div class="card"><h1>礼品清单</h1><table>{"".join(rows)}</table>'
        f'<p class="muted">共 {doc.item_count} 件</p></div>'
    )
