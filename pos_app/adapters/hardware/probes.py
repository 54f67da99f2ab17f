"""The status bar's probes: printer, drawer, scanner, card terminal, network and sync, each
a CachedProbe on the device status board (its thread asks; the UI reads the cached line)."""

from __future__ import annotations

import socket
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from pos_app.adapters.probe_threads import CachedProbe
from pos_app.services.device_status import (
    DeviceState,
    DeviceStatus,
    DeviceStatusBoard,
    not_configured,
)
from pos_app.services.payments import PaymentService

from .facade import Hardware
from .messages import describe_state


def _reachable(host: str, port: int, timeout: float = 1.0) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def _hw_status(kind: str, state: str, reason: str | None, name: str) -> DeviceStatus:
    en, zh = describe_state(state, reason)
    if state == "ok":
        return DeviceStatus(kind, DeviceState.OK, f"{name}: {en}", f"{name}：{zh}")
    level = (
        DeviceState.WARNING
        if state in ("paper_near_end", "unknown", "unconfirmed")
        else DeviceState.ERROR
    )
    fix, fix_zh = en, zh
    if state in ("paper_out", "cover_open", "cutter_error"):
        fix, fix_zh = f"{en}, then Reprint (F8)", f"{zh}，然后重印（F8）"
    return DeviceStatus(kind, level, f"{name}: {en}", f"{name}：{zh}", fix, fix_zh)


def register_probes(
    board: DeviceStatusBoard,
    hw: Hardware,
    payments: Callable[[], PaymentService],
    setting: Callable[[str], str | None],
    sync_status: Callable[[], dict[str, Any] | None],
    ttl_s: float = 5.0,
) -> None:
    """Status bar lines: printer, drawer, scanner, card terminal, network and sync."""
    # Built now, at start-up, rather than inside the first probe's thread.
    payments()

    def printer() -> DeviceStatus:
        recs = hw.store.list_devices("printer")
        if not recs:
            return not_configured("printer")
        state, reason, _ = hw.probe(recs[0])
        st = _hw_status("printer", state, reason, recs[0].name)
        last = hw.store.jobs(recs[0].name, limit=1)
        if st.state is not DeviceState.ERROR and last and last[0].state == "unconfirmed":
            # The last receipt went out but the printer never confirmed it (docs/devices.md).
            return _hw_status("printer", "unconfirmed", None, recs[0].name)
        return st

    def drawer() -> DeviceStatus:
        recs = hw.store.list_devices("drawer")
        if recs:
            state, reason, details = hw.probe(recs[0])
            st = _hw_status("drawer", state, reason, recs[0].name)
            if st.state is DeviceState.OK and details.get("drawer_open"):
                return DeviceStatus(
                    "drawer",
                    DeviceState.WARNING,
                    "The drawer is open",
                    "钱箱开着",
                    "Close the drawer",
                    "请关好钱箱",
                )
            return st
        printers = hw.store.list_devices("printer")
        if not printers:
            return not_configured("drawer")
        # The usual wiring: the drawer hangs on the printer's kick connector (ESC p).
        state, reason, _ = hw.probe(printers[0])
        st = _hw_status("drawer", state, reason, printers[0].name)
        if st.state is DeviceState.OK:
            return DeviceStatus(
                "drawer",
                DeviceState.OK,
                f"On the kick connector of printer {printers[0].name}",
                f"接在打印机 {printers[0].name} 的钱箱口",
            )
        return st

    def scanner() -> DeviceStatus:
        recs = hw.store.list_devices("scanner")
        if not recs:
            return DeviceStatus(
                "scanner",
                DeviceState.NOT_CONFIGURED,
                "Keyboard-wedge scanner: it types like a keyboard, so the till cannot check it",
                "键盘式扫码枪：像键盘一样输入，收银机无法检测其状态",
                "Scan an item to test it; serial scanners are added with `guitai devices add`",
                "扫一件商品即可测试；串口扫码枪请用 guitai devices add 添加",
                label="keyboard",
                label_zh="键盘式",
            )
        state, reason, _ = hw.probe(recs[0])
        return _hw_status("scanner", state, reason, recs[0].name)

    def terminal() -> DeviceStatus:
        port = payments().ports.get("card")
        if port is None:
            return DeviceStatus(
                "terminal",
                DeviceState.NOT_CONFIGURED,
                "No card terminal is set up",
                "未配置刷卡终端",
                "A technician adds it: guitai devices add T1 --kind terminal --uri zvt+tcp://…",
                "请技术人员添加：guitai devices add T1 --kind terminal --uri zvt+tcp://…",
            )
        if port.available():
            return DeviceStatus("terminal", DeviceState.OK, "Card terminal ready", "刷卡终端正常")
        return DeviceStatus(
            "terminal",
            DeviceState.ERROR,
            "The card terminal does not answer",
            "刷卡终端无响应",
            "Check its power and network cable; take cash or a payment code meanwhile",
            "请检查终端电源和网线；其间可收现金或扫码支付",
        )

    def network() -> DeviceStatus:
        targets: list[tuple[str, str, int]] = []
        cloud = setting("cloud_url")
        if cloud:
            u = urlsplit(cloud)
            targets.append(
                ("cloud", u.hostname or "", u.port or (443 if u.scheme == "https" else 80))
            )
        for name in ("wechat", "alipay", "unionpay", "ecny"):
            port = payments().ports.get(name)
            probe = getattr(port, "_probe", None)
            if probe:
                targets.append((name, probe[0], int(probe[1])))
        if not targets:
            return DeviceStatus(
                "network",
                DeviceState.NOT_CONFIGURED,
                "Nothing on the network to reach (not enrolled, no payment providers)",
                "没有需要联网的服务（未注册云端，未配置支付）",
                "Selling with cash works offline",
                "现金收银可离线进行",
            )
        down = [n for n, h, p in targets if not _reachable(h, p)]
        if not down:
            return DeviceStatus("network", DeviceState.OK, "Online", "网络正常")
        names = ", ".join(down)
        return DeviceStatus(
            "network",
            DeviceState.ERROR if len(down) == len(targets) else DeviceState.WARNING,
            f"Cannot reach: {names}",
            f"无法连接：{names}",
            "Selling goes on offline; sales are sent when the link is back. Check the cable "
            "or router",
            "可继续离线收银，联网后自动上传；请检查网线或路由器",
        )

    def sync() -> DeviceStatus:
        st = sync_status()
        if st is None and not setting("ereceipt_base_url"):
            # Neither enrolled nor given an e-receipt address at init: the receipts' QR
            # leads to no page yet, which the store should hear about (issue 19, item 9).
            return DeviceStatus(
                "sync",
                DeviceState.WARNING,
                "Not enrolled and no e-receipt address: receipts print a QR that tills can "
                "verify, with the line 电子小票开通后可扫码查看",
                "未注册云端，也未设置电子小票网址：小票二维码暂只能在收银机验证，"
                "并印有“电子小票开通后可扫码查看”",
                "A technician runs `guitai enroll --cloud URL --code CODE`",
                "请技术人员运行 guitai enroll --cloud URL --code CODE",
                label="not enrolled",
                label_zh="未注册",
            )
        if st is None:
            return DeviceStatus(
                "sync",
                DeviceState.NOT_CONFIGURED,
                "This till is not enrolled with the brand's cloud",
                "本机尚未注册到云端",
                "A technician runs `guitai enroll --cloud URL --code CODE`",
                "请技术人员运行 guitai enroll --cloud URL --code CODE",
                label="not enrolled",
                label_zh="未注册",
            )
        pending = int(st["pending"])
        dead = st["dead_letters"]
        n_dead = len(dead) if isinstance(dead, list) else int(dead or 0)
        err = st.get("last_error") or ""
        if st.get("blocked"):
            return DeviceStatus(
                "sync",
                DeviceState.ERROR,
                f"Sending is stopped: {st['blocked']}",
                f"上传已暂停：{st['blocked']}",
                "Call the technician (guitai sync status, then guitai sync run)",
                "请联系技术人员（guitai sync status，然后 guitai sync run）",
                pending,
            )
        if n_dead:
            return DeviceStatus(
                "sync",
                DeviceState.ERROR,
                f"{n_dead} events refused by the cloud; last error: {err}",
                f"{n_dead} 条记录被云端拒收；最近错误：{err}",
                "Call head office; then guitai sync requeue --all",
                "请联系总部，然后运行 guitai sync requeue --all",
                pending,
            )
        if err and pending:
            return DeviceStatus(
                "sync",
                DeviceState.WARNING,
                f"{pending} waiting to be sent; last error: {err}",
                f"{pending} 条待上传；最近错误：{err}",
                "Sales are safe on the till and go out when the link is back",
                "销售已保存在本机，联网后自动上传",
                pending,
            )
        return DeviceStatus(
            "sync",
            DeviceState.OK,
            f"{pending} waiting to be sent; last success {st.get('last_success') or '—'}",
            f"{pending} 条待上传；最近成功 {st.get('last_success') or '—'}",
            pending=pending,
        )

    for kind, fn in (
        ("printer", printer),
        ("drawer", drawer),
        ("scanner", scanner),
        ("terminal", terminal),
        ("network", network),
        ("sync", sync),
    ):
        board.register(kind, CachedProbe(kind, fn, ttl_s))
