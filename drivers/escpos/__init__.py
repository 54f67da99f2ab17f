"""ESC/POS receipt printers: transports (transport), DLE EOT status (status), the driver
(printer.EscposPrinter), discovery (USB vendor ids, probe_tcp) and the virtual printer
(emulator/)."""
