import pytest
from django.db import transaction

from louyu.core import events
from louyu.core.events import send_event_on_commit


class RecordingLayer:
    """A channel layer that remembers what was sent to which group."""

    def __init__(self, fail: bool = False):
        self.sent: list[tuple[str, dict]] = []
        self.fail = fail

    async def group_send(self, group, message):
        if self.fail:
            raise ConnectionError("redis is down")
        self.sent.append((group, message))


@pytest.fixture
def layer(monkeypatch):
    layer = RecordingLayer()
    monkeypatch.setattr(events, "get_channel_layer", lambda: layer)
    return layer


EVENT = {"type": "request.assigned", "id": 7}


@pytest.mark.django_db
class SendEventOnCommitTests:
    def test_it_sends_to_each_recipient_once_after_commit(
        self, world, layer, django_capture_on_commit_callbacks
    ):
        clerk, street = world.users["clerk"], world.users["street"]
        with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
            send_event_on_commit(EVENT, [clerk, street.pk, clerk.pk])
            assert layer.sent == []  # not before commit

        assert layer.sent == [
            (f"user.{pk}", {"type": "louyu.event", "event": EVENT})
            for pk in sorted([clerk.pk, street.pk])
        ]

    def test_it_sends_nothing_when_the_transaction_rolls_back(
        self, world, layer, django_capture_on_commit_callbacks
    ):
        with (
            django_capture_on_commit_callbacks(execute=True) as callbacks,
            pytest.raises(RuntimeError),
            transaction.atomic(),
        ):
            send_event_on_commit(EVENT, [world.users["clerk"]])
            raise RuntimeError("rolled back")

        assert callbacks == []
        assert layer.sent == []

    def test_it_refuses_an_event_that_cannot_be_sent_as_json(self, world, layer):
        with pytest.raises(TypeError):
            send_event_on_commit({"type": "bad", "when": object()}, [world.users["clerk"]])

    def test_it_schedules_nothing_without_recipients(
        self, layer, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks() as callbacks:
            send_event_on_commit(EVENT, [])
        assert callbacks == []

    def test_a_failing_layer_does_not_fail_the_committed_write(
        self, world, monkeypatch, django_capture_on_commit_callbacks, caplog
    ):
        monkeypatch.setattr(events, "get_channel_layer", lambda: RecordingLayer(fail=True))
        with django_capture_on_commit_callbacks(execute=True):
            send_event_on_commit(EVENT, [world.users["clerk"]])
        assert "could not push event request.assigned" in caplog.text
