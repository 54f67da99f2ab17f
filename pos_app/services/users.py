"""Users and sign-in: PIN checks with lockout, role checks, manager approvals."""

from __future__ import annotations

from pos_app.domain.errors import AccessDenied, InvalidInput, NotFound
from pos_app.domain.ports import Clock
from pos_app.domain.sale import Approval
from pos_app.domain.users import Role, User, check_pin, hash_pin, wrong_pin_error

from .ports import Store


class UserService:
    def __init__(self, store: Store, clock: Clock, pepper: bytes, *, scrypt_n: int | None = None):
        self.store = store
        self.clock = clock
        self.pepper = pepper
        self.scrypt_n = scrypt_n

    def _hash(self, pin: str) -> str:
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
        with self.store.transaction():
            if self.store.user(name) is not None:
                raise InvalidInput(
                    f"User {name} already exists: pick another name",
                    f"用户 {name} 已存在，请换一个名字",
                )
            self.store.add_user(
                name, frozenset(r.value for r in roles), self._hash(pin), self.clock.now()
            )
        user = self.store.user(name)
        assert user is not None
        return user

    def list(self) -> list[User]:
        return self.store.users()

    def authenticate(self, name: str, pin: str) -> User:
        """Check a PIN; failures are counted and lock the user out for growing periods."""
        user = self.store.user(name)
        if user is None:
            raise NotFound(
                f"No user called {name}: check the name or ask a manager",
                f"没有名为 {name} 的用户，请检查或联系店长",
            )
        now = self.clock.now()
        result = check_pin(user, pin, self.pepper, now)
        with self.store.transaction():
            self.store.record_pin_attempt(name, result.failed_attempts, result.locked_until)
        if not result.ok:
            raise wrong_pin_error(name, result, now)
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
