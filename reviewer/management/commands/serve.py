"""``manage.py serve``: the whole product in one command, on its embedded defaults.

Migrates the database, makes sure someone can log in, then runs the web UI (gunicorn),
a Celery worker and the scheduler as child processes until Ctrl-C stops all of them.
"""

from __future__ import annotations

import os
import secrets
import signal
import sys
import time
from pathlib import Path
from types import FrameType
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.staticfiles.finders import get_finders
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction

from dashboard.private_files import PRIVATE_UMASK, private_dir
from reviewer.backfill import backfill
from reviewer.demo import add_commit, build_demo_repo, commit_dates
from reviewer.demo import commits as demo_commits
from reviewer.models import Project, Scan
from reviewer.scanning import request_scan
from reviewer.supervisor import Supervisor
from reviewer.tasks import enqueue_scan
from reviewer.teams import demo_team

DEMO_NAME = "demo"


class Command(BaseCommand):
    help = "Run Reviewdeck: web UI, a Celery worker and the scheduler (Ctrl-C stops all)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("addrport", nargs="?", default="127.0.0.1:8000")
        parser.add_argument("--demo", action="store_true", help="Add and scan a demo repository")
        parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")

    def handle(self, *args: Any, **options: Any) -> None:
        addrport: str = options["addrport"]
        if ":" not in addrport:
            addrport = f"127.0.0.1:{addrport}"
        # Everything this process group writes (broker messages, clones, the database's
        # journals) is readable by this user only.
        os.umask(PRIVATE_UMASK)
        private_dir(settings.DATA_DIR)
        private_dir(settings.REVIEWDECK_WORKDIR)
        for folder in settings.CELERY_BROKER_TRANSPORT_OPTIONS.values():
            if isinstance(folder, str):
                private_dir(Path(folder))
        call_command("migrate", interactive=False, verbosity=0)
        _collect_static()
        self._ensure_login()
        if options["demo"]:
            self._add_demo()

        python = sys.executable
        children = {
            "web": [
                python,
                "-m",
                "gunicorn",
                "dashboard.wsgi:application",
                "--bind",
                addrport,
                "--workers",
                str(options["workers"]),
                "--access-logfile",
                "-",
            ],
            "worker": [
                python,
                "-m",
                "celery",
                "-A",
                "dashboard",
                "worker",
                "--pool",
                "solo",
                "-Q",
                settings.REVIEWDECK_ALL_QUEUES,
                "--loglevel",
                "INFO",
                "--without-heartbeat",
                "--without-gossip",
                "--without-mingle",
            ],
            "beat": [
                python,
                "-m",
                "celery",
                "-A",
                "dashboard",
                "beat",
                "--loglevel",
                "INFO",
                "--schedule",
                str(settings.DATA_DIR / "celerybeat-schedule"),
            ],
        }
        supervisor = Supervisor(children, settings.BASE_DIR, self.stderr.write)
        supervisor.start()
        self.stdout.write(self.style.SUCCESS(f"Reviewdeck is running on http://{addrport}/"))
        self.stdout.write("Press Ctrl-C to stop.")

        stopping = False

        def stop(signum: int, frame: FrameType | None) -> None:
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        # A child that dies is started again with a back-off; the others keep running.
        while not stopping:
            supervisor.tick()
            time.sleep(0.5)
        supervisor.stop()
        self.stdout.write("Stopped.")

    def _ensure_login(self) -> None:
        user_model = get_user_model()
        if user_model.objects.filter(is_superuser=True).exists():
            return
        if os.environ.get("DJANGO_SUPERUSER_USERNAME"):
            call_command("createsuperuser", interactive=False, verbosity=0)
            self.stdout.write(
                f"Created superuser {os.environ['DJANGO_SUPERUSER_USERNAME']} from the environment."
            )
            return
        password = secrets.token_urlsafe(12)
        user_model.objects.create_superuser("admin", "", password)
        self.stdout.write(
            self.style.WARNING(
                f"Created a login: user 'admin', password '{password}' (shown once; change it "
                "with `uv run manage.py changepassword admin`)."
            )
        )

    def _add_demo(self) -> None:
        """The demo project with its history: the first time, its dated commits up to last
        week are backfilled here (rules only, a few seconds), then this week's commit is
        added and scanned by the worker like any change, so the trends, the debt
        burn-down and the meeting page all have real points."""
        repo = settings.DATA_DIR / "demo-repo"
        project = Project.objects.filter(slug=DEMO_NAME).first()
        fresh = project is None or not project.scans.exists()
        if fresh or not (repo / ".git").exists():
            build_demo_repo(repo, upto=len(demo_commits()) - 1, dated=True)
        with transaction.atomic():
            project, _ = Project.objects.update_or_create(
                slug=DEMO_NAME,
                defaults={
                    "name": DEMO_NAME,
                    "repo_url": str(repo),
                    "backfill_weeks": len(demo_commits()) + 1,
                },
            )
        demo_team(project)  # the meeting page is per team: the login is in it
        if fresh:
            history = backfill(project)
            add_commit(repo, demo_commits()[-1], commit_dates()[-1])
            self.stdout.write(f"Demo history: {history.note}.")
        scan, created = request_scan(project, Scan.Trigger.MANUAL)
        if created:
            enqueue_scan(scan)
        self.stdout.write(f"Demo project '{DEMO_NAME}' added; its scan #{scan.pk} is queued.")


def _collect_static() -> None:
    """The manifest storage serves hashed file names that collectstatic writes: collect
    when the manifest is missing or older than a source file (compressing every file takes
    seconds, so not at every start)."""
    manifest = Path(settings.STATIC_ROOT) / "staticfiles.json"
    newest = max(
        (
            Path(storage.path(path)).stat().st_mtime
            for finder in get_finders()
            for path, storage in finder.list([])
        ),
        default=0.0,
    )
    if not manifest.exists() or manifest.stat().st_mtime < newest:
        call_command("collectstatic", interactive=False, verbosity=0)
