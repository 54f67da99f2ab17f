"""Stock at the counter: the size grid, count, receiving, sending, reports."""
