"""Dashboard-only data: password reset throttling and API tokens."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class PasswordResetRequest(models.Model):
    """One password reset request, kept an hour to throttle reset mails. ``key`` is a hash
    of the address asked for or of the client address, never the address itself."""

    key = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["key", "created_at"], name="reset_request_key_time")]

    def __str__(self) -> str:
        return f"{self.key[:12]} {self.created_at:%Y-%m-%d %H:%M}"


class ApiToken(models.Model):
    """A personal API token. Only its SHA-256 is stored: the token itself is shown once,
    when it is created (dashboard.tokens). It acts as its user, on the user's teams."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=100)
    # The public part of the token ("rdk_<prefix>_..."): finds the row, shown in the list.
    prefix = models.CharField(max_length=16, unique=True)
    digest = models.CharField(max_length=64, help_text="SHA-256 of the whole token")
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.name} (rdk_{self.prefix}_…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
