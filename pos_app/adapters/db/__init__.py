"""SQLite adapter: schema and migrations, repositories, the unit of work, the outbox."""
