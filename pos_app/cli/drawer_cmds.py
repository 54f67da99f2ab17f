"""`guitai drawer open`: open the cash drawer without a sale (technicians and managers)."""

from __future__ import annotations

import click

from pos_app.cli.common import emit, json_option, obj
from pos_app.cli.device_access import hardware as _hardware

# ---- guitai drawer ----------------------------------------------------------------------------


@click.group()
def drawer() -> None:
    """The cash drawer (technicians and managers)."""


@drawer.command(name="open")
@click.option("--user", required=True, help="Who opens the drawer (recorded).")
@click.option(
    "--reason", type=click.Choice(["no_sale", "test"]), default="no_sale", show_default=True
)
@click.option(
    "--drawer",
    "drawer_name",
    default=None,
    help="Drawer or printer name (default: the first drawer, else the first printer).",
)
@click.option("--ref", default=None, help="A note or reference to record.")
@json_option
@click.pass_context
def open_(
    ctx: click.Context,
    user: str,
    reason: str,
    drawer_name: str | None,
    ref: str | None,
    as_json: bool,
) -> None:
    """Open the cash drawer without a sale (PIN from GUITAI_PIN); recorded with the user, and
    a no-sale open during a shift counts on the Z report."""
    from pos_app.cli.auth import sign_in
    from pos_app.domain.errors import AccessDenied

    till = obj(ctx).till
    person = sign_in(till, user)
    if not person.roles & {"manager", "technician"}:
        raise AccessDenied(
            f"{user} may not open the drawer without a sale: a manager or technician can",
            f"{user} 无权无交易开钱箱，请店长或技术员操作",
        )
    if reason == "no_sale" and till.uow.shifts.find_open() is not None:
        till.shifts.cash_move(person, "no_sale", 0, ref or "drawer open")
    hw = _hardware(ctx)
    open_id = hw.open_drawer(reason, ref=ref, user=user, drawer=drawer_name)
    emit(
        {"opened": True, "record": open_id, "reason": reason, "user": user},
        as_json,
        f"drawer opened ({reason}, {user}); 钱箱已打开",
    )
