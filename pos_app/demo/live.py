"""`make demo` with a display: a till window against emulated devices and a local cloud.

Everything listens on 127.0.0.1 (port 0, so nothing collides): the virtual receipt printer on
TCP with a PNG per receipt, the ZVT card terminal, the WeChat Pay and Alipay emulators and the
reference cloud on SQLite.  The till folder is set up the way a technician would — `guitai
init`, `demo-data`, `devices add`, `payments configure`, `cloud store add`,
`cloud enrollment-code`, `guitai enroll` — then the till's window opens.

The same `LiveStack` serves the UI tests (tests/e2e/ui/test_ui_live.py).
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import shlex
import shutil
import socket
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from pos_app.cli import main as cli_main
from pos_app.demo.day import ADMIN_PIN, INIT_ARGS, guitai_command

if TYPE_CHECKING:
    from cloud.server import ThreadedServer
    from cloud.service import CloudService
    from drivers.alipay.emulator import AlipayEmulator
    from drivers.escpos.emulator.printer import VirtualPrinter
    from drivers.wechatpay.emulator import WechatPayEmulator
    from drivers.zvt.emulator import ZvtEmulator

CASHIER, CASHIER_PIN = "王芳", "1597"
WECHAT_MCH, WECHAT_KEY = "1900000109", "192006250b4c09247ec02edce69f6a2d"


def cli(home: Path, *args: str, env: dict[str, str] | None = None) -> str:
    """Run one `guitai` command in-process; its stdout, or SystemExit with what failed."""
    old = {k: os.environ.get(k) for k in (env or {})}
    os.environ.update(env or {})
    out, err = io.StringIO(), io.StringIO()
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            rc = cli_main(["--home", str(home), *args])
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    if rc != 0:
        raise SystemExit(f"demo step failed: guitai {' '.join(args)} (exit {rc})\n{err.getvalue()}")
    return out.getvalue()


@dataclass
class LiveStack:
    """The emulators and the cloud, all on loopback, each on a port of its own."""

    out: Path
    printer: VirtualPrinter | None = None
    printer_port: int = 0
    zvt: ZvtEmulator | None = None
    wechat: WechatPayEmulator | None = None
    alipay: AlipayEmulator | None = None
    alipay_keys: tuple[Path, Path] | None = None
    cloud: ThreadedServer | None = None
    cloud_service: CloudService | None = None
    cloud_db: Path | None = None
    closers: list[Callable[[], object]] = field(default_factory=list)

    @property
    def cloud_url(self) -> str:
        return str(self.cloud.url) if self.cloud is not None else ""

    def close(self) -> None:
        for fn in reversed(self.closers):
            with contextlib.suppress(Exception):
                fn()
        self.closers.clear()


def start_stack(out: Path, *, cloud: bool = True, fast: bool = False) -> LiveStack:
    """Start the virtual printer, ZVT, WeChat Pay, Alipay emulators (and the cloud).
    fast: short emulator delays (tests)."""
    from drivers.alipay.driver import new_key, private_pem, public_pem
    from drivers.alipay.emulator import AlipayEmulator
    from drivers.escpos.emulator.printer import VirtualPrinter
    from drivers.wechatpay.emulator import WechatPayEmulator
    from drivers.zvt.emulator import ZvtEmulator, ZvtEmulatorConfig

    out.mkdir(parents=True, exist_ok=True)
    s = LiveStack(out)
    try:
        s.printer = VirtualPrinter(out_dir=out / "printer")
        s.printer.set(auto_close_drawer=True)  # a cashier pushes the drawer shut
        s.closers.append(s.printer.close)
        s.printer_port = s.printer.serve_tcp(0)
        cfg = ZvtEmulatorConfig(step_delay=0.02 if fast else 0.4, forever_limit=4.0)
        s.zvt = ZvtEmulator(config=cfg).start()
        s.closers.append(s.zvt.stop)
        s.wechat = WechatPayEmulator(mch_id=WECHAT_MCH, key=WECHAT_KEY)
        s.wechat.start()
        s.closers.append(s.wechat.stop)
        app_key, emu_key = new_key(), new_key()
        keys = out / "alipay-keys"
        keys.mkdir(exist_ok=True)
        app_file, pub_file = keys / "app_private.pem", keys / "alipay_public.pem"
        app_file.write_bytes(private_pem(app_key))
        os.chmod(app_file, 0o600)
        pub_file.write_bytes(public_pem(emu_key))
        s.alipay_keys = (app_file, pub_file)
        s.alipay = AlipayEmulator(app_public_key=app_key.public_key(), private_key=emu_key)
        s.alipay.start()
        s.closers.append(s.alipay.stop)
        if cloud:
            start_cloud(s)
    except BaseException:
        s.close()
        raise
    return s


def start_cloud(s: LiveStack) -> None:
    from cloud.app import create_app
    from cloud.db import CloudDB
    from cloud.ereceipt import CloudConfig
    from cloud.server import ThreadedServer
    from cloud.service import CloudService

    s.cloud_db = s.out / "cloud.db"
    db = CloudDB(str(s.cloud_db))
    s.closers.append(db.close)
    # The page's own address goes into its config before it serves: take a free port first.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    url = f"http://127.0.0.1:{port}"
    cfg = CloudConfig(brand_name="青衫", account_name="青衫服饰", public_url=url)
    svc = CloudService(db, ereceipt_base_url=cfg.base_url())
    server = ThreadedServer(create_app(svc, config=cfg), port=port)
    server.start()
    s.closers.append(server.stop)
    s.cloud, s.cloud_service = server, svc


def configure_till(home: Path, s: LiveStack, *, enroll: bool = True) -> dict[str, str]:
    """devices add (printer, terminal), payments configure (WeChat Pay, Alipay), and with a
    cloud: store + enrollment code + enroll.  Returns what was set up."""
    zvt, wechat, alipay = s.zvt, s.wechat, s.alipay
    assert zvt is not None and wechat is not None and alipay is not None, "start_stack first"
    done: dict[str, str] = {}
    cli(home, "devices", "add", "front", "--kind", "printer", "--uri",
        f"tcp://127.0.0.1:{s.printer_port}")  # fmt: skip
    cli(home, "devices", "add", "T1", "--kind", "terminal", "--uri", zvt.uri, "--no-test")
    cli(
        home,
        "payments",
        "configure",
        "wechat",
        "--url",
        wechat.url,
        "--appid",
        wechat.appid,
        "--mch-id",
        WECHAT_MCH,
        "--timeout",
        "5",
        env={"GUITAI_WECHAT_KEY": WECHAT_KEY},
    )
    assert s.alipay_keys is not None
    cli(
        home,
        "payments",
        "configure",
        "alipay",
        "--url",
        alipay.url,
        "--app-id",
        alipay.app_id,
        "--private-key-file",
        str(s.alipay_keys[0]),
        "--alipay-public-key-file",
        str(s.alipay_keys[1]),
        "--timeout",
        "5",
    )
    done["printer"] = f"tcp://127.0.0.1:{s.printer_port}"
    done["terminal"] = zvt.uri
    done["wechat"], done["alipay"] = wechat.url, alipay.url
    if enroll and s.cloud is not None:
        done["cloud"] = enroll_till(home, s)
    return done


def enroll_till(home: Path, s: LiveStack) -> str:
    """cloud store add + enrollment code + `guitai enroll`; the cloud's URL."""
    settings = json.loads(cli(home, "device", "show", "--json"))
    store_id = str(settings.get("store_id", "S001"))
    db = str(s.cloud_db)
    cli(home, "cloud", "store", "add", store_id, "--name", "静安嘉里中心店", "--db", db)
    code = json.loads(
        cli(home, "cloud", "enrollment-code", "--store", store_id, "--db", db, "--json")
    )["code"]
    cli(home, "enroll", "--cloud", s.cloud_url, "--code", code)
    return s.cloud_url


def stock_the_chain(home: Path, s: LiveStack, skus: int, seed: int = 7) -> int:
    """The demo chain's stock in the cloud: the demo till's own store with the figures
    `guitai demo-data` gave the till, and the other stores (added, located) with theirs, so
    the stock grid's "other stores" has answers.  Returns the number of figures set."""
    from cloud.stock import CloudStock
    from pos_app.demo.data import DEMO_STORES, generate_catalog, generate_stock

    db = str(s.cloud_db)
    stock = CloudStock(s.cloud_service)
    catalog = [sku for batch in generate_catalog(skus, seed) for sku in batch.skus]
    styles = {sku.sku: sku.style for sku in catalog}
    figures = 0
    for store_id, name, lat, lon, scale in DEMO_STORES:
        if store_id != "S001":
            cli(home, "cloud", "store", "add", store_id, "--name", name, "--db", db)
        stock.locate(store_id, lat, lon)
        qty = dict(generate_stock(catalog, store_id, seed, scale))
        figures += len(stock.set_quantities(store_id, qty, styles))
    return figures


def setup_till(out: Path, skus: int = 2000, members: int = 500) -> Path:
    home = out / "till"
    if home.exists():
        shutil.rmtree(home)
    cli(home, *INIT_ARGS)
    cli(home, "demo-data", "--skus", str(skus), "--members", str(members), "--seed", "7")
    cli(home, "user", "add", CASHIER, "--role", "cashier", "--user", "admin",
        env={"GUITAI_PIN": ADMIN_PIN, "GUITAI_NEW_PIN": CASHIER_PIN})  # fmt: skip
    return home


def has_display() -> bool:
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def main(out: Path | None = None, quit_after_ms: int | None = None) -> int:
    """Set everything up and open the till's window; returns when the window closes."""
    out = (out or Path(os.environ.get("GUITAI_DEMO_DIR", "demo-output"))).resolve()
    if quit_after_ms is None and os.environ.get("GUITAI_DEMO_QUIT_AFTER_MS"):  # smoke tests
        quit_after_ms = int(os.environ["GUITAI_DEMO_QUIT_AFTER_MS"])
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    print(f"Guitai live demo → {out}")
    stack = start_stack(out)
    try:
        skus = int(os.environ.get("GUITAI_DEMO_SKUS", "2000"))
        home = setup_till(out, skus=skus)
        done = configure_till(home, stack)
        stock_the_chain(home, stack, skus)
        cli(home, "sync", "run")  # the till takes its store's figures before the window opens
        print(json.dumps({"till": str(home), **done}, ensure_ascii=False, indent=2))
        print(
            f"\nSign in as {CASHIER} (PIN {CASHIER_PIN}) or admin (PIN {ADMIN_PIN}).\n"
            "Test payment codes (type fast, then Enter, on the tender screen): WeChat "
            "134000000000000000, Alipay 280000000000000000; card amounts ending in .91 are "
            "declined, .93 make the terminal wait.\n"
            f"Printed receipts: {out / 'printer'} (PNG per receipt, jobs.jsonl)"
        )
        hint = f"{guitai_command()} --home {shlex.quote(str(home))} stock show QP-2026-0001"
        print(f"  try (in another shell while the till runs): {hint}")
        args = ["--home", str(home), "run", "--customer-display"]
        if quit_after_ms is not None:
            args += ["--quit-after", str(quit_after_ms)]
        return int(cli_main(args))
    finally:
        stack.close()


if __name__ == "__main__":
    sys.exit(main())
