"""Fixtures of the payments suite live in payments_rig.py (a unique module name, so other
suites' conftest modules cannot shadow it)."""

from payments_rig import *  # noqa: F403
