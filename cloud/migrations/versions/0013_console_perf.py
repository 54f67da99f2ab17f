"""The console off the ingest's hot path (issue 22, follow-up): no chain-wide summary rows
(store_id '': every till's batch queued on them until commit) — head office's pages sum the
stores' rows through (dim, day) indexes that carry the figures (an index-only read on
PostgreSQL).

Revision ID: 0013_console_perf
Revises: 0009_console
Create Date: 2026-12-06
"""

from __future__ import annotations

from alembic import op

revision = "0013_console_perf"
down_revision = "0009_console"
branch_labels = None
depends_on = None

SUMS = ["sales", "refunds", "qty", "sales_fen", "refunds_fen"]


def upgrade() -> None:
    for table, col in (("console_sales_day", "business_day"), ("console_sales_month", "month")):
        # the chain's own rows: the pages no longer read them, and the ingest no longer adds
        op.execute(f"DELETE FROM {table} WHERE store_id = ''")
        old = "console_sales_day_day" if col == "business_day" else "console_sales_month_month"
        op.drop_index(old, table_name=table)
        op.create_index(
            f"{table}_dim",
            table,
            ["dim", col, "key", "store_id"],
            unique=False,
            postgresql_include=SUMS,
        )


def downgrade() -> None:
    # The chain's rows are not made again here: `guitai cloud console-rebuild` does it.
    for table, col in (("console_sales_month", "month"), ("console_sales_day", "business_day")):
        op.drop_index(f"{table}_dim", table_name=table)
        old = "console_sales_day_day" if col == "business_day" else "console_sales_month_month"
        op.create_index(old, table, [col, "dim"], unique=False)
