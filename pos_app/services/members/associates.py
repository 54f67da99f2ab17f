"""The associate's follow-ups, suggestions beside the sale, sales by associate."""

from __future__ import annotations

import logging
from typing import Any

from pos_app.domain import events
from pos_app.domain.errors import NotFound

from .common import MemberContext
from .directory import MemberDirectory

log = logging.getLogger(__name__)


class MemberAssociates:
    """The sales associate's side of the members: follow-ups, suggestions, their sales."""

    def __init__(self, ctx: MemberContext, directory: MemberDirectory) -> None:
        self.ctx = ctx
        self.uow = ctx.uow
        self.repo = ctx.repo
        self.directory = directory

    # ---- follow-ups -------------------------------------------------------------------

    def followups(self, associate: str | None = None, due: bool = False) -> list[dict[str, Any]]:
        return list(self.repo.followups(associate, self.ctx.now() if due else None))

    def finish_followup(self, fid: int, user: str, note: str = "") -> None:
        now = self.ctx.now()
        with self.uow:
            row = next((r for r in self.repo.followups(None, None) if r["id"] == fid), None)
            if row is None or not self.repo.finish_followup(fid, user, note, now):
                raise NotFound(f"No open follow-up {fid}", f"没有未完成的回访 {fid}")
            self.uow.outbox.add(
                events.MEMBER_UPDATED,
                {
                    "member_id": row["member_id"],
                    "followup_done": {
                        "sale_id": row["sale_id"],
                        "step": row["step"],
                        "by": user,
                        "note": note,
                        "at": now,
                    },
                    "at": now,
                },
                now,
            )
            self.uow.commit()

    # ---- suggestions ------------------------------------------------------------------

    def suggestions(
        self, skus: list[str], member_id: str | None = None, limit: int = 5
    ) -> dict[str, Any]:
        """Items often bought with the basket; for a member, items in their sizes and
        favourite categories (the store's best sellers first)."""
        together = self.repo.bought_together(skus, skus, limit)
        for_member: list[dict[str, Any]] = []
        if member_id:
            panel = self.directory.panel(member_id)
            seen = set(skus)
            for cat in panel["favourite_categories"]:
                size = panel["usual_sizes"].get(cat)
                for item in self.repo.items_in(cat, size, sorted(seen), limit):
                    if item["sku"] not in seen and len(for_member) < limit:
                        seen.add(item["sku"])
                        for_member.append(
                            item | {"reason": f"常购 {cat}" + (f" {size}" if size else "")}
                        )
        return {"bought_together": together, "for_member": for_member}

    def sales_by_associate(
        self, first_day: str, last_day: str | None = None
    ) -> list[dict[str, Any]]:
        return list(self.repo.sales_by_associate(first_day, last_day or first_day))
