"""Structured logs (one JSON object per line) that rotate, with phone and card numbers masked
before anything reaches the disk."""

from __future__ import annotations

import json
import logging
import logging.handlers
import re
from pathlib import Path

_PHONE = re.compile(r"(?<!\d)(1[3-9]\d)(\d{4})(\d{4})(?!\d)")
_DIGITS = re.compile(r"(?<!\d)\d(?:[ -]?\d){12,18}(?!\d)")


def _luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def mask(text: str) -> str:
    """138****5678 for mobiles; 622202******1234 for anything that looks like a card number."""

    def card(m: re.Match[str]) -> str:
        raw = re.sub(r"[ -]", "", m.group(0))
        # 14–19 digits, or 13 for old Visa; an EAN-13 barcode (China: 69…) is left readable
        if (14 <= len(raw) <= 19 or (len(raw) == 13 and raw[0] == "4")) and _luhn_ok(raw):
            return f"{raw[:6]}{'*' * (len(raw) - 10)}{raw[-4:]}"
        return m.group(0)

    return _PHONE.sub(r"\1****\3", _DIGITS.sub(card, text))


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        data = {
            "at": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname,
            "logger": record.name,
            "message": mask(record.getMessage()),
        }
        if record.exc_info:
            data["exception"] = mask(self.formatException(record.exc_info))
        return json.dumps(data, ensure_ascii=False)


class GuitaiLogFile(logging.handlers.RotatingFileHandler):
    """The till's own log file, added once per process (tests find it by `_guitai`)."""

    _guitai = True


def setup(logs_dir: Path, level: int = logging.INFO) -> None:
    root = logging.getLogger()
    if any(getattr(h, "_guitai", False) for h in root.handlers):
        return
    logs_dir.mkdir(parents=True, exist_ok=True)
    handler = GuitaiLogFile(
        logs_dir / "guitai.log", maxBytes=5 * 1024 * 1024, backupCount=10, encoding="utf-8"
    )
    handler.setFormatter(JsonFormatter())
    root.addHandler(handler)
    root.setLevel(level)
    # APScheduler says "Running job …" and "… executed successfully" at INFO for every run of
    # every job: two lines a minute that bury the till's own.  Its warnings (a missed run, a
    # job that raised) still come through.
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
