"""The payments rig: a till, its emulated terminal and wallets (tests/support/payments_rig.py)."""

from payments_rig import *  # noqa: F403
