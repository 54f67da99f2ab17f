"""`guitai emulate fapiao`: the invoicing provider the cloud sends 发票 requests to
(cloud/emulators/fapiao.py), found by the till's `guitai emulate` group through the
`guitai.emulators` entry point (the till never imports the cloud)."""

from __future__ import annotations

import json
import signal
import threading
from types import FrameType

import click


@click.command("fapiao")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8790, show_default=True, type=int, help="0: any free port.")
@click.option(
    "--fail",
    default="",
    help="Refuse every new invoice with this reason (e.g. 购买方税号未登记), as a provider "
    'does; change it at run time with POST /control {"fail": …}.',
)
@click.option("--duration", type=float, default=None, help="Stop after this many seconds.")
def emulate_fapiao(host: str, port: int, fail: str, duration: float | None) -> None:
    """An invoicing provider (数电发票) on HTTP: issues numbers and PDF links, 红冲 for
    refunds, and fails on request. Prints {"url": …} on its first line."""
    from cloud.emulators.fapiao import FapiaoEmulator

    emu = FapiaoEmulator(host, port, fail).start()
    click.echo(json.dumps({"url": emu.url, "fail": fail or None}), nl=True)
    stop = threading.Event()

    def handler(signum: int, frame: FrameType | None) -> None:
        stop.set()

    old = signal.signal(signal.SIGTERM, handler)
    try:
        stop.wait(duration)
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, old)
        emu.stop()
