"""`guitai journal verify`: the hash chain, and agreement of the report tables with it."""

from __future__ import annotations

import json
from dataclasses import dataclass

from pos_app.domain.journal import ChainProblem, verify_chain

from .unit_of_work import AbstractUnitOfWork


@dataclass(frozen=True)
class VerifyResult:
    entries: int
    sales: int  # sale receipts
    refunds: int  # refund receipts, counted apart: a refund is not a sale
    problems: list[ChainProblem]

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def receipts(self) -> int:
        """Sale and refund rows checked (every receipt number)."""
        return self.sales + self.refunds


def _check_row(row: dict[str, object]) -> list[str]:
    out: list[str] = []
    if row["ref_id"] is None:
        return ["has no journal entry (inserted outside the till)"]
    payload = json.loads(str(row["payload"]))
    if row["ref_id"] != row["id"]:
        out.append("points at another sale's journal entry")
    if payload.get("receipt_no") != row["receipt_no"]:
        out.append(
            f"receipt number {row['receipt_no']} differs from the journal's "
            f"{payload.get('receipt_no')}"
        )
    if payload.get("total_fen") != row["total_fen"]:
        out.append(
            f"total {row['total_fen']} differs from the journal's {payload.get('total_fen')}"
        )
    lines = payload.get("lines", [])
    sign = -1 if row["kind"] == "refund" else 1
    if sign * sum(int(x["amount_fen"]) for x in lines) != payload.get("total_fen"):
        out.append("journal lines do not add up to its total")
    if (row["lines_count"], row["lines_qty"], sign * int(str(row["lines_fen"]))) != (
        len(lines),
        sum(int(x["qty"]) for x in lines),
        payload.get("total_fen"),
    ):
        out.append("sale lines were edited, added or removed")
    if row["payments_fen"] != payload.get("total_fen"):
        out.append("payments were edited: they no longer add up to the total")
    if not row["outbox_events"]:
        out.append("its outbox event is missing")
    return out


def verify(uow: AbstractUnitOfWork) -> VerifyResult:
    problems = verify_chain(uow.journal.entries())
    expected_no = 1
    counts = {"sale": 0, "refund": 0}
    for row in uow.sales.rows_for_verify():
        kind = "refund" if row["kind"] == "refund" else "sale"
        counts[kind] += 1
        seq = int(str(row["journal_seq"]))
        if row["receipt_no"] != expected_no:
            problems.append(
                ChainProblem(
                    seq, f"receipt numbers jump from {expected_no - 1} to {row['receipt_no']}"
                )
            )
        expected_no = int(str(row["receipt_no"])) + 1
        for p in _check_row(row):
            problems.append(ChainProblem(seq, f"receipt {row['receipt_no']}: {p}"))
    for seq in uow.journal.refs_without_sale():
        problems.append(ChainProblem(seq, "journal entry has no sale row (sale deleted)"))
    for rate, category in uow.sales.line_totals_drift():
        problems.append(
            ChainProblem(
                0,
                f"the period report's line totals for VAT {rate / 100:g}% and category "
                f"{category or '(none)'!r} were edited: they no longer add up the sale lines",
            )
        )
    entries = sum(1 for _ in uow.journal.entries())
    return VerifyResult(entries, counts["sale"], counts["refund"], problems)
