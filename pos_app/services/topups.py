"""The till's stored-value top-ups (App.topups): the handlers of
pos_app.services.handlers.topups over their dependencies, and what the screens and commands
read (a top-up, the published bonus rules, the Z's 充值 section)."""

from __future__ import annotations

from typing import Any

from pos_app.domain.commands import RefundTopUp, TopUp
from pos_app.domain.members import Member
from pos_app.domain.payments import TextCallback

from .handlers import topups as handlers
from .handlers.topups import TopUpDeps


class TopUps:
    def __init__(self, deps: TopUpDeps) -> None:
        self.deps = deps

    def top_up(self, cmd: TopUp, on_text: TextCallback | None = None) -> dict[str, Any]:
        return handlers.top_up(cmd, self.deps, on_text)

    def refund(self, cmd: RefundTopUp) -> dict[str, Any]:
        return handlers.refund_top_up(cmd, self.deps)

    def get(self, ref: str) -> dict[str, Any] | None:
        return self.deps.repo.get(ref)

    def refundable(self, member_id: str) -> list[dict[str, Any]]:
        return handlers.refundable(self.deps, member_id)

    def rules(self) -> list[dict[str, Any]]:
        return [r.as_dict() for r in handlers.published_rules(self.deps)]

    def preview(self, member: Member, amount_fen: int) -> dict[str, Any]:
        return handlers.preview(self.deps, member, amount_fen)

    def z_section(self, shift: dict[str, Any]) -> dict[str, Any] | None:
        """The X/Z report's `topups`: this shift's top-ups and refunds by tender (None: none).
        They are not sales: the stored value is owed to the member, not revenue."""
        totals = self.deps.repo.shift_totals(int(shift["id"]))
        return totals if totals["by_tender"] else None
