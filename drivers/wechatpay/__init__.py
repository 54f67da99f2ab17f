"""WeChat Pay v2 payment code (付款码): the client (driver) and a loopback emulator (emulator)."""
