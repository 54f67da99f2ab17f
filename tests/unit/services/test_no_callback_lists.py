"""A use case reads top to bottom (issue 17, item 3): nothing extends a transaction or follows a
commit through a list of callbacks threaded through the services; bookings are plain calls in
the handlers and what follows a commit subscribes on the message bus."""

from __future__ import annotations

import re
from pathlib import Path

import pos_app.services

LISTS = re.compile(
    r"\b(in_transaction|after_commit|after_close|after_cash_move|before_close|"
    r"extra_within|extra_payout|within_sale|within_refund)\b|\bwithin=|\bpayout="
)


def test_no_service_threads_a_callback_list() -> None:
    root = Path(pos_app.services.__file__).parent
    found = [
        f"{path.relative_to(root)}:{n}: {line.strip()}"
        for path in sorted(root.rglob("*.py"))
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if LISTS.search(line)
    ]
    assert found == []
