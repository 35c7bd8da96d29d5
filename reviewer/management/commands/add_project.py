from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.text import slugify

from reviewer import git, project_names
from reviewer.models import Project
from reviewer.outbound import Policy


class Command(BaseCommand):
    help = "Register a git repository as a project."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name")
        parser.add_argument("url", help="https://, ssh://, git:// URL or a local path")
        parser.add_argument("--branch", default="", help="Branch to scan (default: the default)")
        parser.add_argument("--team", default="", help="Name of the team (group) that owns it")

    def handle(self, *args: Any, **options: Any) -> None:
        name: str = options["name"].strip()
        if not slugify(name):
            raise CommandError("The name needs letters or digits.")
        try:
            url = git.validate_stored_repo_url(
                options["url"], local_roots=settings.REVIEWDECK_LOCAL_REPO_ROOTS
            )
            git.refuse_internal_literal(
                url, settings.REVIEWDECK_LOCAL_REPO_ROOTS, Policy.from_settings()
            )
            branch = git.validate_branch(options["branch"])
        except git.RepoError as exc:
            raise CommandError(str(exc)) from None
        team = None
        if options["team"]:
            team, _ = Group.objects.get_or_create(name=options["team"])
        if project_names.name_taken(name, team):
            owner = f"team {team.name}" if team else "no team"
            raise CommandError(f"A project named {name!r} of {owner} already exists.")
        project = Project.objects.create(
            name=name,
            slug=project_names.free_slug(name),
            repo_url=url,
            branch=branch,
            team=team,
        )
        self.stdout.write(f"Added project {project.name} ({project.slug}).")
