"""The virtual ESC/POS printer: TCP 9100 and a pseudo-terminal (printer, links, state), the
byte parser and its document model (parser, model), PNG and QR rendering (render).
Used by tests, demos and `guitai emulate printer`."""
