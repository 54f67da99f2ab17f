"""The cloud's storage: its schema as SQLAlchemy Core tables (schema.py), and bringing a
database to that schema with the Alembic migrations in cloud/migrations (migrate.py)."""
