import hashlib

import pytest

from louyu.api.models import ApiToken
from louyu.api.services import token_issue, token_revoke, tokens_revoke_all
from louyu.core.exceptions import ApplicationError
from louyu.core.models import AuditLog


@pytest.mark.django_db
class TokenIssueTests:
    def test_it_stores_only_the_digest_of_the_key(self, world):
        token, key = token_issue(actor=world.clerk, name="手机")
        row = ApiToken.objects.filter(pk=token.pk).values().get()
        assert key not in " ".join(str(value) for value in row.values())
        assert row["key_hash"] == hashlib.sha256(key.encode()).hexdigest()
        assert row["prefix"] == key[:8]
        assert len(key) > 40

    def test_it_audits_against_the_user_without_the_key(self, world):
        token, key = token_issue(actor=world.clerk)
        row = AuditLog.objects.get(action="token.issue")
        assert (row.target_type, row.target_id) == ("accounts.user", str(world.clerk.pk))
        assert row.after["token"] == token.pk
        assert key not in f"{row.target_repr} {row.after} {row.before}"


@pytest.mark.django_db
class TokenRevokeTests:
    def test_it_refuses_anyone_but_the_owner(self, world):
        token, _ = token_issue(actor=world.clerk)
        with pytest.raises(ApplicationError) as error:
            token_revoke(actor=world.outsider, token=token)
        assert error.value.status == 404
        token.refresh_from_db()
        assert token.revoked_at is None


@pytest.mark.django_db
class TokensRevokeAllTests:
    def test_it_revokes_every_unexpired_token_with_one_audit_row(self, world):
        first, _ = token_issue(actor=world.clerk)
        second, _ = token_issue(actor=world.clerk)
        others, _ = token_issue(actor=world.outsider)
        count = tokens_revoke_all(
            user=world.clerk, reason=ApiToken.RevokedReason.PASSWORD, actor=world.sysadmin
        )
        assert count == 2
        assert set(
            ApiToken.objects.filter(revoked_reason="password").values_list("pk", flat=True)
        ) == {first.pk, second.pk}
        others.refresh_from_db()
        assert others.revoked_at is None
        row = AuditLog.objects.get(action="token.revoke")
        assert row.actor == world.sysadmin
        assert row.target_id == str(world.clerk.pk)
        assert row.after == {"tokens": 2, "reason": "password"}

    def test_it_writes_no_audit_row_when_nothing_is_revoked(self, world):
        assert tokens_revoke_all(user=world.clerk, reason="disabled") == 0
        assert not AuditLog.objects.filter(action="token.revoke").exists()
