"""`guitai devices …`, `guitai emulate …`, `guitai drawer …`: set up, test and watch devices,
run the device emulators, open the cash drawer (technicians)."""

from __future__ import annotations

import json
import signal
import sys
import threading
import time
from typing import Any

import click

from pos_app.cli.common import emit, json_option, obj
from pos_app.domain.errors import InvalidInput

KINDS = ("printer", "drawer", "scanner", "terminal")


def _store(ctx: click.Context) -> Any:
    from pos_app.adapters.db.devices import DeviceStore

    return DeviceStore(obj(ctx).database().conn)


def _hardware(ctx: click.Context) -> Any:
    from pos_app.adapters.hardware import Hardware

    hw = Hardware(_store(ctx))
    ctx.call_on_close(hw.close)
    return hw


def _settings(pairs: tuple[str, ...]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for pair in pairs:
        if "=" not in pair:
            raise InvalidInput(
                f"--set {pair!r}: write key=value, e.g. --set drawer_pin=5",
                f"--set {pair}：请写成 key=value，例如 --set drawer_pin=5",
            )
        key, value = pair.split("=", 1)
        try:
            out[key.strip()] = json.loads(value)
        except ValueError:
            out[key.strip()] = value
    return out


# ---- guitai devices ---------------------------------------------------------------------------


@click.group()
def devices() -> None:
    """Set up, test and list the till's printers, drawers, scanners and terminals."""


@devices.command()
@click.option(
    "--tcp",
    "tcp",
    multiple=True,
    metavar="HOST:PORT",
    help="Also probe this network address with DLE EOT (repeatable).",
)
@click.option("--timeout", default=1.0, show_default=True, help="Seconds per network probe.")
@json_option
def discover(tcp: tuple[str, ...], timeout: float, as_json: bool) -> None:
    """Find USB receipt printers, serial ports and network printers."""
    from drivers.discovery import find_serial_ports, find_usb_printers, probe_tcp
    from pos_app.adapters.hardware import validate_uri

    usb, usb_notes = find_usb_printers()
    ports, serial_notes = find_serial_ports()
    network = []
    for addr in tcp:
        uri = validate_uri(addr if "://" in addr else f"tcp://{addr}", "printer")
        network.append(probe_tcp(uri.host or "", uri.port or 9100, timeout))
    found = {
        "usb": [f.as_dict() for f in usb],
        "serial": [f.as_dict() for f in ports],
        "network": [f.as_dict() for f in network],
        "notes": usb_notes + serial_notes,
    }

    def text(d: dict[str, Any]) -> str:
        lines = []
        for group in ("usb", "serial", "network"):
            for f in d[group]:
                state = (f.get("status") or {}).get("state", "")
                sn = f" serial={f['serial_number']}" if f.get("serial_number") else ""
                lines.append(f"{f['uri']:<40} {f['description']}{sn} {state}".rstrip())
        for note in d["notes"]:
            lines.append(f"note: {note}")
        if not any(d[g] for g in ("usb", "serial", "network")):
            lines.append(
                "No devices found. 未找到设备。Connect the device, or give a network "
                "printer's address with --tcp HOST:9100."
            )
        return "\n".join(lines)

    emit(found, as_json, text)


def _test_device(ctx: click.Context, rec: Any, print_page: bool) -> dict[str, Any]:
    from pos_app.adapters.hardware import DeviceProblem

    hw = _hardware(ctx)
    state, reason, details = hw.probe(rec)
    result: dict[str, Any] = {"name": rec.name, "state": state, "reason": reason, **details}
    if state == "unavailable":
        problem = details.get("error", reason)
        raise DeviceProblem(
            f"{rec.name} ({rec.uri}) does not respond: {problem}. Check power, cable and address",
            f"{rec.name}（{rec.uri}）无响应：{problem}。请检查电源、连线和地址",
            reason=reason or "unavailable",
            device=rec.name,
        )
    if print_page and rec.kind == "printer":
        result["test_page"] = hw.print_test_page(rec.name)
    return result


@devices.command()
@click.argument("name")
@click.option("--kind", type=click.Choice(KINDS), required=True)
@click.option(
    "--uri",
    required=True,
    help="usb://04b8:0e15, serial:///dev/ttyUSB0?baud=115200, "
    "tcp://host:9100, file:///dev/usb/lp0, zvt+tcp://host:20007",
)
@click.option(
    "--set",
    "settings",
    multiple=True,
    metavar="KEY=VALUE",
    help="A device setting (repeatable): drawer_pin, drawer_on_ms, drawer_off_ms, "
    "open_level, status_timeout, cjk_codec, printer, trigger, status_line …",
)
@click.option("--serial", "serial_number", default=None, help="The device's serial number.")
@click.option("--no-test", is_flag=True, help="Save without testing the device first.")
@click.option("--replace", is_flag=True, help="Replace an existing device of that name.")
@json_option
@click.pass_context
def add(
    ctx: click.Context,
    name: str,
    kind: str,
    uri: str,
    settings: tuple[str, ...],
    serial_number: str | None,
    no_test: bool,
    replace: bool,
    as_json: bool,
) -> None:
    """Add a device (tested first unless --no-test)."""
    from pos_app.adapters.db.devices import DeviceRecord, rfc3339
    from pos_app.adapters.hardware import printer_from_record, validate_uri
    from pos_app.domain.ports import SystemClock

    validate_uri(uri, kind)
    conf = _settings(settings)
    rec = DeviceRecord(name, kind, uri, conf, serial_number, rfc3339(SystemClock().now()))
    if kind == "printer":
        printer_from_record(rec)  # validates the settings before anything is saved
    tested: dict[str, Any] | None = None
    if not no_test and kind != "terminal":
        state, reason, details = _hardware(ctx).probe_unsaved(rec)
        if state == "unavailable":
            from pos_app.adapters.hardware import DeviceProblem

            raise DeviceProblem(
                f"{name} ({uri}) does not respond ({details.get('error', reason)}): nothing was "
                "saved. Check power, cable and address, or add it with --no-test",
                f"{name}（{uri}）无响应：未保存。请检查电源、连线和地址，或加 --no-test 保存",
                reason=reason or "unavailable",
                device=name,
            )
        tested = {"state": state, "reason": reason, **details}
    if serial_number is None:
        serial_number = _serial_number_for(uri)
    saved = _store(ctx).add_device(name, kind, uri, conf, serial_number, replace=replace)
    out = {"device": saved.as_dict(), "test": tested}

    def text(d: dict[str, Any]) -> str:
        t = d["test"]
        state = f" (status: {t['state']})" if t else " (not tested)"
        return f"added {name}: {kind} at {uri}{state}"

    emit(out, as_json, text)


def _serial_number_for(uri: str) -> str | None:
    """The device's own serial number (USB descriptor, USB-serial adapter), to key it on."""
    from drivers.discovery import find_serial_ports, find_usb_printers

    if uri.startswith("usb://"):
        found, _ = find_usb_printers()
    elif uri.startswith("serial://"):
        found, _ = find_serial_ports()
    else:
        return None
    base = uri.split("?")[0].lower()
    for f in found:
        if f.uri.lower() == base and f.serial_number:
            return f.serial_number
    return None


@devices.command()
@click.argument("name")
@click.option("--no-print", is_flag=True, help="Only ask the status; do not print a test page.")
@json_option
@click.pass_context
def test(ctx: click.Context, name: str, no_print: bool, as_json: bool) -> None:
    """Ask a device's status and print a test page (printers)."""
    rec = _store(ctx).get_device(name)
    result = _test_device(ctx, rec, not no_print)

    def text(d: dict[str, Any]) -> str:
        line = f"{name}: {d['state']}" + (f" ({d['reason']})" if d.get("reason") else "")
        if "test_page" in d:
            line += f"; test page job {d['test_page']['job_id']} {d['test_page']['state']}"
        return line

    emit(result, as_json, text)


@devices.command(name="list")
@click.option("--no-status", is_flag=True, help="Do not contact the devices.")
@json_option
@click.pass_context
def list_(ctx: click.Context, no_status: bool, as_json: bool) -> None:
    """List devices with their live status and diagnostics."""
    store = _store(ctx)
    recs = store.list_devices()
    if no_status:
        out = [r.as_dict() for r in recs]
    else:
        hw = _hardware(ctx)
        out = [hw.device_report(r) for r in recs]

    def text(items: list[dict[str, Any]]) -> str:
        if not items:
            return "No devices set up. 尚未设置设备。Add one with `guitai devices add`."
        rows = []
        for d in items:
            state = d.get("state", "-")
            reason = d.get("reason")
            reason = f" ({reason})" if reason and reason != state else ""
            rows.append(f"{d['name']:<16} {d['kind']:<9} {state + reason:<24} {d['uri']}")
        return "\n".join(rows)

    emit(out, as_json, text)


@devices.command()
@click.argument("name")
@json_option
@click.pass_context
def remove(ctx: click.Context, name: str, as_json: bool) -> None:
    """Remove a device from the registry (its print jobs are kept)."""
    _store(ctx).remove_device(name)
    emit({"removed": name}, as_json, f"removed {name}")


@devices.command()
@click.option("--printer", default=None)
@click.option("--all", "show_all", is_flag=True, help="Include printed jobs.")
@json_option
@click.pass_context
def jobs(ctx: click.Context, printer: str | None, show_all: bool, as_json: bool) -> None:
    """Print jobs waiting, failed or not confirmed (with --all: also the printed ones)."""
    store = _store(ctx)
    items = store.jobs(printer, limit=100) if show_all else store.open_jobs(printer)
    out = [j.as_dict() for j in items]

    def text(rows: list[dict[str, Any]]) -> str:
        if not rows:
            return "No print jobs waiting. 没有待打印的任务。"
        lines = [
            f"{r['id']:>6} {r['printer']:<12} {r['kind']:<8} {r['state']:<11} "
            f"{r['ref'] or '':<38} {r['last_error'] or ''}"
            for r in rows
        ]
        if any(r["state"] == "unconfirmed" for r in rows):
            lines += [
                "unconfirmed: sent, but the printer never confirmed it. Check the paper: "
                "missing → `guitai devices reprint ID`; there → `guitai devices confirm ID`.",
                "未确认：已发送但打印机未确认。请查看是否出纸：缺失请 guitai devices reprint 任务号；"
                "已打出请 guitai devices confirm 任务号。",
            ]
        return "\n".join(lines)

    emit(out, as_json, text)


@devices.command()
@click.argument("job_id", type=int)
@json_option
@click.pass_context
def reprint(ctx: click.Context, job_id: int, as_json: bool) -> None:
    """Send a failed (or printed) job to its printer again."""
    outcome = _hardware(ctx).reprint(job_id)
    d = outcome.as_dict()
    note = f"\n{d['message_zh']}\n{d['message']}" if "message" in d else ""
    emit(d, as_json, f"job {job_id}: {outcome.state}{note}")


@devices.command()
@click.argument("job_id", type=int)
@json_option
@click.pass_context
def confirm(ctx: click.Context, job_id: int, as_json: bool) -> None:
    """Mark an unconfirmed job as printed (you saw the paper)."""
    job = _store(ctx).confirm(job_id)
    emit(job.as_dict(), as_json, f"job {job_id}: {job.state} 已确认")


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
    if reason == "no_sale" and till.store.open_shift() is not None:
        till.shifts.cash_move(person, "no_sale", 0, ref or "drawer open")
    hw = _hardware(ctx)
    open_id = hw.open_drawer(reason, ref=ref, user=user, drawer=drawer_name)
    emit(
        {"opened": True, "record": open_id, "reason": reason, "user": user},
        as_json,
        f"drawer opened ({reason}, {user}); 钱箱已打开",
    )


# ---- guitai emulate ---------------------------------------------------------------------------


@click.group()
def emulate() -> None:
    """Run device emulators that speak the real protocols (for demos, tests, training)."""


def _run_until_stopped(duration: float | None, stop_event: threading.Event | None = None) -> None:
    stop = stop_event or threading.Event()

    def handler(signum: int, frame: Any) -> None:
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
    from drivers.emulators.printer import VirtualPrinter

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
    from drivers.emulators.serial_devices import VirtualScanner

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
    from drivers.emulators.serial_devices import VirtualTriggerDrawer

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
    from drivers.emulators.printer import control_request

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
    from pos_app.cli.emulate_pay_cmds import emulate_alipay, emulate_wechatpay, emulate_zvt

    for cmd in (emulate_zvt, emulate_wechatpay, emulate_alipay):
        emulate.add_command(cmd)


_attach_payment_emulators()
