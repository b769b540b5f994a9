from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from louyu.core.exceptions import ApplicationError
from louyu.core.models import AuditLog, Node
from louyu.core.services import node_create
from louyu.economy.models import (
    BuildingProfile,
    BuildingYearTax,
    Enterprise,
    Floor,
    Occupancy,
    TargetBuilding,
    TaxRecord,
    Unit,
)
from louyu.economy.selectors import DEFINITIONS
from louyu.economy.services import (
    building_profile_save,
    enterprise_create,
    enterprise_update,
    industry_load,
    occupancy_create,
    occupancy_update,
    rollup_compute,
    rollup_rebuild,
    target_set_replace,
    tax_record_delete,
    tax_record_save,
)
from louyu.economy.tests.conftest import industry

CODE = "91350100M000100Y43"


def rollup() -> dict[tuple[int, int, str], Decimal]:
    """The rollup table without zero rows (an increment can leave a row at zero)."""
    return {
        (r.building_id, r.year, r.definition): r.tax for r in BuildingYearTax.objects.exclude(tax=0)
    }


def tax(building: Node, year: int, definition: str = "total") -> Decimal:
    row = BuildingYearTax.objects.filter(building=building, year=year, definition=definition)
    return row.values_list("tax", flat=True).first() or Decimal(0)


class EnterpriseServiceTests:
    def test_it_normalises_a_lower_case_credit_code_and_audits(self, world):
        enterprise = enterprise_create(
            actor=world.district, credit_code=CODE.lower(), name="福建示例有限公司"
        )
        assert enterprise.credit_code == CODE
        record = AuditLog.objects.get(action="enterprise.create")
        assert record.actor == world.district and record.after["credit_code"] == CODE

    def test_it_refuses_a_bad_or_duplicate_code(self, world):
        with pytest.raises(ApplicationError) as bad:
            enterprise_create(actor=None, credit_code="91350100M000100Y44", name="x")
        assert bad.value.code == "invalid_credit_code"
        enterprise_create(actor=None, credit_code=CODE, name="a")
        with pytest.raises(ApplicationError) as twice:
            enterprise_create(actor=None, credit_code=CODE, name="b")
        assert twice.value.status == 409

    def test_a_new_name_keeps_the_old_one(self, world):
        enterprise = world.scopes["enterprise"]
        enterprise_update(
            actor=world.district, enterprise=enterprise, name="杭州坤和新名称有限公司"
        )
        enterprise.refresh_from_db()
        assert enterprise.former_names == ["杭州坤和科技有限公司"]
        assert AuditLog.objects.filter(action="enterprise.update", target_id=str(enterprise.pk))

    def test_it_finds_an_enterprise_by_the_pinyin_of_its_old_and_new_names(self, world):
        enterprise = enterprise_create(actor=None, credit_code=CODE, name="云帆科技")
        assert enterprise.search_names == "yunfankeji yfkj 云帆科技"
        enterprise_update(actor=None, enterprise=enterprise, name="星河网络")
        enterprise.refresh_from_db()
        assert enterprise.search_names.split() == [
            "xinghewangluo",
            "xhwl",
            "星河网络",
            "yunfankeji",
            "yfkj",
            "云帆科技",
        ]

    def test_registered_capital_is_audited_as_a_string(self, world):
        enterprise_update(
            actor=None, enterprise=world.scopes["enterprise"], registered_capital=Decimal("1.50")
        )
        assert AuditLog.objects.get(action="enterprise.update").after == {
            "registered_capital": "1.50"
        }


class BuildingServiceTests:
    def test_it_creates_then_updates_the_profile(self, world):
        kunhe = world.nodes["building"]
        building_profile_save(actor=None, building=kunhe, address="延安路1号", aliases=["坤和"])
        building_profile_save(actor=None, building=kunhe, address="延安路2号")
        profile = BuildingProfile.objects.get(building=kunhe)
        assert profile.address == "延安路2号" and profile.aliases == ["坤和"]
        kunhe.refresh_from_db()
        assert kunhe.search_names == "kunhezhongxin khzx 坤和中心 kunhe kh 坤和"
        actions = list(
            AuditLog.objects.filter(action__startswith="buildingprofile").values_list(
                "action", flat=True
            )
        )
        assert sorted(actions) == ["buildingprofile.create", "buildingprofile.update"]

    def test_it_refuses_coordinates_off_the_globe(self, world):
        with pytest.raises(ApplicationError):
            building_profile_save(
                actor=None, building=world.nodes["building"], longitude=Decimal(200), latitude=0
            )

    def test_only_buildings_have_profiles(self, world):
        with pytest.raises(ApplicationError):
            building_profile_save(actor=None, building=world.nodes["community"], address="x")

    def test_it_replaces_a_years_target_set(self, world):
        kunhe, other = world.nodes["building"], world.nodes["other_building"]
        assert target_set_replace(actor=None, year=2013, buildings=[kunhe]) == {
            "added": 1,
            "removed": 0,
        }
        assert target_set_replace(actor=None, year=2013, buildings=[other]) == {
            "added": 1,
            "removed": 1,
        }
        assert list(TargetBuilding.objects.values_list("year", "building")) == [(2013, other.pk)]
        assert AuditLog.objects.filter(action="targetbuilding.replace").count() == 2


class OccupancyServiceTests:
    def test_units_must_be_in_the_building(self, world):
        floor = Floor.objects.create(building=world.nodes["other_building"], number=3)
        unit = Unit.objects.create(floor=floor, number="301", area=10, state="vacant")
        with pytest.raises(ApplicationError):
            occupancy_create(
                actor=None,
                enterprise=world.scopes["enterprise"],
                building=world.nodes["building"],
                start=date(2013, 1, 1),
                area=Decimal(10),
                units=[unit],
            )

    def test_a_move_is_a_new_record_and_moves_the_tax(self, economy):
        mine = economy.world.scopes["enterprise"]
        (first,) = mine.occupancies.all()
        occupancy_update(actor=None, occupancy=first, end=date(2013, 6, 30))
        occupancy_create(
            actor=None,
            enterprise=mine,
            building=economy.waijingmao,
            start=date(2013, 7, 1),
            area=Decimal(800),
        )
        assert mine.occupancies.count() == 2
        mine.refresh_from_db()
        assert mine.building == economy.waijingmao
        assert tax(economy.kunhe, 2013) == Decimal(6_000_000)
        assert tax(economy.waijingmao, 2013) == Decimal(6_000_000 + 1_200_000)
        assert rollup() == rollup_compute()


class TaxServiceTests:
    def test_it_keeps_the_rollup_current_under_every_definition(self, economy):
        assert tax(economy.kunhe, 2013) == Decimal(12_000_000)
        assert tax(economy.kunhe, 2013, "district") == Decimal(4_800_000)
        # Paid elsewhere does not count.
        assert tax(economy.waijingmao, 2013) == Decimal(1_200_000)

    def test_saving_the_same_figures_changes_nothing(self, economy):
        mine = economy.world.scopes["enterprise"]
        before, audits = rollup(), AuditLog.objects.count()
        record, created = tax_record_save(
            actor=None,
            enterprise=mine,
            year=2013,
            month=1,
            tax_type="vat",
            amount=Decimal(1_000_000),
            district_share=Decimal(400_000),
        )
        assert not created and rollup() == before and AuditLog.objects.count() == audits

    def test_a_correction_and_a_deletion_follow_through(self, economy):
        mine = economy.world.scopes["enterprise"]
        record, _ = tax_record_save(
            actor=None,
            enterprise=mine,
            year=2013,
            month=1,
            tax_type="vat",
            amount=Decimal(2_000_000),
            district_share=Decimal(0),
        )
        assert tax(economy.kunhe, 2013) == Decimal(13_000_000)
        tax_record_delete(actor=None, record=record)
        assert tax(economy.kunhe, 2013) == Decimal(11_000_000)
        assert AuditLog.objects.filter(action="taxrecord.delete").count() == 1

    def test_the_district_share_cannot_exceed_the_amount(self, economy):
        with pytest.raises(ApplicationError):
            tax_record_save(
                actor=None,
                enterprise=economy.world.scopes["enterprise"],
                year=2013,
                month=1,
                tax_type="iit",
                amount=Decimal(1),
                district_share=Decimal(2),
            )

    def test_becoming_real_estate_leaves_the_ex_real_estate_figures(self, economy):
        mine = economy.world.scopes["enterprise"]
        enterprise_update(actor=None, enterprise=mine, industry=industry("70"))
        assert tax(economy.kunhe, 2013, "total") == Decimal(12_000_000)
        assert tax(economy.kunhe, 2013, "total_ex_real_estate") == 0
        enterprise_update(actor=None, enterprise=mine, industry=industry("72"))
        assert tax(economy.kunhe, 2013, "total_ex_real_estate") == Decimal(12_000_000)


class RollupRebuildTests:
    def test_a_rebuild_reproduces_the_incremental_rollup(self, economy):
        before = rollup()
        BuildingYearTax.objects.update(tax=1)
        rollup_rebuild(actor=economy.world.sysadmin)
        assert rollup() == before
        assert AuditLog.objects.filter(action="rollup.rebuild").exists()


def plain_rollup() -> dict[tuple[int, int, str], Decimal]:
    """An independent, row-by-row computation of building tax (DESIGN.md §9): every tax record
    paid in the district goes to the building of the largest occupancy overlapping its month."""
    import calendar

    result: dict[tuple[int, int, str], Decimal] = defaultdict(Decimal)
    for record in TaxRecord.objects.select_related("enterprise__industry"):
        if not record.paid_in_district:
            continue
        first = date(record.year, record.month, 1)
        last = date(record.year, record.month, calendar.monthrange(record.year, record.month)[1])
        candidates = [
            o
            for o in Occupancy.objects.filter(enterprise=record.enterprise)
            if o.start <= last and (o.end is None or o.end >= first)
        ]
        if not candidates:
            continue
        home = sorted(candidates, key=lambda o: (o.area, o.start, o.pk))[-1]
        industry_ = record.enterprise.industry
        for key, definition in DEFINITIONS.items():
            if definition.exclude_real_estate and industry_ and industry_.section == "K":
                continue
            amount = record.district_share if definition.district_share else record.amount
            result[(home.building_id, record.year, key)] += amount
    return {k: v for k, v in result.items() if v}


money = st.decimals(min_value=0, max_value=10_000_000, places=2, allow_nan=False)
day = st.dates(min_value=date(2011, 1, 1), max_value=date(2014, 12, 31))
operation = st.one_of(
    st.tuples(
        st.just("tax"),
        st.integers(0, 2),
        st.sampled_from([2012, 2013]),
        st.integers(1, 12),
        st.sampled_from(["vat", "cit"]),
        money,
        st.booleans(),
    ),
    st.tuples(st.just("move"), st.integers(0, 2), st.integers(0, 2), day, st.integers(1, 900)),
    st.tuples(st.just("end"), st.integers(0, 2), day),
    st.tuples(st.just("industry"), st.integers(0, 2), st.sampled_from(["70", "72", "65"])),
    st.tuples(st.just("delete"), st.integers(0, 2)),
)


def apply(op: tuple, enterprises: list[Enterprise], buildings: list[Node]) -> None:
    kind, who = op[0], enterprises[op[1]]
    if kind == "tax":
        _, _, year, month, tax_type, amount, paid = op
        tax_record_save(
            actor=None,
            enterprise=who,
            year=year,
            month=month,
            tax_type=tax_type,
            amount=amount,
            district_share=(amount * Decimal("0.3")).quantize(Decimal("0.01")),
            paid_in_district=paid,
        )
    elif kind == "move":
        _, _, where, start, area = op
        occupancy_create(
            actor=None, enterprise=who, building=buildings[where], start=start, area=Decimal(area)
        )
    elif kind == "end":
        occupancy = who.occupancies.filter(end__isnull=True, start__lte=op[2]).first()
        if occupancy is not None:
            occupancy_update(actor=None, occupancy=occupancy, end=op[2])
    elif kind == "industry":
        enterprise_update(actor=None, enterprise=who, industry=industry(op[2]))
    else:
        record = who.tax_records.order_by("year", "month", "tax_type").first()
        if record is not None:
            tax_record_delete(actor=None, record=record)


class RollupPropertyTests:
    @settings(
        max_examples=30,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(operations=st.lists(operation, min_size=1, max_size=25))
    def test_incremental_equals_full_recompute_equals_plain_computation(self, world, operations):
        industry_load()
        buildings = [
            world.nodes["building"],
            world.nodes["other_building"],
            Node.objects.filter(name="第三大厦").first()
            or node_create(
                actor=None,
                kind=Node.Kind.BUILDING,
                name="第三大厦",
                parent=world.nodes["community"],
            ),
        ]
        enterprises = [
            world.scopes["enterprise"],
            world.scopes["other_enterprise"],
            Enterprise.objects.filter(credit_code=CODE).first()
            or enterprise_create(actor=None, credit_code=CODE, name="第三企业"),
        ]
        with transaction.atomic():
            for op in operations:
                for enterprise in enterprises:
                    enterprise.refresh_from_db()
                apply(op, enterprises, buildings)
            incremental = rollup()
            assert incremental == rollup_compute_nonzero()
            assert incremental == plain_rollup()
            rollup_rebuild()
            assert rollup() == incremental
            transaction.set_rollback(True)


def rollup_compute_nonzero() -> dict[tuple[int, int, str], Decimal]:
    return {k: v for k, v in rollup_compute().items() if v}
