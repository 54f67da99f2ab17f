"""Alipay payment code (当面付): the client (driver) and a loopback emulator (emulator)."""
