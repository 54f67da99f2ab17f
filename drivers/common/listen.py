"""The address a loopback emulator's server actually bound (port 0 picks a free one)."""

from __future__ import annotations

import socketserver


def bound_address(server: socketserver.TCPServer) -> tuple[str, int]:
    """(host, port) the server listens on.

    typeshed allows a bytes host for any socket family; an AF_INET/AF_INET6 server's bound
    address is always text, so a bytes host is decoded rather than formatted as "b'…'".
    """
    host, port = server.server_address[:2]
    return (host if isinstance(host, str) else bytes(host).decode()), port
