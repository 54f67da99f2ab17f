"""Sections of the e-receipt page, each in its own module, that cloud/receipt_routes.py puts
together (one feature per module, so each can change without touching the others)."""
