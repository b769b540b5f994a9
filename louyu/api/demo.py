"""Open311 demo data: the building-app key of the demo's enterprise contact, and two reports it
filed whose addresses matched no building, waiting in 环西楼宇社区's intake queue for the clerk to
place (issue 12). The key itself is not kept anywhere: `manage.py open311_key USERNAME` issues
one to try the endpoint with."""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Any

from django.contrib.auth import get_user_model

from louyu.api.models import Open311Submission
from louyu.api.open311.services import open311_key_create
from louyu.core.models import Node
from louyu.servicedesk.demo import DEMO_NOW
from louyu.servicedesk.models import ServiceItem

INTAKE = [
    ("环城西路近教场路口，3号楼后门", "后门消防通道被电动车堵住。", "王", "先生", "13905710001"),
    ("体育场路 458 号对面", "人行道路灯不亮已有一周。", "陈", "女士", "13905710002"),
]


def open311_seed(*, actor: Any = None) -> dict[str, int]:
    """One key and two unplaced submissions; returns row counts."""
    user = get_user_model().objects.get(username="enterprise")
    community = Node.objects.get(kind=Node.Kind.COMMUNITY, name="环西楼宇社区")
    key, _raw = open311_key_create(actor=actor, user=user, name="楼宇通 App")
    items = [item for item in ServiceItem.objects.filter(is_active=True) if not item.form_fields]
    rows = [
        Open311Submission(
            key=key,
            token=secrets.token_urlsafe(24),
            jurisdiction=community,
            service_item=items[index % len(items)],
            address_string=address,
            description=description,
            reporter_name=f"{surname}{title}",
            reporter_phone=phone,
            created_at=DEMO_NOW - timedelta(hours=3 * (index + 1)),
        )
        for index, (address, description, surname, title, phone) in enumerate(INTAKE)
    ]
    Open311Submission.objects.bulk_create(rows)
    return {"open311_keys": 1, "open311_intake": len(rows)}
