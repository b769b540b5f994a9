import pytest
from django.core.exceptions import ValidationError

import louyu.settings as louyu_settings
from louyu.accounts.validators import CharacterClassValidator


class CharacterClassValidatorTests:
    def test_it_rejects_two_character_classes(self):
        with pytest.raises(ValidationError) as excinfo:
            CharacterClassValidator(min_classes=3).validate("abcdefgh1")
        assert excinfo.value.error_list[0].code == "password_too_simple"

    def test_it_accepts_three_character_classes(self):
        CharacterClassValidator(min_classes=3).validate("Abcdefg1")

    def test_it_counts_symbols_as_a_class(self):
        CharacterClassValidator(min_classes=3).validate("abcdefg1!")

    def test_it_follows_the_configured_number_of_classes(self):
        CharacterClassValidator(min_classes=2).validate("abcdefgh1")
        with pytest.raises(ValidationError):
            CharacterClassValidator(min_classes=4).validate("Abcdefg1")

    def test_it_names_the_number_in_the_help_text(self, settings):
        settings.LANGUAGE_CODE = "en"
        from django.utils import translation

        with translation.override("en"):
            assert "at least 3 kinds" in CharacterClassValidator(3).get_help_text()


class PasswordPolicySettingsTests:
    def test_it_hashes_with_argon2_first(self):
        # Tests swap in MD5 for speed (conftest.py); the settings module itself must not.
        assert louyu_settings.PASSWORD_HASHERS[0] == (
            "django.contrib.auth.hashers.Argon2PasswordHasher"
        )

    def test_it_asks_for_eight_characters_and_three_classes(self):
        validators = {
            v["NAME"].rsplit(".", 1)[1]: v for v in louyu_settings.AUTH_PASSWORD_VALIDATORS
        }
        assert validators["MinimumLengthValidator"]["OPTIONS"]["min_length"] >= 8
        assert validators["CharacterClassValidator"]["OPTIONS"]["min_classes"] >= 3

    def test_it_locks_out_after_at_most_five_failures_per_account_and_per_ip(self):
        assert louyu_settings.AXES_FAILURE_LIMIT <= 5
        assert louyu_settings.AXES_LOCKOUT_PARAMETERS == ["username", "ip_address"]

    def test_it_times_out_idle_sessions_within_thirty_minutes(self):
        assert 0 < louyu_settings.LOUYU_IDLE_TIMEOUT <= 30 * 60
