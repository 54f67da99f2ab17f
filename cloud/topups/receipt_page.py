"""The page a top-up receipt's QR opens (`/r/{token}` with a version 3 token, issue 23;
docs/specs/ereceipt-token-v1.md "Version 3: top-up receipts").

The token is checked as a sale's is (unknown key, a signature that fails: the same bilingual
pages), then against the booking it names: its digest must find a top-up this cloud booked,
from the till the key belongs to, for the amount the token carries; anything else is an altered
receipt.  The page shows the store, the time, the amount paid, the bonus, the tender and the
balance after the top-up, which only the member in their own session sees in full (whoever
holds the paper is not necessarily the member, as on a sale's page); its one action is the
sale page's follow (a stranger) or 我的会员."""

from __future__ import annotations

import html
import time
from typing import Any

from starlette.requests import Request

from receipts.token import TokenFields
from receipts.topup import tender_text

from ..db import Tx
from ..ereceipt import VERDICTS, CloudConfig, local_time, page, yuan
from ..members.followers import is_following
from ..members.rows import canonical
from ..pages.receipt_hero import (
    HERO_STYLE,
    MEMBER,
    UNVERIFIED,
    VISITOR,
    HeroView,
    action_html,
    page_state,
    unverified_page,
)
from ..pages.visitor import read_visitor
from ..receipt_lookup import device_by_key_id, token_signed_by
from ..service import CloudService

MASKED = "¥****"


def judge_topup(tx: Tx, fields: TokenFields) -> dict[str, Any]:
    """{"verdict", "device", "topup"}: the verdict as a sale's token gets it, then the
    booking the digest names (None unless the token matches it)."""
    device = device_by_key_id(tx, fields.key_id.hex())
    found: dict[str, Any] = {"fields": fields, "device": device, "topup": None}
    if device is None:
        found["verdict"] = "unknown_till"
        return found
    if not token_signed_by(device, fields):
        found["verdict"] = "altered"
        return found
    row = tx.execute(
        "SELECT t.id, t.member_id, t.device_id, t.paid_fen, t.bonus_fen, t.tender, "
        "t.payment_ref, t.refunded_fen, t.forfeited_fen FROM topup_receipts r "
        "JOIN topups t ON t.id = r.topup_id WHERE r.digest = ?",
        (fields.sale_digest.hex(),),
    ).fetchone()
    if row is None or row[2] != device["device_id"] or int(row[3]) != fields.total_fen:
        # signed by the till, but not a top-up this cloud booked from it for that amount
        found["verdict"] = "altered"
        return found
    found["verdict"] = "revoked_till" if device["revoked_at"] else "genuine"
    found["topup"] = {
        "topup_id": str(row[0]),
        "member_id": str(row[1]),
        "paid_fen": int(row[3]),
        "bonus_fen": int(row[4]),
        "tender": str(row[5]),
        "payment_ref": str(row[6] or ""),
        "refunded_fen": int(row[7]),
        "forfeited_fen": int(row[8]),
        "balance_fen": _balance_after(tx, str(row[1]), str(row[0])),
    }
    return found


def _balance_after(tx: Tx, member_id: str, topup_id: str) -> int:
    """The member's stored value right after this top-up (its paid and bonus rows)."""
    row = tx.execute(
        "SELECT COALESCE(SUM(delta_fen), 0) FROM stored_value_ledger WHERE member_id = ? AND "
        "id <= (SELECT MAX(id) FROM stored_value_ledger WHERE reference IN (?, ?))",
        (member_id, f"topup:{topup_id}", f"topup-bonus:{topup_id}"),
    ).fetchone()
    return int(row[0])


def show_topup(
    service: CloudService, cfg: CloudConfig, fields: TokenFields, token: str, request: Request
) -> str:
    """The whole page for a version 3 token, read in one transaction."""
    with service.db.tx() as tx:
        found = judge_topup(tx, fields)
        if found["verdict"] in UNVERIFIED:
            return unverified_page(cfg, found["verdict"])
        key = service.session_secret_in(tx)
        who = read_visitor(request, key, time.time())
        following = bool(who.openid) and is_following(tx, str(who.openid))
        state = page_state(who, following)
        member = found["topup"]["member_id"]
        owner = bool(who.member_id) and canonical(tx, str(who.member_id)) == canonical(tx, member)
    service.keep_session_secret(key)
    return topup_page(cfg, found, token, state, owner)


def topup_page(cfg: CloudConfig, found: dict[str, Any], token: str, state: str, owner: bool) -> str:
    e = html.escape
    f, dev, t = found["fields"], found["device"], found["topup"]
    zh, en, cls = VERDICTS[found["verdict"]]
    store = str(dev["store_name"] or dev["store_id"])
    # a top-up's customer is a member already: no join; a stranger gets the follow
    view = HeroView(VISITOR if state == VISITOR else MEMBER)
    tender = tender_text(t["tender"], None, "zh-Hans")
    rows = [
        ("充值单号", f"{f.receipt_no:06d}"),
        ("时间", local_time(f.issued_at)),
        ("充值金额", yuan(t["paid_fen"])),
        ("赠送金额", yuan(t["bonus_fen"])),
        ("支付方式", tender),
    ]
    if t["payment_ref"]:
        rows.append(("交易单号", t["payment_ref"]))
    rows.append(("充值后余额", yuan(t["balance_fen"]) if owner else MASKED))
    table = "".join(
        f'<tr><td>{e(k)}</td><td class="r" id="gt-{i}">{e(v)}</td></tr>'
        for i, (k, v) in enumerate(rows)
    )
    notes = []
    if not owner:
        notes.append("余额仅会员本人登录后可见 (The balance is shown to the member only.)")
    if t["refunded_fen"]:
        notes.append(f"本笔充值已退 {yuan(t['refunded_fen'])}，扣回赠送 {yuan(t['forfeited_fen'])}")
    notes.append("赠送金额后于充值本金使用，退充值时先扣回。")
    body = (
        f"<style>{HERO_STYLE}</style>"
        f'<section class="gt-hero" id="gt-hero" data-state="{e(view.state)}" data-kind="topup">'
        f'<p class="gt-brand" id="gt-brand">{e(cfg.brand_name)}</p>'
        f'<p class="gt-store" id="gt-store">{e(store)}</p>'
        f'<span class="gt-badge {cls}" id="gt-badge" title="{e(en)}">{e(zh)}</span>'
        '<div class="gt-total-label">储值充值 · 实付金额</div>'
        f'<p class="gt-total" id="gt-total">{e(yuan(t["paid_fen"]))}</p>'
        f"{action_html(cfg, token, view)}</section>"
        f'<div class="card"><h1>储值充值凭证</h1><table id="gt-topup">{table}</table>'
        + "".join(f'<p class="muted">{e(n)}</p>' for n in notes)
        + "</div>"
    )
    return page(f"{cfg.brand_name} 储值充值", body)
