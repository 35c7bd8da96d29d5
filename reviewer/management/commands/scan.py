from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import Q

from reviewer.models import Project, Scan
from reviewer.scanning import request_scan, run_scan
from reviewer.tasks import QueueUnavailableError, after_scan, enqueue_scan


class Command(BaseCommand):
    help = "Scan a project now (in this process), or queue the scan for a worker with --queue."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name", help="Project name or slug")
        parser.add_argument("--queue", action="store_true", help="Hand the scan to a worker")

    def handle(self, *args: Any, **options: Any) -> None:
        project = Project.objects.filter(Q(name=options["name"]) | Q(slug=options["name"])).first()
        if project is None:
            raise CommandError(f"No project named {options['name']!r}.")
        scan, created = request_scan(project, Scan.Trigger.CLI)
        if not created:
            raise CommandError(f"Scan #{scan.pk} of {project.name} is already {scan.status}.")
        if options["queue"]:
            try:
                enqueue_scan(scan)
            except QueueUnavailableError as exc:
                raise CommandError("The task queue is unavailable.") from exc
            self.stdout.write(f"Queued scan #{scan.pk} of {project.name}.")
            return
        finished = run_scan(scan.pk)
        if finished is not None:
            after_scan(finished)
        scan.refresh_from_db()
        if scan.status != Scan.Status.SUCCEEDED:
            raise CommandError(f"Scan #{scan.pk} failed: {scan.error}")
        summary = scan.summary
        self.stdout.write(
            f"Scan #{scan.pk} of {project.name} at {scan.commit_sha[:10]}: "
            f"{summary.open_total} open ({summary.open_critical} critical, "
            f"{summary.open_important} important, {summary.open_suggestion} suggestion), "
            f"{summary.new_count} new, {summary.fixed_count} fixed."
        )
