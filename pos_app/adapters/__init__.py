"""Adapters: the only code that touches SQL, devices and the network for the core."""
