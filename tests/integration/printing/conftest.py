"""The virtual receipt printer without PNG rendering (tests/support/printer_fixtures.py)."""

from printer_fixtures import *  # noqa: F403
