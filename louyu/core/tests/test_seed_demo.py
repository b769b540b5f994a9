"""`manage.py seed_demo` and the demo plan behind it. The seed runs once for the module, inside a
transaction rolled back at the end, so the rest of the suite never sees it."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import date
from decimal import Decimal

import phonenumbers
import pytest
from django.conf import settings
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.db.models import Count, F
from django.test import Client, RequestFactory, override_settings
from stdnum.cn import uscc

from louyu.accounts.models import Membership, User
from louyu.core.demo import HUANXI_SMES, PERSONAS, Plan, demo_plan, plan_digest
from louyu.core.models import AuditLog, DivisionCode, Node
from louyu.dashboard.tests.test_todo import EXPECTED_GROUPS, rows_listed
from louyu.economy.models import (
    BuildingYearTax,
    Enterprise,
    Floor,
    Occupancy,
    TargetBuilding,
    TaxRecord,
    Unit,
)
from louyu.economy.selectors import definition_get, economy_summary
from louyu.economy.services import rollup_compute
from louyu.notifications.todo import todo_for
from louyu.party.models import PartyOrganization
from louyu.servicedesk.models import Department

FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MODELS = [
    Node,
    DivisionCode,
    Floor,
    Unit,
    Enterprise,
    Department,
    PartyOrganization,
    User,
    Membership,
    AuditLog,
]


@pytest.fixture(scope="module")
def seed_output(django_db_setup, django_db_blocker) -> Iterator[str]:
    """Seed once for the module; roll it all back afterwards."""
    out = io.StringIO()
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=FAST_HASHERS),
        transaction.atomic(),
    ):
        call_command("seed_demo", stdout=out)
        yield out.getvalue()
        transaction.set_rollback(True)


@pytest.fixture(scope="module")
def plan() -> Plan:
    return demo_plan()


@pytest.fixture
def seeded(seed_output, db) -> str:
    return seed_output


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS}


class SeedDemoTests:
    def test_it_builds_26_building_communities_over_the_real_streets(self, seeded):
        district = Node.objects.get(kind=Node.Kind.DISTRICT, name="下城区")
        streets = Node.objects.filter(parent=district, kind=Node.Kind.STREET)
        assert set(streets.values_list("name", flat=True)) == {
            f"{name}街道"
            for name in ("天水", "武林", "长庆", "潮鸣", "朝晖", "文晖", "东新", "石桥")
        }
        assert Node.objects.subtree(district).of_kind(Node.Kind.COMMUNITY).count() == 26
        assert Node.objects.get(name="环西楼宇社区").parent.name == "武林街道"

    def test_it_marks_119_target_buildings_plus_some_others(self, seeded):
        buildings = Node.objects.of_kind(Node.Kind.BUILDING)
        assert buildings.filter(is_target=True).count() == 119
        assert 10 <= buildings.filter(is_target=False).count() <= 20
        assert not Node.objects.exclude(kind=Node.Kind.BUILDING).filter(is_target=True).exists()

    def test_it_puts_the_named_buildings_in_their_communities(self, seeded):
        kunhe = Node.objects.get(kind=Node.Kind.BUILDING, name="坤和中心")
        assert kunhe.is_target
        assert kunhe.parent.name == "环西楼宇社区"
        assert Node.objects.get(kind=Node.Kind.BUILDING, name="浙江省外经贸广场").is_target

    def test_it_keeps_paths_consistent_with_parents(self, seeded):
        for node in Node.objects.select_related("parent"):
            expected = f"{node.parent.path if node.parent else '/'}{node.pk}/"
            assert node.path == expected, node

    def test_it_dates_the_district_codes_across_the_2021_merger(self, seeded):
        district = Node.objects.get(kind=Node.Kind.DISTRICT, name="下城区")
        periods = list(district.division_codes.values_list("code", "valid_from", "valid_to"))
        assert periods == [
            ("330103", date(1983, 1, 1), date(2021, 4, 8)),
            ("330105", date(2021, 4, 9), None),
        ]
        assert district.current_code(date(2013, 12, 31)) == "330103"
        assert district.current_code(date(2021, 4, 8)) == "330103"
        assert district.current_code(date(2021, 4, 9)) == "330105"

    def test_it_gives_every_street_a_nine_digit_code_of_the_district(self, seeded):
        for street in Node.objects.of_kind(Node.Kind.STREET):
            code = street.current_code(date(2013, 12, 31))
            assert len(code) == 9 and code.startswith("330103"), street

    def test_it_fills_buildings_with_floors_and_units_of_every_state(self, seeded):
        assert Floor.objects.count() >= 134 * 5
        assert 5_000 <= Unit.objects.count() <= 30_000
        assert set(Unit.objects.values_list("state", flat=True).distinct()) == set(Unit.State)
        assert not Node.objects.of_kind(Node.Kind.BUILDING).filter(floors__isnull=True).exists()
        assert not Unit.objects.filter(area__lte=0).exists()

    def test_it_issues_valid_credit_codes(self, seeded):
        codes = list(Enterprise.objects.values_list("credit_code", flat=True))
        assert len(codes) >= 134 * 2
        assert [code for code in codes if not uscc.is_valid(code)] == []
        assert {code[2:8] for code in codes} == {"330103", "330105"}
        assert not Enterprise.objects.filter(building__isnull=True).exists()

    def test_it_seats_the_161_smes_and_their_anchor_in_huanxi(self, seeded):
        huanxi = Node.objects.get(name="环西楼宇社区")
        enterprises = Enterprise.objects.filter(building__path__startswith=huanxi.path)
        assert enterprises.count() == HUANXI_SMES + 1
        assert enterprises.filter(name="万华控股集团有限公司").exists()

    def test_it_lists_30_plus_departments_including_tax(self, seeded):
        assert Department.objects.count() >= 30
        assert Department.objects.filter(code="tax").exists()

    def test_it_gives_each_building_community_one_committee(self, seeded):
        committees = PartyOrganization.objects.filter(kind=PartyOrganization.Kind.COMMITTEE)
        assert committees.count() == 26
        assert committees.values("community").distinct().count() == 26
        branches = PartyOrganization.objects.filter(kind=PartyOrganization.Kind.BRANCH)
        assert branches.exists()
        assert not branches.filter(parent__isnull=True).exists()

    def test_it_creates_every_persona_with_its_membership(self, seeded):
        kunhe = Node.objects.get(name="坤和中心")
        huanxi = kunhe.parent
        expected_scope = {
            "district": "下城区",
            "street": "武林街道",
            "community": "环西楼宇社区",
            "tax": "区税务局",
            "party_committee": "环西楼宇社区综合党委",
        }
        for username, persona in PERSONAS.items():
            user = User.objects.get(username=username)
            (membership,) = user.memberships.all()
            assert membership.role == persona.role
            assert user.is_staff == (username in {"sysadmin", "secadmin", "auditor"})
            assert user.real_name == persona.real_name
            assert phonenumbers.is_valid_number(phonenumbers.parse(user.phone, "CN"))
            if persona.scope in expected_scope:
                assert str(membership.scope) == expected_scope[persona.scope], username
        enterprise = User.objects.get(username="enterprise").memberships.get().scope
        assert enterprise.building == kunhe
        assert User.objects.get(username="employee").memberships.get().scope == enterprise
        outsider = User.objects.get(username="outsider").memberships.get().scope
        assert not outsider.building.path.startswith(huanxi.path)

    def test_it_lets_every_persona_sign_in_with_the_demo_password(self, seeded):
        for username in PERSONAS:
            request = RequestFactory().post("/accounts/login/")
            user = authenticate(request, username=username, password=settings.LOUYU_DEMO_PASSWORD)
            assert user is not None and user.username == username

    def test_it_summarises_the_bulk_rows_in_one_audit_record(self, seeded, plan):
        (record,) = AuditLog.objects.filter(action="demo.seed")
        assert record.after["units"] == Unit.objects.count()
        assert record.after["digest"] == plan_digest(plan)
        assert AuditLog.objects.filter(action="node.create").count() == Node.objects.count()

    def test_it_prints_the_accounts_and_the_password(self, seeded):
        for username in PERSONAS:
            assert f"  {username} " in seeded
        assert "环西楼宇社区综合党委" in seeded
        assert settings.LOUYU_DEMO_PASSWORD in seeded

    def test_it_changes_nothing_when_run_again_with_if_empty(self, seeded):
        before = counts()
        out = io.StringIO()
        call_command("seed_demo", "--if-empty", "--quiet", stdout=out)
        assert counts() == before
        assert "auditor" in out.getvalue() and settings.LOUYU_DEMO_PASSWORD in out.getvalue()

    def test_it_refuses_to_seed_over_existing_data(self, seeded):
        before = counts()
        with pytest.raises(CommandError):
            call_command("seed_demo", stdout=io.StringIO())
        assert counts() == before

    def test_it_matches_the_plan(self, seeded, plan):
        names = list(Node.objects.of_kind(Node.Kind.BUILDING).values_list("name", flat=True))
        assert sorted(names) == sorted(b.name for b in plan.buildings)
        assert Unit.objects.count() == plan.unit_count


class SeedTodoTests:
    def test_the_demo_gives_every_persona_with_a_to_do_list_something_that_waits(self, seeded):
        for username, keys in EXPECTED_GROUPS.items():
            user = User.objects.get(username=username)
            groups = todo_for(user)
            assert [g.key for g in groups] == keys, username
            if keys:
                assert sum(g.count for g in groups) > 0, username
            client = Client()
            client.force_login(user)
            for group in groups:
                assert rows_listed(client, group.url) == group.count, (username, group.key)


class SeedEconomyTests:
    def test_it_reproduces_the_articles_2013_figures_exactly(self, seeded):
        district = Node.objects.get(kind=Node.Kind.DISTRICT)
        summary = economy_summary(year=2013, definition=definition_get(), paths=[district.path])
        assert summary["building_count"] == 119
        assert summary["tax_total"] == Decimal("6270000000.00")
        assert summary["tiers"] == {"10m": 73, "100m": 20, "1b": 1, "10b": 0}
        assert summary["definition"]["key"] == "total"

    def test_the_summary_api_says_the_same(self, seeded):
        client = Client()
        client.force_login(User.objects.get(username="district"))
        body = client.get("/api/v1/economy/summary/", {"year": 2013}).json()
        assert body["tax_total"] == "6270000000.00" and body["building_count"] == 119
        assert body["tiers"] == {"10m": 73, "100m": 20, "1b": 1, "10b": 0}

    def test_it_keeps_a_target_set_for_each_year(self, seeded):
        sizes = dict(
            TargetBuilding.objects.values("year").annotate(n=Count("pk")).values_list("year", "n")
        )
        assert sorted(sizes) == [2011, 2012, 2013, 2014, 2015]
        assert sizes[2013] == 119
        in_2013 = set(TargetBuilding.objects.filter(year=2013).values_list("building", flat=True))
        flagged = set(Node.objects.filter(is_target=True).values_list("pk", flat=True))
        assert in_2013 == flagged

    def test_it_holds_over_3300_two_new_organizations(self, seeded):
        assert Enterprise.objects.exclude(organization_type="other").count() >= 3300
        assert not Enterprise.objects.filter(industry__isnull=True).exists()

    def test_every_enterprise_occupies_units_of_its_building(self, seeded):
        assert not Enterprise.objects.filter(occupancies__isnull=True).exists()
        assert Occupancy.objects.count() > Enterprise.objects.count()  # some moved
        through = Occupancy.units.through.objects
        assert not through.exclude(unit__floor__building=F("occupancy__building")).exists()

    def test_it_records_monthly_tax_2011_to_2015(self, seeded):
        years = set(TaxRecord.objects.values_list("year", flat=True).distinct())
        assert years == {2011, 2012, 2013, 2014, 2015}
        assert TaxRecord.objects.values("month").distinct().count() == 12
        assert TaxRecord.objects.filter(paid_in_district=False).exists()

    def test_its_rollup_matches_a_full_recompute(self, seeded):
        stored = {
            (r.building_id, r.year, r.definition): r.tax for r in BuildingYearTax.objects.all()
        }
        assert stored == rollup_compute()


class DemoPlanTests:
    def test_it_is_the_same_plan_every_time(self, plan):
        again = demo_plan()
        assert again == plan
        assert plan_digest(again) == plan_digest(plan)
        assert plan_digest(demo_plan(seed=1)) != plan_digest(plan)

    def test_it_does_not_depend_on_hash_randomisation(self, plan):
        # Set iteration order changes with PYTHONHASHSEED; the plan must not.
        script = (
            "import django; django.setup();"
            "from louyu.core.demo import demo_plan, plan_digest; print(plan_digest(demo_plan()))"
        )
        env = {**os.environ, "PYTHONHASHSEED": "12345", "DJANGO_SETTINGS_MODULE": "louyu.settings"}
        result = subprocess.run(
            [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True
        )
        assert result.stdout.strip() == plan_digest(plan)

    def test_it_has_unique_names_and_codes(self, plan):
        buildings = [b.name for b in plan.buildings]
        assert len(buildings) == len(set(buildings))
        codes = [e.credit_code for e in plan.enterprises]
        assert len(codes) == len(set(codes))
        assert len({code for code, _ in plan.departments}) == len(plan.departments)
