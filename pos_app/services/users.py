"""Users and sign-in: PIN checks with lockout, role checks, manager approvals, and the
manager's user administration (disable, enable, unlock, PIN reset)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from pos_app.domain.errors import AccessDenied, InvalidInput, NotFound
from pos_app.domain.ports import Clock
from pos_app.domain.sale import Approval
from pos_app.domain.timeutil import iso_utc
from pos_app.domain.users import (
    SCRYPT_N,
    Role,
    User,
    check_pin_strength,
    disabled_error,
    dummy_hash,
    hash_pin,
    lockout_until,
    pin_matches,
    refuse_if_locked,
    wrong_pin_error,
)

from .unit_of_work import AbstractUnitOfWork


class UserService:
    def __init__(
        self,
        uow: AbstractUnitOfWork,
        clock: Clock,
        pepper: Callable[[], bytes],
        *,
        scrypt_n: int | None = None,
    ):
        self.uow = uow
        self.clock = clock
        # Read on first use: the pepper is a file, and building the till reads no file.
        self._pepper = pepper
        self.scrypt_n = scrypt_n

    @property
    def pepper(self) -> bytes:
        return self._pepper()

    def _hash(self, pin: str) -> str:
        check_pin_strength(pin)
        if self.scrypt_n:
            return hash_pin(pin, self.pepper, n=self.scrypt_n)
        return hash_pin(pin, self.pepper)

    def add(self, name: str, roles: set[Role], pin: str) -> User:
        name = name.strip()
        if not name or len(name) > 40 or any(c in name for c in ",\n\t"):
            raise InvalidInput(
                "A user name is 1–40 characters without commas", "用户名为 1–40 个字符，不能含逗号"
            )
        if not roles:
            raise InvalidInput("Give the user at least one role", "请至少指定一个角色")
        pin_hash = self._hash(pin)
        with self.uow:
            if self.uow.users.get(name) is not None:
                raise InvalidInput(
                    f"User {name} already exists: pick another name",
                    f"用户 {name} 已存在，请换一个名字",
                )
            self.uow.users.add(name, frozenset(r.value for r in roles), pin_hash, self.clock.now())
            self.uow.commit()
        user = self.uow.users.get(name)
        assert user is not None
        return user

    def list(self) -> list[User]:
        return self.uow.users.all()

    def authenticate(self, name: str, pin: str) -> User:
        """Check a PIN; failures lock the user out for growing periods.

        The attempt is counted as a failure in the database *before* the (slow) hash is
        checked and cleared only when the PIN is right: attempts racing in from several
        processes each count, instead of all reading the same count during their hashes and
        writing back the same "one more".  A name that is not a user gets the same answer as a
        wrong PIN, after a hash of the same cost, so answers do not tell which names exist."""
        now = self.clock.now()
        locked: datetime | None = None
        with self.uow:
            user = self.uow.users.get(name)
            if user is not None:
                refuse_if_locked(user, now)
                locked = lockout_until(self.uow.users.count_pin_failure(name), now)
                if locked is not None:
                    self.uow.users.lock(name, locked)
            self.uow.commit()
        stored = user.pin_hash if user is not None else dummy_hash(self.scrypt_n or SCRYPT_N)
        if not pin_matches(pin, self.pepper, stored) or user is None:
            raise wrong_pin_error(name, locked, now)
        with self.uow:
            self.uow.users.clear_pin_failures(name)
            self.uow.commit()
        if not user.active:
            raise disabled_error(name)
        return user

    def approval(self, approver: str, pin: str, action: str, reason: str) -> Approval:
        """A manager's PIN turned into an approval for one action."""
        user = self.authenticate(approver, pin)
        if not user.has(Role.MANAGER):
            raise AccessDenied(
                f"{approver} is not a manager and cannot approve this",
                f"{approver} 不是店长，不能授权",
            )
        return Approval(action=action, approver=approver, reason=reason or action)

    # ---- administration (a manager, already signed in, acts on another user) -------------

    def _target(self, name: str) -> User:
        user = self.uow.users.get(name)
        if user is None:
            raise NotFound(
                f"No user called {name}: see `guitai user list`",
                f"没有名为 {name} 的用户：请用 guitai user list 查看",
            )
        return user

    def _audit(self, action: str, target: str, manager: User, details: dict[str, object]) -> None:
        self.uow.audit.add(action, target, manager.name, action, details, iso_utc(self.clock.now()))

    def _require_manager(self, manager: User) -> None:
        if not manager.has(Role.MANAGER):
            raise AccessDenied(
                f"{manager.name} is not a manager: a manager must do this",
                f"{manager.name} 不是店长，需要店长操作",
            )

    def set_active(self, name: str, active: bool, manager: User) -> User:
        """Disable or enable a user; a disabled user cannot sign in or approve anything."""
        self._require_manager(manager)
        if not active and name == manager.name:
            raise InvalidInput(
                "You cannot disable yourself: another manager must do it",
                "不能停用自己，请由另一位店长操作",
            )
        with self.uow:
            self._target(name)
            self.uow.users.set_active(name, active)
            self._audit("user.enable" if active else "user.disable", name, manager, {})
            self.uow.commit()
        return self._target(name)

    def unlock(self, name: str, manager: User) -> User:
        """Clear a user's wrong-PIN count and lockout."""
        self._require_manager(manager)
        with self.uow:
            before = self._target(name)
            self.uow.users.clear_pin_failures(name)
            self._audit(
                "user.unlock",
                name,
                manager,
                {
                    "failed_attempts": before.failed_attempts,
                    "locked_until": before.locked_until.isoformat()
                    if before.locked_until
                    else None,
                },
            )
            self.uow.commit()
        return self._target(name)

    def change_pin(self, name: str, new_pin: str, *, by: User) -> None:
        """A new PIN for `name`: the user themself (`by` signed in with the old PIN) or a
        manager resetting someone else's.  The new PIN also clears a lockout."""
        if by.name != name:
            self._require_manager(by)
        pin_hash = self._hash(new_pin)
        with self.uow:
            self._target(name)
            self.uow.users.set_pin_hash(name, pin_hash)
            self.uow.users.clear_pin_failures(name)
            self._audit("user.pin_reset" if by.name != name else "user.pin_change", name, by, {})
            self.uow.commit()
