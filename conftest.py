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
