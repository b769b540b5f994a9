"""`manage.py changepassword` goes through the password service (issue 13): Django's own command
set the password and left the user's API tokens working."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from louyu.accounts.management.commands import changepassword
from louyu.api.models import ApiToken
from louyu.api.services import token_issue
from louyu.core.models import AuditLog

pytestmark = pytest.mark.django_db


@pytest.fixture
def typed(monkeypatch):
    """The passwords typed at the prompt, in order."""
    answers: list[str] = []
    monkeypatch.setattr(changepassword.Command, "_get_pass", lambda self, prompt="": answers.pop(0))
    return answers


class ChangePasswordTests:
    def test_it_sets_the_password_revokes_the_tokens_and_audits(self, world, typed):
        token, _ = token_issue(actor=world.clerk)
        typed += ["New@2013pass", "New@2013pass"]
        out = io.StringIO()
        call_command("changepassword", "clerk", stdout=out)
        assert "Password changed successfully for user 'clerk'" in out.getvalue()
        world.clerk.refresh_from_db()
        assert world.clerk.check_password("New@2013pass")
        token.refresh_from_db()
        assert token.revoked_reason == ApiToken.RevokedReason.PASSWORD
        assert AuditLog.objects.get(action="user.password_set").actor is None
        assert AuditLog.objects.get(action="token.revoke").after["reason"] == "password"

    def test_it_asks_again_after_a_mismatch_or_a_weak_password(self, world, typed):
        typed += ["New@2013pass", "other", "abc", "abc", "New@2013pass", "New@2013pass"]
        err = io.StringIO()
        call_command("changepassword", "clerk", stdout=io.StringIO(), stderr=err)
        assert "do not match" in err.getvalue()
        world.clerk.refresh_from_db()
        assert world.clerk.check_password("New@2013pass")
        assert AuditLog.objects.filter(action="user.password_set").count() == 1

    def test_it_gives_up_after_three_tries_and_changes_nothing(self, world, typed):
        token, _ = token_issue(actor=world.clerk)
        typed += ["abc", "abc"] * 3
        with pytest.raises(CommandError, match="after 3 attempts"):
            call_command("changepassword", "clerk", stdout=io.StringIO(), stderr=io.StringIO())
        token.refresh_from_db()
        assert token.revoked_at is None
        assert not AuditLog.objects.filter(action="user.password_set").exists()

    def test_an_unknown_user_is_refused(self, world, typed):
        with pytest.raises(CommandError, match="does not exist"):
            call_command("changepassword", "nobody-here", stdout=io.StringIO())
