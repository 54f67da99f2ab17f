"""`guitai member show PHONE --chain`: the member across the chain, as text (issue 21)."""

from __future__ import annotations

from typing import Any

from pos_app.domain.money import format_fen
from pos_app.domain.promotions import TIER_ZH


def age_text(seconds: int) -> str:
    if seconds < 120:
        return f"{seconds} s"
    if seconds < 7200:
        return f"{seconds // 60} min"
    if seconds < 2 * 86400:
        return f"{seconds // 3600} h"
    return f"{seconds // 86400} d"


def chain_text(v: dict[str, Any]) -> str:
    source = (
        "云端 cloud"
        if v["source"] == "cloud"
        else f"缓存 cached {age_text(int(v['age_s']))} ago ({v['fetched_at']})"
    )
    nxt = v.get("next_tier")
    tier = f"{TIER_ZH.get(v['tier'], v['tier'])} {v['tier']}"
    if nxt:
        tier += (
            f"  → {TIER_ZH.get(nxt['tier'], nxt['tier'])} 还差 ¥{format_fen(nxt['to_go_fen'])}"
            f" (≥ ¥{format_fen(nxt['threshold_fen'])})"
        )
    last = v.get("last_visit")
    lines = [
        f"{v['member_id']}  {v['phone_masked']}  {v['name'] or '-'}  [{source}]",
        f"等级 tier {tier}",
        f"累计消费 lifetime ¥{format_fen(v['lifetime_spend_fen'])}  到店 visits {v['visits']}  "
        + (
            f"最近 last {last['at']} {last['store_name'] or last['store_id']}"
            if last
            else "最近 last -"
        )
        + ("  沉睡 lapsed" if v["lapsed"] else ""),
        "门店 stores "
        + (
            ", ".join(
                f"{s['name'] or s['store_id']} {s['visits']}次 ¥{format_fen(s['net_fen'])}"
                for s in v["stores"]
            )
            or "-"
        ),
        "尺码 sizes " + (", ".join(f"{s['size']}×{s['qty']}" for s in v["sizes"]) or "-"),
        "常购 categories " + (", ".join(c["category"] for c in v["favourite_categories"]) or "-"),
        "券 coupons " + (", ".join(c["code"] for c in v["open_coupons"]) or "-"),
    ]
    lines += [
        f"  {p['at']}  {p['store_name'] or p['store_id']}  #{p['receipt_no']}  "
        f"¥{format_fen(p['total_fen'])}  {'退' if p['kind'] == 'refund' else ''}"
        f"{', '.join(p['items'])}"
        for p in v["purchases"][:10]
    ]
    return "\n".join(lines)
