import pytest

from louyu.notifications.registry import notification_kind_register


@pytest.fixture
def kind():
    """A kind of the test's own: in-app and e-mail by default, kept 30 days."""
    return notification_kind_register(
        "tests.ping",
        label="Ping",
        pillar="system",
        channels_default=("inapp", "email"),
        retention_days=30,
    ).key


@pytest.fixture
def events(monkeypatch):
    """Every live event sent (event, recipients), captured where the service sends it."""
    sent: list[tuple[dict, list[int]]] = []
    monkeypatch.setattr(
        "louyu.notifications.services.send_event_on_commit",
        lambda event, users: sent.append((event, sorted(users))),
    )
    return sent


@pytest.fixture
def immediate_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
