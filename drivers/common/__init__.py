"""What every device shares: addresses (uri), the error trees (errors, payment_errors), the one
thread that owns a device (worker), serial-port discovery, the pty link the serial emulators
use, and the payment emulators' common parts (http_emulator, listen, scenarios, wallet)."""
