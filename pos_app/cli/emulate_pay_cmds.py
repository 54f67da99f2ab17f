"""`guitai emulate zvt|wechatpay|alipay`: payment emulators speaking the real protocols, with
scripted behaviours (docs/payments.md)."""

from __future__ import annotations

import os
import signal
import sys
import threading
from pathlib import Path
from types import FrameType
from typing import Protocol

import click

_behaviours = [
    "approve",
    "decline",
    "insufficient",
    "user_paying",
    "busy",
    "no_answer",
    "drop_after_approval",
    "user_paying_forever",
]
behaviour_option = click.option(
    "--behaviour",
    type=click.Choice(_behaviours),
    help="Behaviour for every payment of this run (default: by the last two digits of the "
    "amount in fen / the payment code: 91 decline, 92 insufficient funds, 93 user paying "
    "for a while, 94 busy, 95 no answer, 96 link dropped after approval, 97 user never "
    "pays; else approve).",
)
fault_option = click.option(
    "--fault",
    "faults",
    multiple=True,
    metavar="STEP=BEHAVIOUR",
    help="A fault on one step, e.g. query=no_answer, reverse=busy, refund=drop_after_approval "
    "(ZVT steps: authorization, reversal, refund, repeat_receipt, status_enquiry, "
    "end_of_day, registration).",
)


class _Emulator(Protocol):
    """What `_serve` runs: the ZVT terminal and the WeChat Pay / Alipay emulators alike."""

    def start(self) -> object: ...

    def stop(self) -> None: ...


def _serve(emulator: _Emulator, ready: str) -> None:
    stop = threading.Event()

    def _term(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, _term)
    emulator.start()
    click.echo(ready)
    sys.stdout.flush()
    try:
        while not stop.wait(0.2):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        emulator.stop()


@click.command("zvt")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", type=int, default=20007, show_default=True)
@click.option("--password", default="000000", show_default=True, help="The PT's 6-digit password.")
@click.option(
    "--pty",
    "use_pty",
    is_flag=True,
    help="Also serve the serial framing (DLE STX … CRC-16, ACK/NAK) on a new "
    "pseudo-terminal; its path is printed (zvt+serial:///dev/pts/N).",
)
@behaviour_option
@fault_option
def emulate_zvt(
    host: str,
    port: int,
    password: str,
    use_pty: bool,
    behaviour: str | None,
    faults: tuple[str, ...],
) -> None:
    """A ZVT card terminal on TCP (APDUs as on port 20007).  Test cards: UnionPay
    6250941006528599, Visa 4111111111111111, Mastercard 5555555555554444, Maestro
    6759649826438453, chosen by (amount in yuan) mod 4."""
    from drivers.common.scenarios import Behaviour, parse_faults
    from drivers.zvt.emulator import ZvtEmulator, ZvtEmulatorConfig

    config = ZvtEmulatorConfig(
        password=password,
        faults=parse_faults(faults),
        behaviour=Behaviour(behaviour) if behaviour else None,
    )
    emu = ZvtEmulator(host, port, config)
    ready = f"ZVT terminal emulator on zvt+tcp://{emu.host}:{emu.port}"
    if use_pty:
        ready += f" and zvt+serial://{emu.start_serial()}"
    _serve(emu, ready)


@click.command("wechatpay")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", type=int, default=8301, show_default=True)
@click.option("--mch-id", required=True, help="Merchant number the till must send.")
@click.option(
    "--key",
    required=True,
    envvar="GUITAI_WECHAT_KEY",
    help="The merchant's API key: requests are checked and answers signed with it.",
)
@click.option("--appid", default="wx0000000000000000", show_default=True)
@behaviour_option
@fault_option
def emulate_wechatpay(
    host: str,
    port: int,
    mch_id: str,
    key: str,
    appid: str,
    behaviour: str | None,
    faults: tuple[str, ...],
) -> None:
    """WeChat Pay v2 (micropay, orderquery, reverse, refund) over HTTP, XML, signed."""
    from drivers.common.scenarios import Behaviour, parse_faults
    from drivers.wechatpay.emulator import WechatPayEmulator

    emu = WechatPayEmulator(
        host,
        port,
        mch_id=mch_id,
        key=key,
        appid=appid,
        behaviour=Behaviour(behaviour) if behaviour else None,
        faults=parse_faults(faults),
    )
    _serve(emu, f"WeChat Pay emulator on {emu.url} (mch_id {mch_id})")


@click.command("alipay")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", type=int, default=8302, show_default=True)
@click.option("--app-id", default="2021000000000001", show_default=True)
@click.option(
    "--app-public-key",
    required=True,
    type=click.Path(exists=True, dir_okay=False),
    help="The app's public key (PEM): request signatures are checked with it.",
)
@click.option(
    "--private-key",
    required=True,
    type=click.Path(dir_okay=False),
    help="The emulator's own private key (PEM), created if absent; its public key is "
    "written beside it as FILE.pub.pem for the till's --alipay-public-key-file.",
)
@behaviour_option
@fault_option
def emulate_alipay(
    host: str,
    port: int,
    app_id: str,
    app_public_key: str,
    private_key: str,
    behaviour: str | None,
    faults: tuple[str, ...],
) -> None:
    """Alipay's gateway (trade.pay bar_code, query, cancel, refund): form in, JSON out, RSA2."""
    from drivers.alipay.driver import (
        load_private_key,
        load_public_key,
        new_key,
        private_pem,
        public_pem,
    )
    from drivers.alipay.emulator import AlipayEmulator
    from drivers.common.scenarios import Behaviour, parse_faults

    key_path = Path(private_key)
    if key_path.exists():
        key = load_private_key(key_path.read_bytes())
    else:
        key = new_key()
        key_path.write_bytes(private_pem(key))
        os.chmod(key_path, 0o600)
    pub_path = key_path.with_name(key_path.name + ".pub.pem")
    pub_path.write_bytes(public_pem(key))
    emu = AlipayEmulator(
        host,
        port,
        app_public_key=load_public_key(Path(app_public_key).read_bytes()),
        private_key=key,
        app_id=app_id,
        behaviour=Behaviour(behaviour) if behaviour else None,
        faults=parse_faults(faults),
    )
    _serve(emu, f"Alipay emulator on {emu.url} (app {app_id}; its public key: {pub_path})")


@click.command("aggregator")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", type=int, default=8303, show_default=True)
@click.option("--vendor-sn", default="91800001", show_default=True, help="The vendor's sn.")
@click.option(
    "--vendor-key",
    envvar="GUITAI_AGGREGATOR_VENDOR_KEY",
    help="The vendor's key (default: a new random one, printed at start).",
)
@click.option("--activation-code", help="Activation code (default: a new random one).")
@behaviour_option
@fault_option
def emulate_aggregator(
    host: str,
    port: int,
    vendor_sn: str,
    vendor_key: str | None,
    activation_code: str | None,
    behaviour: str | None,
    faults: tuple[str, ...],
) -> None:
    """An aggregator acquirer (聚合支付, the Upay terminal API) over HTTP/JSON, MD5-signed:
    activate, checkin, pay, query, cancel, revoke, refund; WeChat, Alipay, UnionPay QR (62…)
    and digital RMB (01…) payment codes.  Prints its test credentials at start."""
    from drivers.aggregator.emulator import AggregatorEmulator
    from drivers.common.scenarios import Behaviour, parse_faults

    emu = AggregatorEmulator(
        host,
        port,
        vendor_sn=vendor_sn,
        vendor_key=vendor_key,
        activation_code=activation_code,
        behaviour=Behaviour(behaviour) if behaviour else None,
        faults=parse_faults(faults),
    )
    _serve(
        emu,
        f"Aggregator emulator on {emu.url}\n"
        f"vendor_sn={emu.vendor_sn} vendor_key={emu.vendor_key} "
        f"activation_code={emu.activation_code}",
    )
