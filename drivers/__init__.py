"""Device drivers: bytes and device status.  Knows nothing of sales."""
