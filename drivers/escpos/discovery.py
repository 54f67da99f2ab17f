"""Finding receipt printers: on USB by vendor id, at a network address by asking DLE EOT.

There may be no USB bus at all (containers, this CI machine) or no libusb: that is reported
as a note, never raised.
"""

from __future__ import annotations

import socket
import time

from drivers.common.discovery import Found

from .status import decode, valid_reply

# Vendor ids of common receipt-printer makers (usb.ids and escpos-printer-db).
PRINTER_VENDORS: dict[int, str] = {
    0x04B8: "Seiko Epson",
    0x0519: "Star Micronics",
    0x1504: "Bixolon",
    0x0DD4: "Custom Engineering",
    0x1D90: "Citizen",
    0x154F: "SNBC",
    0x0FE6: "ICS Advent (Xprinter/Gprinter clones)",
    0x0416: "Winbond (Xprinter/Zjiang clones)",
    0x0483: "STMicro (many Chinese printers)",
    0x28E9: "GigaDevice (Gprinter)",
    0x20D1: "Rongta",
    0x2D37: "Hprt",
    0x6868: "Hprt (older)",
    0x1FC9: "NXP (Sunmi, Xprinter)",
    0x067B: "Prolific (serial adapters)",
}


def find_usb_printers() -> tuple[list[Found], list[str]]:
    notes: list[str] = []
    try:
        import usb.core
        import usb.util
    except ImportError:
        return [], ["pyusb is not installed"]
    try:
        devices = list(usb.core.find(find_all=True) or [])
    except usb.core.NoBackendError:
        return [], ["no USB backend: install libusb-1.0-0 (Debian) to find USB printers"]
    except (usb.core.USBError, OSError, ValueError) as err:
        return [], [f"USB could not be listed ({err}); check permissions (udev rule)"]
    found = []
    for dev in devices:
        vid, pid = int(dev.idVendor), int(dev.idProduct)
        is_printer_class = False
        try:
            for cfg in dev:
                for intf in cfg:
                    if intf.bInterfaceClass == 7:  # USB printer class
                        is_printer_class = True
        except (usb.core.USBError, OSError, ValueError, NotImplementedError):
            pass
        if vid not in PRINTER_VENDORS and not is_printer_class:
            continue
        serial = None
        try:
            if dev.iSerialNumber:
                serial = usb.util.get_string(dev, dev.iSerialNumber)
        except (usb.core.USBError, OSError, ValueError, NotImplementedError):
            notes.append(f"{vid:04x}:{pid:04x}: serial number unreadable (permissions?)")
        found.append(
            Found(
                "printer",
                f"usb://{vid:04x}:{pid:04x}",
                PRINTER_VENDORS.get(vid, "USB printer class device"),
                serial,
                details={"printer_class": is_printer_class},
            )
        )
    if not devices:
        notes.append("no USB devices found")
    return found, notes


def probe_tcp(host: str, port: int = 9100, timeout: float = 1.0) -> Found:
    """Connect and ask DLE EOT 1..4; a printer that does not answer is 'unknown'."""
    uri = f"tcp://{host}:{port}"
    try:
        sock = socket.create_connection((host, port), timeout=timeout)
    except OSError as err:
        return Found(
            "tcp",
            uri,
            "nothing answers at this address",
            status={"state": "unavailable", "reason": str(err)},
        )
    replies: dict[int, int | None] = {}
    try:
        sock.settimeout(timeout)
        for n in (1, 2, 3, 4):
            sock.sendall(bytes([0x10, 0x04, n]))
            replies[n] = None
            end = time.monotonic() + timeout
            while time.monotonic() < end:
                try:
                    b = sock.recv(1)
                except TimeoutError:
                    break
                if not b:
                    break
                if valid_reply(b[0]):
                    replies[n] = b[0]
                    break
            if replies[n] is None:
                break
    except OSError as err:
        return Found(
            "tcp",
            uri,
            "connection dropped while asking status",
            status={"state": "unavailable", "reason": str(err)},
        )
    finally:
        sock.close()
    st = decode(replies)
    desc = "ESC/POS printer" if st.answered else "open port, no ESC/POS status answer"
    return Found("tcp", uri, desc, status=st.as_dict())
