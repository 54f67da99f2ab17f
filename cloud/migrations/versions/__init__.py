"""One file per revision; never edit a shipped one: add the next."""
