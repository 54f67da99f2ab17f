"""Device drivers: bytes and device status.  Knows nothing of sales.

One folder per device, each with its driver and its emulator:
    escpos/      receipt printers: transport, status (DLE EOT), printer.EscposPrinter,
                 discovery (USB vendor ids, probe_tcp), emulator/ (TCP 9100 + pty)
    drawer/      PrinterDrawer, SerialTriggerDrawer, polarity; the emulated trigger box
    scanner/     SerialScanner on its own thread; the emulated serial scanner
    zvt/         the ZVT card-terminal client (APDU codec, TCP and serial transports), emulator
    wechatpay/   the WeChat Pay v2 payment-code client, emulator
    alipay/      the Alipay payment-code client, emulator
    common/      what they share: uri.parse_uri, errors, worker.DeviceWorker (the one thread
                 that owns a device), serial-port discovery, the pty link, the payment error
                 tree, the HTTP emulator base, the emulators' scenarios, wallet answers

Imports only the standard library, python-escpos (with its Pillow and qrcode), pyserial,
pyusb, httpx and cryptography; zxing-cpp optionally (QR decoding in the emulator).  See
docs/devices.md and docs/payments.md.
"""
