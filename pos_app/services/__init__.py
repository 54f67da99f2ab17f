"""Use cases: the till's verbs, run in a unit of work."""
