"""Shared helpers for revisions (declares no revision)."""

down_revision = "not-a-revision"
