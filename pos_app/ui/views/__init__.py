"""Immutable snapshots the worker takes for the screens to paint (below the session and the screens)."""
