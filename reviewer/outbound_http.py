"""A small HTTP client that connects only where :mod:`reviewer.outbound` allows.

Used for digest webhooks: http and https only, the connection made to the address that
was checked (never re-resolved), TLS verified against the host name, no redirects, no
proxies from the environment.
"""

from __future__ import annotations

import http.client
import json
import socket
import ssl
from urllib.parse import urlsplit

from reviewer import outbound

SCHEMES = {"http": 80, "https": 443}


class _CheckedHTTPConnection(http.client.HTTPConnection):
    policy: outbound.Policy

    def connect(self) -> None:
        self.sock = outbound.connect(self.host, self.port, self.timeout, self.policy)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


class _CheckedHTTPSConnection(http.client.HTTPSConnection):
    policy: outbound.Policy
    tls: ssl.SSLContext

    def connect(self) -> None:
        sock = outbound.connect(self.host, self.port, self.timeout, self.policy)
        self.sock = self.tls.wrap_socket(sock, server_hostname=self.host)


def post_json(
    url: str,
    payload: dict[str, object],
    *,
    timeout: float,
    policy: outbound.Policy | None = None,
) -> int:
    """POST ``payload`` as JSON; the response status. Raises ``OutboundRefusedError`` for a
    refused scheme or host, ``OSError``/``HTTPException`` when the exchange fails."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in SCHEMES:
        problem = f"scheme {scheme!r} is not http(s)"
        raise outbound.OutboundRefusedError(parts.hostname or "?", problem)
    host = parts.hostname or ""
    port = parts.port or SCHEMES[scheme]  # ValueError for a port out of range
    policy = policy or outbound.Policy.from_settings()
    connection: http.client.HTTPConnection
    if scheme == "https":
        https = _CheckedHTTPSConnection(host, port, timeout=timeout)
        https.tls = ssl.create_default_context()
        https.policy = policy
        connection = https
    else:
        plain = _CheckedHTTPConnection(host, port, timeout=timeout)
        plain.policy = policy
        connection = plain
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    try:
        connection.request(
            "POST",
            path,
            body=json.dumps(payload).encode(),
            headers={"Content-Type": "application/json", "User-Agent": "Reviewdeck"},
        )
        response = connection.getresponse()
        response.read(65536)
        return response.status
    finally:
        connection.close()
