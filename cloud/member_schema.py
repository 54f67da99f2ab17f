"""The member ledger's funnel kinds and alias resolution."""

from __future__ import annotations

from .db import Tx

FUNNEL_KINDS = ("receipts_printed", "ereceipts_opened", "follows", "joins")


def _canonical(tx: Tx, member_id: str) -> str:
    row = tx.execute(
        "SELECT member_id FROM member_aliases WHERE alias_id = ?", (member_id,)
    ).fetchone()
    return str(row[0]) if row else member_id
