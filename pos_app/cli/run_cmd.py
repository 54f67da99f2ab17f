"""guitai run: the till's touch screen."""

from __future__ import annotations

import click

from pos_app.domain.errors import GuitaiError

from .common import obj


@click.command()
@click.option("--kiosk", is_flag=True, help="Full screen with no desktop (the shop floor).")
@click.option(
    "--lang",
    type=click.Choice(["zh", "en"]),
    default="zh",
    show_default=True,
    help="Language at start; the header button switches it.",
)
@click.option(
    "--customer-display/--no-customer-display",
    default=None,
    help="Show the customer-facing window (default: when a second screen is connected).",
)
@click.option("--quit-after", type=int, hidden=True, help="Close after N ms (smoke tests).")
@click.pass_context
def run(
    ctx: click.Context,
    kiosk: bool,
    lang: str,
    customer_display: bool | None,
    quit_after: int | None,
) -> None:
    """Open the till (a window; --kiosk for full screen)."""
    from pos_app.ui.app import build_app, qapplication
    from pos_app.ui.qt import QTimer

    app = qapplication(["guitai"])
    till = obj(ctx).till
    till.register_probes()  # printer, drawer, scanner, terminal, network, sync
    try:
        till.start_sync()  # the background relay, when the till is enrolled
    except GuitaiError as err:  # e.g. the till's key unreadable: sell on, the sync line says so
        click.echo(err.for_humans(lang), err=True)
    t = build_app(till, lang=lang, kiosk=kiosk, customer_display=customer_display)
    if quit_after is not None:

        def done() -> None:
            click.echo(f"ready: {t.window.current} screen, {len(t.window.signin.tiles)} users")
            t.window.close()

        QTimer.singleShot(quit_after, done)
    from pos_app.adapters.db.backup_schedule import start_backup_schedule

    backups = start_backup_schedule(till)  # daily online backups (backup_interval_hours)
    code = app.exec()
    if backups is not None:
        backups.shutdown()
    t.session.worker.shutdown()
    ctx.exit(code)
