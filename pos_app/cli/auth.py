"""Signing a person in from the command line (PIN from the environment or a prompt)."""

from __future__ import annotations

from typing import Any

from pos_app.domain.errors import AccessDenied
from pos_app.domain.sale import Approval
from pos_app.domain.users import Role, User

from .common import read_pin


def sign_in(till: Any, name: str, *, role: Role | None = None) -> User:
    user: User = till.users.authenticate(name, read_pin())
    if role is not None and not user.has(role):
        raise AccessDenied(
            f"{name} does not have the {role.value} role needed for this",
            f"{name} 没有执行此操作所需的 {role.value} 角色",
        )
    return user


def approval(till: Any, approver: str | None, action: str, reason: str) -> Approval | None:
    if not approver:
        return None
    pin = read_pin("GUITAI_APPROVER_PIN", f"PIN for {approver}")
    result: Approval = till.users.approval(approver, pin, action, reason)
    return result
