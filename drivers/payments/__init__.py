"""Payment drivers: the ZVT card-terminal client (APDU codec, TCP and serial transports), the
WeChat Pay v2 and Alipay payment-code clients, and emulators that speak the same protocols.

Knows nothing of sales: these modules move bytes and report what the terminal or provider said.
Error tree (errors.py): PaymentDriverError ← FrameError (bad bytes/answers: every parser raises
only this), TransportError (link down, timeout, connection dropped), ProviderRefused (a command
the terminal or provider would not run, e.g. busy).
"""
