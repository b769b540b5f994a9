"""Early warning (五色预警): every trigger, the grade composition, the policy, incremental and
daily recompute, the visit hook, row scope and counts."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.utils import timezone, translation
from django_tasks_db.models import DBTaskResult

from louyu.accounts.models import Role
from louyu.accounts.services import membership_grant, user_create
from louyu.core.jobs import discover, registry
from louyu.core.models import AuditLog
from louyu.economy import selectors_investment as sel
from louyu.economy import services_investment as svc
from louyu.economy.models import (
    Enterprise,
    EnterpriseAddressChange,
    EnterpriseWarning,
    StabilityGrade,
    WarningPolicy,
)
from louyu.economy.services import (
    enterprise_create,
    enterprise_update,
    occupancy_create,
    occupancy_update,
    tax_record_save,
)
from louyu.economy.tasks import warnings_daily, warnings_refresh_task
from louyu.economy.tests.conftest import pay
from louyu.notifications.models import Notification

TODAY = date(2014, 3, 1)


@pytest.fixture(autouse=True)
def _fresh_state():
    """The tax reference period is cached, and pending refreshes are per thread."""
    cache.clear()
    svc._pending.ids = set()
    yield
    cache.clear()
    svc._pending.ids = set()


def assess(enterprise: Enterprise, today: date = TODAY) -> sel.Assessment:
    found = sel.warnings_compute([enterprise.pk], today=today)
    return found.get(enterprise.pk, sel.Assessment(0, 0, []))


def triggers(enterprise: Enterprise, today: date = TODAY) -> list[str]:
    return [r["trigger"] for r in assess(enterprise, today).reasons]


def occupancy(enterprise: Enterprise):
    return enterprise.occupancies.get()


@pytest.mark.django_db
class PolicyTests:
    def test_it_is_seeded_by_the_migration_with_the_documented_defaults(self):
        policy = WarningPolicy.objects.get(pk=1)
        assert (policy.lease_days_far, policy.lease_days_mid, policy.lease_days_near) == (
            90,
            60,
            30,
        )
        assert policy.tax_drop_percent == 30
        assert policy.leave_grade == StabilityGrade.ORANGE

    def test_it_recreates_a_deleted_policy_with_defaults(self):
        WarningPolicy.objects.all().delete()
        assert sel.warning_policy().lease_days_near == 30


@pytest.mark.django_db
class LeaseTriggerTests:
    @pytest.mark.parametrize(
        ("days", "trigger", "grade"),
        [
            (0, "lease_near", StabilityGrade.ORANGE),
            (30, "lease_near", StabilityGrade.ORANGE),
            (31, "lease_mid", StabilityGrade.YELLOW),
            (60, "lease_mid", StabilityGrade.YELLOW),
            (61, "lease_far", StabilityGrade.BLUE),
            (90, "lease_far", StabilityGrade.BLUE),
        ],
    )
    def test_it_grades_the_tightest_window_the_lease_ends_in(self, economy, days, trigger, grade):
        mine = economy.world.scopes["enterprise"]
        occupancy_update(
            actor=None, occupancy=occupancy(mine), lease_expires=TODAY + timedelta(days=days)
        )
        found = assess(mine)
        assert [r["trigger"] for r in found.reasons] == [trigger]
        assert found.grade == grade
        assert found.reasons[0]["date"] == (TODAY + timedelta(days=days)).isoformat()

    @pytest.mark.parametrize("days", [91, -1, None])
    def test_it_ignores_leases_beyond_the_windows_already_past_or_unknown(self, economy, days):
        mine = economy.world.scopes["enterprise"]
        expires = None if days is None else TODAY + timedelta(days=days)
        occupancy_update(actor=None, occupancy=occupancy(mine), lease_expires=expires)
        assert assess(mine).grade == StabilityGrade.GREEN

    def test_it_ignores_the_lease_of_an_occupancy_that_has_ended(self, economy):
        mine = economy.world.scopes["enterprise"]
        occupancy_update(
            actor=None,
            occupancy=occupancy(mine),
            end=TODAY - timedelta(days=1),
            lease_expires=TODAY + timedelta(days=10),
        )
        assert triggers(mine) == []

    def test_it_follows_the_configured_windows(self, economy):
        mine = economy.world.scopes["enterprise"]
        WarningPolicy.objects.filter(pk=1).update(lease_days_near=10)
        occupancy_update(
            actor=None, occupancy=occupancy(mine), lease_expires=TODAY + timedelta(days=20)
        )
        assert triggers(mine) == ["lease_mid"]

    def test_its_reason_reads_in_chinese(self, economy):
        mine = economy.world.scopes["enterprise"]
        occupancy_update(actor=None, occupancy=occupancy(mine), lease_expires=date(2014, 3, 31))
        with translation.override("zh-hans"):
            assert sel.reason_text(assess(mine).reasons[0]) == "租约 30 天内到期（2014-03-31）"


@pytest.mark.django_db
class LeaveTriggerTests:
    def test_it_grades_an_enterprise_that_intends_to_leave_orange(self, economy):
        mine = economy.world.scopes["enterprise"]
        occupancy_update(actor=None, occupancy=occupancy(mine), intends_to_leave=True)
        found = assess(mine)
        assert [r["trigger"] for r in found.reasons] == ["leave"]
        assert found.grade == StabilityGrade.ORANGE

    def test_it_can_be_switched_off(self, economy):
        mine = economy.world.scopes["enterprise"]
        WarningPolicy.objects.filter(pk=1).update(leave_enabled=False)
        occupancy_update(actor=None, occupancy=occupancy(mine), intends_to_leave=True)
        assert triggers(mine) == []


@pytest.mark.django_db
class TaxDropTriggerTests:
    def make(self, economy, name: str, code: str):
        firm = enterprise_create(actor=None, credit_code=code, name=name)
        occupancy_create(
            actor=None,
            enterprise=firm,
            building=economy.kunhe,
            start=date(2010, 1, 1),
            area=Decimal(100),
        )
        return firm

    def test_it_fires_when_tax_falls_by_the_threshold_year_on_year(self, economy):
        firm = self.make(economy, "下滑公司", "91330103MA2CFK1B1L")
        pay(firm, 2012, range(1, 13), "100000")
        pay(firm, 2013, range(1, 13), "70000")  # down exactly 30 %
        found = assess(firm)
        assert [r["trigger"] for r in found.reasons] == ["tax_drop"]
        assert found.grade == StabilityGrade.YELLOW
        reason = found.reasons[0]
        assert (reason["percent"], reason["year"], reason["months"]) == ("30.0", 2013, 12)
        assert Decimal(reason["previous"]) == Decimal("1200000")

    def test_it_does_not_fire_below_the_threshold_or_on_growth(self, economy):
        firm = self.make(economy, "小降公司", "91330103MA2CFK1B1L")
        pay(firm, 2012, range(1, 13), "100000")
        pay(firm, 2013, range(1, 13), "71000")  # down 29 %
        assert triggers(firm) == []
        # 坤和科技 doubled its tax from 2012 to 2013.
        assert triggers(economy.world.scopes["enterprise"]) == []

    def test_it_fires_when_an_enterprise_stops_paying(self, economy):
        firm = self.make(economy, "停缴公司", "91330103MA2CFK1B1L")
        pay(firm, 2012, range(1, 13), "100000")
        assert triggers(firm) == ["tax_drop"]
        assert assess(firm).reasons[0]["percent"] == "100.0"

    def test_it_compares_the_same_months_of_the_year_before(self, economy):
        firm = self.make(economy, "同期公司", "91330103MA2CFK1B1L")
        pay(firm, 2013, range(1, 13), "100000")
        pay(firm, 2014, range(1, 4), "100000")  # 2014 has only reached March
        found = assess(firm, today=date(2014, 4, 15))
        assert found.grade == StabilityGrade.GREEN

    def test_it_skips_taxpayers_below_the_minimum_base(self, economy):
        firm = self.make(economy, "微小公司", "91330103MA2CFK1B1L")
        pay(firm, 2012, range(1, 13), "5000")  # 60,000 a year < 100,000
        assert triggers(firm) == []

    def test_it_counts_only_tax_paid_in_the_district_under_the_configured_definition(self, economy):
        firm = self.make(economy, "口径公司", "91330103MA2CFK1B1L")
        pay(firm, 2012, range(1, 13), "100000")
        pay(firm, 2013, range(1, 13), "100000", paid_in_district=False)
        assert triggers(firm) == ["tax_drop"]
        # Under the district share: 2013's share cut to a tenth while the amount stays.
        for month in range(1, 13):
            tax_record_save(
                actor=None,
                enterprise=firm,
                year=2013,
                month=month,
                tax_type="vat",
                amount=Decimal(100000),
                district_share=Decimal(4000),
            )
        assert triggers(firm) == []
        WarningPolicy.objects.filter(pk=1).update(tax_definition="district")
        assert triggers(firm) == ["tax_drop"]


@pytest.mark.django_db
class AddressTriggerTests:
    def test_it_records_a_dated_change_and_grades_it_blue(self, economy):
        mine = economy.world.scopes["enterprise"]
        enterprise_update(actor=None, enterprise=mine, registered_address="杭州市下城区新址1号")
        change = EnterpriseAddressChange.objects.get(enterprise=mine)
        assert change.changed_on == timezone.localdate()
        assert (change.old_address, change.new_address) == ("", "杭州市下城区新址1号")
        assert not change.moved_out
        found = assess(mine, today=timezone.localdate())
        assert [r["trigger"] for r in found.reasons] == ["address_changed"]
        assert found.grade == StabilityGrade.BLUE

    def test_it_grades_a_registration_moved_out_of_the_district_orange(self, economy):
        mine = economy.world.scopes["enterprise"]
        enterprise_update(
            actor=None,
            enterprise=mine,
            registered_address="杭州市余杭区某路2号",
            registered_in_district=False,
        )
        found = assess(mine, today=timezone.localdate())
        assert [r["trigger"] for r in found.reasons] == ["address_out"]
        assert found.grade == StabilityGrade.ORANGE

    def test_it_appends_history_and_never_rewrites_it(self, economy):
        mine = economy.world.scopes["enterprise"]
        enterprise_update(actor=None, enterprise=mine, registered_address="一号")
        enterprise_update(actor=None, enterprise=mine, registered_address="二号")
        enterprise_update(actor=None, enterprise=mine, name="新名字")  # no address change
        rows = list(
            EnterpriseAddressChange.objects.filter(enterprise=mine).values_list(
                "old_address", "new_address"
            )
        )
        assert rows == [("", "一号"), ("一号", "二号")]

    def test_it_forgets_changes_older_than_the_look_back(self, economy):
        mine = economy.world.scopes["enterprise"]
        enterprise_update(actor=None, enterprise=mine, registered_in_district=False)
        later = timezone.localdate() + timedelta(days=366)
        assert triggers(mine, today=later) == []


@pytest.mark.django_db
class ComplaintTriggerTests:
    def test_the_hook_answers_zeros_without_complaints(self, economy):
        ids = [economy.world.scopes["enterprise"].pk, economy.world.scopes["other_enterprise"].pk]
        assert sel.open_complaints_count(ids) == dict.fromkeys(ids, 0)

    def test_it_grades_the_service_desks_open_complaints(self, economy, monkeypatch):
        from louyu.servicedesk import selectors as desk

        mine = economy.world.scopes["enterprise"]
        monkeypatch.setattr(desk, "open_complaints_count", lambda ids: {mine.pk: 2})
        assert sel.open_complaints_count([mine.pk]) == {mine.pk: 2}
        found = assess(mine)
        assert [r["trigger"] for r in found.reasons] == ["complaints"]
        assert found.reasons[0]["count"] == 2
        assert found.grade == StabilityGrade.BLUE


@pytest.mark.django_db
class CompositionTests:
    def test_it_takes_the_worst_trigger_grade_when_the_score_is_low(self):
        policy = WarningPolicy.objects.get(pk=1)
        reasons = [{"trigger": "leave", "grade": 3, "weight": 3}]
        assert sel.grade_compose(reasons, policy) == (StabilityGrade.ORANGE, 3)

    def test_it_escalates_by_the_summed_weights(self):
        policy = WarningPolicy.objects.get(pk=1)
        mild = [
            {"trigger": "lease_mid", "grade": 2, "weight": 2},
            {"trigger": "complaints", "grade": 1, "weight": 1},
        ]
        assert sel.grade_compose(mild, policy) == (StabilityGrade.YELLOW, 3)
        blues = [{"trigger": t, "grade": 1, "weight": 1} for t in ("a", "b", "c", "d", "e")]
        assert sel.grade_compose(blues, policy) == (StabilityGrade.ORANGE, 5)
        assert sel.grade_compose([], policy) == (StabilityGrade.GREEN, 0)

    def test_leaving_with_the_lease_ending_within_a_month_is_red(self, economy):
        mine = economy.world.scopes["enterprise"]
        occupancy_update(
            actor=None,
            occupancy=occupancy(mine),
            intends_to_leave=True,
            lease_expires=TODAY + timedelta(days=20),
        )
        found = assess(mine)
        assert sorted(r["trigger"] for r in found.reasons) == ["lease_near", "leave"]
        assert (found.grade, found.score) == (StabilityGrade.RED, 6)


@pytest.mark.django_db
class RefreshTests:
    def test_it_stores_grades_and_only_rows_that_are_not_green(self, economy):
        mine, other = economy.world.scopes["enterprise"], economy.world.scopes["other_enterprise"]
        occupancy_update(actor=None, occupancy=occupancy(mine), intends_to_leave=True)
        result = svc.warnings_refresh(today=TODAY)
        assert result["orange"] == 1
        assert result["changed"] == 1
        row = EnterpriseWarning.objects.get()
        assert (row.enterprise, row.grade, row.triggers) == (mine, StabilityGrade.ORANGE, ",leave,")
        assert not EnterpriseWarning.objects.filter(enterprise=other).exists()
        assert AuditLog.objects.filter(action="warnings.refresh").count() == 1

    def test_it_rewrites_nothing_when_nothing_changed(self, economy):
        mine = economy.world.scopes["enterprise"]
        occupancy_update(actor=None, occupancy=occupancy(mine), intends_to_leave=True)
        svc.warnings_refresh(today=TODAY)
        assert svc.warnings_refresh(today=TODAY)["changed"] == 0

    def test_it_turns_a_warning_green_when_its_cause_goes(self, economy):
        mine = economy.world.scopes["enterprise"]
        occupancy_update(actor=None, occupancy=occupancy(mine), intends_to_leave=True)
        svc.warnings_refresh(today=TODAY)
        occupancy_update(actor=None, occupancy=occupancy(mine), intends_to_leave=False)
        svc.warnings_refresh(enterprise_ids=[mine.pk], today=TODAY)
        row = EnterpriseWarning.objects.get()
        assert (row.grade, row.reasons, row.triggers) == (StabilityGrade.GREEN, [], "")

    def test_a_write_queues_one_background_refresh_per_transaction(
        self, economy, django_capture_on_commit_callbacks
    ):
        mine = economy.world.scopes["enterprise"]
        svc._pending.ids = set()  # the fixture's writes never committed
        with django_capture_on_commit_callbacks(execute=True):
            occupancy_update(actor=None, occupancy=occupancy(mine), intends_to_leave=True)
        # Nothing is graded on the request path …
        assert not EnterpriseWarning.objects.exists()
        queued = DBTaskResult.objects.filter(task_path__endswith="warnings_refresh_task")
        assert queued.count() == 1
        assert queued.get().args_kwargs["kwargs"] == {"enterprise_ids": [mine.pk]}
        # … but by the task the worker runs.
        warnings_refresh_task.call(enterprise_ids=[mine.pk])
        assert EnterpriseWarning.objects.get().grade == StabilityGrade.ORANGE

    def test_tax_and_enterprise_writes_queue_a_refresh_too(
        self, economy, django_capture_on_commit_callbacks
    ):
        mine = economy.world.scopes["enterprise"]
        with django_capture_on_commit_callbacks(execute=True):
            pay(mine, 2014, range(1, 3), "1000")
        with django_capture_on_commit_callbacks(execute=True):
            enterprise_update(actor=None, enterprise=mine, registered_in_district=False)
        queued = DBTaskResult.objects.filter(task_path__endswith="warnings_refresh_task")
        assert queued.count() == 2
        warnings_refresh_task.call(enterprise_ids=[mine.pk])
        assert ",address_out," in EnterpriseWarning.objects.get(enterprise=mine).triggers

    def test_the_daily_job_is_registered_and_refreshes_everyone(self, economy):
        discover()
        assert registry["economy.warnings"].func is warnings_daily
        mine = economy.world.scopes["enterprise"]
        occupancy_update(
            actor=None,
            occupancy=occupancy(mine),
            lease_expires=timezone.localdate() + timedelta(days=10),
        )
        assert "'orange': 1" in warnings_daily()
        assert EnterpriseWarning.objects.get().triggers == ",lease_near,"

    def test_it_skips_enterprises_no_longer_operating(self, economy):
        mine = economy.world.scopes["enterprise"]
        occupancy_update(actor=None, occupancy=occupancy(mine), intends_to_leave=True)
        svc.warnings_refresh(today=TODAY)
        Enterprise.objects.filter(pk=mine.pk).update(status=Enterprise.Status.MOVED_OUT)
        svc.warnings_refresh(today=TODAY)
        assert EnterpriseWarning.objects.get().grade == StabilityGrade.GREEN


@pytest.fixture
def warned(economy):
    """坤和科技 (环西, 武林街道) orange; 外经贸咨询 (天水) red."""
    mine, other = economy.world.scopes["enterprise"], economy.world.scopes["other_enterprise"]
    occupancy_update(actor=None, occupancy=occupancy(mine), intends_to_leave=True)
    occupancy_update(
        actor=None,
        occupancy=occupancy(other),
        intends_to_leave=True,
        lease_expires=TODAY + timedelta(days=5),
    )
    svc.warnings_refresh(today=TODAY)
    return economy


@pytest.mark.django_db
class ScopeTests:
    def test_each_persona_sees_the_warnings_under_their_node(self, warned):
        world = warned.world
        mine, other = world.scopes["enterprise"], world.scopes["other_enterprise"]

        def seen(username):
            return {w.enterprise for w in sel.warning_list(world.users[username])}

        assert seen("district") == {mine, other}
        assert seen("street") == {mine}
        assert seen("clerk") == {mine}
        for username in ("enterprise", "employee", "outsider", "party_officer", "sysadmin"):
            assert seen(username) == set()

    def test_it_filters_by_colour_and_trigger(self, warned):
        district = warned.world.users["district"]
        other = warned.world.scopes["other_enterprise"]
        assert [w.enterprise for w in sel.warning_list(district, grade=4)] == [other]
        assert [w.enterprise for w in sel.warning_list(district, trigger="lease_near")] == [other]
        assert len(sel.warning_list(district, trigger="leave")) == 2

    def test_it_counts_enterprises_per_colour(self, warned):
        world = warned.world
        assert sel.warning_counts(world.users["district"]) == {
            "green": 0,
            "blue": 0,
            "yellow": 0,
            "orange": 1,
            "red": 1,
        }
        assert sel.warning_counts(world.users["clerk"])["orange"] == 1
        assert sel.warning_counts(world.users["clerk"])["red"] == 0
        assert sel.warning_counts(world.users["outsider"]) == dict.fromkeys(
            ("green", "blue", "yellow", "orange", "red"), 0
        )


@pytest.mark.django_db
class VisitTests:
    @pytest.fixture
    def staff(self, warned):
        world = warned.world
        guide = user_create(actor=None, username="guide1", password="Test@2013pass")
        membership_grant(actor=None, user=guide, role=Role.GUIDE, scope=world.nodes["community"])
        far = user_create(actor=None, username="guide2", password="Test@2013pass")
        membership_grant(
            actor=None, user=far, role=Role.GUIDE, scope=world.nodes["other_community"]
        )
        return guide, far

    def test_with_the_service_desk_it_schedules_the_visit(self, warned, staff, monkeypatch):
        calls = []

        class Visit:
            pk = 77

        def visit_schedule(**kwargs):
            calls.append(kwargs)
            return Visit()

        from louyu.servicedesk.services import visits

        monkeypatch.setattr(visits, "visit_schedule", visit_schedule)
        warning = EnterpriseWarning.objects.get(enterprise=warned.world.scopes["other_enterprise"])
        due = date(2030, 1, 2)

        svc.enterprise_warning_visit(actor=None, warning=warning, due_on=due)

        [call] = calls
        assert call["enterprise"] == warned.world.scopes["other_enterprise"]
        assert call["due_on"] == due
        assert call["source"] == warning
        assert "有迁出意向" in call["reason"] and "租约 30 天内到期" in call["reason"]
        warning.refresh_from_db()
        assert warning.visit_reference == "77"
        [told] = Notification.objects.filter(kind="economy.warning.visit")
        assert told.recipient == staff[1]

    def test_it_schedules_a_real_visit_records_audits_and_notifies(self, warned, staff):
        from louyu.servicedesk.models import Visit

        guide, _far = staff
        district = warned.world.users["district"]
        warning = EnterpriseWarning.objects.get(enterprise=warned.world.scopes["enterprise"])

        svc.enterprise_warning_visit(actor=district, warning=warning)

        warning.refresh_from_db()
        visit = Visit.objects.get(pk=warning.visit_reference)
        assert visit.enterprise == warned.world.scopes["enterprise"]
        assert warning.visit_requested_by == district and warning.visit_requested_at
        # The guide is told through the notification service (a row they find later).
        [told] = Notification.objects.filter(kind="economy.warning.visit")
        assert told.recipient == guide and told.pillar == "economy"
        due = (timezone.localdate() + timedelta(days=5)).isoformat()
        assert told.text == f"有迁出意向（{due}）"
        assert told.title.endswith(warning.enterprise.name)
        assert told.url == "/service/visits/?show=todo"
        audit = AuditLog.objects.get(action="warning.visit")
        assert audit.actor == district and audit.target_id == str(warning.pk)
