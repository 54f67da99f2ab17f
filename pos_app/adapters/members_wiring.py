"""Builds the member parts over a Till (the composition root's parts): the SQLite repo,
the cloud when the till is enrolled, and e-receipt lookups.  One set per Till object, so
a sale's pricing and completion share it (`Till.members`)."""

from __future__ import annotations

from typing import Any

from pos_app.services.members.parts import Members, compose_members


def build_member_service(till: Any) -> Members:
    """The member parts over the till's database, with the cloud when enrolled (one set per
    till object, so a sale's pricing and completion share its coupon holds)."""
    svc = till.__dict__.get("_member_service")
    if svc is None:
        from pos_app.adapters.db.repositories.members import SqliteMembers
        from pos_app.adapters.member_cloud import SyncMemberCloud

        def cloud() -> Any:
            # read each time: a till enrolled (or moved to another URL) while running is seen
            return SyncMemberCloud.from_till(till.paths, till.database.conn, till.clock)

        def receipt_payload(text: str) -> dict[str, Any] | None:
            from pos_app.adapters.receipt_docs import verify_receipt

            r = verify_receipt(till.uow, till.signer, text)
            if r["own_till"]:
                p: dict[str, Any] | None = till.uow.sales.payload(receipt_no=r["receipt_no"])
                return p
            remote = cloud()
            if remote is None:
                return None
            token = text.strip().rstrip("/").rsplit("/", 1)[-1]
            found: dict[str, Any] = remote.receipt(token)
            payload: dict[str, Any] | None = found.get("payload")
            if payload and found.get("member_id"):  # the member as the cloud knows them now
                payload = payload | {"member": {"id": found["member_id"]}}
            return payload

        svc = compose_members(
            till.uow,
            SqliteMembers(till.database.conn),
            till.clock,
            till.lookup,
            cloud,
            receipt_payload,
        )
        till.__dict__["_member_service"] = svc
    return svc
