"""Emulators of the services the cloud talks to (not the till: the till's devices and payment
providers are emulated in drivers/).  Each speaks its service's HTTP API on loopback and is
started by `guitai emulate …` through the `guitai.emulators` entry points."""
