"""Where things are, for tests that read the project's own files (a test's depth in tests/
must not decide what `parents[N]` means)."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TESTS = ROOT / "tests"
FIXTURES = TESTS / "fixtures"
SUPPORT = TESTS / "support"
SCREENSHOTS = ROOT / "docs" / "screenshots"
