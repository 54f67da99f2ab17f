"""Cash drawers: on a printer's kick connector or a serial trigger box (driver), and the
emulated trigger box (emulator)."""
