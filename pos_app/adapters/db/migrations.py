"""Numbered schema migrations.  Never edit a shipped one: add the next number.

Each migration runs in one transaction with its record (sqlite-utils Migrations).  A database
that has a migration this program does not know was written by a newer Guitai: we refuse to
open it rather than guess (see connection.open_database).  The SQL lives in schema_sql.py.
"""

from __future__ import annotations

from sqlite_utils import Database, Migrations

from .schema_sql import (
    SCHEMA_0001,
    SCHEMA_0002_DEVICES,
    SCHEMA_0003_PAYMENTS,
    SCHEMA_0004_SYNC,
    SCHEMA_0005,
    SCHEMA_0006,
    SCHEMA_0007_STOCK,
    SCHEMA_0008_MEMBERS,
    SCHEMA_0010_TOPUPS,
    SCHEMA_0011_SIBLING_SALES,
    SCHEMA_0012_LEAN_INDEXES,
    SCHEMA_0013_SALE_BTREES,
    SCHEMA_0014_SALE_KEYS,
    SCHEMA_0015_STOCK_ALERTS,
    _script_statements,
    _statements,
)

__all__ = ["KNOWN", "SCHEMA_0005", "_script_statements", "migrations"]

migrations = Migrations("guitai")


@migrations(name="0001_initial")
def m0001_initial(db: Database) -> None:
    for stmt in _statements(SCHEMA_0001):
        db.execute(stmt)


@migrations(name="0002_devices")
def m0002_devices(db: Database) -> None:
    for stmt in _statements(SCHEMA_0002_DEVICES):
        db.execute(stmt)


@migrations(name="0003_payments")
def m0003_payments(db: Database) -> None:
    for stmt in _statements(SCHEMA_0003_PAYMENTS):
        db.execute(stmt)


@migrations(name="0004_sync")
def m0004_sync(db: Database) -> None:
    for stmt in _statements(SCHEMA_0004_SYNC):
        db.execute(stmt)


@migrations(name="0005_catalog_search")
def m0005_catalog_search(db: Database) -> None:
    for stmt in _script_statements(SCHEMA_0005):
        db.execute(stmt)


@migrations(name="0007_stock")
def m0007_stock(db: Database) -> None:
    for stmt in _statements(SCHEMA_0007_STOCK):
        db.execute(stmt)


@migrations(name="0008_members")
def m0008_members(db: Database) -> None:
    for stmt in _statements(SCHEMA_0008_MEMBERS):
        db.execute(stmt)


# 0006 shipped after 0007/0008 were written: registered last so every till applies the
# migrations in one order (they are applied by name; none depends on another).
@migrations(name="0006_proof_indexes")
def m0006_proof_indexes(db: Database) -> None:
    # Covering indexes for the period report (a year, ~1,000,000 lines, in under a second):
    # lines are read in (VAT, category) order so SQLite groups without a sort, and each line
    # finds its sale's day and kind in an index instead of the table.
    for stmt in _script_statements(SCHEMA_0006):
        db.execute(stmt)
    db.execute("ANALYZE")


@migrations(name="0009_sealed_credentials")
def m0009_sealed_credentials(db: Database) -> None:
    """Seal the payment providers' credentials that earlier versions stored in plain text
    (secrets.py): from here on the database, its WAL and its backups hold only sealed ones."""
    import json

    from pos_app.adapters.secrets import SecretBox, is_sealed

    from .repositories.payments import SECRET_FIELDS

    box: SecretBox | None = None
    for name, settings in db.execute("SELECT name, settings FROM payment_providers").fetchall():
        values = json.loads(settings)
        plain = [k for k in SECRET_FIELDS if k in values and not is_sealed(values[k])]
        if not plain:
            continue
        box = box or SecretBox.for_connection(db.conn)
        for k in plain:
            values[k] = box.seal(str(values[k]), f"{name}.{k}")
        db.execute(
            "UPDATE payment_providers SET settings = ? WHERE name = ?",
            (json.dumps(values, sort_keys=True), name),
        )


@migrations(name="0010_topups")
def m0010_topups(db: Database) -> None:
    for stmt in _statements(SCHEMA_0010_TOPUPS):
        db.execute(stmt)


@migrations(name="0011_sibling_sales")
def m0011_sibling_sales(db: Database) -> None:
    for stmt in _statements(SCHEMA_0011_SIBLING_SALES):
        db.execute(stmt)


@migrations(name="0012_lean_indexes")
def m0012_lean_indexes(db: Database) -> None:
    for stmt in _statements(SCHEMA_0012_LEAN_INDEXES):
        db.execute(stmt)


@migrations(name="0013_sale_btrees")
def m0013_sale_btrees(db: Database) -> None:
    # The rebuilt table is a child of sales only (nothing references a payment), so
    # dropping the old one deletes no row another table points at.
    for stmt in _statements(SCHEMA_0013_SALE_BTREES):
        db.execute(stmt)


@migrations(name="0014_sale_keys")
def m0014_sale_keys(db: Database) -> None:
    # As in 0013: nothing references a line, so dropping the old table deletes no row another
    # table points at.
    for stmt in _script_statements(SCHEMA_0014_SALE_KEYS):
        db.execute(stmt)


@migrations(name="0015_stock_alerts")
def m0015_stock_alerts(db: Database) -> None:
    # Nothing references an alert: its rows are the moves the view selects.
    for stmt in _script_statements(SCHEMA_0015_STOCK_ALERTS):
        db.execute(stmt)


KNOWN = [m.name for m in migrations._migrations]
