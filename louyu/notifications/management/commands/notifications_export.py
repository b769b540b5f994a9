"""manage.py notifications_export USERNAME [--output FILE] [--actor ADMIN]: one person's
notification data as JSON (PIPL access request), audited."""

from __future__ import annotations

import json
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from louyu.notifications.services import notifications_export


class Command(BaseCommand):
    help = "Write one user's notifications, deliveries and preferences as JSON (audited)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--output", "-o", help="file to write (default: standard output)")
        parser.add_argument("--actor", help="the admin answering the request (audit log)")

    def handle(self, *args: Any, **options: Any) -> None:
        users = get_user_model().objects
        user = users.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"no user named {options['username']!r}")
        actor = None
        if options.get("actor"):
            actor = users.filter(username=options["actor"]).first()
            if actor is None:
                raise CommandError(f"no user named {options['actor']!r}")
        data = notifications_export(actor=actor, user=user)
        text = json.dumps(data, ensure_ascii=False, indent=2)
        if options.get("output"):
            with open(options["output"], "w", encoding="utf-8") as out:
                out.write(text + "\n")
            self.stdout.write(
                f"wrote {len(data['notifications'])} notifications to {options['output']}"
            )
        else:
            self.stdout.write(text)
