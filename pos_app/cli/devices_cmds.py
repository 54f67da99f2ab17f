"""`guitai devices …`: set up, test and list devices, their print jobs (technicians).

`guitai drawer …` is in `drawer_cmds`, `guitai emulate …` in `emulate_cmds`, the shared helpers
in `device_access`; their names are re-exported here, as before the split."""

from __future__ import annotations

from typing import Any

import click

from pos_app.cli.common import emit, json_option
from pos_app.cli.device_access import KINDS
from pos_app.cli.device_access import device_store as _store
from pos_app.cli.device_access import hardware as _hardware
from pos_app.cli.device_access import parse_settings as _settings
from pos_app.cli.device_secrets import read_password, shown, with_password

# `guitai drawer` and `guitai emulate` live in their own modules; the CLI's command table (and
# anyone else) still finds them here.
from pos_app.cli.drawer_cmds import drawer, open_
from pos_app.cli.emulate_cmds import control, drawer_emulator, emulate, printer, scanner

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
    from drivers.escpos.flow import PrinterFlow
    from pos_app.adapters.hardware import validate_uri

    addresses = [validate_uri(a if "://" in a else f"tcp://{a}", "printer") for a in tcp]
    found = PrinterFlow().discover(addresses, timeout).as_dict()

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
        where = shown(rec.as_dict())["uri"]
        raise DeviceProblem(
            f"{rec.name} ({where}) does not respond: {problem}. Check power, cable and address",
            f"{rec.name}（{where}）无响应：{problem}。请检查电源、连线和地址",
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
@click.option(
    "--password-file",
    default=None,
    metavar="PATH",
    help="A ZVT terminal's password from the file's first line (- : standard input), "
    "instead of ?password= in --uri, which the process list and shell history show.",
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
    password_file: str | None,
    serial_number: str | None,
    no_test: bool,
    replace: bool,
    as_json: bool,
) -> None:
    """Add a device (tested first unless --no-test)."""
    from drivers.common.flow import DeviceEntry
    from pos_app.adapters.hardware import validate_uri
    from pos_app.adapters.hardware.setup import add_device, record_probe
    from pos_app.domain.ports import SystemClock
    from pos_app.domain.timeutil import iso_utc

    if password_file is not None:
        uri = with_password(uri, read_password(password_file))
    validate_uri(uri, kind)  # the address is judged before the --set pairs, as it always was
    entry = DeviceEntry(name, kind, uri, _settings(settings), serial_number)
    probe = None
    if not no_test:
        # The till's own probe: it knows the registry (a drawer kicked through a saved printer).
        probe = record_probe(
            lambda rec: _hardware(ctx).probe_unsaved(rec), iso_utc(SystemClock().now())
        )
    result = add_device(_store(ctx), entry, probe=probe, replace=replace)
    out = {"device": shown(result.saved.as_dict()), "test": result.test}

    def text(d: dict[str, Any]) -> str:
        t = d["test"]
        state = f" (status: {t['state']})" if t else " (not tested)"
        return f"added {name}: {kind} at {d['device']['uri']}{state}"

    emit(out, as_json, text)


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
        out = [shown(r.as_dict()) for r in recs]
    else:
        hw = _hardware(ctx)
        out = [shown(hw.device_report(r)) for r in recs]

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
    emit({"removed": name}, as_json, f"已删除设备 {name}\nremoved {name}")


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
        if any(r["state"] == "queued" and not r["bytes"] for r in rows):
            lines += [
                "queued, 0 bytes: a receipt owed since the till stopped after its sale; it "
                "prints when the till next starts with this printer set up.",
                "排队中、0 字节：收银机在交易完成后停止而未打印的小票；收银机下次启动且打印机"
                "已设置时自动打印。",
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


__all__ = [
    "KINDS",
    "add",
    "confirm",
    "control",
    "devices",
    "discover",
    "drawer",
    "drawer_emulator",
    "emulate",
    "jobs",
    "list_",
    "open_",
    "printer",
    "remove",
    "reprint",
    "scanner",
    "test",
]
