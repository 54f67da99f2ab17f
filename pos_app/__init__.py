"""Guitai (柜台): an offline-first point-of-sale and receipt appliance."""

__version__ = "0.1.0"
