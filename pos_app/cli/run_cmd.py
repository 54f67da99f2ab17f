"""guitai run: the till's touch screen."""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping

import click

from pos_app.domain.errors import GuitaiError, StateError

from .common import obj

# Qt platforms that draw on a desktop session and need its address; any other one (eglfs and
# linuxfb on the kiosk, offscreen, vnc, minimal) draws without one.
_SESSION_PLATFORMS = {"xcb": ("DISPLAY",), "wayland": ("WAYLAND_DISPLAY",)}


class NoDisplay(StateError):
    code = "no_display"


def display_problem(env: Mapping[str, str], platform: str = sys.platform) -> NoDisplay | None:
    """Why Qt could not open a window here, said before Qt is started: without a display Qt
    aborts the process (exit 134) with a message about a missing xcb-cursor library."""
    if not platform.startswith("linux"):
        return None
    wanted = [p.split(":")[0].strip() for p in env.get("QT_QPA_PLATFORM", "").split(";")]
    wanted = [p for p in wanted if p] or ["xcb", "wayland"]
    for name in wanted:
        needs = _SESSION_PLATFORMS.get(name.split("-")[0])
        if needs is None or any(env.get(var) for var in needs):
            return None
    return NoDisplay(
        "No display to open the till's window on (DISPLAY and WAYLAND_DISPLAY are not set). "
        "Run `guitai run` in the store PC's desktop session (or with DISPLAY=:0), or without a "
        "desktop with QT_QPA_PLATFORM=eglfs as the kiosk service does; on a machine without a "
        "screen, `make demo` rings up the headless demo day instead",
        "没有可显示收银窗口的屏幕（未设置 DISPLAY 或 WAYLAND_DISPLAY）。请在门店电脑的桌面会话中"
        "运行 guitai run（或加 DISPLAY=:0），无桌面时设置 QT_QPA_PLATFORM=eglfs（与 kiosk 服务相同）；"
        "没有屏幕的机器可运行 make demo 查看无界面演示",
    )


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
    problem = display_problem(os.environ)
    if problem is not None:
        raise problem
    # The till is built before Qt is imported: once PySide6 is loaded, its import hook reads
    # the source of every module imported after it (looking for "PySide6"), ~60 ms of the
    # start for the till's own modules.
    till = obj(ctx).till
    from pos_app.bootstrap import register_probes

    register_probes(till)  # printer, drawer, scanner, terminal, network, sync
    try:
        till.sync.start()  # the background relay, when the till is enrolled
    except GuitaiError as err:  # e.g. the till's key unreadable: sell on, the sync line says so
        click.echo(err.for_humans(lang), err=True)
    from pos_app.ui.app import build_app, qapplication
    from pos_app.ui.qt import QTimer

    app = qapplication(["guitai"])
    t = build_app(till, lang=lang, kiosk=kiosk, customer_display=customer_display)
    if quit_after is not None:

        def done() -> None:
            click.echo(f"ready: {t.window.current} screen, {len(t.window.signin.tiles)} users")
            t.window.close()

        QTimer.singleShot(quit_after, done)
    from pos_app.adapters.db.backup_schedule import start_backup_schedule

    backups = start_backup_schedule(till.backups)  # daily online backups (backup_interval_hours)
    from pos_app.adapters.aggregator_checkin import start_checkin_job

    checkin = start_checkin_job(till)  # the aggregator acquirer's daily check-in (issue 23)
    code = app.exec()
    if checkin is not None:
        checkin.shutdown()
    if backups is not None:
        backups.shutdown()
    t.session.worker.shutdown()
    ctx.exit(code)
