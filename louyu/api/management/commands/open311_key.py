"""`manage.py open311_key USERNAME [--name TEXT] [--jurisdiction CODE] [--actor USERNAME]`:
issue an Open311 api_key for an account and print it once (only its hash is kept)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from louyu.api.open311.selectors import open311_jurisdiction
from louyu.api.open311.services import open311_key_create


class Command(BaseCommand):
    help = (
        "Issue an Open311 GeoReport v2 api_key that files requests as USERNAME; the key is "
        "printed once and cannot be shown again."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--name", default="", help="Which client system uses the key.")
        parser.add_argument(
            "--jurisdiction",
            default="",
            help="Division code of the node the key may file for (default: anywhere).",
        )
        parser.add_argument(
            "--actor", default="", help="Username recorded as the issuer (default: system)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        users = get_user_model().objects.filter(is_active=True)
        user = users.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"找不到有效账号 No active account: {options['username']}")
        actor = None
        if options["actor"]:
            actor = users.filter(username=options["actor"]).first()
            if actor is None:
                raise CommandError(f"找不到有效账号 No active account: {options['actor']}")
        jurisdiction = None
        if options["jurisdiction"]:
            jurisdiction = open311_jurisdiction(options["jurisdiction"])
            if jurisdiction is None:
                raise CommandError(
                    f"没有该区划代码 No node with division code {options['jurisdiction']}"
                )
        key, raw = open311_key_create(
            actor=actor, user=user, name=options["name"], jurisdiction=jurisdiction
        )
        self.stderr.write(f"Open311 api_key #{key.pk} for {user.username} (只显示一次 shown once):")
        self.stdout.write(raw)
