"""Joining the membership from an e-receipt page: an SMS code to the phone, then the member.

- Codes: 6 digits, kept as an HMAC with the server secret (a copied database does not give
  them away), valid 5 minutes; the 5th wrong try locks the code (ask for a new one).
- Sending is limited per phone (one a minute, 5 an hour) and per client address (20 an hour):
  a flood is answered 429 saying when to try again.
- One phone is one member across the chain: a phone the cloud knows is that member (signed in,
  not duplicated).  A new member is published to every till (the change feed).
- Joining from a genuine receipt claims its points (claims.py, 补积分).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import secrets
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from ..changelog import Publish
from ..common import ApiError, _dump, _now_iso
from ..db import CloudDB
from .claims import Claims
from .rows import count, publish_member

CODE_TTL = timedelta(minutes=5)
# Only a buyer's own receipt (token version 1) is claimed: a gift receipt (version 2) goes
# with a present, and the sale's points stay the buyer's.
CLAIMABLE_VERSION = 1
MAX_TRIES = 5
# (who, window seconds, sends allowed in it)
PHONE_LIMITS = ((60, 1), (3600, 5))
ADDRESS_LIMITS = ((3600, 20),)

PHONE = re.compile(r"1[3-9][0-9]{9}")
CODE = re.compile(r"[0-9]{6}")
# A name as people write it: letters of any script, spaces, · and the few marks names carry.
NAME = re.compile(r"[^\W\d_](?:[^\W\d_]|[ ·.'\-])*", re.UNICODE)
MAX_NAME = 20


def _bad(code: str, en: str, zh: str, status: int = 400) -> ApiError:
    return ApiError(status, code, en, zh)


def check_phone(value: Any) -> str:
    phone = value.strip() if isinstance(value, str) else ""
    phone = phone.removeprefix("+86").removeprefix("86") if len(phone) > 11 else phone
    if not PHONE.fullmatch(phone):
        raise _bad(
            "bad_phone",
            "Enter an 11-digit mainland China mobile number (e.g. 13800138000)",
            "请输入 11 位中国大陆手机号（例如 13800138000）",
        )
    return phone


def check_name(value: Any) -> str:
    if value in (None, ""):
        return ""
    name = value.strip() if isinstance(value, str) else None
    if name is None or len(name) > MAX_NAME or not NAME.fullmatch(name):
        raise _bad(
            "bad_name",
            f"A name is letters only (at most {MAX_NAME}); leave it empty if you prefer",
            f"姓名只能包含文字（最多 {MAX_NAME} 个字），也可以不填",
        )
    return name


def check_birthday(value: Any, today: date) -> str | None:
    if value in (None, ""):
        return None
    try:
        day = date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        day = None
    if day is None or not date(1900, 1, 1) <= day <= today:
        raise _bad(
            "bad_birthday",
            "A birthday is a date like 1990-05-20 (not in the future); or leave it empty",
            "生日格式应为 1990-05-20（不能晚于今天），也可以不填",
        )
    return day.isoformat()


@dataclass(frozen=True)
class Joined:
    member_id: str
    new: bool
    points_credited: int
    # credited | pending (the sale has not synced) | claimed_before | not_genuine |
    # gift_receipt, or why a
    # claim was refused: member_sale | refunded | altered | not_a_sale
    claim: str


class Joining:
    def __init__(
        self,
        db: CloudDB,
        now: Callable[[], datetime],
        publish: Publish,
        claims: Claims,
        secret: Callable[[], bytes],
    ) -> None:
        self.db = db
        self.now = now
        self.publish = publish
        self.claims = claims
        self._secret = secret

    def _hash(self, phone: str, code: str) -> str:
        # the key is read (and made, the first time) in a transaction of its own: call this
        # outside any other
        return hmac.new(self._secret(), f"{phone}:{code}".encode(), hashlib.sha256).hexdigest()

    # ---- the code ------------------------------------------------------------------------

    def new_code(self, phone_raw: Any, address: str) -> tuple[str, str]:
        """(phone, code) after the rate limits; the code is stored hashed before it is sent,
        so an SMS that arrives is always a code that works."""
        phone = check_phone(phone_raw)
        now = self.now()
        now_s = int(now.timestamp())
        code = f"{secrets.randbelow(10**6):06d}"
        code_hash = self._hash(phone, code)
        with self.db.tx() as tx:
            if tx.dialect == "postgres":
                # one sender at a time per phone, so two requests cannot both pass the limit
                tx.execute("SELECT pg_advisory_xact_lock(hashtext(?))", (f"join:{phone}",))
            for who, limits in (
                (f"phone:{phone}", PHONE_LIMITS),
                (f"addr:{address}", ADDRESS_LIMITS),
            ):
                for window, allowed in limits:
                    rows = tx.execute(
                        "SELECT count(*), min(at_s) FROM join_sends WHERE who = ? AND at_s > ?",
                        (who, now_s - window),
                    ).fetchone()
                    if int(rows[0]) >= allowed:
                        wait = max(1, int(rows[1]) + window - now_s)
                        raise _bad(
                            "too_many_codes",
                            f"Too many codes were asked for {'this phone' if who.startswith('phone') else 'from this network'}: "
                            f"try again in {wait} seconds",
                            f"{'该手机号' if who.startswith('phone') else '当前网络'}获取验证码过于频繁，请 {wait} 秒后再试",
                            429,
                        )
            tx.executemany(
                "INSERT INTO join_sends(who, at_s) VALUES (?, ?)",
                [(f"phone:{phone}", now_s), (f"addr:{address}", now_s)],
            )
            tx.execute("DELETE FROM join_sends WHERE at_s < ?", (now_s - 86400,))
            tx.execute(
                "INSERT INTO join_codes(phone, code_hash, expires_at, tries, sent_at) "
                "VALUES (?, ?, ?, 0, ?) ON CONFLICT(phone) DO UPDATE SET "
                "code_hash = excluded.code_hash, expires_at = excluded.expires_at, tries = 0, "
                "sent_at = excluded.sent_at",
                (phone, code_hash, _now_iso(now + CODE_TTL), _now_iso(now)),
            )
        return phone, code

    def forget_code(self, phone: str) -> None:
        """The SMS was not sent: no code stays valid for it."""
        with self.db.tx() as tx:
            tx.execute("DELETE FROM join_codes WHERE phone = ?", (phone,))

    def _check_code(self, phone: str, code_raw: Any) -> None:
        code = code_raw.strip() if isinstance(code_raw, str) else ""
        if not CODE.fullmatch(code):
            raise _bad(
                "bad_code", "The code is the 6 digits of the SMS", "验证码为短信中的 6 位数字"
            )
        refusal: ApiError | None = None
        given = self._hash(phone, code)
        with self.db.tx() as tx:
            lock = " FOR UPDATE" if tx.dialect == "postgres" else ""
            row = tx.execute(
                f"SELECT code_hash, expires_at, tries FROM join_codes WHERE phone = ?{lock}",
                (phone,),
            ).fetchone()
            if row is None:
                refusal = _bad("no_code", "Ask for a code first (获取验证码)", "请先获取验证码")
            elif int(row[2]) >= MAX_TRIES:
                refusal = _bad(
                    "code_locked",
                    f"{MAX_TRIES} wrong tries locked this code: ask for a new one",
                    f"验证码已输错 {MAX_TRIES} 次并失效，请重新获取",
                    429,
                )
            elif datetime.fromisoformat(row[1].replace("Z", "+00:00")) <= self.now():
                refusal = _bad(
                    "code_expired",
                    "The code has expired (5 minutes): ask for a new one",
                    "验证码已过期（5 分钟有效），请重新获取",
                    410,
                )
            elif not hmac.compare_digest(row[0], given):
                tries = int(row[2]) + 1
                tx.execute("UPDATE join_codes SET tries = ? WHERE phone = ?", (tries, phone))
                left = MAX_TRIES - tries
                refusal = (
                    _bad(
                        "wrong_code",
                        f"Wrong code: {left} tries left",
                        f"验证码错误，还可尝试 {left} 次",
                    )
                    if left
                    else _bad(
                        "code_locked",
                        f"{MAX_TRIES} wrong tries locked this code: ask for a new one",
                        f"验证码已输错 {MAX_TRIES} 次并失效，请重新获取",
                        429,
                    )
                )
            else:
                tx.execute("DELETE FROM join_codes WHERE phone = ?", (phone,))
        # raised after the transaction: a wrong try is counted even though the call fails
        if refusal is not None:
            raise refusal

    # ---- the member ------------------------------------------------------------------------

    def join(self, body: Mapping[str, Any], found: Mapping[str, Any], openid: str | None) -> Joined:
        """Verify the code, find or make the member, claim the receipt (found: its lookup)."""
        phone = check_phone(body.get("phone"))
        if body.get("consent") is not True:
            raise _bad(
                "consent_required",
                "Agree to the membership terms to join",
                "请阅读并同意会员条款后加入",
            )
        name = check_name(body.get("name"))
        birthday = check_birthday(body.get("birthday"), self.now().date())
        self._check_code(phone, body.get("code"))
        device, fields = found.get("device"), found["fields"]
        genuine = found["verdict"] == "genuine"
        sale = found.get("sale")
        store_id = str(device["store_id"]) if device else ""
        assoc = str(((sale or {}).get("payload") or {}).get("associate") or "")
        now = _now_iso(self.now())
        with self.db.tx() as tx:
            lock = " FOR UPDATE" if tx.dialect == "postgres" else ""
            row = tx.execute(f"SELECT id FROM members WHERE phone = ?{lock}", (phone,)).fetchone()
            new = row is None
            if new:
                mid = "M" + uuid.uuid4().hex[:12].upper()
                extra = {"consent_at": now, "source": "ereceipt"}
                if birthday:
                    extra["birthday"] = birthday
                if store_id:
                    extra["store_id"] = store_id
                if assoc:
                    extra["associate"] = assoc
                cur = tx.execute(
                    "INSERT INTO members(id, phone, name, tier, points, data, created_at, "
                    "updated_at) VALUES (?, ?, ?, 'ordinary', 0, ?, ?, ?) ON CONFLICT DO NOTHING",
                    (mid, phone, name, _dump(extra), now, now),
                )
                if cur.rowcount != 1:  # the same phone joined at this moment elsewhere
                    mid = str(
                        tx.execute("SELECT id FROM members WHERE phone = ?", (phone,)).fetchone()[0]
                    )
                    new = False
                else:
                    publish_member(tx, self.publish, mid)
                    if genuine:
                        count(tx, store_id, assoc, "joins")
            else:
                mid = str(row[0])
                self._fill_in(tx, mid, name, birthday, now)
            if openid:
                tx.execute(
                    "INSERT INTO member_openids(openid, member_id, at) VALUES (?, ?, ?) "
                    "ON CONFLICT(openid) DO UPDATE SET member_id = excluded.member_id, "
                    "at = excluded.at",
                    (openid, mid, now),
                )
            if not genuine:
                return Joined(mid, new, 0, "not_genuine")
            if fields.version != CLAIMABLE_VERSION:
                return Joined(mid, new, 0, "gift_receipt")
            assert device is not None  # a genuine receipt's till is known
            key = f"{device['device_id']}:{fields.receipt_no}"
            before = tx.execute(
                "SELECT member_id FROM receipt_claims WHERE receipt_key = ?", (key,)
            ).fetchone()
            points = self.claims.claim(
                tx, mid, device["device_id"], fields.receipt_no, found["token"], sale
            )
            if before:
                return Joined(mid, new, 0, "claimed_before")
            st = tx.execute(
                "SELECT state, reason FROM receipt_claims WHERE receipt_key = ?", (key,)
            ).fetchone()
        return Joined(mid, new, points, str(st[1]) if st[0] == "refused" else str(st[0]))

    def _fill_in(self, tx: Any, mid: str, name: str, birthday: str | None, now: str) -> None:
        """An existing member joining again: fill what they left empty, never overwrite."""
        row = tx.execute("SELECT name, data FROM members WHERE id = ?", (mid,)).fetchone()
        data = json.loads(row[1] or "{}")
        changed = False
        if birthday and not data.get("birthday"):
            data["birthday"], changed = birthday, True
        if not data.get("consent_at"):
            data["consent_at"], changed = now, True
        if name and not row[0]:
            changed = True
        if changed:
            tx.execute(
                "UPDATE members SET data = ?, name = CASE WHEN name = '' THEN ? ELSE name END, "
                "updated_at = ? WHERE id = ?",
                (_dump(data), name, now, mid),
            )
            publish_member(tx, self.publish, mid)

    def preview(self, found: Mapping[str, Any]) -> tuple[int | None, str]:
        """What the join page promises for this receipt (Claims.preview), before joining."""
        if found["verdict"] != "genuine" or not found.get("device"):
            return None, "not_genuine"
        if found["fields"].version != CLAIMABLE_VERSION:
            return None, "gift_receipt"
        with self.db.tx() as tx:
            return self.claims.preview(
                tx, found["device"]["device_id"], found["fields"].receipt_no, found.get("sale")
            )

    def member_of_openid(self, openid: str) -> str | None:
        with self.db.tx() as tx:
            row = tx.execute(
                "SELECT member_id FROM member_openids WHERE openid = ?", (openid,)
            ).fetchone()
        return str(row[0]) if row else None
