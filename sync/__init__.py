"""Sync: outbox relay, signed HTTP client, change puller, scheduler jobs, reference cloud."""
