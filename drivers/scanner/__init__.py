"""Serial barcode scanners on their own thread (driver), and an emulated scanner on a
pseudo-terminal (emulator)."""
