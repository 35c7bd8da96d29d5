"""Where git may connect: the outbound policy applied to a repository's host.

Before a clone, fetch or ls-remote, the host of a network URL is resolved once and every
address checked against :mod:`reviewer.outbound` (loopback, link-local, private... are
refused unless the operator allows them). git is then pinned to the checked address:

* https: ``http.curloptResolve`` gives curl the address (no second lookup), and
  ``http.followRedirects=false`` (a redirect could lead anywhere);
* git://: ``core.gitProxy`` and ssh: ``ProxyCommand`` run ``relay.sh``, which connects
  to the checked address only and compares the peer address once connected.

An operator's ``GIT_SSH`` program cannot be given a proxy: with it, ssh hosts are only
checked before the call. A refused host is a :class:`RepoRefusedError`, shown to users
as "could not reach the repository" like any unreachable host.
"""

from __future__ import annotations

import logging
import shlex
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from reviewer import outbound
from reviewer.git.errors import UNREACHABLE, RepoRefusedError
from reviewer.git.redact import redact_url
from reviewer.git.run import git_env
from reviewer.git.urls import _SCP_RE as SCP_RE
from reviewer.git.urls import Remote, parse_remote

logger = logging.getLogger(__name__)
RELAY_SH = Path(__file__).with_name("relay.sh")
RELAY_PY = Path(__file__).with_name("relay.py")
PORTS = {"https": 443, "git": 9418, "ssh": 22}


@dataclass(frozen=True)
class Route:
    """What one git call needs to reach the checked address: ``-c`` options and env."""

    config: tuple[str, ...] = ()
    env: dict[str, str] = field(default_factory=dict)


def endpoint(git_url: str) -> tuple[str, str, int]:
    """(scheme, host, port) of a validated network URL (scp-like addresses are ssh)."""
    if "://" in git_url:
        parts = urlsplit(git_url)
        scheme = parts.scheme.lower()
        scheme = "ssh" if "ssh" in scheme else scheme
        return scheme, outbound.normalize_host(parts.hostname or ""), parts.port or PORTS[scheme]
    match = SCP_RE.match(git_url)
    host = match["host"] if match else ""
    return "ssh", outbound.normalize_host(host), PORTS["ssh"]


def route(remote: Remote, policy: outbound.Policy) -> Route | None:
    """The route to ``remote``'s checked address (None for a local repository)."""
    if remote.local:
        return None
    scheme, host, port = endpoint(remote.git_url)
    try:
        address = outbound.resolve(host, port, policy)[0]
    except outbound.OutboundRefusedError as exc:
        logger.warning("repository %s refused: %s", redact_url(remote.url), exc.reason)
        raise RepoRefusedError(f"Could not clone {redact_url(remote.url)}: {UNREACHABLE}") from None
    relay_env = {
        "REVIEWDECK_RELAY_TO": f"{host} {port} {address}",
        "REVIEWDECK_RELAY_PYTHON": sys.executable,
        "REVIEWDECK_RELAY_SCRIPT": str(RELAY_PY),
    }
    if scheme == "https":
        config = ["-c", "http.followRedirects=false"]
        if outbound.literal_address(host) is None:
            shown = f"[{address}]" if address.version == 6 else str(address)
            config += ["-c", f"http.curloptResolve={host}:{port}:{shown}"]
        return Route(tuple(config))
    if scheme == "git":
        return Route(("-c", f"core.gitProxy={RELAY_SH}"), relay_env)
    env = git_env()
    if "GIT_SSH_COMMAND" not in env:  # the operator's GIT_SSH program: checked, not pinned
        return Route()
    proxy = f"ProxyCommand={shlex.quote(str(RELAY_SH))} %h %p"
    command = f"{env['GIT_SSH_COMMAND']} -o {shlex.quote(proxy)}"
    return Route((), {**relay_env, "GIT_SSH_COMMAND": command})


def refuse_internal_literal(
    url: str, local_roots: Sequence[Path | str], policy: outbound.Policy
) -> None:
    """The check a form can make without DNS: a network URL whose host is written as an
    internal address (in any spelling) or ``localhost`` is refused at once; host names
    are resolved and checked when the repository is cloned."""
    remote = parse_remote(url, local_roots)
    if remote.local:
        return
    _scheme, host, _port = endpoint(remote.git_url)
    try:
        outbound.check_host_literal(host, policy)
    except outbound.OutboundRefusedError:
        raise RepoRefusedError(
            "This address is on an internal network: the server does not connect there."
        ) from None
