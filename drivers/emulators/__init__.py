"""Device emulators that speak the real byte protocols: an ESC/POS printer (TCP 9100 and a
pseudo-terminal), a serial scanner and a serial drawer trigger box (pseudo-terminals).
Used by tests, demos and `guitai emulate`."""
