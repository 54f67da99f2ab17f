"""The domain's error tree.  Every error a person sees says what happened and what to do,
in the cashier's language (Chinese) with English beside it."""

from __future__ import annotations


class GuitaiError(Exception):
    """Base of every error the till reports to a person."""

    code = "error"

    def __init__(self, message: str, message_zh: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.message_zh = message_zh or message

    def for_humans(self, lang: str = "zh") -> str:
        return self.message_zh if lang.startswith("zh") else self.message


class InvalidInput(GuitaiError):
    code = "invalid_input"


class NotFound(GuitaiError):
    code = "not_found"


class RuleViolation(GuitaiError):
    """The request breaks a business rule (short tender, return more than sold…)."""

    code = "rule_violation"


class NeedsApproval(GuitaiError):
    """A limit was crossed: a manager must approve (店长授权)."""

    code = "needs_approval"


class AccessDenied(GuitaiError):
    code = "access_denied"


class LockedOut(AccessDenied):
    code = "locked_out"


class StateError(GuitaiError):
    """The till is not in a state for this (no open shift, sale already completed…)."""

    code = "wrong_state"


class IntegrityError(GuitaiError):
    """The journal or the database does not verify."""

    code = "integrity"


class CloudUnreachable(GuitaiError):
    """The cloud could not be reached at all (no connection, name lookup, timeout).  The only
    failure of a cloud call after which the till may act on what it knows offline: a refusal
    or a server error is an answer, and the cloud may know better than the till."""

    code = "cloud_unreachable"


class CloudFailed(GuitaiError):
    """The cloud answered with an error of its own (5xx, a cut-off answer): try again."""

    code = "cloud_error"


class CloudRefused(GuitaiError):
    """The cloud refused the call (a 4xx): its own answer, shown as it gave it."""

    code = "cloud_refused"

    def __init__(
        self, status: int, error_code: str, message: str, message_zh: str | None = None
    ) -> None:
        super().__init__(message, message_zh)
        self.status = status
        self.error_code = error_code
