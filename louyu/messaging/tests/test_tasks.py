import pytest

from louyu.core.jobs import discover, registry
from louyu.messaging import tasks
from louyu.messaging.models import Conversation

pytestmark = pytest.mark.django_db


class PeriodicJobTests:
    def test_it_registers_the_three_jobs(self):
        discover()
        assert {"messaging.members_sync", "messaging.escalate", "messaging.purge"} <= set(registry)

    def test_the_sync_job_creates_the_node_channels(self, world):
        # Two buildings and two building communities, two channels each; one department.
        assert "'conversations': 8" in tasks.members_sync()
        assert Conversation.objects.filter(node__isnull=False).count() == 8
        group = Conversation.objects.get(kind="department")
        assert list(group.participants.values_list("user__username", flat=True)) == ["handler_tax"]

    def test_the_escalation_and_purge_jobs_run(self, world):
        assert tasks.escalate() == "escalated 0"
        assert "building" in tasks.purge()


class OccupancyFollowTests:
    def test_an_enterprise_moving_in_through_the_economy_joins_the_building_channel(
        self, chat, django_capture_on_commit_callbacks
    ):
        from datetime import timedelta
        from decimal import Decimal

        from django.utils import timezone
        from django_tasks_db.models import DBTaskResult

        from louyu.economy.services import occupancy_create
        from louyu.messaging.tests.conftest import channel

        building = chat.nodes["building"]
        with django_capture_on_commit_callbacks(execute=True):
            occupancy_create(
                actor=None,
                enterprise=chat.scopes["other_enterprise"],
                building=building,
                start=timezone.localdate() - timedelta(days=1),
                area=Decimal(100),
            )
        queued = DBTaskResult.objects.get(task_path__endswith="building_members_sync_task")
        assert queued.args_kwargs["kwargs"] == {"building_ids": [building.pk]}
        tasks.building_members_sync_task.call(building_ids=[building.pk])
        members = channel(chat, "building").participants.values_list("user__username", flat=True)
        assert "outsider" in set(members)
