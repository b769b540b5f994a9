"""Periodic work of the messaging platform: thin wrappers over services."""

from __future__ import annotations

from datetime import timedelta

from django_tasks import task

from louyu.core.jobs import DAY, periodic
from louyu.messaging import services


@periodic("messaging.members_sync", every=timedelta(minutes=10))
def members_sync() -> str:
    """Building and community channels follow occupancies and roles; department work groups
    follow the department handlers."""
    from louyu.servicedesk.models import Department

    result = services.conversation_members_sync()
    departments = 0
    for department in Department.objects.all():
        services.department_group_sync(department=department)
        departments += 1
    return str({**result, "departments": departments})


@periodic("messaging.escalate", every=timedelta(seconds=15))
def escalate() -> str:
    """Service questions nobody on staff answered in time go to the managers."""
    return f"escalated {services.service_questions_escalate()}"


@periodic("messaging.purge", every=DAY)
def purge() -> str:
    """Messages past their channel kind's retention."""
    return str(services.messages_purge())


@task()
def building_members_sync_task(*, building_ids: list[int]) -> str:
    """Channels of buildings whose occupancies changed (economy schedules it on commit)."""
    from louyu.core.models import Node

    synced = [
        services.building_members_sync(building)
        for building in Node.objects.filter(pk__in=building_ids, kind=Node.Kind.BUILDING)
    ]
    return f"synced {len(synced)} buildings"
