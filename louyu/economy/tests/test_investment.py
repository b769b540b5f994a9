"""Investment attraction (招商): vacancy listings with checked floor plans, leads through the
funnel, audit rows, row scope, matching scores and funnel counts."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from louyu.core.exceptions import ApplicationError
from louyu.core.models import AuditLog
from louyu.economy import selectors_investment as sel
from louyu.economy import services_investment as svc
from louyu.economy.models import (
    Floor,
    InvestmentLead,
    LeadStage,
    PriceUnit,
    Unit,
    VacancyListing,
)
from louyu.economy.tests.conftest import industry

TODAY = date(2014, 3, 1)


def image_upload(fmt: str = "PNG", name: str = "../../etc/平面图.png", size=(40, 30)):
    out = io.BytesIO()
    Image.new("RGB", size, "white").save(out, format=fmt)
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/png")


def listing(economy, **kw) -> VacancyListing:
    values = {
        "building": economy.kunhe,
        "title": "坤和中心 12 层整层",
        "area": Decimal(800),
        "price": Decimal("4.50"),
        "price_unit": PriceUnit.DAY,
    }
    values.update(kw)
    return svc.vacancy_create(actor=economy.world.users["district"], **values)


def lead(economy, **kw) -> InvestmentLead:
    values = {
        "node": economy.world.nodes["community"],
        "company": "杭州云帆科技有限公司",
        "contact_name": "林先生",
        "contact_phone": "13905712345",
        "area_min": Decimal(600),
        "area_max": Decimal(1000),
        "budget": Decimal(150),
        "move_in_by": date(2014, 6, 30),
    }
    values.update(kw)
    return svc.lead_create(actor=economy.world.users["district"], **values)


@pytest.mark.django_db
class VacancyServiceTests:
    def test_it_creates_a_listing_unpublished_and_audited(self, economy):
        floor = Floor.objects.create(building=economy.kunhe, number=12)
        unit = Unit.objects.create(floor=floor, number="1201", area=Decimal(800), state="vacant")
        row = listing(economy, units=[unit], contact_phone="057187654321")
        assert not row.published
        assert list(row.units.all()) == [unit]
        assert row.created_by == economy.world.users["district"]
        audit = AuditLog.objects.get(action="vacancy.create")
        assert audit.after["units"] == [unit.pk]
        assert audit.after["price_unit"] == "day"

    def test_it_converts_a_daily_price_to_a_monthly_one(self, economy):
        assert listing(economy).price_per_month == Decimal("136.88")  # 4.5 × 365 / 12
        monthly = listing(economy, price=Decimal(120), price_unit=PriceUnit.MONTH)
        assert monthly.price_per_month == Decimal(120)

    def test_it_refuses_units_of_another_building_and_bad_input(self, economy):
        floor = Floor.objects.create(building=economy.waijingmao, number=3)
        unit = Unit.objects.create(floor=floor, number="301", area=Decimal(80), state="vacant")
        with pytest.raises(ApplicationError):
            listing(economy, units=[unit])
        with pytest.raises(ApplicationError):
            listing(economy, area=Decimal(0))
        with pytest.raises(ApplicationError):
            listing(economy, building=economy.world.nodes["community"])
        with pytest.raises(ApplicationError):
            listing(economy, contact_phone="12345")
        assert not VacancyListing.objects.exists()
        assert not AuditLog.objects.filter(action="vacancy.create").exists()

    def test_it_stores_a_checked_floor_plan_under_a_random_name(self, economy, media):
        row = listing(economy, floor_plan=image_upload())
        name = row.floor_plan.name
        assert name.startswith("economy/floor-plans/") and name.endswith(".png")
        assert ".." not in name and "平面图" not in name
        with Image.open(row.floor_plan.path) as stored:
            assert stored.size == (40, 30)

    @pytest.mark.parametrize(
        "upload",
        [
            SimpleUploadedFile("plan.png", b"not an image at all", content_type="image/png"),
            SimpleUploadedFile("plan.png", b"GIF89a" + b"\x00" * 20, content_type="image/gif"),
        ],
    )
    def test_it_refuses_a_file_that_is_not_a_readable_image(self, economy, media, upload):
        with pytest.raises(ApplicationError):
            listing(economy, floor_plan=upload)
        assert not VacancyListing.objects.exists()
        assert not list(media.rglob("*.*"))

    def test_it_refuses_an_image_in_another_format(self, economy, media):
        with pytest.raises(ApplicationError) as error:
            listing(economy, floor_plan=image_upload(fmt="GIF", name="plan.gif"))
        assert error.value.code == "image_format"

    def test_it_refuses_a_huge_upload(self, economy, media, monkeypatch):
        from louyu.core import uploads

        monkeypatch.setattr(uploads, "IMAGE_MAX_BYTES", 10)
        with pytest.raises(ApplicationError) as error:
            listing(economy, floor_plan=image_upload())
        assert error.value.code == "image_too_large"

    def test_it_replaces_a_floor_plan_and_audits_it(
        self, economy, media, django_capture_on_commit_callbacks
    ):
        row = listing(economy, floor_plan=image_upload())
        old = row.floor_plan.name
        with django_capture_on_commit_callbacks(execute=True):
            svc.vacancy_update(actor=None, listing=row, floor_plan=image_upload(fmt="JPEG"))
        assert row.floor_plan.name.endswith(".jpg")
        assert not (media / old).exists()
        assert AuditLog.objects.filter(action="vacancy.floor_plan").count() == 1

    def test_it_publishes_and_unpublishes_with_audit_rows(self, economy):
        row = listing(economy)
        svc.vacancy_publish(actor=None, listing=row)
        assert row.published and row.published_at is not None
        assert list(sel.vacancies_public()) == [row]
        svc.vacancy_unpublish(actor=None, listing=row)
        assert not row.published
        assert list(sel.vacancies_public()) == []
        actions = list(
            AuditLog.objects.filter(action__startswith="vacancy.")
            .order_by("pk")
            .values_list("action", flat=True)
        )
        assert actions == ["vacancy.create", "vacancy.publish", "vacancy.unpublish"]

    def test_a_listing_no_longer_available_leaves_the_public_site(self, economy):
        row = listing(economy)
        svc.vacancy_publish(actor=None, listing=row)
        svc.vacancy_update(actor=None, listing=row, status=VacancyListing.Status.LET)
        row.refresh_from_db()
        assert not row.published
        with pytest.raises(ApplicationError):
            svc.vacancy_publish(actor=None, listing=row)


@pytest.mark.django_db
class LeadServiceTests:
    def test_it_creates_a_lead_owned_by_its_creator_and_masks_the_audit(self, economy):
        row = lead(economy)
        assert row.stage == LeadStage.LEAD
        assert row.owner == economy.world.users["district"]
        audit = AuditLog.objects.get(action="lead.create")
        assert audit.after["contact_phone"] == "***"
        assert "13905712345" not in str(audit.after)

    def test_it_masks_contact_data_for_lists(self, economy):
        row = lead(economy)
        assert row.masked_phone == "139****2345"
        assert row.masked_contact == "林**"

    def test_it_refuses_an_inverted_area_range(self, economy):
        with pytest.raises(ApplicationError):
            lead(economy, area_min=Decimal(500), area_max=Decimal(100))
        assert not InvestmentLead.objects.exists()

    def test_it_moves_through_the_funnel_with_audit_rows(self, economy):
        row = lead(economy)
        for stage in ("talks", "viewing", "intent", "signed", "settled"):
            svc.lead_stage_change(actor=None, lead=row, stage=stage)
        assert row.stage == LeadStage.SETTLED
        assert AuditLog.objects.filter(action="lead.stage").count() == 5

    def test_losing_a_lead_needs_a_reason_and_remembers_the_stage(self, economy):
        row = lead(economy)
        svc.lead_stage_change(actor=None, lead=row, stage="viewing")
        with pytest.raises(ApplicationError):
            svc.lead_stage_change(actor=None, lead=row, stage="lost", lost_reason="  ")
        svc.lead_stage_change(actor=None, lead=row, stage="lost", lost_reason="选择了滨江")
        row.refresh_from_db()
        assert (row.stage, row.lost_from_stage, row.lost_reason) == (
            "lost",
            "viewing",
            "选择了滨江",
        )
        svc.lead_stage_change(actor=None, lead=row, stage="talks")
        assert (row.lost_from_stage, row.lost_reason) == ("", "")

    def test_it_refuses_an_unknown_stage(self, economy):
        with pytest.raises(ApplicationError):
            svc.lead_stage_change(actor=None, lead=lead(economy), stage="won")

    def test_it_updates_details_with_masked_audit(self, economy):
        row = lead(economy)
        svc.lead_update(actor=None, lead=row, contact_phone="13905719999", budget=Decimal(200))
        audit = AuditLog.objects.get(action="lead.update")
        assert audit.before["contact_phone"] == "***"
        assert audit.after["budget"] == "200"


@pytest.mark.django_db
class ScopeTests:
    def test_listings_and_leads_follow_the_jurisdiction(self, economy):
        world = economy.world
        here = listing(economy)
        there = listing(economy, building=economy.waijingmao, title="外经贸 5 层")
        mine = lead(economy)
        theirs = lead(economy, node=world.nodes["other_community"], company="天水公司")

        def seen(username):
            user = world.users[username]
            return set(sel.vacancies_visible_to(user)) | set(sel.leads_visible_to(user))

        assert seen("district") == {here, there, mine, theirs}
        assert seen("street") == {here, mine}
        assert seen("clerk") == {here, mine}
        for username in ("enterprise", "employee", "outsider", "association", "sysadmin"):
            assert seen(username) == set()

    def test_only_writers_may_write(self, economy):
        world = economy.world
        row = listing(economy)
        assert sel.get_vacancy_for_user(world.users["street"], row.pk, write=True) == row
        with pytest.raises(Exception) as error:
            sel.get_vacancy_for_user(world.users["clerk"], row.pk, write=True)
        assert error.typename == "Http404"


@pytest.mark.django_db
class FunnelTests:
    def test_it_counts_leads_per_stage_and_those_that_reached_it(self, economy):
        stages = ["lead", "lead", "talks", "viewing", "viewing", "signed", "settled"]
        for index, stage in enumerate(stages):
            row = lead(economy, company=f"公司{index}")
            InvestmentLead.objects.filter(pk=row.pk).update(stage=stage)
        lost = lead(economy, company="流失公司")
        svc.lead_stage_change(actor=None, lead=lost, stage="intent")
        svc.lead_stage_change(actor=None, lead=lost, stage="lost", lost_reason="预算不足")

        rows = {r["stage"]: r for r in sel.lead_funnel(InvestmentLead.objects.all())}

        assert [rows[s]["current"] for s in ("lead", "talks", "viewing", "intent")] == [2, 1, 2, 0]
        assert [rows[s]["reached"] for s in ("lead", "talks", "viewing", "intent")] == [8, 6, 5, 3]
        assert (rows["signed"]["reached"], rows["settled"]["reached"]) == (2, 1)
        assert rows["lost"]["current"] == 1
        assert rows["lead"]["conversion"] is None
        assert rows["talks"]["conversion"] == Decimal("0.7500")


@pytest.mark.django_db
class MatchingTests:
    def test_the_parts_of_the_score(self):
        assert svc_area(Decimal(800), 600, 1000) == Decimal(1)
        assert svc_area(Decimal(450), 600, 1000) == Decimal("0.5")  # 25 % short
        assert svc_area(Decimal(1500), 600, 1000) == Decimal(0)  # 50 % over
        assert sel.area_fit(Decimal(100), None, None) == Decimal("0.5")
        assert sel.budget_fit(Decimal(100), Decimal(100)) == Decimal(1)
        assert sel.budget_fit(Decimal(115), Decimal(100)) == Decimal("0.5")
        assert sel.budget_fit(Decimal(200), Decimal(100)) == Decimal(0)
        assert sel.budget_fit(Decimal(200), None) == Decimal("0.5")
        assert sel.industry_fit("I", {"I": 3, "L": 1}) == Decimal("0.8125")
        assert sel.industry_fit("K", {"I": 3}) == Decimal("0.25")
        assert sel.industry_fit(None, {"I": 3}) == Decimal("0.5")
        assert sel.timing_fit(date(2014, 5, 1), date(2014, 6, 1), TODAY) == Decimal(1)
        assert sel.timing_fit(date(2014, 7, 16), date(2014, 6, 1), TODAY) == Decimal("0.5")
        assert sel.timing_fit(None, None, TODAY) == Decimal(1)

    def test_it_ranks_available_listings_for_a_lead(self, economy):
        economy.world.scopes["enterprise"].industry = industry("65")
        economy.world.scopes["enterprise"].save(update_fields=["industry"])
        perfect = listing(economy, price=Decimal(120), price_unit=PriceUnit.MONTH)
        pricey = listing(economy, title="贵", price=Decimal(10))  # 304.17 a month
        small = listing(
            economy,
            building=economy.waijingmao,
            title="小",
            area=Decimal(300),
            price=Decimal(100),
            price_unit=PriceUnit.MONTH,
        )
        let = listing(economy, title="已租", price=Decimal(100), price_unit=PriceUnit.MONTH)
        svc.vacancy_update(actor=None, listing=let, status=VacancyListing.Status.LET)
        row = lead(economy, industry=industry("65"))

        matches = sel.lead_matches(row, VacancyListing.objects.all(), today=TODAY)

        assert [m["listing"] for m in matches] == [perfect, pricey, small]
        best = matches[0]
        # area 1, budget 1, industry 0.25 + 0.75 × 1/1 (坤和科技 is in section I), timing 1.
        assert best["parts"] == {
            "area": Decimal("1.00"),
            "budget": Decimal("1.00"),
            "industry": Decimal("1.00"),
            "timing": Decimal("1.00"),
        }
        assert best["score"] == 100
        # 300 m² is 50 % short of 600: area 0; budget 1; industry 0.5 (no mix known); timing 1.
        assert matches[2]["score"] == 0 * 40 + 30 + 8 + 15 - 0  # 7.5 rounds to 8
        assert matches[1]["parts"]["budget"] == Decimal("0.00")


def svc_area(area: Decimal, low: int, high: int) -> Decimal:
    return sel.area_fit(area, Decimal(low), Decimal(high))


@pytest.mark.django_db
class InvestmentOfficerTests:
    def test_an_investment_officer_works_their_building_community(self, economy):
        from louyu.accounts.models import Role
        from louyu.accounts.services import membership_grant, user_create

        world = economy.world
        officer = user_create(actor=None, username="zhaoshang", password="Test@2013pass")
        membership_grant(
            actor=None, user=officer, role=Role.INVESTMENT, scope=world.nodes["community"]
        )
        here = listing(economy)
        there = listing(economy, building=economy.waijingmao, title="外经贸 5 层")
        assert set(sel.vacancies_visible_to(officer, write=True)) == {here}
        assert sel.get_vacancy_for_user(officer, here.pk, write=True) == here
        with pytest.raises(Exception) as error:
            sel.get_vacancy_for_user(officer, there.pk)
        assert error.typename == "Http404"
        nodes = set(sel.investment_nodes_for(officer))
        assert world.nodes["community"] in nodes and economy.kunhe in nodes
        assert economy.waijingmao not in nodes
