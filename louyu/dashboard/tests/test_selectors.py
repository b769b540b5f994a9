from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.utils import timezone

from louyu.accounts.models import Role
from louyu.accounts.services import membership_grant
from louyu.core.models import AuditLog, JobRun, Node, WorkerHeartbeat
from louyu.core.services import node_create
from louyu.dashboard import selectors
from louyu.dashboard.selectors import workbench_for
from louyu.testing import PERSONAS

pytestmark = pytest.mark.django_db

EXPECTED_SECTIONS = {
    "district": ["jurisdiction"],
    "street": ["jurisdiction"],
    "clerk": ["jurisdiction"],
    "handler_tax": ["department"],
    "party_officer": ["party"],
    "association": ["association"],
    "enterprise": ["enterprise"],
    "employee": ["enterprise"],
    "outsider": ["enterprise"],
    "sysadmin": ["system"],
    "secadmin": ["security"],
    "auditor": ["audit"],
}


def sections_of(world, username):
    return {section.key: section for section in workbench_for(world.users[username])}


class WorkbenchForTests:
    def test_it_gives_every_persona_only_its_own_section(self, world):
        assert set(EXPECTED_SECTIONS) == set(PERSONAS)
        for username, keys in EXPECTED_SECTIONS.items():
            assert list(sections_of(world, username)) == keys, username

    def test_it_gives_a_user_without_roles_no_section(self, world):
        assert workbench_for(world.nobody) == []

    def test_it_gives_one_section_per_kind_of_role_held(self, world):
        membership_grant(
            actor=None, user=world.clerk, role=Role.EMPLOYEE, scope=world.scopes["enterprise"]
        )
        world.clerk.__dict__.pop("_roles_cache", None)
        assert list(sections_of(world, "clerk")) == ["jurisdiction", "enterprise"]

    @pytest.mark.parametrize("username", list(PERSONAS))
    def test_it_pins_its_query_count(self, world, username, django_assert_max_num_queries):
        user = world.users[username]
        user.__dict__.pop("_roles_cache", None)
        with django_assert_max_num_queries(5):
            sections = workbench_for(user)
        assert sections


class JurisdictionSectionTests:
    def test_it_counts_the_whole_district_for_the_district_office(self, world):
        section = sections_of(world, "district")["jurisdiction"]
        assert section.extra["counts"] == {
            "streets": 2,
            "communities": 2,
            "buildings": 2,
            "target_buildings": 2,
        }
        assert [c.name for c in section.items] == ["环西楼宇社区", "天水楼宇社区"]

    def test_it_counts_only_the_street_for_the_street_cadre(self, world):
        section = sections_of(world, "street")["jurisdiction"]
        assert section.extra["counts"]["streets"] == 1
        assert section.extra["counts"]["buildings"] == 1
        assert [c.name for c in section.items] == ["环西楼宇社区"]

    def test_it_shows_the_clerk_their_building_community_with_its_buildings(self, world):
        node_create(actor=None, kind=Node.Kind.BUILDING, name="非目标楼", parent=world.community)
        section = sections_of(world, "clerk")["jurisdiction"]
        (community,) = section.items
        assert community.name == "环西楼宇社区"
        assert community.parent.name == "武林街道"
        assert (community.building_count, community.target_count) == (2, 1)


class OtherSectionTests:
    def test_it_names_the_handlers_department(self, world):
        section = sections_of(world, "handler_tax")["department"]
        assert [d.name for d in section.items] == ["税务局"]

    def test_it_lists_the_party_officers_organization(self, world):
        section = sections_of(world, "party_officer")["party"]
        assert [o.name for o in section.items] == ["环西楼宇社区综合党委"]
        assert section.items[0].community.name == "环西楼宇社区"

    def test_it_shows_the_association_rep_their_community(self, world):
        section = sections_of(world, "association")["association"]
        assert [n.name for n in section.items] == ["环西楼宇社区"]

    def test_it_shows_the_enterprise_and_its_building(self, world):
        for username in ("enterprise", "employee"):
            (enterprise,) = sections_of(world, username)["enterprise"].items
            assert (enterprise.name, enterprise.building.name) == (
                "杭州坤和科技有限公司",
                "坤和中心",
            )

    def test_it_shows_the_outsider_only_their_own_enterprise(self, world):
        (enterprise,) = sections_of(world, "outsider")["enterprise"].items
        assert enterprise.building.name == "浙江省外经贸广场"

    def test_it_is_empty_for_the_sysadmin_before_any_job_ran(self, world, monkeypatch):
        monkeypatch.setattr(selectors, "calendar_missing_year", lambda: None)
        assert sections_of(world, "sysadmin")["system"].is_empty

    def test_it_warns_the_sysadmin_that_a_years_holidays_are_missing(self, world, monkeypatch):
        monkeypatch.setattr(selectors, "calendar_missing_year", lambda: 2027)
        section = sections_of(world, "sysadmin")["system"]
        assert section.extra["calendar_missing"] == 2027 and not section.is_empty

    def test_it_shows_job_runs_and_stale_workers_to_the_sysadmin(self, world):
        now = timezone.now()
        JobRun.objects.create(name="sla_sweep", period_start=now, status=JobRun.Status.FAILED)
        WorkerHeartbeat.objects.create(worker="host-a:1", last_seen=now)
        WorkerHeartbeat.objects.create(worker="host-b:2", last_seen=now - timedelta(hours=1))
        section = sections_of(world, "sysadmin")["system"]
        assert [job.name for job in section.extra["jobs"]] == ["sla_sweep"]
        assert {(h.worker, h.is_stale) for h in section.extra["heartbeats"]} == {
            ("host-a:1", False),
            ("host-b:2", True),
        }

    def test_it_shows_the_sysadmin_tasks_stuck_on_a_stopped_worker(self, world):
        from django_tasks_db.models import DBTaskResult

        from louyu.core.tasks import job_run_execute

        stuck = job_run_execute.enqueue(job_run_id=1)
        DBTaskResult.objects.filter(id=stuck.id).update(
            status="RUNNING",
            started_at=timezone.now() - timedelta(hours=1),
            worker_ids=["host-gone:9"],
        )
        section = sections_of(world, "sysadmin")["system"]
        assert section.extra["tasks"] == {"running": 1, "stale": 1, "failed": 0, "interrupted": 0}
        assert not section.is_empty

    def test_it_shows_lockouts_and_staff_without_a_second_factor(self, world, settings):
        common = {"user_agent": "ua", "http_accept": "*/*", "path_info": "/accounts/login/"}
        AccessAttempt.objects.create(
            username="clerk",
            ip_address="10.0.0.9",
            failures_since_start=settings.AXES_FAILURE_LIMIT,
            **common,
        )
        AccessAttempt.objects.create(
            username="street", ip_address="10.0.0.8", failures_since_start=1, **common
        )
        section = sections_of(world, "secadmin")["security"]
        assert [a.username for a in section.extra["lockouts"]] == ["clerk"]
        names = [u.username for u in section.extra["without_factor"]]
        assert "clerk" in names
        assert "enterprise" not in names  # not a staff role: no second factor required

    def test_it_leaves_out_staff_with_a_confirmed_second_factor(self, world):
        from django_otp.plugins.otp_totp.models import TOTPDevice

        TOTPDevice.objects.create(user=world.clerk, name="phone", confirmed=True)
        section = sections_of(world, "secadmin")["security"]
        assert "clerk" not in [u.username for u in section.extra["without_factor"]]

    def test_it_shows_the_auditor_the_ten_latest_audit_rows(self, world):
        section = sections_of(world, "auditor")["audit"]
        assert len(section.items) == 10
        latest = AuditLog.objects.order_by("-at", "-id").first()
        assert section.items[0].pk == latest.pk
