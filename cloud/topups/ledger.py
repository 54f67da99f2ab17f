"""Top-ups as the cloud books them.

`POST /v1/stored-value/topups` (a till, online only): the cloud applies the brand's bonus
rules to the member's tier and the till's business day, books the paid amount and the bonus in
the stored-value ledger (the bonus also in `stored_value_bonus`) and records the top-up for the
reconciliation.  `POST /v1/stored-value/topups/{id}/refunds`: what is left of that top-up's
bonus is forfeited first, then the paid amount refunded is debited (refused when the member has
already spent it).  Both are idempotent by the till's Idempotency-Key, like the debits.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from pos_app.domain.errors import GuitaiError
from pos_app.domain.sale_limits import TOKEN_MAX_FEN
from pos_app.domain.topups import TopUpRule, bonus_for, receipt_digest, refund_split

from ..changelog import Publish
from ..common import ApiError, _dump, _now_iso, load_json
from ..db import CloudDB, Tx
from ..idempotency import once
from ..members.rows import publish_member
from .bonus import balance, bonus_balance, book_bonus

RULES_KEY = "topup_rules"  # the config key the tills pull the active rules under

Answer = tuple[int, dict[str, Any]]


class TopUps:
    def __init__(self, db: CloudDB, now: Callable[[], datetime], publish: Publish) -> None:
        self.db = db
        self.now = now
        self.publish = publish

    # ---- the brand's rules --------------------------------------------------------------

    def add_rule(self, rule: TopUpRule) -> dict[str, Any]:
        with self.db.tx() as tx:
            if tx.execute("SELECT 1 FROM topup_rules WHERE id = ?", (rule.id,)).fetchone():
                raise ApiError(409, "rule_exists", f"A top-up rule {rule.id} exists already")
            tx.execute(
                "INSERT INTO topup_rules(id, name, min_fen, bonus_fen, tier, starts_on, ends_on, "
                "active, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, 1, ?)",
                (
                    rule.id,
                    rule.name,
                    rule.min_fen,
                    rule.bonus_fen,
                    rule.tier,
                    rule.starts_on,
                    rule.ends_on,
                    _now_iso(self.now()),
                ),
            )
            self._publish_rules(tx)
        return rule.as_dict()

    def end_rule(self, rule_id: str) -> dict[str, Any]:
        with self.db.tx() as tx:
            cur = tx.execute("UPDATE topup_rules SET active = 0 WHERE id = ?", (rule_id,))
            if cur.rowcount == 0:
                raise ApiError(404, "unknown_rule", f"No top-up rule {rule_id}")
            self._publish_rules(tx)
        return {"id": rule_id, "active": False}

    def rules(self) -> list[dict[str, Any]]:
        with self.db.tx() as tx:
            return [r.as_dict() for r in _active_rules(tx)]

    def _publish_rules(self, tx: Tx) -> None:
        """The whole active set as one config value: a till always holds a consistent set."""
        rules = [r.as_dict() for r in _active_rules(tx)]
        now = _now_iso(self.now())
        tx.execute(
            "INSERT INTO config(key, value, updated_at) VALUES (?, ?, ?) ON CONFLICT(key) "
            "DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
            (RULES_KEY, _dump(rules), now),
        )
        self.publish(tx, "config", "upsert", RULES_KEY, {"value": rules})

    # ---- a till's top-up and its refund -------------------------------------------------

    def top_up(self, device_id: str, idem_key: str | None, raw_body: bytes) -> Answer:
        expected = "{topup_id, member_id, amount_fen, tender, payment_ref, business_day}"
        body = _body(raw_body, expected)
        topup_id, member_id = body.get("topup_id"), body.get("member_id")
        if not isinstance(topup_id, str) or not 0 < len(topup_id) <= 64:
            raise ApiError(400, "bad_request", f"Send {expected} (topup_id: 1 to 64 characters)")
        if not isinstance(member_id, str) or not member_id:
            raise ApiError(400, "bad_request", f"Send {expected} (ids are strings)")
        amount = _amount(body.get("amount_fen"))
        tender = str(body.get("tender") or "")
        day = _day(body.get("business_day"), self.now())
        now = _now_iso(self.now())

        def book(tx: Tx) -> Answer:
            row = _member(tx, member_id)
            if row is None:
                return _error(404, "unknown_member", f"No member {member_id}")
            if tx.execute("SELECT 1 FROM topups WHERE id = ?", (topup_id,)).fetchone():
                return _error(409, "topup_exists", f"Top-up {topup_id} is booked already")
            bonus, rule = bonus_for(_active_rules(tx), amount, str(row[1]), day)
            store = tx.execute("SELECT store_id FROM devices WHERE device_id = ?", (device_id,))
            store_row = store.fetchone()
            txn = _ledger(tx, member_id, amount, f"topup:{topup_id}", device_id, now)
            if bonus:
                _ledger(tx, member_id, bonus, f"topup-bonus:{topup_id}", device_id, now)
                book_bonus(tx, member_id, bonus, f"topup:{topup_id}", now)
            tx.execute(
                "INSERT INTO topups(id, member_id, device_id, store_id, paid_fen, bonus_fen, "
                "rule_id, tender, payment_ref, business_day, at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    topup_id,
                    member_id,
                    device_id,
                    str(store_row[0]) if store_row else "",
                    amount,
                    bonus,
                    rule.id if rule else None,
                    tender,
                    str(body.get("payment_ref") or ""),
                    day,
                    now,
                ),
            )
            # what the top-up receipt's QR (token version 3) names it by
            digest = receipt_digest(
                topup_id=topup_id,
                member_id=member_id,
                paid_fen=amount,
                bonus_fen=bonus,
                tender=tender,
            )
            tx.execute(
                "INSERT INTO topup_receipts(digest, topup_id) VALUES (?, ?)",
                (digest.hex(), topup_id),
            )
            publish_member(tx, self.publish, member_id)
            return 200, {
                "topup_id": topup_id,
                "transaction_id": txn,
                "member_id": member_id,
                "amount_fen": amount,
                "bonus_fen": bonus,
                "rule_id": rule.id if rule else None,
                "rule_name": rule.name if rule else None,
                "balance_fen": balance(tx, member_id),
                "bonus_balance_fen": bonus_balance(tx, member_id),
            }

        return self._once(device_id, idem_key, "topup", raw_body, book)

    def refund(
        self, device_id: str, topup_id: str, idem_key: str | None, raw_body: bytes
    ) -> Answer:
        body = _body(raw_body, "{amount_fen}")
        amount = _amount(body.get("amount_fen"))
        now = _now_iso(self.now())

        def book(tx: Tx) -> Answer:
            row = tx.execute(
                "SELECT member_id, paid_fen, bonus_fen, refunded_fen, forfeited_fen FROM topups "
                "WHERE id = ?",
                (topup_id,),
            ).fetchone()
            if row is None:
                return _error(404, "unknown_topup", f"No top-up {topup_id}")
            member_id = str(row[0])
            _member(tx, member_id)  # the member's row locked on PostgreSQL
            total, bonus = balance(tx, member_id), bonus_balance(tx, member_id)
            try:
                split = refund_split(
                    amount,
                    paid_fen=int(row[1]),
                    refunded_fen=int(row[3]),
                    bonus_fen=int(row[2]),
                    forfeited_fen=int(row[4]),
                    bonus_balance_fen=bonus,
                )
            except GuitaiError as err:  # more than is left of it: the top-up's state
                return _error(409, "refund_too_large", err.message)
            paid_balance = total - bonus
            if paid_balance < amount:
                return _error(
                    409,
                    "insufficient_funds",
                    f"The member holds {paid_balance} fen of paid stored value, less than the "
                    f"{amount} fen to refund (spent since the top-up)",
                )
            forfeit = split.forfeit_bonus_fen
            if forfeit:
                _ledger(tx, member_id, -forfeit, f"topup-forfeit:{topup_id}", device_id, now)
                book_bonus(tx, member_id, -forfeit, f"topup-forfeit:{topup_id}", now)
            txn = _ledger(tx, member_id, -amount, f"topup-refund:{topup_id}", device_id, now)
            tx.execute(
                "UPDATE topups SET refunded_fen = refunded_fen + ?, "
                "forfeited_fen = forfeited_fen + ? WHERE id = ?",
                (amount, forfeit, topup_id),
            )
            publish_member(tx, self.publish, member_id)
            return 200, {
                "topup_id": topup_id,
                "transaction_id": txn,
                "member_id": member_id,
                "amount_fen": amount,
                "forfeited_bonus_fen": forfeit,
                "balance_fen": balance(tx, member_id),
                "bonus_balance_fen": bonus_balance(tx, member_id),
            }

        return self._once(device_id, idem_key, f"refund:{topup_id}", raw_body, book)

    def _once(
        self,
        device_id: str,
        idem_key: str | None,
        what: str,
        raw_body: bytes,
        book: Callable[[Tx], Answer],
    ) -> Answer:
        """The booking once per Idempotency-Key: a repeat gets the first answer."""
        if not idem_key or len(idem_key) > 255:
            raise ApiError(
                400,
                "idempotency_key_required",
                "Send an Idempotency-Key header (a UUID made once per top-up or refund)",
            )
        req_hash = hashlib.sha256(what.encode() + b"\n" + raw_body).hexdigest()
        with self.db.tx() as tx:
            return once(tx, device_id, idem_key, req_hash, _now_iso(self.now()), lambda: book(tx))


def _active_rules(tx: Tx) -> list[TopUpRule]:
    rows = tx.execute(
        "SELECT id, name, min_fen, bonus_fen, tier, starts_on, ends_on FROM topup_rules "
        "WHERE active = 1 ORDER BY min_fen, id"
    ).fetchall()
    return [
        TopUpRule(
            id=str(r[0]),
            name=str(r[1]),
            min_fen=int(r[2]),
            bonus_fen=int(r[3]),
            tier=r[4],
            starts_on=r[5],
            ends_on=r[6],
        )
        for r in rows
    ]


def _member(tx: Tx, member_id: str) -> Any:
    lock = " FOR UPDATE" if tx.dialect == "postgres" else ""
    return tx.execute(f"SELECT id, tier FROM members WHERE id = ?{lock}", (member_id,)).fetchone()


def _ledger(tx: Tx, member_id: str, delta: int, ref: str, device_id: str, at: str) -> int:
    return int(
        tx.execute(
            "INSERT INTO stored_value_ledger(member_id, delta_fen, reference, device_id, at) "
            "VALUES (?, ?, ?, ?, ?) RETURNING id",
            (member_id, delta, ref, device_id, at),
        ).fetchone()[0]
    )


def _body(raw: bytes, expected: str) -> dict[str, Any]:
    body = load_json(raw, "bad_request", expected)
    if not isinstance(body, dict):
        raise ApiError(400, "bad_request", f"Send {expected}")
    return body


def _amount(amount: Any) -> int:
    if isinstance(amount, float) and amount.is_integer() and abs(amount) < 2**53:
        amount = int(amount)
    if not isinstance(amount, int) or isinstance(amount, bool) or not 0 < amount <= TOKEN_MAX_FEN:
        raise ApiError(
            400, "bad_amount", f"amount_fen must be a positive integer (fen) up to {TOKEN_MAX_FEN}"
        )
    return amount


def _day(value: Any, now: datetime) -> str:
    """The till's business day (the rules' date windows are the store's days)."""
    if value is None:
        return now.date().isoformat()
    try:
        return date.fromisoformat(str(value)).isoformat()
    except ValueError as err:
        raise ApiError(400, "bad_request", "business_day is a date, 2026-12-01") from err


def _error(status: int, code: str, message: str) -> Answer:
    return status, {"error": {"code": code, "message": message}}
