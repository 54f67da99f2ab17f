"""What can go wrong while syncing, as GuitaiErrors a technician can act on."""

from __future__ import annotations

from pos_app.domain.errors import GuitaiError


class SyncError(GuitaiError):
    code = "sync_error"


class TransportError(SyncError):
    """The cloud could not be reached or answered 408/429/5xx: retry later with backoff."""

    code = "cloud_unreachable"


class CloudRejected(SyncError):
    """The cloud answered with a 4xx that retrying will not fix (wrong code, bad signature…)."""

    code = "cloud_rejected"

    def __init__(
        self, status: int, error_code: str, message: str, message_zh: str | None = None
    ) -> None:
        super().__init__(message, message_zh)
        self.status = status
        self.error_code = error_code


class NotEnrolled(SyncError):
    code = "not_enrolled"

    def __init__(self) -> None:
        super().__init__(
            "This till is not enrolled with a cloud: run `guitai enroll --cloud URL --code CODE`",
            "本机尚未登记到云端：请运行 guitai enroll --cloud URL --code CODE",
        )


class KeyProblem(SyncError):
    code = "device_key"
