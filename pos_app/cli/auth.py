"""Signing a person in from the command line (PIN from the environment or a prompt)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pos_app.domain.errors import AccessDenied
from pos_app.domain.sale import Approval
from pos_app.domain.users import Role, User

from .common import read_pin

if TYPE_CHECKING:
    from pos_app.bootstrap import App


def sign_in(till: App, name: str, *, role: Role | tuple[Role, ...] | None = None) -> User:
    """NAME signed in with their PIN; `role`: the role (or any one of the roles) needed."""
    user: User = till.users.authenticate(name, read_pin(prompt=f"PIN for {name}"))
    roles = (role,) if isinstance(role, Role) else role or ()
    if roles and not any(user.has(r) for r in roles):
        needed = " or ".join(r.value for r in roles)
        raise AccessDenied(
            f"{name} does not have the {needed} role needed for this",
            f"{name} 没有执行此操作所需的 {needed} 角色",
        )
    return user


def approval(till: App, approver: str | None, action: str, reason: str) -> Approval | None:
    if not approver:
        return None
    pin = read_pin("GUITAI_APPROVER_PIN", f"PIN for {approver}")
    result: Approval = till.users.approval(approver, pin, action, reason)
    return result
