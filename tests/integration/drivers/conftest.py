"""The device tests' virtual printer, device store and hardware facade (tests/support/driver_fixtures.py)."""

from driver_fixtures import *  # noqa: F403
