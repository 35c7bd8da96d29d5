"""Dashboard-only data: the weekly review meeting."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import Group
from django.db import models
from django.urls import reverse


class Meeting(models.Model):
    """A team's weekly review: what changed since ``since`` (the previous meeting), with
    the notes and decisions taken. Triage done in the meeting goes to the findings' own
    audit trail."""

    team = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="meetings")
    title = models.CharField(max_length=200)
    since = models.DateTimeField(help_text="Changes after this moment are reviewed")
    started_at = models.DateTimeField(auto_now_add=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    notes = models.TextField(blank=True)
    decisions = models.TextField(blank=True)
    closed = models.BooleanField(default=False)

    class Meta:
        ordering = ["-started_at", "-id"]
        indexes = [models.Index(fields=["team", "-started_at"], name="meeting_team_recent")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("dashboard:meeting", args=[self.pk])


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
