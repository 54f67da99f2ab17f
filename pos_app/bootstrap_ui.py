"""Wiring the till's screen needs from the adapters (part of the composition root; only
`pos_app.bootstrap` imports it): reprints counted in a transaction, the e-receipt QR as a
matrix, scanned e-receipts verified, and the status bar's probes."""

from __future__ import annotations

import socket
from typing import Any
from urllib.parse import urlsplit

from pos_app.adapters import receipt_docs
from pos_app.adapters.db.unit_of_work import SqliteUnitOfWork
from pos_app.adapters.keys import TillSigner
from pos_app.adapters.probe_threads import CachedProbe
from pos_app.domain.errors import GuitaiError
from pos_app.services.device_status import DeviceState, DeviceStatus, not_configured


class CountedReceiptOutput:
    """ReceiptOutput over ReceiptPrinting: the reprint counter is bumped and the bytes are
    rendered inside one transaction (ReceiptPrinting.bytes_for counts outside one), then the
    job is queued outside it — the printer's thread needs the write lock to record the job, so
    holding it while waiting for the printer would stall both."""

    def __init__(self, uow: SqliteUnitOfWork, printing: Any) -> None:
        self.uow = uow
        self.printing = printing

    def print_receipt(
        self, payload: dict[str, Any], *, copy: bool, gift: bool = False
    ) -> dict[str, Any]:
        name = self.printing.printer_name()
        if name is None:
            return dict(self.printing.print_receipt(payload, copy=copy, gift=gift))  # says why
        with self.uow:
            data = self.printing.bytes_for(payload, copy=copy, gift=gift)
            self.uow.commit()
        outcome = self.printing.hw.enqueue_and_print(
            name, data, "receipt", str(payload["receipt_no"]), wait=self.printing.wait_s
        )
        return dict(outcome.as_dict())


def ereceipt_matrix(
    uow: SqliteUnitOfWork, signer: TillSigner, payload: dict[str, Any], base_url: str
) -> list[list[bool]]:
    from receipts.token import qr_matrix

    return qr_matrix(receipt_docs.ereceipt_url(payload, signer, base_url))


VERDICTS = {
    "genuine": ("Genuine receipt of this till", "真实小票（本机签发）"),
    "genuine_other": (
        "Genuine receipt from another till of the brand: take the return at that store's till "
        "or ask head office",
        "真实小票（其他收银机签发）：请到原收银机办理退货或联系总部",
    ),
    "altered": (
        "Altered receipt: do not refund; call the manager",
        "小票已被篡改：请勿退款，请联系店长",
    ),
    "unknown_till": (
        "Receipt from an unknown till: sync the till keys or ask head office",
        "未知收银机签发的小票：请同步收银机密钥或联系总部",
    ),
    "unreadable": ("Not an e-receipt QR: scan it again", "不是电子小票二维码：请重新扫描"),
}


def verify_scan(uow: SqliteUnitOfWork, signer: TillSigner, reads: Any, text: str) -> dict[str, Any]:
    from receipts.token import TokenError, decode_token, verify_token

    def out(verdict: str, detail: GuitaiError | None = None, **extra: Any) -> dict[str, Any]:
        en, zh = VERDICTS[verdict]
        if detail is not None:
            en, zh = f"{en} ({detail.message})", f"{zh}（{detail.message_zh}）"
        return {"verdict": verdict, "message": en, "message_zh": zh, "original": None, **extra}

    try:
        fields = decode_token(text.strip())
    except TokenError as err:
        return out("unreadable", err)
    public = receipt_docs.key_lookup(uow, signer)(fields.key_id)
    if public is None:
        return out("unknown_till", receipt_no=fields.receipt_no, total_fen=fields.total_fen)
    try:
        verify_token(fields, public)
    except TokenError as err:
        return out("altered", err, receipt_no=fields.receipt_no)
    result = receipt_docs.verify_receipt(uow, signer, text)
    info = {"receipt_no": result["receipt_no"], "total_fen": result["total_fen"]}
    if not result["own_till"]:
        return out("genuine_other", **info)
    local = result["local_sale"] or {}
    if not local.get("matches"):
        reason = str(local.get("reason") or "no such sale")
        return out("altered", GuitaiError(reason, "与本机记录不符"), **info)
    if local.get("kind") != "sale":
        return out(
            "genuine",
            GuitaiError("this is a refund receipt", "这是退货单，不能再退"),
            **info,
        )
    return out("genuine", original=reads.original_for_return(int(result["receipt_no"])), **info)


# ---- status bar probes --------------------------------------------------------------------


def _reachable(host: str, port: int, timeout: float = 1.0) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def _hw_status(kind: str, state: str, reason: str | None, name: str) -> DeviceStatus:
    from pos_app.adapters.hardware import describe_state

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


def register_probes(till: Any, ttl_s: float = 5.0) -> None:
    board = till.devices
    hw = till.hardware
    _ = till.payments  # built here, not first on a probe's thread (cached_property is not locked)

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
        port = till.payments.ports.get("card")
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
        cloud = till.uow.settings.get("cloud_url")
        if cloud:
            u = urlsplit(cloud)
            targets.append(
                ("cloud", u.hostname or "", u.port or (443 if u.scheme == "https" else 80))
            )
        for name in ("wechat", "alipay"):
            port = till.payments.ports.get(name)
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
        st = till.sync_status()
        if st is None and not till.ereceipt_base_url():
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
