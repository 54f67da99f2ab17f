"""An in-memory unit of work (pos_app/services/unit_of_work.py) for unit tests of the services.

Each repository keeps plain Python data.  Entering the outermost `with uow:` snapshots it all;
leaving without `commit()` (or with an exception) puts the snapshot back, and a nested `with`
is a savepoint of its own, as in the SQLite unit of work.  `commits` counts the outermost
commits, so a test can tell "committed" from "rolled back".
"""

from __future__ import annotations

import contextlib
import copy
import json
import uuid
from collections import defaultdict
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import replace
from datetime import datetime
from types import TracebackType
from typing import Any, Self

from pos_app.domain.catalog import Sku, SkuInfo, Style
from pos_app.domain.errors import NotFound, StateError
from pos_app.domain.journal import GENESIS, JournalEntry, canonical, entry_hash
from pos_app.domain.payments import AttemptState, PaymentAttempt
from pos_app.domain.users import Role, User

# A till's settings, two items and a manager, for the service tests.
SETTINGS = {"store_id": "S001", "store_name": "静安店", "till_no": "1", "timezone": "Asia/Shanghai"}
ITEMS = {
    "6901234567892": SkuInfo(
        "QP-1-BLK-M",
        "QP-1",
        "羊毛夹克 黑 M",
        "Wool jacket",
        "BLK",
        "M",
        "jackets",
        1300,
        29900,
        None,
    ),
    "6901234567908": SkuInfo(
        "QP-2-WHT-L", "QP-2", "衬衫 白 L", "Shirt", "WHT", "L", "shirts", 1300, 9900, None
    ),
}
MANAGER = User("李娜", frozenset({Role.MANAGER.value, Role.CASHIER.value}), "x")


def lookup(code: str) -> SkuInfo:
    try:
        return ITEMS[code]
    except KeyError:
        raise NotFound(f"No item {code}", f"没有商品 {code}") from None


class FakeSettings:
    def __init__(self, values: Mapping[str, str] | None = None) -> None:
        self.values = dict(values or {})

    def get(self, key: str, default: str | None = None) -> str | None:
        return self.values.get(key, default)

    def all(self) -> dict[str, str]:
        return dict(self.values)

    def put(self, key: str, value: str) -> None:
        self.values[key] = value


class FakeUsers:
    def __init__(self) -> None:
        self.rows: dict[str, User] = {}

    def add(self, name: str, roles: frozenset[str], pin_hash: str, at: datetime) -> None:
        if name in self.rows:
            raise ValueError(f"user {name} exists")
        self.rows[name] = User(name, frozenset(roles), pin_hash)

    def get(self, name: str) -> User | None:
        return self.rows.get(name)

    def all(self) -> list[User]:
        return [self.rows[n] for n in sorted(self.rows)]

    def count_pin_failure(self, name: str) -> int:
        u = self.rows.get(name)
        if u is None:
            return 0
        self.rows[name] = replace(u, failed_attempts=u.failed_attempts + 1)
        return u.failed_attempts + 1

    def lock(self, name: str, until: datetime) -> None:
        self.rows[name] = replace(self.rows[name], locked_until=until)

    def clear_pin_failures(self, name: str) -> None:
        self.rows[name] = replace(self.rows[name], failed_attempts=0, locked_until=None)

    def set_pin_hash(self, name: str, pin_hash: str) -> None:
        self.rows[name] = replace(self.rows[name], pin_hash=pin_hash)

    def set_active(self, name: str, active: bool) -> None:
        self.rows[name] = replace(self.rows[name], active=active)


class FakeShifts:
    """Shifts and cash moves; `figures` adds up the sales repository the way reports_sql does."""

    def __init__(self, sales: FakeSales, audit: FakeAudit) -> None:
        self.rows: list[dict[str, Any]] = []
        self.cash_moves: list[dict[str, Any]] = []
        self._sales = sales
        self._audit = audit

    def find_open(self) -> dict[str, Any] | None:
        for r in self.rows:
            if r["closed_at"] is None:
                keys = ("id", "business_day", "opened_at", "opened_by", "float_fen")
                return {k: r[k] for k in keys}
        return None

    def insert(self, business_day: str, opened_at: str, user: str, float_fen: int) -> int:
        sid = len(self.rows) + 1
        self.rows.append(
            {
                "id": sid,
                "business_day": business_day,
                "opened_at": opened_at,
                "opened_by": user,
                "float_fen": float_fen,
                "closed_at": None,
                "z_no": None,
                "z_report": None,
            }
        )
        return sid

    def close(
        self,
        shift_id: int,
        closed_at: str,
        user: str,
        counted_fen: int,
        z_no: int,
        report: Mapping[str, Any],
    ) -> None:
        for r in self.rows:
            if r["id"] == shift_id and r["closed_at"] is None:
                r.update(closed_at=closed_at, closed_by=user, counted_fen=counted_fen)
                r.update(z_no=z_no, z_report=copy.deepcopy(dict(report)))

    def next_z_no(self) -> int:
        return max((r["z_no"] or 0 for r in self.rows), default=0) + 1

    def z_reports(self, *, day: str | None = None, z_no: int | None = None) -> list[dict[str, Any]]:
        if z_no is not None:
            return [r["z_report"] for r in self.rows if r["z_no"] == z_no]
        return [
            r["z_report"]
            for r in sorted(self.rows, key=lambda r: r["z_no"] or 0)
            if r["business_day"] == day and r["z_report"] is not None
        ]

    def figures(self, shift_id: int) -> dict[str, Any]:
        sales = [s for s in self._sales.rows if s["shift_id"] == shift_id]
        sign = {"sale": 1, "refund": -1}
        by_kind: dict[str, list[Any]] = {}
        for s in sales:
            k = by_kind.setdefault(s["kind"], [s["kind"], 0, 0, 0, None, None])
            k[1] += 1
            k[2] += s["total_fen"]
            k[3] += s["discount_fen"]
            k[4] = s["receipt_no"] if k[4] is None else min(k[4], s["receipt_no"])
            k[5] = s["receipt_no"] if k[5] is None else max(k[5], s["receipt_no"])
        nos = [s["receipt_no"] for s in sales]
        tender: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
        vat: dict[int, int] = defaultdict(int)
        cashier: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0, 0])
        category: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        for s in sales:
            for p in s["payments"]:
                t = tender[(p["tender"], s["kind"])]
                t[0] += 1
                t[1] += p["amount_fen"] - p.get("change_fen", 0)
            for line in s["lines"]:
                vat[line["vat_rate_bp"]] += sign[s["kind"]] * line["amount_fen"]
                c = category[line.get("category", "")]
                c[0] += sign[s["kind"]] * line["qty"]
                c[1] += sign[s["kind"]] * line["amount_fen"]
            c3 = cashier[(s["cashier"], s["kind"])]
            c3[0] += 1
            c3[1] += s["total_fen"]
            c3[2] += s["discount_fen"]
        voids: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0, 0])
        for v in self._audit.voids:
            if v["shift_id"] == shift_id:
                x = voids[(v["cashier"], v["kind"])]
                x[0] += 1
                x[1] += v["qty"]
                x[2] += v["amount_fen"]
        moves: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
        for m in self.cash_moves:
            if m["shift_id"] == shift_id:
                y = moves[(m["user"], m["kind"])]
                y[0] += 1
                y[1] += m["amount_fen"]
        everything = self._sales.rows
        return {
            "by_kind": [tuple(v) for v in by_kind.values()],
            "receipts": (min(nos), max(nos)) if nos else (None, None),
            "by_tender": [(t, k, *v) for (t, k), v in tender.items()],
            "by_vat": list(vat.items()),
            "by_cashier": [(n, k, *v) for (n, k), v in cashier.items()],
            "by_category": [(c, *v) for c, v in category.items()],
            "by_associate": [],
            "times": [(s["completed_at"], s["total_fen"]) for s in sales],
            "voids": [(n, k, *v) for (n, k), v in voids.items()],
            "cash_moves": [(u, k, *v) for (u, k), v in moves.items()],
            "grand_total": (
                sum(s["total_fen"] for s in everything),
                sum(abs(s["total_fen"]) for s in everything),
            ),
        }

    def period_figures(self, first_day: str, last_day: str) -> dict[str, Any]:
        raise NotImplementedError("period reports are tested on SQLite (tests/proof)")

    def add_cash_move(
        self, shift_id: int, kind: str, amount_fen: int, reason: str, user: str, at: str
    ) -> None:
        self.cash_moves.append(
            {"shift_id": shift_id, "kind": kind, "amount_fen": amount_fen, "reason": reason}
            | {"user": user, "at": at}
        )


class FakeJournal:
    def __init__(self) -> None:
        self.rows: list[JournalEntry] = []

    def append(
        self,
        kind: str,
        ref_id: str,
        payload: Mapping[str, Any],
        at: str,
        body: bytes | None = None,
    ) -> tuple[int, str, str]:
        prev = bytes.fromhex(self.rows[-1].entry_hash) if self.rows else GENESIS
        if body is None:
            body = canonical(payload)
        digest = entry_hash(prev, body)
        seq = len(self.rows) + 1
        self.rows.append(
            JournalEntry(seq, kind, ref_id, body.decode("utf-8"), prev.hex(), digest.hex())
        )
        return seq, prev.hex(), digest.hex()

    def entries(self) -> Iterator[JournalEntry]:
        return iter(list(self.rows))

    def refs_without_sale(self) -> list[int]:
        return []


class FakeOutbox:
    def __init__(self) -> None:
        self.events: list[dict[str, Any]] = []

    def add(
        self,
        type_: str,
        payload: Mapping[str, Any],
        occurred_at: str,
        prev_entry_hash: str | None = None,
        entry_hash_hex: str | None = None,
        body: bytes | None = None,
    ) -> str:
        event_id = str(uuid.uuid4())
        self.events.append(
            {"id": event_id, "type": type_, "payload": copy.deepcopy(dict(payload))}
            | {"prev_entry_hash": prev_entry_hash, "entry_hash": entry_hash_hex}
        )
        return event_id

    def types(self) -> list[str]:
        return [e["type"] for e in self.events]


class FakeSales:
    def __init__(self, journal: FakeJournal) -> None:
        self.rows: list[dict[str, Any]] = []
        self._journal = journal

    def next_receipt_no(self) -> int:
        return max((r["receipt_no"] for r in self.rows), default=0) + 1

    def add(self, kind: str, payload: Mapping[str, Any], journal_seq: int) -> None:
        lines = payload["lines"]
        self.rows.append(
            {
                "id": payload["sale_id"] if kind == "sale" else payload["refund_id"],
                "kind": kind,
                "receipt_no": payload["receipt_no"],
                "shift_id": payload["shift_id"],
                "completed_at": payload["completed_at"],
                "cashier": payload["cashier"],
                "original_sale_id": payload.get("original_sale_id"),
                "total_fen": payload["total_fen"],
                "discount_fen": sum(int(x.get("discount_fen", 0)) for x in lines),
                "lines": copy.deepcopy(list(lines)),
                "payments": copy.deepcopy(list(payload["payments"])),
                "journal_seq": journal_seq,
                "reprints": 0,
            }
        )

    def payload(
        self, *, receipt_no: int | None = None, sale_id: str | None = None
    ) -> dict[str, Any] | None:
        for r in self.rows:
            if r["receipt_no"] == receipt_no or (receipt_no is None and r["id"] == sale_id):
                entry = self._journal.rows[r["journal_seq"] - 1]
                out: dict[str, Any] = canonical_payload(entry)
                out.update(_entry_hash=entry.entry_hash, _kind=r["kind"], _reprints=r["reprints"])
                return out
        return None

    def returned_qty(self, sale_id: str) -> dict[int, int]:
        out: dict[int, int] = defaultdict(int)
        for r in self.rows:
            if r["original_sale_id"] == sale_id:
                for line in r["lines"]:
                    out[int(line["line_no"])] += int(line["qty"])
        return dict(out)

    def refunded_by_tender(self, sale_id: str) -> dict[str, int]:
        out: dict[str, int] = defaultdict(int)
        for r in self.rows:
            if r["original_sale_id"] == sale_id:
                for p in r["payments"]:
                    out[p["tender"]] -= int(p["amount_fen"])
        return dict(out)

    def count_reprint(self, receipt_no: int) -> int:
        for r in self.rows:
            if r["receipt_no"] == receipt_no:
                r["reprints"] += 1
                return int(r["reprints"])
        raise KeyError(receipt_no)

    def recent(self, *, day: str | None = None, limit: int | None = 50) -> list[dict[str, Any]]:
        rows = sorted(self.rows, key=lambda r: -r["receipt_no"])
        return rows if limit is None else rows[:limit]

    def rows_for_verify(self) -> Iterator[dict[str, Any]]:
        return iter([])

    def line_totals_drift(self) -> list[tuple[int, str]]:
        return []


def canonical_payload(entry: JournalEntry) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(entry.payload_json)
    return data


class FakeAudit:
    def __init__(self) -> None:
        self.rows: list[dict[str, Any]] = []
        self.voids: list[dict[str, Any]] = []

    def add(
        self,
        action: str,
        user: str,
        approver: str | None,
        reason: str,
        details: Mapping[str, Any],
        at: str,
    ) -> None:
        self.rows.append({"action": action, "user": user, "approver": approver, "reason": reason})

    def add_void(
        self,
        shift_id: int | None,
        kind: str,
        sale_id: str,
        cashier: str,
        reason: str,
        qty: int,
        amount_fen: int,
        at: str,
    ) -> None:
        self.voids.append(
            {"shift_id": shift_id, "kind": kind, "sale_id": sale_id, "cashier": cashier}
            | {"reason": reason, "qty": qty, "amount_fen": amount_fen, "at": at}
        )


class FakeSuspended:
    def __init__(self) -> None:
        self.rows: dict[int, dict[str, Any]] = {}
        self._next = 1

    def add(self, cashier: str, label: str, data: Mapping[str, Any], at: str) -> int:
        sid, self._next = self._next, self._next + 1
        self.rows[sid] = {"id": sid, "created_at": at, "cashier": cashier, "label": label}
        self.rows[sid]["data"] = copy.deepcopy(dict(data))
        return sid

    def all(self) -> list[dict[str, Any]]:
        return [dict(r) for _, r in sorted(self.rows.items())]

    def take(self, sid: int) -> dict[str, Any] | None:
        row = self.rows.pop(sid, None)
        return None if row is None else dict(row["data"])


class FakePaymentAttempts:
    def __init__(self) -> None:
        self.rows: dict[str, PaymentAttempt] = {}

    def insert(self, attempt: PaymentAttempt) -> None:
        self.rows[attempt.id] = attempt

    def update(self, attempt: PaymentAttempt) -> None:
        if attempt.id not in self.rows:
            raise StateError(f"No payment attempt {attempt.id}", f"找不到支付记录 {attempt.id}")
        self.rows[attempt.id] = attempt

    def get(self, attempt_id: str) -> PaymentAttempt | None:
        return self.rows.get(attempt_id)

    def in_states(self, states: Collection[AttemptState]) -> list[PaymentAttempt]:
        return [a for a in self.rows.values() if a.state in states]

    def attach(self, attempt_id: str, sale_id: str, at: datetime) -> None:
        a = self.rows.get(attempt_id)
        if a is None or a.state != AttemptState.APPROVED:
            raise StateError(f"Payment {attempt_id} is not approved", "支付记录未批准")
        self.rows[attempt_id] = replace(a, state=AttemptState.ATTACHED, sale_id=sale_id)

    def claimed_refs(self, provider: str, except_id: str) -> set[str]:
        return {
            a.provider_ref
            for a in self.rows.values()
            if a.provider == provider and a.id != except_id and a.provider_ref
        }

    def refunded_fen(self, original_id: str) -> int:
        return 0


class FakeCatalog:
    def __init__(self) -> None:
        self.skus: dict[str, Sku] = {}
        self.styles: dict[str, Style] = {}

    def existing_skus(self, skus: Sequence[str]) -> set[str]:
        return {s for s in skus if s in self.skus}

    def barcode_owners(self, codes: Sequence[str]) -> dict[str, str]:
        return {c: s.sku for s in self.skus.values() for c in s.barcodes if c in codes}

    def bulk_load(self, cache_mib: int = 128) -> Any:
        return contextlib.nullcontext()

    def upsert_styles(self, styles: Iterable[Style], *, overwrite: bool = True) -> None:
        for s in styles:
            if overwrite or s.style not in self.styles:
                self.styles[s.style] = s

    def upsert_skus(self, skus: Sequence[Sku], updated_at: str, kinds: dict[str, str]) -> None:
        for s in skus:
            self.skus[s.sku] = s


class FakeStock:
    """`stock` as far as a sale or refund books it: on hand per SKU and each movement.  (The
    SQLite repository also writes the `stock.moved` event; tests/integration/stock checks it.)"""

    def __init__(self) -> None:
        self.levels: dict[str, int] = {}
        self.moves: list[dict[str, Any]] = []

    def on_hand(self, sku: str) -> int:
        return self.levels.get(sku, 0)

    def record(
        self,
        lines: Sequence[tuple[str, int]],
        *,
        reason: str,
        ref: str,
        user: str,
        at: str,
        business_day: str | None,
        extra: Mapping[str, Any] | None = None,
        origin: tuple[str, int] | None = None,
    ) -> dict[str, Any]:
        out = []
        for sku, qty in lines:
            self.levels[sku] = self.levels.get(sku, 0) + qty
            move = {"sku": sku, "qty": qty, "reason": reason, "ref": ref, "user": user, "at": at}
            self.moves.append(move | {"business_day": business_day, **(extra or {})})
            out.append({"sku": sku, "qty": qty, "on_hand_after": self.levels[sku]})
        return {"reason": reason, "ref": ref, "lines": out}


class FakeUnitOfWork:
    """AbstractUnitOfWork in memory (module docstring)."""

    def __init__(self, settings: Mapping[str, str] | None = None) -> None:
        self.settings = FakeSettings(settings)
        self.users = FakeUsers()
        self.journal = FakeJournal()
        self.outbox = FakeOutbox()
        self.sales = FakeSales(self.journal)
        self.audit = FakeAudit()
        self.shifts = FakeShifts(self.sales, self.audit)
        self.suspended = FakeSuspended()
        self.payments = FakePaymentAttempts()
        self.catalog = FakeCatalog()
        self.stock = FakeStock()
        self.commits = 0
        self.rollbacks = 0
        self._frames: list[dict[str, Any]] = []  # snapshots; innermost last

    def _repos(self) -> dict[str, Any]:
        return {
            k: v
            for k, v in vars(self).items()
            if not k.startswith("_") and k not in ("commits", "rollbacks")
        }

    def _snapshot(self) -> dict[str, Any]:
        # One deepcopy of all repositories keeps the links between them (shifts → sales).
        return copy.deepcopy(self._repos())

    def __enter__(self) -> Self:
        self._frames.append({"state": self._snapshot(), "done": False})
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        frame = self._frames[-1]
        if not frame["done"]:
            self._restore(frame)
        self._frames.pop()

    def commit(self) -> None:
        frame = self._current()
        frame["done"] = True
        if len(self._frames) == 1:
            self.commits += 1

    def rollback(self) -> None:
        self._restore(self._current())

    def _current(self) -> dict[str, Any]:
        if not self._frames or self._frames[-1]["done"]:
            raise RuntimeError("commit() or rollback() outside an open unit of work")
        return self._frames[-1]

    def _restore(self, frame: dict[str, Any]) -> None:
        frame["done"] = True
        for name, repo in frame["state"].items():
            setattr(self, name, repo)
        if len(self._frames) == 1:
            self.rollbacks += 1
