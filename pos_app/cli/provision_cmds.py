"""Technician commands for setting up tills: `guitai provision` (one command from an empty PC to
a till that sells and prints) and `guitai settings get|set|list|export|import`."""

from __future__ import annotations

import contextlib
import io
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from pos_app import __version__
from pos_app.domain.errors import InvalidInput, StateError
from pos_app.domain.textwidth import ljust
from pos_app.domain.users import User

from .common import emit, json_option, obj, user_option

if TYPE_CHECKING:
    from pos_app.bootstrap import App

    from .context import AppContext


def _printer_profiles() -> list[str]:
    from receipts.profiles import PRESETS

    return sorted(PRESETS)


def _quiet_invoke(ctx: click.Context, cmd: click.Command, **kw: Any) -> Any:
    """Run another command with --json and return its answer (its output is not printed).

    The answer is that command's JSON, whatever its shape (Any)."""
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        ctx.invoke(cmd, as_json=True, **kw)
    text = buf.getvalue().strip()
    return json.loads(text) if text else None


# ---- guitai settings --------------------------------------------------------------------------


@click.group()
def settings() -> None:
    """Read, change, export and import this till's settings (docs/operations.md)."""


@settings.command("list")
@json_option
@click.pass_context
def settings_list(ctx: click.Context, as_json: bool) -> None:
    """Every known setting with its value (defaults marked) and what it means."""
    from pos_app.services.provisioning import SPECS

    have = obj(ctx).till.uow.settings.all()
    rows = [
        {
            "key": k,
            "value": have.get(k, spec.default),
            "default": k not in have,
            "writable": spec.writable,
            "help": spec.help,
            "help_zh": spec.help_zh,
        }
        for k, spec in sorted(SPECS.items())
    ]
    emit(
        rows,
        as_json,
        lambda rs: "\n".join(
            f"{r['key']:<24} {ljust(str(r['value'] if r['value'] is not None else '-'), 28)}"
            f" {ljust('默认 default' if r['default'] and r['value'] is not None else '', 13)}"
            f" {r['help_zh']} / {r['help']}"
            for r in rs
        ),
    )


@settings.command("get")
@click.argument("key")
@json_option
@click.pass_context
def settings_get(ctx: click.Context, key: str, as_json: bool) -> None:
    """One setting's value (its default when unset)."""
    from pos_app.services.provisioning import SPECS, is_secret

    have = obj(ctx).till.uow.settings.all()
    if key not in SPECS and key not in have:
        raise InvalidInput(
            f"Unknown setting {key!r}; `guitai settings list` shows them all",
            f"未知设置 {key!r}；用 guitai settings list 查看全部设置",
        )
    if is_secret(key):
        raise InvalidInput(f"{key} is a secret and is not shown", f"{key} 为保密项，不予显示")
    spec = SPECS.get(key)
    value = have.get(key, spec.default if spec else None)
    emit({"key": key, "value": value, "default": key not in have}, as_json, str(value or ""))


def _admin(till: App, name: str) -> User:
    """A manager or technician, signed in with their PIN: settings change how the till sells."""
    from pos_app.domain.users import Role

    from .auth import sign_in

    return sign_in(till, name, role=(Role.MANAGER, Role.TECHNICIAN))


def _audit_settings(till: App, actor: User, action: str, details: dict[str, Any]) -> None:
    from pos_app.domain.timeutil import iso_utc

    till.uow.audit.add(action, actor.name, None, action, details, iso_utc(till.clock.now()))


@settings.command("set")
@click.argument("key")
@click.argument("value")
@user_option
@json_option
@click.pass_context
def settings_set(ctx: click.Context, key: str, value: str, user: str, as_json: bool) -> None:
    """Change a known setting (checked first; `guitai settings list` names them); a manager
    or technician signs it with their PIN, and it is kept in the audit trail."""
    from pos_app.services.provisioning import is_secret, validate

    till = obj(ctx).till
    clean = validate(key, value, _printer_profiles())
    actor = _admin(till, user)
    with till.uow:
        old = till.uow.settings.get(key)
        till.uow.settings.put(key, clean)
        if is_secret(key):
            old, clean = (old and "********"), "********"
        _audit_settings(till, actor, "settings.set", {"key": key, "old": old, "new": clean})
        till.uow.commit()
    emit({"key": key, "value": clean}, as_json, f"{key} = {clean}")


@settings.command("export")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False))
@json_option
@click.pass_context
def settings_export(ctx: click.Context, output: str, as_json: bool) -> None:
    """Write the settings the next till of this store needs, without any secret."""
    from pos_app.adapters.db.devices import DeviceStore
    from pos_app.services.provisioning import export_document

    app = obj(ctx)
    till = app.till
    devs = [r.as_dict() for r in DeviceStore(app.database().conn).list_devices()]
    doc = export_document(
        till.uow.settings.all(),
        devs,
        exported_at=datetime.now(UTC).isoformat(timespec="seconds"),
        app_version=__version__,
    )
    tmp = Path(output + ".part")
    tmp.write_text(json.dumps(doc, ensure_ascii=False, indent=2) + "\n", "utf-8")
    tmp.replace(output)
    summary = {
        "written": output,
        "settings": sorted(doc["settings"]),
        "devices": [d["name"] for d in doc["devices"]],
        "not_exported": doc["not_exported"],
    }
    emit(
        summary,
        as_json,
        lambda s: (
            f"设置已写入 {s['written']}：{len(s['settings'])} 项设置，{len(s['devices'])} 台设备"
            "（不含密钥、PIN 和支付凭据）\n"
            f"settings written to {s['written']}: {len(s['settings'])} settings, "
            f"{len(s['devices'])} devices (no keys, PINs or payment credentials)"
        ),
    )


def apply_settings_file(
    app: AppContext, path: Path, *, other_store: bool = False, actor: User | None = None
) -> dict[str, Any]:
    """Check the whole file, then write its settings and devices in one transaction; `actor`
    (the signed-in manager or technician) is kept in the audit trail with the settings."""
    from pos_app.adapters.db.devices import DeviceStore
    from pos_app.services.provisioning import read_document

    try:
        doc = json.loads(path.read_text("utf-8"))
    except FileNotFoundError as err:
        raise InvalidInput(f"No settings file at {path}", f"找不到设置文件 {path}") from err
    except ValueError as err:
        raise InvalidInput(f"{path} is not JSON ({err})", f"{path} 不是有效的 JSON 文件") from err
    plan = read_document(doc, _printer_profiles())
    till = app.till
    mine = till.uow.settings.get("store_id")
    if plan.store_id and mine and plan.store_id != mine and not other_store:
        raise StateError(
            f"The file is from store {plan.store_id} but this till is store {mine}; nothing was "
            "changed (add --other-store to import it anyway)",
            f"文件来自门店 {plan.store_id}，本机为门店 {mine}；未做更改（确需导入请加 --other-store）",
        )
    devices = DeviceStore(app.database().conn)
    have = {r.name for r in devices.list_devices()}
    with till.uow:
        for k, v in plan.settings.items():
            till.uow.settings.put(k, v)
        if actor is not None:
            _audit_settings(
                till,
                actor,
                "settings.import",
                {"file": str(path.resolve()), "settings": sorted(plan.settings)},
            )
        till.uow.commit()
    added, kept = [], []
    for d in plan.devices:
        if d["name"] in have:
            kept.append(d["name"])  # this till's own device of that name stays
            continue
        devices.add_device(d["name"], d["kind"], d["uri"], d["settings"], None)
        added.append(d["name"])
    return {
        "settings": sorted(plan.settings),
        "devices_added": added,
        "devices_kept": kept,
        "cloud_url": plan.cloud_url,
    }


@settings.command("import")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--other-store", is_flag=True, help="Import a file exported at another store.")
@user_option
@json_option
@click.pass_context
def settings_import(
    ctx: click.Context, file: str, other_store: bool, user: str, as_json: bool
) -> None:
    """Apply a settings file from `settings export` (checked first; all or nothing); a
    manager or technician signs it with their PIN, and it is kept in the audit trail."""
    app = obj(ctx)
    actor = _admin(app.till, user)
    result = apply_settings_file(app, Path(file), other_store=other_store, actor=actor)
    emit(
        result,
        as_json,
        lambda r: (
            f"已导入 {len(r['settings'])} 项设置；新增设备：{'、'.join(r['devices_added']) or '无'}"
            "。请用 guitai devices test 名称 逐台测试设备（本机地址可能不同）\n"
            f"imported {len(r['settings'])} settings; devices added: "
            f"{', '.join(r['devices_added']) or 'none'}"
            + (f"; kept this till's {', '.join(r['devices_kept'])}" if r["devices_kept"] else "")
            + "\nTest each device with `guitai devices test NAME` (addresses may differ here)"
        ),
    )


# ---- guitai provision -------------------------------------------------------------------------


def _pick_printer(found: dict[str, Any]) -> str | None:
    for group in ("usb", "network"):
        for f in found.get(group, []):
            return str(f["uri"])
    return None


@click.command()
@click.option("--store-id", help="Store code (needed when the till is not set up yet).")
@click.option("--store-name", help="Store name printed on receipts.")
@click.option("--till-no", type=click.IntRange(1, 999), help="Till number in the store.")
@click.option("--admin-pin", help="PIN of the admin user (else GUITAI_PIN or a prompt).")
@click.option("--address", default="", help="Store address printed on receipts.")
@click.option("--timezone", "tz", default=None, help="IANA time zone (default Asia/Shanghai).")
@click.option("--settings-file", type=click.Path(dir_okay=False), help="From `settings export`.")
@click.option("--cloud", "cloud_url", help="The cloud's URL, to enroll this till.")
@click.option("--code", help="The one-time enrollment code (with --cloud).")
@click.option("--printer", "printer_uri", help="Receipt printer address (tcp://…, usb://…).")
@click.option(
    "--discover", is_flag=True, help="Find a USB (or --tcp) receipt printer and use the first."
)
@click.option("--tcp", multiple=True, metavar="HOST:PORT", help="Network printer to probe.")
@click.option("--printer-name", default="receipt", show_default=True)
@click.option("--no-test-page", is_flag=True, help="Test the printer without printing a page.")
@click.option("--cash-rounding", type=click.Choice(["none", "jiao", "yuan"]))
@click.option("--printer-profile", help="generic-80-gb18030, generic-58-gbk, tm-t88-raster …")
@click.option("--receipt-language", type=click.Choice(["zh-Hans", "zh-Hant"]))
@click.option("--backup-second-location", help="Second folder for every backup.")
@json_option
@click.pass_context
def provision(
    ctx: click.Context,
    store_id: str | None,
    store_name: str | None,
    till_no: int | None,
    admin_pin: str | None,
    address: str,
    tz: str | None,
    settings_file: str | None,
    cloud_url: str | None,
    code: str | None,
    printer_uri: str | None,
    discover: bool,
    tcp: tuple[str, ...],
    printer_name: str,
    no_test_page: bool,
    cash_rounding: str | None,
    printer_profile: str | None,
    receipt_language: str | None,
    backup_second_location: str | None,
    as_json: bool,
) -> None:
    """Set up a till in one go: init, settings, enrollment, printer with a test page.

    Every step that is already done is skipped, so running it again after fixing a problem
    (a printer off, a wrong code) continues where it stopped."""
    from pos_app.services.provisioning import validate

    app = obj(ctx)
    steps: list[dict[str, Any]] = []

    def step(step_name: str, **info: Any) -> None:
        steps.append({"step": step_name, **info})
        if not as_json:
            detail = ", ".join(f"{k}={v}" for k, v in info.items() if v not in (None, [], ""))
            click.echo(f"✓ {step_name}" + (f": {detail}" if detail else ""), err=True)

    if (cloud_url is None) != (code is None):
        raise InvalidInput("Give --cloud and --code together", "--cloud 与 --code 须同时提供")
    profiles = _printer_profiles()
    defaults = {
        k: v
        for k, v in {
            "cash_rounding": cash_rounding,
            "printer_profile": printer_profile,
            "receipt_language": receipt_language,
            "backup_second_location": backup_second_location,
        }.items()
        if v is not None
    }
    # Check every value before the first thing is written.
    defaults = {k: validate(k, v, profiles) for k, v in defaults.items()}
    if printer_uri:
        from pos_app.adapters.hardware import validate_uri

        validate_uri(printer_uri, "printer")

    if app.paths.database.exists():
        step("init", skipped="already set up", home=str(app.paths.home))
    else:
        missing = [
            f"--{n}"
            for n, v in (("store-id", store_id), ("store-name", store_name), ("till-no", till_no))
            if v is None
        ]
        if missing:
            raise InvalidInput(
                f"This till is not set up yet: give {', '.join(missing)} (and --admin-pin)",
                f"收银台尚未初始化：请提供 {', '.join(missing)}（以及 --admin-pin）",
            )
        from .setup_cmds import init

        made = _quiet_invoke(
            ctx,
            init,
            store_id=store_id,
            store_name=store_name,
            till_no=till_no,
            admin_pin=admin_pin,
            address=address,
            tz=tz or "Asia/Shanghai",
            cash_rounding=defaults.get("cash_rounding", "none"),
        )
        step("init", store_id=made["store_id"], till_no=made["till_no"], key_id=made["key_id"])

    if settings_file:
        imported = apply_settings_file(app, Path(settings_file))
        step("settings import", settings=imported["settings"], devices=imported["devices_added"])
        if (
            cloud_url is None
            and imported["cloud_url"]
            and not app.till.uow.settings.get("device_id")
        ):
            step("enroll", skipped=f"the store's cloud is {imported['cloud_url']}: add --code")

    if defaults:
        with app.till.uow:
            for k, v in defaults.items():
                app.till.uow.settings.put(k, v)
            app.till.uow.commit()
        step("defaults", **defaults)

    if cloud_url and code:
        from .sync_cmds import enroll

        if app.till.uow.settings.get("device_id") and app.till.uow.settings.get(
            "cloud_url"
        ) == cloud_url.rstrip("/"):
            step("enroll", skipped="already enrolled with this cloud")
        else:
            answer = _quiet_invoke(ctx, enroll, cloud_url=cloud_url, code=code)
            step("enroll", device_id=answer["device_id"], till_no=answer["till_no"])

    if discover and not printer_uri:
        from .devices_cmds import discover as discover_cmd

        found = _quiet_invoke(ctx, discover_cmd, tcp=tcp, timeout=1.0)
        printer_uri = _pick_printer(found)
        if printer_uri is None:
            raise StateError(
                "No receipt printer found: connect and switch it on, or give --printer URI / "
                "--tcp HOST:9100; the steps above are done, run provision again",
                "未找到小票打印机：请连接并开机，或用 --printer / --tcp 指定；以上步骤已完成，可再次运行",
            )
        step("discover", printer=printer_uri)
    if printer_uri:
        from pos_app.adapters.db.devices import DeviceStore

        from .devices_cmds import add

        have = {r.name: r for r in DeviceStore(app.database().conn).list_devices()}
        if printer_name in have and have[printer_name].uri == printer_uri:
            step("printer", skipped="already added", name=printer_name)
        else:
            _quiet_invoke(
                ctx,
                add,
                name=printer_name,
                kind="printer",
                uri=printer_uri,
                settings=(),
                serial_number=None,
                no_test=False,
                replace=printer_name in have,
            )
            step("printer", name=printer_name, uri=printer_uri)
        rec = DeviceStore(app.database().conn).get_device(printer_name)
        hw = app.till.hardware()
        state, reason, _details = hw.probe(rec)
        page = None if no_test_page else hw.print_test_page(printer_name)
        step(
            "printer test",
            state=state,
            reason=reason,
            test_page=None if page is None else page.get("state"),
        )
    summary = {"home": str(app.paths.home), "steps": steps}
    emit(
        summary,
        as_json,
        "收银台已就绪：用 guitai run --kiosk（或系统服务）启动\n"
        "till ready: start it with `guitai run --kiosk` (or the service)",
    )


__all__ = ["apply_settings_file", "provision", "settings"]
