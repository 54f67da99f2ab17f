"""The member parts of the till (see parts.py for how they compose)."""
