"""GeoReport shapes: status folding, +08:00 datetimes, notices and definitions."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from louyu.api.open311.serializers import (
    definition_repr,
    end_of_day,
    iso,
    open_or_closed,
    service_notice,
    service_type,
)
from louyu.servicedesk.models import OPEN_STATUSES, Status


class SerializerTests:
    def test_it_writes_beijing_time_with_its_offset(self):
        assert iso(datetime(2026, 5, 1, 1, 30, tzinfo=UTC)) == "2026-05-01T09:30:00+08:00"
        assert iso(None) is None
        assert end_of_day(date(2026, 10, 8)) == "2026-10-08T23:59:59+08:00"
        assert end_of_day(None) is None

    @pytest.mark.parametrize("status", list(Status))
    def test_it_folds_every_workflow_state_onto_open_or_closed(self, status):
        expected = "open" if status in OPEN_STATUSES else "closed"
        assert open_or_closed(status) == expected
        if status in {Status.DONE, Status.REFUSED, Status.CLOSED, Status.RATED}:
            assert expected == "closed"


@pytest.mark.django_db
class CatalogShapeTests:
    def test_it_tells_what_to_expect_and_bring(self, catalog):
        assert service_notice(catalog.invoice) == (
            "承诺 3 个工作日内办结（法定时限 10 个工作日）。 请备齐：营业执照副本、经办人身份证。"
        )
        catalog.hazard.promised_days = 0
        assert service_notice(catalog.hazard) == "即来即办，当场办结。"

    def test_it_marks_proxy_items_batch(self, catalog):
        assert service_type(catalog.invoice) == "batch"
        assert service_type(catalog.light) == "realtime"

    def test_it_leaves_out_the_checklist_when_there_are_no_documents(self, catalog):
        attributes = definition_repr(catalog.light)["attributes"]
        assert [(a["code"], a["order"], a["variable"]) for a in attributes] == [("pole", 1, True)]
        assert "values" not in attributes[0]
        assert definition_repr(catalog.hazard) == {"service_code": "fire-hazard", "attributes": []}
