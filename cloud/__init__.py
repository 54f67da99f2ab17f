"""The reference cloud CRM: a Starlette service on SQLite or PostgreSQL (specs/sync-protocol.md)."""
