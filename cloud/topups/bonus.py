"""The bonus part of a member's stored value (the `stored_value_bonus` ledger).

`stored_value_ledger` holds the whole spendable balance, paid and bonus alike, so every
balance check that sums it stays right; this ledger says how much of that balance is bonus.
Paid money is spent first: after any debit the bonus is cut to at most the whole balance
(`clamp_bonus`), which is exactly "the bonus is spent after the paid balance"."""

from __future__ import annotations

from pos_app.domain.topups import bonus_left_after_spend

from ..db import Tx


def balance(tx: Tx, member_id: str) -> int:
    return int(
        tx.execute(
            "SELECT COALESCE(SUM(delta_fen), 0) FROM stored_value_ledger WHERE member_id = ?",
            (member_id,),
        ).fetchone()[0]
    )


def bonus_balance(tx: Tx, member_id: str) -> int:
    return int(
        tx.execute(
            "SELECT COALESCE(SUM(delta_fen), 0) FROM stored_value_bonus WHERE member_id = ?",
            (member_id,),
        ).fetchone()[0]
    )


def book_bonus(tx: Tx, member_id: str, delta_fen: int, reference: str, at: str) -> None:
    if delta_fen:
        tx.execute(
            "INSERT INTO stored_value_bonus(member_id, delta_fen, reference, at) "
            "VALUES (?, ?, ?, ?)",
            (member_id, delta_fen, reference, at),
        )


def clamp_bonus(tx: Tx, member_id: str, reference: str, at: str) -> None:
    """After a debit: the part of it the paid balance could not cover came out of the bonus."""
    bonus = bonus_balance(tx, member_id)
    if bonus <= 0:
        return
    left = bonus_left_after_spend(balance(tx, member_id), bonus)
    book_bonus(tx, member_id, left - bonus, f"spent:{reference}", at)
