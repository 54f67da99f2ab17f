"""Device drivers: bytes and device status.  Knows nothing of sales.

    uri.parse_uri            device addresses (usb://, serial://, tcp://, file://, zvt+…)
    printer.EscposPrinter    status (DLE EOT), print_job (checked before and after), drawer kick
    drawer                   PrinterDrawer, SerialTriggerDrawer, polarity
    scanner.SerialScanner    serial barcode scanners on their own thread
    discovery                USB printers by vendor id, serial ports, probe_tcp
    worker.DeviceWorker      the one thread that owns a device
    emulators                virtual printer (TCP 9100 + pty), serial scanner, drawer box

Imports only the standard library, python-escpos (with its Pillow and qrcode), pyserial and
pyusb; zxing-cpp optionally (QR decoding in the emulator).  See docs/devices.md.
"""
