"""Relay stdin/stdout to the address the outbound policy checked (run by relay.sh).

git (``core.gitProxy``) and ssh (``ProxyCommand``) start it with the host and port they
want; ``REVIEWDECK_RELAY_TO`` ("host port address") names the host the worker resolved
and checked, and the address to use. Any other host or port is refused, the connection
goes to that address only (never resolved again), and the peer address is compared once
connected. Standalone (run with ``python -I``): standard library only.
"""

from __future__ import annotations

import contextlib
import os
import selectors
import socket
import sys


def _fail(message: str) -> int:
    sys.stderr.write(f"relay: {message}\n")
    return 1


def main(argv: list[str]) -> int:
    expected = os.environ.get("REVIEWDECK_RELAY_TO", "").split()
    if len(argv) != 2 or len(expected) != 3:
        return _fail("usage: relay.py HOST PORT (with REVIEWDECK_RELAY_TO set)")
    host, port = argv[0].strip("[]").rstrip(".").lower(), argv[1]
    want_host, want_port, address = expected
    if host != want_host or port != want_port:
        return _fail("not the checked host")
    family = socket.AF_INET6 if ":" in address else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.settimeout(30)
    try:
        sock.connect((address, int(port)))
    except OSError as exc:
        return _fail(f"connect failed ({type(exc).__name__})")
    peer = sock.getpeername()[0]
    if socket.inet_pton(family, peer) != socket.inet_pton(family, address):
        return _fail("connected to another address")
    sock.settimeout(None)
    return _pump(sock)


def _pump(sock: socket.socket) -> int:
    stdin, stdout = sys.stdin.buffer.fileno(), sys.stdout.buffer.fileno()
    selector = selectors.DefaultSelector()
    selector.register(stdin, selectors.EVENT_READ, "in")
    selector.register(sock, selectors.EVENT_READ, "sock")
    open_in = True
    while True:
        for key, _ in selector.select():
            if key.data == "in":
                data = os.read(stdin, 65536)
                if not data:
                    selector.unregister(stdin)
                    open_in = False
                    with contextlib.suppress(OSError):
                        sock.shutdown(socket.SHUT_WR)
                    continue
                sock.sendall(data)
            else:
                try:
                    data = sock.recv(65536)
                except OSError:
                    data = b""
                if not data:
                    return 0
                view = memoryview(data)
                while view:
                    written = os.write(stdout, view)
                    view = view[written:]
        if not open_in and not selector.get_map():
            return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
