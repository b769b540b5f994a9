from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from louyu.api.models import ApiToken
from louyu.api.services import token_issue, token_revoke

ME_URL = reverse("api:me")


def call(key, language=None):
    headers = {"Accept-Language": language} if language else {}
    return APIClient(HTTP_AUTHORIZATION=f"Token {key}").get(ME_URL, headers=headers)


@pytest.mark.django_db
class ApiTokenAuthenticationTests:
    def test_it_expires_after_the_configured_days(self, world, settings):
        settings.LOUYU_API_TOKEN_DAYS = 7
        before = timezone.now()
        token, key = token_issue(actor=world.clerk)
        assert before + timedelta(days=7) <= token.expires_at <= timezone.now() + timedelta(days=7)
        assert call(key).status_code == 200

        # Time travel: the token's lifetime is over.
        ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now())
        response = call(key)
        assert response.status_code == 401
        assert response.json()["error"] == {
            "code": "authentication_failed",
            "message": "令牌已过期，请重新登录。",
        }
        english = call(key, "en").json()["error"]["message"]
        assert english == "The token has expired. Sign in again."

    def test_it_refuses_a_revoked_token(self, world):
        token, key = token_issue(actor=world.clerk)
        token_revoke(actor=world.clerk, token=token)
        response = call(key, "en")
        assert response.status_code == 401
        assert response.json()["error"]["message"] == "The token has been revoked. Sign in again."
        assert call(key).json()["error"]["message"] == "令牌已被撤销，请重新登录。"

    def test_it_refuses_the_token_of_an_inactive_account(self, world):
        # Even without the revocation user_set_active does: the account itself is checked.
        _, key = token_issue(actor=world.clerk)
        type(world.clerk).objects.filter(pk=world.clerk.pk).update(is_active=False)
        response = call(key, "en")
        assert response.status_code == 401
        assert response.json()["error"]["message"] == "This account is disabled."
        assert call(key).json()["error"]["message"] == "该账号已停用。"

    def test_it_refuses_an_unknown_key_such_as_an_old_drf_token(self, world):
        response = call("9944b09199c62bcf9418ad846dd0e4bbdfc6ee4b", "en")
        assert response.status_code == 401
        assert response.json()["error"]["message"] == "The token is not valid."

    def test_it_refuses_the_outsiders_key_with_a_letter_changed(self, world):
        _, key = token_issue(actor=world.outsider)
        tampered = key[:-1] + ("A" if key[-1] != "A" else "B")
        assert call(tampered).status_code == 401
        assert call(key).json()["username"] == "outsider"

    def test_it_answers_anonymous_calls_401_with_a_challenge(self, world):
        response = APIClient().get(ME_URL)
        assert response.status_code == 401
        assert response["WWW-Authenticate"] == "Token"

    def test_it_marks_the_token_used_at_most_once_a_minute(self, world, django_assert_num_queries):
        token, key = token_issue(actor=world.clerk)
        client = APIClient(HTTP_AUTHORIZATION=f"Token {key}")
        client.get(ME_URL)
        token.refresh_from_db()
        first = token.last_used_at
        assert first is not None
        # token and user (1), the profile, its memberships and their nodes (3): no write.
        with django_assert_num_queries(4):
            client.get(ME_URL)
        token.refresh_from_db()
        assert token.last_used_at == first

        earlier = timezone.now() - timedelta(minutes=2)
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=earlier)
        client.get(ME_URL)
        token.refresh_from_db()
        assert token.last_used_at > earlier
