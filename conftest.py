import importlib

import pytest

from louyu.testing import World, build_world


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix) -> None:
    """On PostgreSQL the test database's commits do not wait for the disk (a test database
    is thrown away; the live-server and transactional tests commit thousands of times)."""
    from django.conf import settings

    database = settings.DATABASES["default"]
    if database["ENGINE"] == "django.db.backends.postgresql":
        options = database.setdefault("OPTIONS", {})
        options["options"] = f"{options.get('options', '')} -c synchronous_commit=off".strip()


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
def _default_language(settings):
    """Each test starts in the default language (zh-Hans): a test that left English active in
    its thread must not change what the next one in the same worker reads."""
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _fresh_holiday_calendar():
    """Each test reads the holiday calendar of its own database (a rolled-back test's rows
    must not linger in the process's copy)."""
    from louyu.lib import workdays

    workdays.invalidate()
    yield
    workdays.invalidate()


# The rows data migrations seed: (model label, migration module, its seeding function).
MIGRATION_SEEDS = [
    ("core.CalendarDay", "louyu.core.migrations.0005_calendarday_seed", "seed"),
    ("economy.Industry", "louyu.economy.migrations.0003_industry_data", "load"),
    ("economy.WarningPolicy", "louyu.economy.migrations.0005_warnings_investment", "policy_seed"),
]


@pytest.fixture(autouse=True)
def _migration_seeds(request):
    """The rows the data migrations seed (holiday calendar, industries, warning policy), for
    every test with a database. A transactional test flushes every table when it ends, and under
    pytest-xdist a database test of another file may follow it in the same worker."""
    names = set(request.fixturenames)
    if not names & {"db", "transactional_db"} and not request.node.get_closest_marker("django_db"):
        return
    request.getfixturevalue("transactional_db" if "transactional_db" in names else "db")
    from django.apps import apps

    for label, module, function in MIGRATION_SEEDS:
        if not apps.get_model(label).objects.exists():
            getattr(importlib.import_module(module), function)(apps, None)
