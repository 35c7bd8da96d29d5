"""Team agents stored in the database (versioned) and the per-file Claude result cache."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import Group
from django.db import models


class AgentVersion(models.Model):
    """One uploaded or pasted version of a team agent file. The newest version runs, for
    the projects of its team only. Names are unique per team; a version without a team
    (from before agents belonged to teams) is listed by `manage.py agents list` and runs
    nowhere."""

    team = models.ForeignKey(
        Group, null=True, blank=True, on_delete=models.CASCADE, related_name="agent_versions"
    )
    name = models.CharField(max_length=64)
    version = models.PositiveIntegerField()
    content = models.TextField()
    sha256 = models.CharField(max_length=64)
    model = models.CharField(max_length=100, blank=True)
    description = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["team", "name", "version"], name="agent_team_name_version"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"


class AgentResult(models.Model):
    """What an agent found in one file's content: an unchanged file is never sent twice.

    Keyed by the agent file's hash, the model and the git blob hash of the file; the
    findings are stored verified, without a path (the same content may live at two paths).
    """

    agent_hash = models.CharField(max_length=64)
    model = models.CharField(max_length=100)
    blob_hash = models.CharField(max_length=40)
    findings = models.JSONField(default=list)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["agent_hash", "model", "blob_hash"], name="agent_result_key"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.agent_hash[:12]} {self.model} {self.blob_hash[:12]}"
