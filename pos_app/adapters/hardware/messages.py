"""What the cashier is told when a device fails, in Chinese and English: what happened and
what to do.  Drivers raise stable reason codes (drivers.common.errors); this turns them into
GuitaiErrors."""

from __future__ import annotations

from drivers.common.errors import DriverError, PrinterFault
from pos_app.domain.errors import GuitaiError, InvalidInput

MESSAGES: dict[str, tuple[str, str]] = {
    "paper_out": ("Paper out: replace the roll, then Reprint", "纸用完了：请换纸卷，然后重印"),
    "cover_open": (
        "Printer cover open: close the cover, then Reprint",
        "打印机盖开着：请合上盖子，然后重印",
    ),
    "offline": (
        "Printer offline: check its power and lights, then Reprint",
        "打印机离线：请检查电源和指示灯，然后重印",
    ),
    "error": (
        "Printer error: switch the printer off and on, then Reprint",
        "打印机故障：请关闭再打开打印机，然后重印",
    ),
    "cutter_error": (
        "Paper cutter jammed: open the cover, clear the paper, close it, then Reprint",
        "切纸刀卡纸：请打开盖子清理纸张，合上后重印",
    ),
    "disconnected": (
        "Printer disconnected: check the cable or network, then Reprint",
        "打印机连接断开：请检查数据线或网络，然后重印",
    ),
    "not_found": (
        "Printer not found: check it is plugged in and switched on, then Reprint",
        "找不到打印机：请检查是否接好并已开机，然后重印",
    ),
    "permission": (
        "No permission to use the printer: ask the technician to install the udev "
        "rule (docs/devices.md)",
        "没有打印机使用权限：请技术员安装 udev 规则（见 docs/devices.md）",
    ),
    "no_backend": (
        "USB support (libusb) is missing: ask the technician to install libusb-1.0-0",
        "缺少 USB 支持（libusb）：请技术员安装 libusb-1.0-0",
    ),
    "timeout": (
        "The printer does not answer: check it is on and connected, then Reprint",
        "打印机无响应：请检查是否开机并连接，然后重印",
    ),
    "interrupted": (
        "Printing was interrupted (the till restarted): check the paper, then "
        "Reprint if the receipt is missing",
        "打印中断（收银机重启）：如小票缺失请重印",
    ),
    "busy": (
        "The printer is still busy with earlier receipts: wait a moment; this one is queued",
        "打印机仍在打印之前的小票：请稍候，本小票已排队",
    ),
}
# A job sent in full that the printer never confirmed (no GS r / DLE EOT answer).
UNCONFIRMED_MESSAGE = (
    "Printing not confirmed: the printer did not answer. Check the receipt came out; "
    "if it is missing, Reprint",
    "打印未确认：打印机没有回应。请查看小票是否已打出，如缺失请重印",
)
# For the till's status bar: state -> (English, Chinese).
STATE_MESSAGES: dict[str, tuple[str, str]] = {
    "ok": ("Ready", "正常"),
    "paper_near_end": ("Paper running low: have a new roll ready", "纸快用完了：请准备新纸卷"),
    "paper_out": ("Paper out: replace the roll", "纸用完了：请换纸卷"),
    "cover_open": ("Cover open: close it", "打印机盖开着：请合上"),
    "cutter_error": ("Cutter jammed: clear the paper", "切纸刀卡纸：请清理"),
    "offline": ("Offline: check power and lights", "离线：请检查电源和指示灯"),
    "error": ("Printer error: switch it off and on", "打印机故障：请关机再开机"),
    "unknown": ("Status unknown (the device does not report it)", "状态未知（设备不回报状态）"),
    "unavailable": ("Not reachable: check power and cable", "无法连接：请检查电源和连线"),
    "unconfirmed": (
        "Receipt not confirmed: check the paper, Reprint if missing",
        "小票未确认：请查看是否出纸，缺失请重印",
    ),
}


def describe_state(state: str, reason: str | None = None) -> tuple[str, str]:
    """(English, Chinese) line for a device state, e.g. on the till's status bar."""
    en, zh = STATE_MESSAGES.get(state, (state, state))
    if state == "unavailable" and reason in MESSAGES:
        en, zh = MESSAGES[str(reason)]
        en, zh = en.replace(", then Reprint", ""), zh.replace("，然后重印", "")
    return en, zh


MID_JOB_EN = " (the receipt came out incomplete)"
MID_JOB_ZH = "（小票打印不完整）"


class DeviceProblem(GuitaiError):
    """A device could not do what was asked.  `reason` is the driver's stable code."""

    code = "device_problem"

    def __init__(
        self,
        message: str,
        message_zh: str,
        *,
        reason: str,
        device: str = "",
        job_id: int | None = None,
        mid_job: bool = False,
    ) -> None:
        super().__init__(message, message_zh)
        self.reason = reason
        self.device = device
        self.job_id = job_id
        self.mid_job = mid_job


class PrintFailed(DeviceProblem):
    """The job is kept (state 'failed'); Reprint sends it again."""

    code = "print_failed"


class PrintUnconfirmed(DeviceProblem):
    """The job went out but the printer never confirmed it (state 'unconfirmed'): the paper
    may be there or not; the cashier looks, and reprints if it is missing."""

    code = "print_unconfirmed"


class PaperLow(DeviceProblem):
    """The job printed, and the printer's paper-near-end sensor is on: a warning, not a
    failure (the sale and its receipt are done); the cashier gets a new roll ready."""

    code = "paper_low"


def paper_low(device: str, job_id: int, what: str = "") -> PaperLow:
    en, zh = STATE_MESSAGES["paper_near_end"]
    return PaperLow(
        f"{device}: {en}" + (f" ({what} printed)" if what else ""),
        f"{device}：{zh}" + (f"（{what} 已打印）" if what else ""),
        reason="paper_near_end",
        device=device,
        job_id=job_id,
    )


def unconfirmed(device: str, job_id: int, what: str = "") -> PrintUnconfirmed:
    en, zh = UNCONFIRMED_MESSAGE
    prefix_en = f"{device}: " + (f"{what} " if what else "")
    prefix_zh = f"{device}：" + (f"{what} " if what else "")
    return PrintUnconfirmed(
        prefix_en + en, prefix_zh + zh, reason="unconfirmed", device=device, job_id=job_id
    )


def problem_from(
    err: DriverError,
    device: str,
    *,
    job_id: int | None = None,
    cls: type[DeviceProblem] = DeviceProblem,
) -> DeviceProblem:
    reason = err.reason
    en, zh = MESSAGES.get(
        reason,
        (
            f"Device problem ({reason}): check the device, then retry",
            f"设备故障（{reason}）：请检查设备后重试",
        ),
    )
    if cls is not PrintFailed:  # not a print job: "Reprint" would confuse
        en, zh = (
            en.replace(", then Reprint", ", then try again"),
            zh.replace("，然后重印", "，然后重试"),
        )
    mid = isinstance(err, PrinterFault) and err.mid_job
    if mid:
        en, zh = en + MID_JOB_EN, zh + MID_JOB_ZH
    prefix_en = f"{device}: " if device else ""
    prefix_zh = f"{device}：" if device else ""
    return cls(
        prefix_en + en, prefix_zh + zh, reason=reason, device=device, job_id=job_id, mid_job=mid
    )


def invalid_setting(err: DriverError) -> InvalidInput:
    return InvalidInput(f"Device setting: {err.detail}", f"设备设置有误：{err.detail}")
