"""The service center's part of the benchmark data set: 32 departments, two catalog items per
category of the five, and service requests spread over the enterprises (and so over buildings
and communities), all states, deterministic. Loaded with COPY by `bench.generate`."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from bench.generate import _copy

REQUESTS = {"smoke": 1_000, "small": 20_000, "full": 100_000}
CATEGORIES = ("economy", "livelihood", "urban", "governance", "party")
# States in the proportions of a working desk: most open work is accepted or with a department.
STATES = (
    "submitted", "accepted", "accepted", "dispatched", "signed", "in_progress",
    "awaiting_documents", "done", "rated", "closed", "closed", "refused",
)  # fmt: skip
CHANNELS = ("web", "mobile", "counter", "visit", "phone")
# Requests are spread over the 90 days before the load, so deadlines and lights are those of a
# working desk (some overdue, most not); everything else is fixed by the index.
SPAN = timedelta(days=90)


def load(cur: Any, scale_name: str) -> int:
    """Departments, items and requests through `cur` (Django's psycopg cursor); returns the
    number of requests."""
    from louyu.servicedesk.models import Department, ServiceItem, ServiceRequest

    departments = [(d + 1, f"bench-d{d + 1:02d}", f"基准部门{d + 1:02d}") for d in range(32)]
    _copy(cur, Department, ["id", "code", "name"], departments)
    items = []
    for c, category in enumerate(CATEGORIES):
        for k in range(2):
            pk = c * 2 + k + 1
            items.append((pk, f"bench-{category}-{k}", f"基准事项{pk:02d}", category, pk, 10, 5))
    fields = [
        "id",
        "code",
        "name",
        "category",
        "lead_department",
        "statutory_days",
        "promised_days",
    ]
    _copy(cur, ServiceItem, fields, items)
    cur.execute(
        "SELECT e.id, e.building_id, b.parent_id FROM economy_enterprise e "
        "JOIN core_node b ON b.id = e.building_id ORDER BY e.id"
    )
    enterprises = cur.fetchall()
    n = REQUESTS[scale_name]
    end = datetime.now(UTC).replace(hour=1, minute=0, second=0, microsecond=0)
    step = SPAN / n

    def rows() -> Any:
        for i in range(n):
            enterprise, building, community = enterprises[i % len(enterprises)]
            item = i % len(items) + 1
            status = STATES[(i * 7) % len(STATES)]
            submitted = end - SPAN + step * i
            day = submitted.date()
            with_department = status in {
                "dispatched", "signed", "in_progress", "done", "rated", "closed",
            }  # fmt: skip
            yield (
                i + 1,
                f"BN{i + 1:08d}",
                f"基准事项申请{i + 1:06d}",
                community,
                building,
                enterprise,
                item,
                CATEGORIES[(item - 1) // 2],
                item if with_department else None,
                CHANNELS[i % len(CHANNELS)],
                status,
                submitted,
                submitted,
                day + timedelta(days=1),
                day + timedelta(days=7) if status != "submitted" else None,
                (day + timedelta(days=2)) if with_department else None,
            )

    fields = [
        "id", "number", "title", "community", "building", "enterprise", "service_item",
        "category", "department", "channel", "status", "submitted_at", "updated_at",
        "response_due_on", "due_on", "sign_due_on",
    ]  # fmt: skip
    count = _copy(cur, ServiceRequest, fields, rows())
    for table in (
        "servicedesk_department",
        "servicedesk_serviceitem",
        "servicedesk_servicerequest",
    ):
        cur.execute(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
            f"(SELECT coalesce(max(id), 0) + 1 FROM {table}), false)"
        )
    return count
