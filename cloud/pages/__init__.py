"""Pages of the e-receipt site beyond the receipt itself (one module per page)."""
