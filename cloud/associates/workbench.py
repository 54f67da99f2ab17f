"""What the associate sees and does on the phone: today's tasks for *their* members (the 3369
follow-ups the tills synced and the tasks triggers opened), the customer card, the brand's
suggested message, a task done with a note, a coupon from the brand's allowed list, their own
sales and funnel.

A member is the associate's (专属导购) when the member enrolled with them (`associate` in the
member's data), or, for a member enrolled without one, when they were the first to serve
the member; a manager reassigns with `guitai cloud associate assign`.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import Any

from ..changelog import Publish
from ..common import ApiError, _dump, _now_iso
from ..db import CloudDB, Tx
from ..members.issuing import CouponIssuing
from ..members.rows import publish_member
from ..triggers.actions import publish_task
from ..triggers.coupon_link import issue_one

CHINA = timezone(timedelta(hours=8))  # the store's day
DEFAULT_SCRIPT = "您好{name}，我是{associate}，感谢您的光临，最近穿着还合适吗？有需要随时找我。"


def _parse(iso: str) -> datetime | None:
    try:
        dt = datetime.fromisoformat(str(iso).replace("Z", "+00:00"))
    except ValueError:
        return None
    return dt if dt.tzinfo else dt.replace(tzinfo=CHINA)


def masked(phone: str) -> str:
    return f"{phone[:3]}****{phone[-4:]}" if len(phone) >= 7 else "****"


def owner(tx: Tx, member_id: str, data: dict[str, Any]) -> str:
    if data.get("associate"):
        return str(data["associate"])
    # the first associate who served them: theirs until a manager reassigns the member
    last = tx.execute(
        "SELECT associate FROM member_purchases WHERE member_id = ? AND kind = 'sale.completed' "
        "AND COALESCE(associate, '') <> '' ORDER BY at LIMIT 1",
        (member_id,),
    ).fetchone()
    return str(last[0] or "") if last else ""


class Workbench:
    def __init__(
        self,
        db: CloudDB,
        now: Callable[[], datetime],
        publish: Publish,
        issuing: CouponIssuing,
    ) -> None:
        self.db = db
        self.now = now
        self.publish = publish
        self.issuing = issuing

    # ---- the brand's side: 话术, allowed coupons, reassignment ------------------------------

    def add_script(self, kind: str, text: str) -> dict[str, str]:
        kind, text = kind.strip().lower(), text.strip()
        if not kind or not text:
            raise ApiError(400, "bad_script", "Give the kind and the text of the message",
                           "请提供话术的类型和内容")  # fmt: skip
        with self.db.tx() as tx:
            tx.execute(
                "INSERT INTO talk_scripts(kind, text, updated_at) VALUES (?, ?, ?) "
                "ON CONFLICT(kind) DO UPDATE SET text = excluded.text, "
                "updated_at = excluded.updated_at",
                (kind, text, _now_iso(self.now())),
            )
        return {"kind": kind, "text": text}

    def allow_coupon(self, code: str) -> dict[str, str]:
        with self.db.tx() as tx:
            if not tx.execute("SELECT 1 FROM coupons WHERE code = ?", (code,)).fetchone():
                raise ApiError(
                    404,
                    "unknown_coupon",
                    f"No coupon {code}: add it first with `guitai cloud coupon add`",
                    f"没有券 {code}：请先用 guitai cloud coupon add 添加",
                )
            tx.execute(
                "INSERT INTO associate_coupons(code, at) VALUES (?, ?) ON CONFLICT DO NOTHING",
                (code, _now_iso(self.now())),
            )
        return {"code": code}

    def allowed_coupons(self) -> list[dict[str, Any]]:
        with self.db.tx() as tx:
            rows = tx.execute(
                "SELECT a.code, c.data FROM associate_coupons a JOIN coupons c ON c.code = a.code "
                "ORDER BY a.code"
            ).fetchall()
        return [{"code": r[0], "name": json.loads(r[1]).get("name") or r[0]} for r in rows]

    def assign(self, member_id: str, associate: str) -> dict[str, str]:
        """A manager gives the member to another associate (and their open tasks with it)."""
        with self.db.tx() as tx:
            row = tx.execute("SELECT data FROM members WHERE id = ?", (member_id,)).fetchone()
            if row is None:
                raise ApiError(404, "unknown_member", f"No member {member_id}",
                               f"没有会员 {member_id}")  # fmt: skip
            if not tx.execute("SELECT 1 FROM associates WHERE name = ?", (associate,)).fetchone():
                raise ApiError(
                    404,
                    "unknown_associate",
                    f"No associate {associate}: add them with `guitai cloud associate add`",
                    f"没有导购 {associate}：请先用 guitai cloud associate add 添加",
                )
            data = json.loads(row[0] or "{}") | {"associate": associate}
            tx.execute(
                "UPDATE members SET data = ?, updated_at = ? WHERE id = ?",
                (_dump(data), _now_iso(self.now()), member_id),
            )
            moved = tx.execute(
                "UPDATE member_tasks SET associate = ? WHERE member_id = ? AND state = 'open' "
                "RETURNING id",
                (associate, member_id),
            ).fetchall()
            for (tid,) in moved:
                publish_task(tx, self.publish, int(tid))
            publish_member(tx, self.publish, member_id)
        return {"member_id": member_id, "associate": associate}

    # ---- the associate's side ------------------------------------------------------------

    def today(self, name: str) -> list[dict[str, Any]]:
        """Open tasks due by the end of the store's day, for the associate's own members."""
        now = self.now()
        end = datetime.combine(
            now.astimezone(CHINA).date() + timedelta(days=1), datetime.min.time(), CHINA
        )
        out: list[dict[str, Any]] = []
        with self.db.tx() as tx:
            for tid, mid, title, due in tx.execute(
                "SELECT id, member_id, title, due_at FROM member_tasks WHERE associate = ? "
                "AND state = 'open' ORDER BY due_at, id",
                (name,),
            ).fetchall():
                at = _parse(str(due))
                if at is not None and at < end:
                    out.append({"key": f"t:{tid}", "kind": "trigger", "title": title,
                                "member_id": mid, "due_at": due})  # fmt: skip
            for mid, raw in tx.execute(
                "SELECT id, data FROM members WHERE data LIKE ? ORDER BY id", ('%"followups"%',)
            ).fetchall():
                data = json.loads(raw or "{}")
                mine = owner(tx, str(mid), data)
                for f in data.get("followups") or []:
                    if f.get("done_at") or (mine or f.get("associate")) != name:
                        continue
                    at = _parse(str(f.get("due_at", "")))
                    if at is None or at >= end:
                        continue
                    out.append(
                        {
                            "key": f"f:{mid}:{f.get('sale_id')}:{f.get('step')}",
                            "kind": "followup",
                            "title": f"3369 回访 第{f.get('step')}次 · follow-up {f.get('step')}",
                            "member_id": str(mid),
                            "due_at": f.get("due_at"),
                        }
                    )
        far = datetime.max.replace(tzinfo=CHINA)
        out.sort(key=lambda t: (_parse(str(t["due_at"])) or far, t["key"]))
        return out

    def card(self, member_id: str) -> dict[str, Any]:
        """The customer card: tier, sizes, last purchases, suggestions, consent."""
        with self.db.tx() as tx:
            row = tx.execute(
                "SELECT name, phone, tier, data FROM members WHERE id = ?", (member_id,)
            ).fetchone()
            buys = tx.execute(
                "SELECT at, store_id, total_fen, items FROM member_purchases WHERE member_id = ? "
                "AND kind = 'sale.completed' ORDER BY at DESC LIMIT 20",
                (member_id,),
            ).fetchall()
        if row is None:
            return {"member_id": member_id, "name": "", "phone": "", "tier": "", "consent": False,
                    "sizes": {}, "last": [], "suggestions": []}  # fmt: skip
        data = json.loads(row[3] or "{}")
        sizes: dict[str, Counter[str]] = {}
        cats: Counter[str] = Counter()
        for _, _, _, items in buys:
            for it in json.loads(items or "[]"):
                cat = str(it.get("category") or "")
                if cat:
                    cats[cat] += 1
                    if it.get("size"):
                        sizes.setdefault(cat, Counter())[str(it["size"])] += 1
        usual = {c: s.most_common(1)[0][0] for c, s in sizes.items()}
        last = [
            {
                "at": str(at),
                "store_id": store,
                "total_fen": int(total),
                "items": [str(i.get("name") or i.get("sku")) for i in json.loads(items or "[]")],
            }
            for at, store, total, items in buys[:3]
        ]
        suggestions = [
            f"常购 {c}" + (f"，常穿 {usual[c]}" if c in usual else "") + " · new arrivals"
            for c, _ in cats.most_common(2)
        ]
        return {
            "member_id": member_id,
            "name": str(row[0] or ""),
            "phone": masked(str(row[1] or "")),
            "tier": str(row[2] or ""),
            "consent": bool(data.get("consent_at")),
            "tags": list(data.get("tags") or []),
            "sizes": usual,
            "last": last,
            "suggestions": suggestions,
        }

    def script(self, kind: str, card: dict[str, Any], associate: str) -> str:
        """The brand's 话术 for the kind of task, with {name} and {associate} filled in
        (plain replacement: the text is the brand's, never a format string)."""
        with self.db.tx() as tx:
            row = tx.execute(
                "SELECT text FROM talk_scripts WHERE kind IN (?, 'default') "
                "ORDER BY CASE kind WHEN ? THEN 0 ELSE 1 END LIMIT 1",
                (kind, kind),
            ).fetchone()
        text = str(row[0]) if row else DEFAULT_SCRIPT
        return text.replace("{name}", card.get("name") or "").replace("{associate}", associate)

    def task_kind(self, key: str) -> str:
        if key.startswith("f:"):
            return "followup"
        with self.db.tx() as tx:
            row = tx.execute(
                "SELECT f.event FROM member_tasks t JOIN trigger_firings f "
                "ON t.task_key = 'trigger:' || CAST(f.id AS TEXT) WHERE t.id = ?",
                (int(key[2:]) if key[2:].isdigit() else -1,),
            ).fetchone()
        return str(row[0]) if row else "trigger"

    def done(self, name: str, key: str, note: str) -> dict[str, Any]:
        """Finish one of the associate's tasks; a 3369 follow-up is marked as the till marks
        it (`followup_done` in the member's data) and published, so the tills agree."""
        now = _now_iso(self.now())
        note = note.strip()[:500]
        with self.db.tx() as tx:
            if key.startswith("t:") and key[2:].isdigit():
                n = tx.execute(
                    "UPDATE member_tasks SET state = 'done', note = ?, done_at = ?, done_by = ? "
                    "WHERE id = ? AND associate = ? AND state = 'open'",
                    (note, now, name, int(key[2:]), name),
                ).rowcount
                if n:
                    publish_task(tx, self.publish, int(key[2:]))
                    return {"key": key, "done": True}
            elif key.startswith("f:"):
                _, mid, sale, step = [*key.split(":", 3), "", "", ""][:4]
                row = tx.execute("SELECT data FROM members WHERE id = ?", (mid,)).fetchone()
                if row is not None:
                    data = json.loads(row[0] or "{}")
                    mine = owner(tx, mid, data)
                    for f in data.get("followups") or []:
                        if (
                            str(f.get("sale_id")) == sale
                            and str(f.get("step")) == step
                            and not f.get("done_at")
                            and (mine or f.get("associate")) == name
                        ):
                            f["done_at"], f["done_by"], f["note"] = now, name, note
                            tx.execute(
                                "UPDATE members SET data = ?, updated_at = ? WHERE id = ?",
                                (_dump(data), now, mid),
                            )
                            self.publish(
                                tx,
                                "followup",
                                "upsert",
                                f"{sale}:{step}",
                                {"member_id": mid, "sale_id": sale, "step": int(step),
                                 "done_at": now, "done_by": name, "note": note},
                            )  # fmt: skip
                            return {"key": key, "done": True}
        raise ApiError(
            404,
            "no_such_task",
            "That task is not an open task of yours: reload the page",
            "该任务不是您未完成的任务：请刷新页面",
        )

    def send_coupon(self, name: str, member_id: str, code: str) -> dict[str, Any]:
        """A coupon from the brand's allowed list to one of the associate's members who
        consented; once per coupon, member and day."""
        day = self.now().astimezone(CHINA).date().isoformat()
        with self.db.tx() as tx:
            if not tx.execute("SELECT 1 FROM associate_coupons WHERE code = ?", (code,)).fetchone():
                raise ApiError(403, "coupon_not_allowed",
                               f"Coupon {code} is not on the brand's list for associates",
                               f"券 {code} 不在品牌允许导购发放的列表中")  # fmt: skip
            row = tx.execute("SELECT data FROM members WHERE id = ?", (member_id,)).fetchone()
            data = json.loads(row[0] or "{}") if row else {}
            if row is None or owner(tx, member_id, data) != name:
                raise ApiError(403, "not_your_member", "This member is not yours",
                               "该会员不是您的专属会员")  # fmt: skip
            if not data.get("consent_at"):
                raise ApiError(403, "no_consent",
                               "The member has not agreed to marketing: no coupon can be sent",
                               "该会员未同意接收营销信息，不能发券")  # fmt: skip
            r = issue_one(self.issuing, tx, code, member_id, f"associate:{name}:{day}")
        copies = r.get("coupons") or []
        return {"code": code, "member_id": member_id, "issued": r.get("issued", 0),
                "coupon_code": copies[0]["coupon_code"] if copies else None}  # fmt: skip

    def my_numbers(self, name: str) -> dict[str, Any]:
        """The associate's own sales to members (today, this month) and their funnel."""
        now = self.now().astimezone(CHINA)
        month = now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
        today = now.replace(hour=0, minute=0, second=0, microsecond=0)
        with self.db.tx() as tx:
            rows = tx.execute(
                "SELECT at, total_fen FROM member_purchases WHERE associate = ? AND at >= ?",
                (name, _now_iso(month - timedelta(days=1))),
            ).fetchall()
            funnel = dict(
                tx.execute(
                    "SELECT kind, sum(n) FROM funnel WHERE associate = ? GROUP BY kind", (name,)
                ).fetchall()
            )
        sums = {"today": [0, 0], "month": [0, 0]}
        for at_s, total in rows:
            at = _parse(str(at_s))
            if at is None:
                continue
            for label, since in (("today", today), ("month", month)):
                if at >= since:
                    sums[label][0] += 1
                    sums[label][1] += int(total)
        return {
            "sales_today": sums["today"][0],
            "sales_today_fen": sums["today"][1],
            "sales_month": sums["month"][0],
            "sales_month_fen": sums["month"][1],
            "funnel": {
                k: int(funnel.get(k) or 0)
                for k in ("receipts_printed", "ereceipts_opened", "follows", "joins")
            },
        }
