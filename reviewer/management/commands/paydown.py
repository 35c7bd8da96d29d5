"""``manage.py paydown PATH --kind pydantic|sqlalchemy [--rule ID ...]``.

Prints a unified diff (``a/`` and ``b/`` paths, for ``git apply``) that pays down the
kind's migration debt, and a summary on stderr: files changed, findings removed, what
is left for a person and, when verification fails, why the patch is not offered (no
diff is printed then). The directory is only read; its code is never imported.
Exit status: 0 a verified patch, 1 nothing offered, 2 bad arguments.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from reviewer.paydown.prepare import KINDS, PaydownError, prepare

BAD_ARGUMENT = 2


class Command(BaseCommand):
    help = (
        "Prepare a verified patch paying down pydantic or SQLAlchemy migration debt in a "
        "directory: the diff goes to stdout, the summary to stderr."
    )
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help="Directory to read (never modified)")
        parser.add_argument("--kind", required=True, choices=sorted(KINDS))
        parser.add_argument(
            "--rule", action="append", default=[], help="Only this rule (repeatable)"
        )
        parser.add_argument("--ruff", action="store_true", help="Verify with ruff findings too")

    def handle(self, *args: Any, **options: Any) -> None:
        root = Path(options["path"])
        if not root.is_dir():
            raise CommandError(f"{root} is not a directory", returncode=BAD_ARGUMENT)
        try:
            result = prepare(
                root,
                options["kind"],
                options["rule"] or None,
                ruff=options["ruff"],
                max_file_bytes=settings.REVIEWDECK_MAX_FILE_BYTES,
            )
        except PaydownError as exc:
            raise CommandError(str(exc), returncode=BAD_ARGUMENT) from exc
        if result.offered:
            self.stdout.write(result.diff, ending="")
        self.stderr.write(result.summary())
        self.stderr.write(f"prepared in {result.seconds:.1f} s")
        if not result.offered:
            sys.exit(1)
