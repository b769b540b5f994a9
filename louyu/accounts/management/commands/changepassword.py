"""`manage.py changepassword [USERNAME]`, as Django's, but through the one write path of a
password (accounts.services.user_password_set): the policy is checked, the change audited, and
the user's API tokens revoked. It replaces django.contrib.auth's command because louyu.accounts
comes before django.contrib.auth in INSTALLED_APPS."""

from __future__ import annotations

import getpass
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.management.commands import changepassword
from django.core.exceptions import ValidationError
from django.core.management.base import CommandError

from louyu.accounts.services import user_password_set

TRIES = 3


class Command(changepassword.Command):
    def _get_pass(self, prompt: str = "Password: ") -> str:
        return getpass.getpass(prompt)

    def handle(self, *args: Any, **options: Any) -> str:
        username = options["username"] or getpass.getuser()
        model = get_user_model()
        try:
            user = model._default_manager.db_manager(options["database"]).get_by_natural_key(
                username
            )
        except model.DoesNotExist:
            raise CommandError(f"user '{username}' does not exist") from None
        self.stdout.write(f"Changing password for user '{username}'")
        for _ in range(TRIES):
            password = self._get_pass()
            if password != self._get_pass("Password (again): "):
                self.stderr.write("Passwords do not match. Please try again.")
                continue
            try:
                user_password_set(actor=None, user=user, password=password)
            except ValidationError as error:
                self.stderr.write("\n".join(error.messages))
                continue
            return f"Password changed successfully for user '{username}'"
        raise CommandError(f"Aborting password change for user '{username}' after {TRIES} attempts")
