"""Device addresses: one URI per device, parsed and validated before anything is opened.

usb://04b8:0e15[?in_ep=0x82&out_ep=0x01&timeout=5]   pyusb by vendor:product id
serial:///dev/ttyUSB0[?baud=115200&dsrdtr=0]       pyserial
tcp://host[:9100][?timeout=5]                       ESC/POS over TCP (default 9100)
file:///dev/usb/lp0                                 a device file (usblp, or a pty)
zvt+tcp://host:port, zvt+serial:///dev/ttyS0        payment terminals (stored only here)
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, unquote, urlsplit

from .errors import DeviceUriError

SCHEMES = ("usb", "serial", "tcp", "file", "zvt+tcp", "zvt+serial")
KIND_SCHEMES = {
    "printer": ("usb", "serial", "tcp", "file"),
    "drawer": ("usb", "serial", "tcp", "file"),  # usb/tcp/file: kicked through that printer
    "scanner": ("serial",),  # keyboard-wedge scanners need no setup: they are a keyboard
    "terminal": ("zvt+tcp", "zvt+serial"),
}
BAUD_RATES = (300, 600, 1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200, 230400)
_HOST = re.compile(r"^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,62})(\.[A-Za-z0-9-]{1,63})*$")
_USB = re.compile(r"^([0-9A-Fa-f]{4}):([0-9A-Fa-f]{4})$")


def _bad(uri: str, why: str) -> DeviceUriError:
    return DeviceUriError(f"{uri!r}: {why}")


@dataclass(frozen=True)
class DeviceUri:
    scheme: str
    text: str
    host: str | None = None
    port: int | None = None
    path: str | None = None
    vendor_id: int | None = None
    product_id: int | None = None
    params: dict[str, str] = field(default_factory=dict)

    @property
    def transport(self) -> str:
        return self.scheme.split("+")[-1]

    def int_param(self, name: str, default: int, lo: int, hi: int) -> int:
        raw = self.params.get(name)
        if raw is None:
            return default
        try:
            value = int(raw, 0)
        except ValueError:
            raise _bad(self.text, f"{name}={raw} is not a number") from None
        if not lo <= value <= hi:
            raise _bad(self.text, f"{name}={raw} is outside {lo}..{hi}")
        return value

    def float_param(self, name: str, default: float, lo: float, hi: float) -> float:
        raw = self.params.get(name)
        if raw is None:
            return default
        try:
            value = float(raw)
        except ValueError:
            raise _bad(self.text, f"{name}={raw} is not a number") from None
        if not lo <= value <= hi:
            raise _bad(self.text, f"{name}={raw} is outside {lo}..{hi}")
        return value

    @property
    def baudrate(self) -> int:
        baud = self.int_param("baud", 9600, 1, 4_000_000)
        if baud not in BAUD_RATES:
            raise _bad(self.text, f"baud={baud} is not a standard rate ({BAUD_RATES})")
        return baud

    def display(self) -> str:
        return self.text


def parse_uri(text: str, kind: str | None = None) -> DeviceUri:
    """Parse and validate; raises DeviceUriError with what is wrong and an example."""
    text = (text or "").strip()
    if not text:
        raise DeviceUriError("empty device address: e.g. tcp://192.168.1.50:9100")
    if "://" not in text:
        raise _bad(
            text,
            "no scheme: write e.g. usb://04b8:0e15, serial:///dev/ttyUSB0, "
            "tcp://192.168.1.50:9100 or file:///dev/usb/lp0",
        )
    parts = urlsplit(text)
    scheme = parts.scheme.lower()
    if scheme not in SCHEMES:
        raise _bad(text, f"unknown scheme {scheme!r}; use one of {', '.join(SCHEMES)}")
    if kind is not None:
        allowed = KIND_SCHEMES.get(kind)
        if allowed is None:
            raise _bad(text, f"unknown device kind {kind!r}; use {', '.join(KIND_SCHEMES)}")
        if scheme not in allowed:
            raise _bad(
                text,
                f"a {kind} cannot be reached by {scheme}://; use "
                + ", ".join(f"{s}://" for s in allowed),
            )
    try:
        params = dict(parse_qsl(parts.query, keep_blank_values=True, strict_parsing=False))
    except ValueError as err:
        raise _bad(text, f"bad query string ({err})") from err
    if scheme == "usb":
        m = _USB.match(parts.netloc)
        if not m:
            raise _bad(text, "write the USB id as vendor:product in hex, e.g. usb://04b8:0e15")
        vid, pid = int(m.group(1), 16), int(m.group(2), 16)
        if vid == 0 or pid == 0:
            raise _bad(text, "vendor and product id must not be 0000")
        uri = DeviceUri(scheme, text, vendor_id=vid, product_id=pid, params=params)
        for ep in ("in_ep", "out_ep"):
            uri.int_param(ep, 0x81, 0x01, 0xFF)
        return uri
    if scheme in ("tcp", "zvt+tcp"):
        host = parts.hostname
        try:
            port = parts.port
        except ValueError:
            raise _bad(text, "the port must be a number 1..65535") from None
        if not host:
            raise _bad(text, "no host: e.g. tcp://192.168.1.50:9100")
        try:
            ipaddress.ip_address(host)
        except ValueError:
            if not _HOST.match(host):
                raise _bad(text, f"{host!r} is not a host name or IP address") from None
        if port is None:
            port = 20007 if scheme == "zvt+tcp" else 9100
        if not 1 <= port <= 65535:
            raise _bad(text, "the port must be 1..65535")
        if parts.path not in ("", "/"):
            raise _bad(text, "a network address has no path")
        return DeviceUri(scheme, text, host=host, port=port, params=params)
    # serial, file, zvt+serial: a path on this machine
    if parts.netloc:
        raise _bad(text, f"use three slashes: {scheme}:///dev/… (got host {parts.netloc!r})")
    path = unquote(parts.path)
    if not path.startswith("/"):
        raise _bad(text, f"the device path must be absolute, e.g. {scheme}:///dev/ttyUSB0")
    uri = DeviceUri(scheme, text, path=path, params=params)
    if scheme in ("serial", "zvt+serial"):
        _ = uri.baudrate
    return uri
