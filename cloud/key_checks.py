"""Whether a till's public key is acceptable, remembered in the database (`device_key_checks`,
issue 18).

The check (pos_app.domain.ed25519_keys.public_key_problem) is ~2 ms of pure-Python point
arithmetic per key, remembered per process only: every fresh worker paid it once per till
(a chain of thousands of tills after every deploy, in every worker).  The verdict is written
at enrolment, or by the first worker that checks a key it finds unrecorded (a till enrolled
before this table, or whose enrolment's row rolled back), and read with the device's row
(two subqueries in the select list of the statement that loads it, no round trip of its
own).  A key with a problem is refused exactly as before: the verdict is the check's own
answer.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from pos_app.domain.ed25519_keys import public_key_problem


def columns(devices: str) -> str:
    """The verdict's two columns (checked_at, problem: KeyVerdict.of) for a statement that
    reads the devices table as `devices` (its name or alias): subqueries of the select list,
    so the statement's FROM and FOR UPDATE stay the device's alone."""
    row = f"FROM device_key_checks k WHERE k.public_key = {devices}.public_key"
    return f"(SELECT k.checked_at {row}), (SELECT k.problem {row})"


class Tx(Protocol):
    def execute(self, sql: str, params: Sequence[Any] = (), *, binary: bool = False) -> Any: ...


@dataclass(frozen=True)
class KeyVerdict:
    """A key's recorded verdict as its device's row brought it (`recorded` False: none yet)."""

    recorded: bool
    problem: str | None

    @classmethod
    def of(cls, checked_at: Any, problem: Any) -> KeyVerdict:
        """From the row's two `columns`."""
        return cls(checked_at is not None, None if problem is None else str(problem))


UNRECORDED = KeyVerdict(False, None)


def key_problem(tx: Tx, public_key: str, raw: bytes, verdict: KeyVerdict, at: str) -> str | None:
    """Why the key `public_key` (base64; `raw` its bytes) is not acceptable, or None: the
    recorded verdict, else checked now and recorded in `tx`."""
    if verdict.recorded:
        return verdict.problem
    problem = public_key_problem(raw)
    record(tx, public_key, problem, at)
    return problem


def record(tx: Tx, public_key: str, problem: str | None, at: str) -> None:
    """The key's verdict, unless one is there (another worker's check, racing: the same)."""
    tx.execute(
        "INSERT INTO device_key_checks(public_key, problem, checked_at) VALUES (?, ?, ?) "
        "ON CONFLICT DO NOTHING",
        (public_key, problem, at),
    )
