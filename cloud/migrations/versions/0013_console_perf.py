"""The console off the ingest's hot path (issue 22, follow-up): no chain-wide summary rows
(store_id '': every till's batch queued on them until commit) — the ingest marks the store's
day changed and head office's pages bring the chain's rows (console_chain_day/_month) up to
date for the marked days; the store ranking reads the stores' rows through (dim, day)
indexes that carry the figures (an index-only read on PostgreSQL); and the e-receipt funnel per store, business day and associate kept as summary
rows (console_funnel_day, console_funnel_month, and console_funnel_sales for the returns), made
from the event log by `guitai cloud console-rebuild`.

Revision ID: 0013_console_perf
Revises: 0005_returns
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013_console_perf"
down_revision = "0005_returns"
branch_labels = None
depends_on = None

SUMS = ["sales", "refunds", "qty", "sales_fen", "refunds_fen"]
FUNNEL = [
    "receipts_printed", "printed_fen", "ereceipts_opened", "receipts_opened", "follows",
    "joins", "returned_90d", "returned_fen",
]  # fmt: skip


def _req(name: str) -> sa.Column[str]:
    return sa.Column(name, sa.Text(), nullable=False)


def _funnel(table: str, period: str) -> None:
    op.create_table(
        table,
        _req("store_id"),
        _req(period),
        _req("associate"),
        *(
            sa.Column(c, sa.BigInteger(), server_default=sa.text("0"), nullable=False)
            for c in FUNNEL
        ),
        sa.PrimaryKeyConstraint("store_id", period, "associate"),
    )
    # carrying the figures: head office's period is an index-only read on PostgreSQL
    op.create_index(
        f"{table}_{period.split('_')[-1]}",
        table,
        [period, "store_id", "associate"],
        unique=False,
        postgresql_include=FUNNEL,
    )


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
    for table, col in (("console_chain_day", "business_day"), ("console_chain_month", "month")):
        op.create_table(
            table,
            _req("dim"),
            _req(col),
            _req("key"),
            *(
                sa.Column(c, sa.BigInteger(), server_default=sa.text("0"), nullable=False)
                for c in SUMS
            ),
            sa.PrimaryKeyConstraint("dim", col, "key"),
        )
    op.create_table(
        "console_sales_dirty",
        _req("store_id"),
        _req("business_day"),
        sa.Column("n", sa.BigInteger(), server_default=sa.text("0"), nullable=False),
        sa.PrimaryKeyConstraint("store_id", "business_day"),
    )
    # every store day marked: the first head-office page sums the chain's rows
    op.execute(
        "INSERT INTO console_sales_dirty(store_id, business_day, n) "
        "SELECT DISTINCT store_id, business_day, 1 FROM console_sales_day"
    )
    _funnel("console_funnel_day", "business_day")
    _funnel("console_funnel_month", "month")
    op.create_table(
        "console_funnel_sales",
        _req("receipt_key"),
        _req("member_id"),
        _req("grp"),
        _req("store_id"),
        _req("business_day"),
        _req("associate"),
        _req("at"),
        _req("sale_id"),
        sa.Column("total_fen", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("receipt_key"),
    )
    op.create_index("console_funnel_sales_grp", "console_funnel_sales", ["grp"], unique=False)


def downgrade() -> None:
    for table in ("console_sales_dirty", "console_chain_month", "console_chain_day"):
        op.drop_table(table)
    op.drop_index("console_funnel_sales_grp", table_name="console_funnel_sales")
    op.drop_table("console_funnel_sales")
    op.drop_index("console_funnel_month_month", table_name="console_funnel_month")
    op.drop_table("console_funnel_month")
    op.drop_index("console_funnel_day_day", table_name="console_funnel_day")
    op.drop_table("console_funnel_day")
    # The chain's rows are not made again here: `guitai cloud console-rebuild` does it.
    for table, col in (("console_sales_month", "month"), ("console_sales_day", "business_day")):
        op.drop_index(f"{table}_dim", table_name=table)
        old = "console_sales_day_day" if col == "business_day" else "console_sales_month_month"
        op.create_index(old, table, [col, "dim"], unique=False)
