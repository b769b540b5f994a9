import io
from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from louyu.core.exceptions import ApplicationError
from louyu.economy.models import Enterprise
from louyu.servicedesk.models import Channel, Visit
from louyu.servicedesk.selectors import visit_list
from louyu.servicedesk.services import visits


class VisitScheduleTests:
    def test_it_schedules_from_a_warning_once(self, desk):
        enterprise = desk.scopes["enterprise"]
        first = visits.visit_schedule(
            actor=None,
            enterprise=enterprise,
            due_on=date(2026, 12, 1),
            reason="税收同比下降 30%",
            source="economy.warning:17",
        )
        again = visits.visit_schedule(
            actor=None,
            enterprise=enterprise,
            due_on=date(2026, 12, 2),
            reason="税收同比下降 30%",
            source="economy.warning:17",
        )
        assert first == again and first.source == Visit.Source.WARNING
        assert first.community == desk.nodes["community"]

    def test_a_model_source_is_kept_as_a_reference(self, desk):
        visit = visits.visit_schedule(
            actor=desk.users["clerk"],
            enterprise=desk.scopes["enterprise"],
            due_on=date(2026, 12, 1),
            reason="租约将到期",
            source=desk.scopes["tax"],
        )
        assert visit.source_ref == f"servicedesk.department:{desk.scopes['tax'].pk}"

    def test_the_outsider_cannot_schedule(self, desk):
        with pytest.raises(ApplicationError):
            visits.visit_schedule(
                actor=desk.users["outsider"],
                enterprise=desk.scopes["enterprise"],
                due_on=date(2026, 12, 1),
                reason="x",
            )


class VisitPlanTests:
    def test_every_enterprise_is_visited_once_per_interval(self, desk):
        plan = visits.visit_plan_save(
            actor=desk.users["clerk"], community=desk.nodes["community"], interval_days=91
        )
        today = date(2026, 11, 27)
        assert visits.visit_plan_run(today=today) == 1
        assert visits.visit_plan_run(today=today) == 0  # the open visit stops a second one
        visit = Visit.objects.get(plan=plan)
        Visit.objects.filter(pk=visit.pk).update(
            status=Visit.Status.DONE,
            recorded_at=timezone.make_aware(timezone.datetime(2026, 11, 27, 10)),
        )
        assert visits.visit_plan_run(today=today + timedelta(days=30)) == 0
        assert visits.visit_plan_run(today=today + timedelta(days=80)) == 1
        assert Visit.objects.filter(plan=plan).latest("id").due_on == today + timedelta(days=91)


class VisitRecordTests:
    def test_check_in_record_and_turn_a_finding_into_a_request(self, desk, settings, tmp_path):
        settings.MEDIA_ROOT = tmp_path
        clerk = desk.users["clerk"]
        visit = visits.visit_schedule(
            actor=clerk,
            enterprise=desk.scopes["enterprise"],
            due_on=date(2026, 12, 1),
            reason="走访",
        )
        assert list(visit_list(clerk)) == [visit]
        assert list(visit_list(desk.users["outsider"])) == []
        with pytest.raises(ApplicationError):
            visits.visit_record(actor=clerk, visit=visit, findings="x")
        visits.visit_check_in(actor=clerk, visit=visit)
        assert visit.checked_in_at is not None
        pixel = io.BytesIO()
        Image.new("RGB", (2, 2), "red").save(pixel, format="PNG")
        png = SimpleUploadedFile("p.png", pixel.getvalue(), content_type="image/png")
        not_an_image = SimpleUploadedFile("p.png", b"<script>", content_type="image/png")
        with pytest.raises(ApplicationError) as refused:
            visits.visit_record(actor=clerk, visit=visit, findings="x", photos=[png, not_an_image])
        assert refused.value.code == "image_invalid" and visit.photos.count() == 0
        visits.visit_record(actor=clerk, visit=visit, findings="消防通道堆放杂物", photos=[png])
        assert visit.status == Visit.Status.DONE and visit.photos.count() == 1
        request = visits.visit_finding_to_request(actor=clerk, visit=visit, title="清理消防通道")
        assert request.channel == Channel.VISIT and request.source_visit == visit
        assert request.enterprise == desk.scopes["enterprise"]
        assert request.description == "消防通道堆放杂物"
        assert Enterprise.objects.count() == 2
