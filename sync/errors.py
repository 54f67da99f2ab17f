"""What can go wrong while syncing, as GuitaiErrors a technician can act on."""

from __future__ import annotations

from pos_app.domain.errors import GuitaiError


class SyncError(GuitaiError):
    code = "sync_error"


class TransportError(SyncError):
    """The cloud could not be reached or answered 408/429/5xx: retry later with backoff."""

    code = "cloud_unreachable"


class CloudNotReached(TransportError):
    """No answer at all (connection refused, DNS, timeout): the cloud may be fine but out of
    reach, unlike a 5xx, which is an answer.  A caller with an offline path takes it only
    for this."""


class CloudRejected(SyncError):
    """The cloud answered with a 4xx that retrying will not fix (wrong code, bad signature…)."""

    code = "cloud_rejected"

    def __init__(
        self,
        status: int,
        error_code: str,
        message: str,
        message_zh: str | None = None,
        *,
        answer: str = "",
        answer_zh: str | None = None,
    ) -> None:
        super().__init__(message, message_zh)
        self.status = status
        self.error_code = error_code
        # the cloud's own words (its `message` and, where it gives one, `message_zh`)
        self.answer = answer or message
        self.answer_zh = answer_zh


class NotEnrolled(SyncError):
    code = "not_enrolled"

    def __init__(self) -> None:
        super().__init__(
            "This till is not enrolled with a cloud: run `guitai enroll --cloud URL --code CODE`",
            "本机尚未登记到云端：请运行 guitai enroll --cloud URL --code CODE",
        )


class KeyProblem(SyncError):
    code = "device_key"
