"""Fixtures of the command-line tests that drive devices and payments (tests/support)."""

from driver_fixtures import *  # noqa: F403
from payments_rig import *  # noqa: F403
