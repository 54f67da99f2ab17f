"""Returns and refunds."""
