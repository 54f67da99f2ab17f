"""`guitai emulate …`: device emulators that speak the real protocols (the ESC/POS printer,
serial scanner and trigger drawer here; the payment terminal and wallets from
`emulate_pay_cmds`), for demos, tests and training."""

from __future__ import annotations

import json
import signal
import sys
import threading
import time
from types import FrameType
from typing import Any

import click

from pos_app.cli.device_access import parse_settings as _settings
from pos_app.domain.errors import InvalidInput

# ---- guitai emulate ---------------------------------------------------------------------------


# Emulators of other packages (the cloud's invoicing provider …) under this entry-point group,
# loaded only when named: the till's code never imports them.
EMULATOR_ENTRY_POINTS = "guitai.emulators"


class EmulateGroup(click.Group):
    def _plugins(self) -> dict[str, str]:
        from importlib.metadata import entry_points

        return {ep.name: ep.value for ep in entry_points(group=EMULATOR_ENTRY_POINTS)}

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(super().list_commands(ctx)) | set(self._plugins()))

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        cmd = super().get_command(ctx, cmd_name)
        target = None if cmd is not None else self._plugins().get(cmd_name)
        if target is None:
            return cmd
        import importlib

        module, attr = target.split(":")
        try:
            found = getattr(importlib.import_module(module), attr)
        except ModuleNotFoundError:  # its package is not installed on this till
            return None
        assert isinstance(found, click.Command)
        return found


@click.group(cls=EmulateGroup)
def emulate() -> None:
    """Run device emulators that speak the real protocols (for demos, tests, training)."""


def _run_until_stopped(duration: float | None, stop_event: threading.Event | None = None) -> None:
    stop = stop_event or threading.Event()

    def handler(signum: int, frame: FrameType | None) -> None:
        stop.set()

    old = signal.signal(signal.SIGTERM, handler)
    try:
        end = None if duration is None else time.monotonic() + duration
        while not stop.is_set():
            if end is not None and time.monotonic() >= end:
                break
            stop.wait(0.2)
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, old)


@emulate.command()
@click.option("--tcp-port", default=9100, show_default=True, help="TCP port (0: any free port).")
@click.option("--no-tcp", is_flag=True, help="Do not listen on TCP.")
@click.option("--pty", "use_pty", is_flag=True, help="Also serve on a pseudo-terminal.")
@click.option("--link", default=None, help="Symlink for the pseudo-terminal, e.g. ./ttyPRN.")
@click.option(
    "--control-port",
    default=0,
    show_default=True,
    help="JSON control socket port on 127.0.0.1 (0: any free port).",
)
@click.option(
    "--out",
    "out_dir",
    default="emulated-printer",
    show_default=True,
    help="Folder for job PNGs and jobs.jsonl.",
)
@click.option("--baud", default=0, help="Simulate a slow printer (bits per second).")
@click.option(
    "--codec",
    type=click.Choice(["gb18030", "gbk", "big5"]),
    default="gb18030",
    show_default=True,
    help="Double-byte charset of Chinese mode.",
)
@click.option("--width", default=576, show_default=True, help="Paper width in dots (58mm: 384).")
@click.option(
    "--print-speed",
    default=0,
    help="Bytes/s of the print mechanism (0: instant); "
    "> 0 buffers jobs and answers DLE EOT ahead of them, like a real printer.",
)
@click.option("--paper-out", is_flag=True, help="Start with the paper out.")
@click.option("--duration", type=float, default=None, help="Stop after this many seconds.")
def printer(
    tcp_port: int,
    no_tcp: bool,
    use_pty: bool,
    link: str | None,
    control_port: int,
    out_dir: str,
    baud: int,
    codec: str,
    width: int,
    print_speed: int,
    paper_out: bool,
    duration: float | None,
) -> None:
    """A virtual ESC/POS printer: renders jobs to PNG, logs JSON, answers DLE EOT."""
    from drivers.escpos.emulator.printer import VirtualPrinter

    vp = VirtualPrinter(out_dir=out_dir, cjk_codec=codec, width=width)
    try:
        vp.set(baud=baud, paper_out=paper_out, print_speed=print_speed)
        where: dict[str, Any] = {"out": out_dir}
        if not no_tcp:
            try:
                port = vp.serve_tcp(tcp_port)
            except OSError as err:
                raise InvalidInput(
                    f"Cannot listen on TCP port {tcp_port} ({err}): pick another with --tcp-port",
                    f"无法监听 TCP 端口 {tcp_port}：请用 --tcp-port 换一个端口",
                ) from err
            where["uri"] = f"tcp://127.0.0.1:{port}"
        if use_pty or link:
            where["serial_uri"] = f"serial://{vp.serve_pty(link)}"
        where["control_port"] = vp.serve_control(control_port)
        click.echo(json.dumps(where, ensure_ascii=False), nl=True)
        sys.stdout.flush()
        _run_until_stopped(duration)
    finally:
        vp.close()


@emulate.command()
@click.option("--link", default=None, help="Symlink for the pseudo-terminal.")
@click.option(
    "--suffix",
    type=click.Choice(["CR", "LF", "CRLF", "NONE"], case_sensitive=False),
    default="CR",
    show_default=True,
)
@click.option("--code", "codes", multiple=True, help="A code to send (repeatable).")
@click.option(
    "--wait",
    type=float,
    default=1.0,
    show_default=True,
    help="Seconds before the first code (time to connect the reader).",
)
@click.option("--interval", type=float, default=0.5, show_default=True)
@click.option("--duration", type=float, default=None, help="Stop after this many seconds.")
def scanner(
    link: str | None,
    suffix: str,
    codes: tuple[str, ...],
    wait: float,
    interval: float,
    duration: float | None,
) -> None:
    """A serial barcode scanner on a pseudo-terminal that sends the given codes."""
    from drivers.scanner.emulator import VirtualScanner

    with VirtualScanner(suffix=suffix, link=link) as vs:
        click.echo(json.dumps({"uri": f"serial://{vs.device}", "codes": list(codes)}))
        sys.stdout.flush()
        stop = threading.Event()

        def send() -> None:
            if stop.wait(wait):
                return
            for code in codes:
                vs.scan(code)
                if stop.wait(interval):
                    return

        t = threading.Thread(target=send, daemon=True)
        t.start()
        _run_until_stopped(duration, stop)
        stop.set()
        t.join(2.0)


@emulate.command(name="drawer")
@click.option("--link", default=None, help="Symlink for the pseudo-terminal.")
@click.option("--duration", type=float, default=None, help="Stop after this many seconds.")
def drawer_emulator(link: str | None, duration: float | None) -> None:
    """A serial drawer trigger box on a pseudo-terminal: any byte opens it."""
    from drivers.drawer.emulator import VirtualTriggerDrawer

    with VirtualTriggerDrawer(link=link) as vd:
        click.echo(json.dumps({"uri": f"serial://{vd.device}"}))
        sys.stdout.flush()
        _run_until_stopped(duration)
        click.echo(json.dumps({"opens": len(vd.opens)}))


@emulate.command()
@click.option("--port", "control_port", type=int, required=True, help="The control port.")
@click.option(
    "--set",
    "changes",
    multiple=True,
    metavar="KEY=VALUE",
    help="paper_out=true, paper_near_end=true, cover_open=true, offline=true, "
    "drawer_open=true, silent=true, baud=9600, drop_after_bytes=100 …",
)
@click.option("--clear-faults", is_flag=True)
@click.option("--jobs", "show_jobs", is_flag=True, help="Print the job log.")
def control(
    control_port: int, changes: tuple[str, ...], clear_faults: bool, show_jobs: bool
) -> None:
    """Change a running printer emulator's state, or read its job log."""
    from drivers.escpos.emulator.printer import control_request

    try:
        if clear_faults:
            control_request(control_port, {"clear_faults": True})
        answer = control_request(control_port, {"set": _settings(changes)} if changes else {})
        if show_jobs:
            answer = control_request(control_port, {"get": "jobs"})
    except OSError as err:
        raise InvalidInput(
            f"No emulator control socket on port {control_port} ({err})",
            f"端口 {control_port} 上没有模拟器控制接口",
        ) from err
    if not answer.get("ok", False):
        raise InvalidInput(
            f"Emulator refused: {answer.get('error')}", f"模拟器拒绝：{answer.get('error')}"
        )
    click.echo(json.dumps(answer, ensure_ascii=False, indent=2))


def _attach_payment_emulators() -> None:
    from pos_app.cli.emulate_mp_cmds import emulate_wechat_mp
    from pos_app.cli.emulate_pay_cmds import (
        emulate_aggregator,
        emulate_alipay,
        emulate_wechatpay,
        emulate_zvt,
    )
    from pos_app.cli.emulate_sms_cmds import emulate_sms

    for cmd in (
        emulate_zvt,
        emulate_wechatpay,
        emulate_alipay,
        emulate_aggregator,
        emulate_wechat_mp,
        emulate_sms,
    ):
        emulate.add_command(cmd)


_attach_payment_emulators()
