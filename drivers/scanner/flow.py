"""Setting up a serial barcode scanner: its port must exist and be ours to open (the dialout
group); the serial number is the USB-serial adapter's.  Keyboard-wedge scanners need no set-up:
they are a keyboard."""

from __future__ import annotations

from drivers.common.flow import DeviceEntry, ProbeResult, SetupFlow, serial_path_probe
from drivers.common.uri import parse_uri


class ScannerFlow(SetupFlow):
    kind = "scanner"

    def probe(self, entry: DeviceEntry) -> ProbeResult:
        # A scanner says nothing until a code is scanned, so the port is all there is to test.
        return serial_path_probe(parse_uri(entry.uri, self.kind))
