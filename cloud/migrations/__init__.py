"""The cloud's Alembic migrations (env.py, versions/): shipped with the package and run by
`guitai cloud migrate` and at the start of `guitai cloud serve` (cloud.storage.migrate)."""
