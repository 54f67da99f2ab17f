"""The catalog tests' till folders and CLI runner (tests/support/catalog_fixtures.py)."""

from catalog_fixtures import *  # noqa: F403
