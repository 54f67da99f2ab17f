"""The top-up receipt's QR (issue 23): `topup_receipts` maps the digest a version 3 e-receipt
token carries to the booked top-up (docs/specs/ereceipt-token-v1.md "Version 3"), filled for
the top-ups booked before it.

Revision ID: 0017_topup_token
Revises: 0016_offline_returns
Create Date: 2026-12-06
"""

from __future__ import annotations

import hashlib
import json

import sqlalchemy as sa
from alembic import op

revision = "0017_topup_token"
down_revision = "0016_offline_returns"
branch_labels = None
depends_on = None


def _digest(topup_id: str, member_id: str, paid_fen: int, bonus_fen: int, tender: str) -> str:
    """The spec's topup_digest, written out here: a migration never changes with the code."""
    body = {
        "bonus_fen": bonus_fen,
        "member_id": member_id,
        "paid_fen": paid_fen,
        "tender": tender,
        "topup_id": topup_id,
    }
    text = json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def upgrade() -> None:
    table = op.create_table(
        "topup_receipts",
        sa.Column("digest", sa.Text(), nullable=False),
        sa.Column("topup_id", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["topup_id"], ["topups.id"]),
        sa.PrimaryKeyConstraint("digest"),
    )
    rows = op.get_bind().execute(
        sa.text("SELECT id, member_id, paid_fen, bonus_fen, tender FROM topups")
    )
    booked = [
        {
            "digest": _digest(str(r[0]), str(r[1]), int(r[2]), int(r[3]), str(r[4])),
            "topup_id": str(r[0]),
        }
        for r in rows
    ]
    if booked:
        op.bulk_insert(table, booked)


def downgrade() -> None:
    op.drop_table("topup_receipts")
