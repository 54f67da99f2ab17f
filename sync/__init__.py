"""Sync, the till's side: outbox relay, signed HTTP client, change puller, scheduler jobs."""
