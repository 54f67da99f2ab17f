"""Stock in the reference cloud: each store's figure per SKU, other stores' grids, and the
deliveries and transfers announced to stores.

The figure of a store's SKU = the last quantity set by the brand (`stock_sets`, e.g. starting
quantities from the ERP) + every `stock.moved` line of that store's tills after it.  A till's
lines count only up to the till's contiguous seq (the cloud holds every event up to it), so
each figure the cloud publishes (change kind `stock`, to that store only) says exactly which
movements it contains: `marks` = {till_no: seq}.  The till keeps its own later movements on
top of the figure, so every till of a store converges on the same number once it has synced.

Announcements (change kind `stock_doc`): a delivery the brand announces
(`announce_delivery`), or a transfer another store's till sent (`stock.moved` with reason
`transfer_out` and `to_store`).  A till receiving it sends `stock.moved` with reason
`receive` and the document number; the cloud then marks the document received with the
till's short/over report.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from .common import ApiError, _dump
from .ingest import Ingested, Tx

Publish = Callable[..., None]


def haversine_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * 6371.0 * math.asin(math.sqrt(h))


def _contiguous(tx: Tx, store_id: str) -> list[tuple[str, int, int, bool]]:
    """(device_id, till_no, contiguous_seq, active) of every device of a store."""
    return [
        (r[0], int(r[1]), int(r[2]), r[3] is None)
        for r in tx.execute(
            "SELECT device_id, till_no, contiguous_seq, revoked_at FROM devices "
            "WHERE store_id = ? ORDER BY enrolled_at",
            (store_id,),
        ).fetchall()
    ]


def level(tx: Tx, store_id: str, sku: str) -> tuple[int, dict[str, int]]:
    """The store's figure for a SKU and the per-till marks it contains."""
    row = tx.execute(
        "SELECT qty, marks FROM stock_sets WHERE store_id = ? AND sku = ? ORDER BY id DESC LIMIT 1",
        (store_id, sku),
    ).fetchone()
    base, set_marks = (int(row[0]), json.loads(row[1])) if row else (0, {})
    devices = _contiguous(tx, store_id)
    contig = {d: c for d, _, c, _ in devices}
    qty = base
    for device_id, seq, q in tx.execute(
        "SELECT device_id, seq, qty FROM stock_moves WHERE store_id = ? AND sku = ?",
        (store_id, sku),
    ).fetchall():
        if int(set_marks.get(device_id, 0)) < seq <= contig.get(device_id, 0):
            qty += int(q)
    marks: dict[str, int] = {}
    for _, till_no, c, active in devices:
        if active:
            marks[str(till_no)] = c
    return qty, marks


def publish_level(tx: Tx, publish: Publish, store_id: str, sku: str, at: str) -> int:
    qty, marks = level(tx, store_id, sku)
    tx.execute(
        "INSERT INTO stock_levels(store_id, sku, qty, updated_at) VALUES (?, ?, ?, ?) "
        "ON CONFLICT(store_id, sku) DO UPDATE SET qty = excluded.qty, "
        "updated_at = excluded.updated_at",
        (store_id, sku, qty, at),
    )
    publish(tx, "stock", "upsert", sku, {"sku": sku, "qty": qty, "marks": marks}, store_id=store_id)
    return qty


def _note_style(tx: Tx, sku: str, style: str) -> None:
    if style:
        tx.execute(
            "INSERT INTO stock_skus(sku, style) VALUES (?, ?) ON CONFLICT(sku) DO UPDATE SET "
            "style = excluded.style",
            (sku, style),
        )


def _style_from_products(tx: Tx, sku: str) -> str:
    row = tx.execute(
        "SELECT style FROM products WHERE data LIKE ? LIMIT 1", (f'%"sku":{_dump(sku)}%',)
    ).fetchone()
    return str(row[0]) if row else ""


# ---- ingestion (inside the push transaction, after ingest_batch) ---------------------------


def after_ingest(
    tx: Tx,
    publish: Publish,
    device_id: str,
    events: Sequence[Any],
    accepted: Iterable[str],
    batch: Ingested,
    at: str,
) -> None:
    """Book the batch's stock moves and publish the levels its contiguous seq now covers
    (`batch`: the device as ingest_batch found it, locked, and its answer)."""
    store_id, contiguous_before = batch.store_id, batch.contiguous_before
    ok = set(accepted)
    retried: set[str] = set()  # a move accepted after its rejection was cleared
    for e in events:
        if e.get("type") != "stock.moved" or e.get("id") not in ok:
            continue
        _ingest_move(tx, publish, device_id, store_id, e, at)
        if isinstance(e.get("seq"), int) and e["seq"] <= contiguous_before:
            lines = e["payload"].get("lines") or []
            retried.update(str(x.get("sku", "")) for x in lines if isinstance(x, dict))
    after = int(batch.answer["contiguous_seq"])
    touched = set(retried)
    if after != contiguous_before:
        touched.update(
            r[0]
            for r in tx.execute(
                "SELECT DISTINCT sku FROM stock_moves WHERE device_id = ? AND seq > ? AND seq <= ?",
                (device_id, contiguous_before, after),
            ).fetchall()
        )
    for sku in sorted(touched):
        publish_level(tx, publish, store_id, sku, at)


def _ingest_move(
    tx: Tx, publish: Publish, device_id: str, store_id: str, e: Mapping[str, Any], at: str
) -> None:
    p = e["payload"]
    reason = str(p.get("reason", ""))
    rows = []
    for i, line in enumerate(p.get("lines") or []):
        if not isinstance(line, dict) or not isinstance(line.get("qty"), int):
            continue
        sku = str(line.get("sku", ""))
        rows.append(
            (device_id, e["seq"], i, store_id, sku, line["qty"], reason, str(p.get("ref", "")),
             str(p.get("at", at)))
        )  # fmt: skip
        _note_style(tx, sku, str(line.get("style") or ""))
    if rows:
        tx.executemany(
            "INSERT INTO stock_moves(device_id, seq, idx, store_id, sku, qty, reason, ref, at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
            rows,
        )
    doc = p.get("doc")
    if reason == "transfer_out" and doc and p.get("to_store"):
        lines = [
            {"sku": str(x["sku"]), "qty": int(x["qty"])}
            for x in p.get("send_lines") or []
            if isinstance(x, dict) and isinstance(x.get("qty"), int)
        ]
        _announce(tx, publish, str(doc), str(p["to_store"]), "transfer", store_id, lines, at)
    elif reason == "receive" and doc:
        tx.execute(
            "UPDATE stock_docs SET state = 'received', received_at = ?, report = ? "
            "WHERE doc = ? AND store_id = ?",
            (at, _dump(p.get("report") or {}), str(doc), store_id),
        )


def _announce(
    tx: Tx,
    publish: Publish,
    doc: str,
    store_id: str,
    kind: str,
    from_store: str,
    lines: list[dict[str, Any]],
    at: str,
) -> None:
    cur = tx.execute(
        "INSERT INTO stock_docs(doc, store_id, kind, from_store, lines, announced_at) "
        "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
        (doc, store_id, kind, from_store, _dump(lines), at),
    )
    if cur.rowcount == 1:
        publish(
            tx,
            "stock_doc",
            "upsert",
            doc,
            {"doc": doc, "kind": kind, "from_store": from_store, "lines": lines},
            store_id=store_id,
        )


# ---- administration and the online call ------------------------------------------------


class CloudStock:
    """Stock use cases over a CloudService (its db, clock and publish)."""

    def __init__(self, service: Any) -> None:
        self.svc = service

    def _at(self) -> str:
        from .common import _now_iso

        return _now_iso(self.svc.now())

    def _store(self, tx: Tx, store_id: str) -> None:
        if tx.execute("SELECT 1 FROM stores WHERE store_id = ?", (store_id,)).fetchone() is None:
            raise ApiError(
                404, "unknown_store", f"No store {store_id}: add it with `guitai cloud store add`"
            )

    def set_quantities(
        self, store_id: str, quantities: Mapping[str, int], styles: Mapping[str, str] | None = None
    ) -> dict[str, int]:
        """The brand's figure for SKUs of a store (starting quantities, an ERP count)."""
        for sku, qty in quantities.items():
            if not sku or not isinstance(qty, int) or isinstance(qty, bool):
                raise ApiError(400, "bad_quantity", f"{sku!r}: the quantity must be an integer")
        at = self._at()
        out: dict[str, int] = {}
        with self.svc.db.tx() as tx:
            self._store(tx, store_id)
            marks = {d: c for d, _, c, _ in _contiguous(tx, store_id)}
            for sku, qty in quantities.items():
                style = (styles or {}).get(sku) or _style_from_products(tx, sku)
                _note_style(tx, sku, style)
                tx.execute(
                    "INSERT INTO stock_sets(store_id, sku, qty, marks, at) VALUES (?, ?, ?, ?, ?)",
                    (store_id, sku, qty, _dump(marks), at),
                )
                out[sku] = publish_level(tx, self.svc.publish, store_id, sku, at)
        return out

    def locate(self, store_id: str, lat: float, lon: float) -> None:
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise ApiError(400, "bad_location", "Latitude −90…90 and longitude −180…180")
        with self.svc.db.tx() as tx:
            self._store(tx, store_id)
            tx.execute(
                "INSERT INTO store_locations(store_id, lat, lon) VALUES (?, ?, ?) "
                "ON CONFLICT(store_id) DO UPDATE SET lat = excluded.lat, lon = excluded.lon",
                (store_id, lat, lon),
            )

    def announce_delivery(
        self, store_id: str, doc: str, lines: Mapping[str, int], kind: str = "delivery"
    ) -> dict[str, Any]:
        if not doc or not lines or any(q <= 0 for q in lines.values()):
            raise ApiError(400, "bad_document", "A document needs a number and positive lines")
        at = self._at()
        with self.svc.db.tx() as tx:
            self._store(tx, store_id)
            if tx.execute("SELECT 1 FROM stock_docs WHERE doc = ?", (doc,)).fetchone():
                raise ApiError(409, "doc_exists", f"Document {doc} was already announced")
            items = [{"sku": s, "qty": q} for s, q in lines.items()]
            _announce(tx, self.svc.publish, doc, store_id, kind, "", items, at)
        return {"doc": doc, "store_id": store_id, "lines": items}

    def docs(self, store_id: str | None = None) -> list[dict[str, Any]]:
        with self.svc.db.tx() as tx:
            sql = (
                "SELECT doc, store_id, kind, from_store, lines, state, announced_at, "
                "received_at, report FROM stock_docs"
            )
            args: tuple[str, ...] = ()
            if store_id is not None:
                sql, args = sql + " WHERE store_id = ?", (store_id,)
            rows = tx.execute(sql + " ORDER BY announced_at, doc", args).fetchall()
        keys = ("doc", "store_id", "kind", "from_store", "lines", "state", "announced_at",
                "received_at", "report")  # fmt: skip
        out = []
        for r in rows:
            d = dict(zip(keys, r, strict=True))
            d["lines"] = json.loads(d["lines"])
            d["report"] = json.loads(d["report"]) if d["report"] else None
            out.append(d)
        return out

    def figure(self, store_id: str, sku: str) -> int:
        with self.svc.db.tx() as tx:
            return level(tx, store_id, sku)[0]

    def style_grid(self, style: str, from_store: str | None) -> dict[str, Any]:
        """Every store's quantities of a style's SKUs, nearest to `from_store` first."""
        with self.svc.db.tx() as tx:
            skus = [
                r[0]
                for r in tx.execute(
                    "SELECT sku FROM stock_skus WHERE style = ? ORDER BY sku", (style,)
                ).fetchall()
            ]
            stores = tx.execute(
                "SELECT s.store_id, s.name, l.lat, l.lon FROM stores s LEFT JOIN "
                "store_locations l ON l.store_id = s.store_id ORDER BY s.store_id"
            ).fetchall()
            qty: dict[str, dict[str, int]] = {}
            if skus:
                marks = ",".join("?" * len(skus))
                for store_id, sku, q in tx.execute(
                    f"SELECT store_id, sku, qty FROM stock_levels WHERE sku IN ({marks})", skus
                ).fetchall():
                    qty.setdefault(store_id, {})[sku] = int(q)
        here = next((s for s in stores if s[0] == from_store), None)
        rows = []
        for store_id, name, lat, lon in stores:
            dist = None
            if here is not None and here[2] is not None and lat is not None:
                dist = round(haversine_km((here[2], here[3]), (lat, lon)), 1)
            rows.append(
                {
                    "store_id": store_id,
                    "name": name,
                    "distance_km": dist,
                    "skus": qty.get(store_id, {}),
                }
            )
        rows.sort(key=lambda r: (r["store_id"] != from_store, r["distance_km"] is None,
                                 r["distance_km"] or 0.0, r["store_id"]))  # fmt: skip
        return {"style": style, "skus": skus, "stores": rows}

    def style_grid_for_device(self, device_id: str, style: str) -> dict[str, Any]:
        with self.svc.db.tx() as tx:
            row = tx.execute(
                "SELECT store_id FROM devices WHERE device_id = ?", (device_id,)
            ).fetchone()
        return self.style_grid(style, row[0] if row else None)
