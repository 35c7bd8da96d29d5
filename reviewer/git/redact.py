"""Credentials out of every message: URLs redacted, literal secrets removed from git's output."""

from __future__ import annotations

import re
from urllib.parse import unquote

# "scheme://userinfo@" in any text
USERINFO_RE = re.compile(r"(?P<scheme>\b[A-Za-z][A-Za-z0-9+.-]*://)(?P<userinfo>[^/@\s'\"]+)@")
# "user:password@host:path" (not valid scp syntax, but must not be echoed either)
SCP_PASSWORD_RE = re.compile(r"^(?P<user>[^@/:\s]+):[^@/\s]*@(?=[^/]*:)")


def redact_url(url: str) -> str:
    """Return ``url`` with credentials removed, for messages and logs.

    For http(s) the whole ``userinfo@`` becomes ``***@`` (a token is often passed as the
    user name alone); for other schemes the user name is kept (``ssh://git@host`` is not
    a secret) and a password becomes ``***``. Works on any text containing URLs.
    """

    def replace(match: re.Match[str]) -> str:
        scheme, userinfo = match["scheme"], match["userinfo"]
        if scheme.lower().startswith("http"):
            return f"{scheme}***@"
        user, colon, _password = userinfo.partition(":")
        return f"{scheme}{user}:***@" if colon else match[0]

    url = USERINFO_RE.sub(replace, url)
    return SCP_PASSWORD_RE.sub(r"\g<user>:***@", url)


def secrets_of(url: str) -> list[str]:
    """The literal secrets a URL carries (both raw and percent-decoded), longest first."""
    match = USERINFO_RE.search(url)
    if not match:
        return []
    userinfo = match["userinfo"]
    user, _, password = userinfo.partition(":")
    parts = [password] if not match["scheme"].lower().startswith("http") else [user, password]
    found = {p for part in parts if part for p in (part, unquote(part)) if len(p) >= 3}
    return sorted(found, key=len, reverse=True)


def redact(text: str, url: str) -> str:
    text = redact_url(text)
    for secret in secrets_of(url):
        text = text.replace(secret, "***")
    return text
