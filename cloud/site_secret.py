"""The server secret that signs member sessions: GUITAI_SESSION_SECRET from the environment,
or one made once and kept in the database (site_secrets), so every worker signs and checks
with the same key and a restart keeps customers signed in."""

from __future__ import annotations

import os
import secrets

from .db import CloudDB

ENV = "GUITAI_SESSION_SECRET"


def session_secret(db: CloudDB) -> bytes:
    configured = os.environ.get(ENV, "")
    if configured:
        return configured.encode()
    with db.tx() as tx:
        tx.execute(
            "INSERT INTO site_secrets(name, value) VALUES ('session', ?) ON CONFLICT DO NOTHING",
            (secrets.token_hex(32),),
        )
        row = tx.execute("SELECT value FROM site_secrets WHERE name = 'session'").fetchone()
    return bytes.fromhex(str(row[0]))
