"""Till keys' verdicts (issue 18): `device_key_checks`, whether a till's public key is
acceptable, written at enrolment or by the first worker that checks a key it finds unrecorded
(cloud/key_checks.py), so a fresh worker does not redo ~2 ms of point arithmetic per till.
Nothing to fill: an unrecorded key is checked and recorded when it is next met.

Revision ID: 0019_key_checks
Revises: 0018_no_receipt_count
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0019_key_checks"
down_revision = "0018_no_receipt_count"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "device_key_checks",
        sa.Column("public_key", sa.Text(), nullable=False),
        sa.Column("problem", sa.Text(), nullable=True),
        sa.Column("checked_at", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("public_key"),
    )


def downgrade() -> None:
    op.drop_table("device_key_checks")
