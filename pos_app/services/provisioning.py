"""The till's known settings, their validation, and the settings file a technician carries from
one till to the next (`guitai settings export|import`).

Pure: the command line passes in what only adapters know (the printer profile names).  The
file never holds a secret: no keys, no PIN hashes, no payment credentials, no enrollment of
this till (device id, key id), only what the next till of the same store should share.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from pos_app.domain.digits import is_digits
from pos_app.domain.errors import InvalidInput
from pos_app.domain.money import CashRounding, Money, format_fen
from pos_app.domain.sale_limits import DEFAULT_MAX_SALE_FEN, HIGHEST_MAX_SALE_FEN
from pos_app.domain.timeutil import zone

FORMAT = "guitai-settings/1"


DEFAULT_BACKUP_INTERVAL_HOURS = 24


@dataclass(frozen=True)
class SettingSpec:
    key: str
    help: str
    help_zh: str
    check: Callable[[str, Collection[str]], str]
    default: str | None = None
    # False: belongs to this till (identity, enrollment): never exported, not `settings set`.
    shared: bool = True
    writable: bool = True


def _text(max_len: int, *, required: bool = False) -> Callable[[str, Collection[str]], str]:
    def check(value: str, _: Collection[str]) -> str:
        v = value.strip()
        if required and not v:
            raise ValueError("must not be empty")
        if len(v) > max_len:
            raise ValueError(f"at most {max_len} characters")
        if any(ord(c) < 32 for c in v):
            raise ValueError("no control characters")
        return v

    return check


def _choice(options: Collection[str]) -> Callable[[str, Collection[str]], str]:
    def check(value: str, _: Collection[str]) -> str:
        v = value.strip()
        if v not in options:
            raise ValueError(f"one of {', '.join(sorted(options))}")
        return v

    return check


def _timezone(value: str, _: Collection[str]) -> str:
    v = value.strip()
    try:
        zone(v)
    except Exception as err:
        raise ValueError("an IANA time zone such as Asia/Shanghai") from err
    return v


def _profile(value: str, profiles: Collection[str]) -> str:
    v = value.strip()
    if v not in profiles:
        raise ValueError(f"one of {', '.join(sorted(profiles))}")
    return v


def _abs_path(value: str, _: Collection[str]) -> str:
    v = value.strip()
    if v == "":
        return v  # empty: no second location
    # A POSIX absolute path, a Windows drive path or a UNC share: the till decides at run time.
    if not (v.startswith("/") or re.match(r"^[A-Za-z]:[\\/]", v) or v.startswith("\\\\")):
        raise ValueError("an absolute folder path, e.g. /media/usb/guitai-backups (or empty)")
    return v


def _hours(value: str, _: Collection[str]) -> str:
    v = value.strip()
    if not is_digits(v) or not 0 <= int(v) <= 168:
        raise ValueError("whole hours from 1 to 168, or 0 to switch scheduled backups off")
    return str(int(v))


def _limits(value: str, _: Collection[str]) -> str:
    try:
        data = json.loads(value)
    except ValueError as err:
        raise ValueError('JSON such as {"cashier": 1000, "manager": 10000}') from err
    if not isinstance(data, dict) or not data:
        raise ValueError('JSON such as {"cashier": 1000, "manager": 10000}')
    for role, bp in data.items():
        if role not in ("cashier", "manager", "technician"):
            raise ValueError(f"unknown role {role!r}")
        if not isinstance(bp, int) or isinstance(bp, bool) or not 0 <= bp <= 10_000:
            raise ValueError("basis points from 0 to 10000 (1000 = 10 %)")
    return json.dumps(data, sort_keys=True)


def _sale_total(value: str, _: Collection[str]) -> str:
    top = format_fen(HIGHEST_MAX_SALE_FEN)
    why = f"an amount in yuan from 1.00 to {top}, e.g. 1000000.00"
    try:
        fen = Money.parse(value).fen
    except InvalidInput as err:
        raise ValueError(why) from err
    if not 100 <= fen <= HIGHEST_MAX_SALE_FEN:
        raise ValueError(why)
    return format_fen(fen)


def _url(value: str, _: Collection[str]) -> str:
    v = value.strip()
    if not re.match(r"^https?://[^\s/]+", v):
        raise ValueError("an http(s) URL")
    return v.rstrip("/")


def _read_only(value: str, _: Collection[str]) -> str:
    return value


SPECS: dict[str, SettingSpec] = {
    s.key: s
    for s in (
        SettingSpec(
            "store_name",
            "Store name printed on receipts",
            "小票上的门店名称",
            _text(64, required=True),
        ),
        SettingSpec("store_address", "Store address on receipts", "门店地址", _text(200), ""),
        SettingSpec("store_phone", "Store phone on receipts", "门店电话", _text(32), ""),
        SettingSpec("timezone", "Time zone of the store", "门店时区", _timezone, "Asia/Shanghai"),
        SettingSpec(
            "cash_rounding",
            "Cash rounding (抹零): none, jiao or yuan",
            "现金抹零：none、jiao 或 yuan",
            _choice([c.value for c in CashRounding]),
            "none",
        ),
        SettingSpec(
            "printer_profile",
            "Receipt printer profile (paper width, charset, QR)",
            "小票打印机配置（纸宽、字符集、二维码）",
            _profile,
            "generic-80-gb18030",
        ),
        SettingSpec(
            "receipt_language",
            "Receipt script: zh-Hans (simplified) or zh-Hant (traditional)",
            "小票文字：zh-Hans（简体）或 zh-Hant（繁体）",
            _choice(["zh-Hans", "zh-Hant"]),
            "zh-Hans",
        ),
        SettingSpec("receipt_logo", "Logo image file on receipts", "小票标志图片", _text(500), ""),
        SettingSpec(
            "store_code_prefix",
            "Prefix of the store's own barcodes",
            "门店自编条码前缀",
            _text(16),
            "",
        ),
        SettingSpec(
            "discount_limits",
            "Deepest discount per role without a manager, in basis points (JSON)",
            "各角色无需店长批准的最大折扣（基点，JSON）",
            _limits,
            '{"cashier": 1000, "manager": 10000, "technician": 0}',
        ),
        SettingSpec(
            "max_sale_total",
            "Most one sale may come to, in yuan (a bigger one is refused as a likely typo)",
            "单笔销售金额上限（元），超过视为输入错误而拒绝",
            _sale_total,
            format_fen(DEFAULT_MAX_SALE_FEN),
        ),
        SettingSpec(
            "backup_second_location",
            "Second folder for every backup (USB disk, network share)",
            "备份的第二存放目录（U 盘、网络共享）",
            _abs_path,
            "",
        ),
        SettingSpec(
            "backup_interval_hours",
            "Hours between scheduled backups while the till runs (0 = off)",
            "收银程序运行时定时备份的间隔小时数（0 = 关闭）",
            _hours,
            str(DEFAULT_BACKUP_INTERVAL_HOURS),
        ),
        # This till's own identity and enrollment: shown, never exported, set by init/enroll.
        SettingSpec("store_id", "Store code (guitai init)", "门店编号", _read_only, writable=False),
        SettingSpec(
            "till_no",
            "Till number (guitai init)",
            "收银台号",
            _read_only,
            shared=False,
            writable=False,
        ),
        SettingSpec(
            "cloud_url", "Cloud URL (guitai enroll)", "云端网址", _url, shared=False, writable=False
        ),
        SettingSpec(
            "device_id",
            "Cloud device id (guitai enroll)",
            "云端设备编号",
            _read_only,
            shared=False,
            writable=False,
        ),
        SettingSpec(
            "key_id",
            "Signing key id (guitai init)",
            "签名密钥编号",
            _read_only,
            shared=False,
            writable=False,
        ),
        SettingSpec(
            "ereceipt_base_url",
            "E-receipt QR base URL (guitai init --ereceipt-base-url, guitai enroll)",
            "电子小票二维码网址",
            _url,
            shared=False,
            writable=False,
        ),
    )
}


def _bad(key: str, value: str, why: str) -> InvalidInput:
    return InvalidInput(
        f"Setting {key}={value!r} is not valid: {why}",
        f"设置 {key}={value!r} 无效：{why}",
    )


# Names that contain a secret word but hold none: a drawer's kick-connector pin, a key's id.
NOT_SECRET = frozenset({"drawer_pin", "key_id"})
_SECRET_PARTS = (
    "secret",
    "password",
    "passwd",
    "passcode",
    "token",
    "credential",
    "pepper",
    "apikey",
)


def is_secret(name: str) -> bool:
    """`pin`, `api_key`, `private_key_file`, `mch_secret`, `password`…; not `drawer_pin`."""
    low = name.lower()
    if low in NOT_SECRET:
        return False
    words = set(re.split(r"[^a-z0-9]+", low))
    return bool(words & {"key", "pin", "pins", "keys"}) or any(p in low for p in _SECRET_PARTS)


def validate(key: str, value: str, printer_profiles: Collection[str]) -> str:
    """The stored form of a value a person gave for a known, writable setting."""
    spec = SPECS.get(key)
    if spec is None:
        raise InvalidInput(
            f"Unknown setting {key!r}; known settings: {', '.join(sorted(SPECS))}",
            f"未知设置 {key!r}；可用设置：{', '.join(sorted(SPECS))}",
        )
    if not spec.writable:
        raise InvalidInput(
            f"{key} belongs to this till's identity and is set by guitai init / guitai enroll",
            f"{key} 属于本机身份，由 guitai init / guitai enroll 设置",
        )
    try:
        return spec.check(value, printer_profiles)
    except ValueError as err:
        raise _bad(key, value, str(err)) from err


def effective(settings: Mapping[str, str]) -> dict[str, str | None]:
    """Every known setting with its value (or default when unset)."""
    return {k: settings.get(k, s.default) for k, s in sorted(SPECS.items())}


# ---- the settings file -------------------------------------------------------------------------


def clean_uri(uri: str) -> str:
    """A device address without credentials (user:password@, ?password=…)."""
    parts = urlsplit(uri)
    netloc = parts.netloc.rsplit("@", 1)[-1]
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    kept = [(k, v) for k, v in pairs if not is_secret(k)]
    if netloc == parts.netloc and len(kept) == len(pairs):
        return uri  # nothing to remove: keep it exactly (serial:///dev/… has an empty host)
    # Built by hand: urlunsplit drops the "//" of an empty host (serial:///dev/ttyUSB0).
    out = f"{parts.scheme}://{netloc}{parts.path}"
    if kept:
        out += "?" + urlencode(kept)
    if parts.fragment:
        out += "#" + parts.fragment
    return out


def export_document(
    settings: Mapping[str, str],
    devices: Sequence[Mapping[str, Any]],
    *,
    exported_at: str,
    app_version: str,
) -> dict[str, Any]:
    """What the next till of the store needs; nothing secret, nothing of this till's identity."""
    shared = {
        k: v for k, v in sorted(settings.items()) if k in SPECS and SPECS[k].shared and v != ""
    }
    skipped = sorted(k for k in settings if k not in shared and k in SPECS and not SPECS[k].shared)
    unknown = sorted(k for k in settings if k not in SPECS)
    out_devices = []
    for d in devices:
        conf = {k: v for k, v in dict(d.get("settings") or {}).items() if not is_secret(k)}
        out_devices.append(
            {
                "name": d["name"],
                "kind": d["kind"],
                "uri": clean_uri(str(d["uri"])),
                "settings": conf,
            }
        )
    return {
        "format": FORMAT,
        "exported_at": exported_at,
        "app_version": app_version,
        "store_id": settings.get("store_id"),
        "settings": shared,
        "devices": out_devices,
        "enrollment": {"cloud_url": settings.get("cloud_url")},
        "not_exported": {"this_till": skipped, "unknown_settings": unknown},
    }


@dataclass(frozen=True)
class ImportPlan:
    settings: dict[str, str]
    devices: list[dict[str, Any]]
    store_id: str | None
    cloud_url: str | None


def read_document(doc: Any, printer_profiles: Collection[str]) -> ImportPlan:
    """Check a whole settings file before anything is written; name every problem."""
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise InvalidInput(
            f"Not a Guitai settings file (expected format {FORMAT}); make one with "
            "`guitai settings export -o FILE.json`",
            f"不是柜台设置文件（应为 {FORMAT}）；请用 guitai settings export 导出",
        )
    raw = doc.get("settings") or {}
    if not isinstance(raw, dict):
        raise InvalidInput("settings must be an object", "settings 应为对象")
    problems: list[str] = []
    clean: dict[str, str] = {}
    for key, value in raw.items():
        if key not in SPECS or not SPECS[key].writable:
            continue  # identity (store_id) or another edition's setting: not ours to write
        try:
            clean[key] = validate(key, str(value), printer_profiles)
        except InvalidInput as err:
            problems.append(err.message)
    devices: list[dict[str, Any]] = []
    names: set[str] = set()
    for d in doc.get("devices") or []:
        if (
            not isinstance(d, dict)
            or not isinstance(d.get("name"), str)
            or d.get("kind") not in ("printer", "drawer", "scanner", "terminal")
            or not isinstance(d.get("uri"), str)
            or not isinstance(d.get("settings", {}), dict)
        ):
            problems.append(f"device entry {d!r} needs name, kind, uri and settings")
            continue
        if d["name"] in names:
            problems.append(f"device {d['name']} appears twice")
        names.add(d["name"])
        devices.append(
            {
                "name": d["name"],
                "kind": d["kind"],
                "uri": d["uri"],
                "settings": d.get("settings", {}),
            }
        )
    if problems:
        raise InvalidInput(
            "The settings file has problems; nothing was changed: " + "; ".join(problems),
            "设置文件有误，未做任何更改：" + "；".join(problems),
        )
    store_id = doc.get("store_id")
    cloud = (doc.get("enrollment") or {}).get("cloud_url")
    return ImportPlan(
        clean,
        devices,
        store_id if isinstance(store_id, str) else None,
        cloud if isinstance(cloud, str) else None,
    )
