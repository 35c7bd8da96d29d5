"""Personal API tokens: issued once, stored hashed, looked up by their public prefix.

A token reads ``rdk_<prefix>_<secret>``: 8 hex characters that find the row and 43
random URL-safe characters (256 bits). The database keeps the SHA-256 of the whole token
(a slow password hash buys nothing against 256 random bits), compared in constant time.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta

from django.contrib.auth.models import User
from django.utils import timezone

from dashboard.models import ApiToken

PREFIX = "rdk_"
#: last_used_at is written at most this often per token (not one UPDATE per request).
TOUCH_EVERY = timedelta(minutes=1)
MAX_ACTIVE_PER_USER = 50


class TokenError(ValueError):
    """A token request that cannot be granted; the message says why."""


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def issue(user: User, name: str) -> tuple[ApiToken, str]:
    """A new token for ``user``: the row and the token text (never stored, shown once)."""
    name = name.strip()
    if not name:
        raise TokenError("Give the token a name (what will use it, e.g. 'CI').")
    if len(name) > 100:
        raise TokenError("The name is too long (100 characters at most).")
    if ApiToken.objects.filter(user=user, revoked_at=None).count() >= MAX_ACTIVE_PER_USER:
        raise TokenError(f"At most {MAX_ACTIVE_PER_USER} active tokens; revoke one first.")
    prefix = secrets.token_hex(4)
    while ApiToken.objects.filter(prefix=prefix).exists():
        prefix = secrets.token_hex(4)
    token = f"{PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    row = ApiToken.objects.create(user=user, name=name, prefix=prefix, digest=_digest(token))
    return row, token


def authenticate(token: str) -> ApiToken | None:
    """The active token row for ``token`` (its user loaded), or None."""
    if not token.startswith(PREFIX) or len(token) > 200:
        return None
    prefix, _, secret = token[len(PREFIX) :].partition("_")
    if not prefix or not secret:
        return None
    row = (
        ApiToken.objects.select_related("user")
        .filter(prefix=prefix, revoked_at=None, user__is_active=True)
        .first()
    )
    if row is None or not hmac.compare_digest(row.digest, _digest(token)):
        return None
    now = timezone.now()
    if row.last_used_at is None or now - row.last_used_at >= TOUCH_EVERY:
        ApiToken.objects.filter(pk=row.pk).update(last_used_at=now)
        row.last_used_at = now
    return row


def revoke(user: User, token_id: int) -> bool:
    """Revoke one of ``user``'s tokens; False when there is no such active token."""
    return bool(
        ApiToken.objects.filter(pk=token_id, user=user, revoked_at=None).update(
            revoked_at=timezone.now()
        )
    )
