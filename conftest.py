import pytest

from louyu.testing import World, build_world


@pytest.fixture
def world(db) -> World:
    """The shared test jurisdiction with every persona (see louyu/testing.py)."""
    return build_world()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Argon2 is the production hasher (tested in accounts); tests hash thousands of times."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    """Uploads go to the test's own folder, never to var/media."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture(autouse=True)
def _fresh_holiday_calendar():
    """Each test reads the holiday calendar of its own database (a rolled-back test's rows
    must not linger in the process's copy)."""
    from louyu.lib import workdays

    workdays.invalidate()
    yield
    workdays.invalidate()
