"""manage.py backfill NAME [--weeks N] [--queue]: scan a project's weekly history."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from reviewer import git
from reviewer.backfill import BackfillBusyError, backfill
from reviewer.models import Project
from reviewer.tasks import start_backfill


class Command(BaseCommand):
    help = "Scan the last commit of each of the last N weeks (rules only) for trend history."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name", help="project name or slug")
        parser.add_argument("--weeks", type=int, default=None, help="default: the project's")
        parser.add_argument("--queue", action="store_true", help="hand it to a worker")

    def handle(self, *args: Any, **options: Any) -> None:
        name: str = options["name"]
        project = (
            Project.objects.filter(slug=name).first() or Project.objects.filter(name=name).first()
        )
        if project is None:
            raise CommandError(f"No project named {name!r}.")
        weeks = options["weeks"]
        if weeks is not None and not 1 <= weeks <= 520:
            raise CommandError("--weeks must be between 1 and 520.")
        if options["queue"]:
            if not start_backfill(project, weeks):
                raise CommandError("The task queue is unavailable.")
            self.stdout.write(f"Backfill of {project.name} queued.")
            return
        try:
            done = backfill(project, weeks)
        except (git.RepoError, BackfillBusyError) as exc:
            raise CommandError(str(exc)) from None
        for scan in done.scans:
            summary = scan.summary
            self.stdout.write(
                f"{summary.created_at:%Y-%m-%d} {scan.commit_sha[:10]}: "
                f"{summary.open_critical} critical, {summary.open_important} important, "
                f"{summary.open_suggestion} suggestions"
            )
        self.stdout.write(f"{project.name}: {done.note}.")
