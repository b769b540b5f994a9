"""Pages of early warning and investment attraction: the permission matrix (outsider 404), the
public vacancy pages, forms that write through the services, htmx visit button, query counts."""

from __future__ import annotations

import io
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from louyu.core.models import AuditLog
from louyu.economy import services_investment as svc
from louyu.economy.models import (
    EnterpriseWarning,
    InvestmentLead,
    PriceUnit,
    VacancyListing,
)
from louyu.economy.services import enterprise_create, occupancy_create, occupancy_update
from louyu.testing import assert_access_matrix

VIEWERS = {"district", "street", "clerk"}
WRITERS = {"district", "street"}


def png() -> io.BytesIO:
    out = io.BytesIO()
    Image.new("RGB", (20, 10), "white").save(out, format="PNG")
    out.name = "plan.png"
    out.seek(0)
    return out


@pytest.fixture
def stock(economy, media):
    """A published and an unpublished listing in 坤和中心, a listing in 外经贸 (天水), a lead in
    环西 and one in 天水, and 坤和科技 graded orange."""
    cache.clear()
    district = economy.world.users["district"]
    published = svc.vacancy_create(
        actor=district,
        building=economy.kunhe,
        title="坤和中心 18 层",
        area=Decimal(600),
        price=Decimal("4.20"),
        price_unit=PriceUnit.DAY,
        floor_plan=png(),
        contact_name="服务中心招商员",
        contact_phone="057187001234",
    )
    svc.vacancy_publish(actor=district, listing=published)
    draft = svc.vacancy_create(
        actor=district,
        building=economy.kunhe,
        title="坤和中心 9 层（未发布）",
        area=Decimal(300),
        price=Decimal(110),
        price_unit=PriceUnit.MONTH,
        floor_plan=png(),
    )
    elsewhere = svc.vacancy_create(
        actor=district,
        building=economy.waijingmao,
        title="外经贸 5 层",
        area=Decimal(200),
        price=Decimal(3),
    )
    lead = svc.lead_create(
        actor=district,
        node=economy.world.nodes["community"],
        company="杭州云帆科技有限公司",
        contact_name="林志远",
        contact_phone="13905712345",
        area_min=Decimal(500),
        area_max=Decimal(800),
        budget=Decimal(140),
    )
    other_lead = svc.lead_create(
        actor=district, node=economy.world.nodes["other_community"], company="天水公司"
    )
    mine = economy.world.scopes["enterprise"]
    occupancy_update(
        actor=None,
        occupancy=mine.occupancies.get(),
        intends_to_leave=True,
        lease_expires=timezone.localdate() + timedelta(days=200),
    )
    svc.warnings_refresh()
    return {
        "economy": economy,
        "published": published,
        "draft": draft,
        "elsewhere": elsewhere,
        "lead": lead,
        "other_lead": other_lead,
        "warning": EnterpriseWarning.objects.get(enterprise=mine),
    }


@pytest.mark.django_db
class AccessMatrixTests:
    def test_staff_pages_are_for_government_roles_over_the_rows(self, stock):
        world = stock["economy"].world
        listing, lead = stock["published"], stock["lead"]
        for name, args, allowed in [
            ("economy:warning_list", [], VIEWERS),
            ("economy:vacancy_list", [], VIEWERS),
            ("economy:lead_list", [], VIEWERS),
            ("economy:vacancy_detail", [listing.pk], VIEWERS),
            ("economy:vacancy_floor_plan", [listing.pk], VIEWERS),
            ("economy:lead_detail", [lead.pk], VIEWERS),
            ("economy:vacancy_create", [], WRITERS),
            ("economy:lead_create", [], WRITERS),
            ("economy:vacancy_edit", [listing.pk], WRITERS),
            ("economy:lead_edit", [lead.pk], WRITERS),
        ]:
            assert_access_matrix(world, "get", reverse(name, args=args), allowed=allowed)

    def test_rows_of_another_street_are_the_district_offices_alone(self, stock):
        world = stock["economy"].world
        for url in (
            reverse("economy:vacancy_detail", args=[stock["elsewhere"].pk]),
            reverse("economy:lead_detail", args=[stock["other_lead"].pk]),
        ):
            assert_access_matrix(world, "get", url, allowed={"district"})

    def test_writes_are_for_writers_only(self, stock):
        world = stock["economy"].world
        assert_access_matrix(
            world,
            "post",
            reverse("economy:warning_visit", args=[stock["warning"].pk]),
            allowed=WRITERS,
            allowed_status=(302,),
        )
        assert_access_matrix(
            world,
            "post",
            reverse("economy:lead_stage", args=[stock["lead"].pk]),
            allowed=WRITERS,
            allowed_status=(302,),
            data={"stage": "talks"},
        )
        assert_access_matrix(
            world,
            "post",
            reverse("economy:vacancy_publish", args=[stock["draft"].pk]),
            allowed=WRITERS,
            allowed_status=(302,),
            data={"publish": "1"},
        )

    def test_missing_rows_are_not_found(self, stock):
        client = stock["economy"].world.client_for("district")
        for name in (
            "economy:vacancy_detail",
            "economy:lead_detail",
            "economy:vacancy_public_detail",
        ):
            assert client.get(reverse(name, args=[999999])).status_code == 404


@pytest.mark.django_db
class PublicVacancyTests:
    def test_everyone_sees_only_published_listings(self, stock):
        world = stock["economy"].world
        for username in (None, "outsider", "enterprise", "district"):
            response = world.client_for(username).get(reverse("economy:vacancy_public_list"))
            assert response.status_code == 200
            page = response.content.decode()
            assert "坤和中心 18 层" in page
            assert "未发布" not in page and "外经贸 5 层" not in page

    def test_the_detail_shows_the_public_contact_and_floor_plan_of_published_listings(self, stock):
        client = stock["economy"].world.client_for(None)
        published, draft = stock["published"], stock["draft"]
        page = client.get(reverse("economy:vacancy_public_detail", args=[published.pk]))
        assert page.status_code == 200
        assert "057187001234" in page.content.decode()
        image = client.get(reverse("economy:vacancy_public_floor_plan", args=[published.pk]))
        assert image.status_code == 200
        assert image["Content-Type"] == "image/png"
        assert image["X-Content-Type-Options"] == "nosniff"
        for name in ("economy:vacancy_public_detail", "economy:vacancy_public_floor_plan"):
            assert client.get(reverse(name, args=[draft.pk])).status_code == 404

    def test_unpublishing_takes_a_listing_off_at_once(self, stock):
        client = stock["economy"].world.client_for("street")
        published = stock["published"]
        response = client.post(
            reverse("economy:vacancy_publish", args=[published.pk]), {"publish": "0"}
        )
        assert response.status_code == 302
        anonymous = stock["economy"].world.client_for(None)
        url = reverse("economy:vacancy_public_detail", args=[published.pk])
        assert anonymous.get(url).status_code == 404
        assert AuditLog.objects.filter(action="vacancy.unpublish").count() == 1


@pytest.mark.django_db
class WarningPageTests:
    def test_it_lists_colour_badges_reasons_and_the_visit_button(self, stock):
        client = stock["economy"].world.client_for("street")
        page = client.get(reverse("economy:warning_list"), HTTP_ACCEPT_LANGUAGE="zh-hans")
        text = page.content.decode()
        assert "杭州坤和科技有限公司" in text
        assert "grade-badge grade-orange" in text
        assert "有迁出意向" in text
        assert "安排走访" in text

    def test_a_viewer_who_may_not_write_gets_no_button(self, stock):
        client = stock["economy"].world.client_for("clerk")
        text = client.get(reverse("economy:warning_list")).content.decode()
        assert "杭州坤和科技有限公司" in text
        assert reverse("economy:warning_visit", args=[stock["warning"].pk]) not in text

    def test_it_filters_by_colour(self, stock):
        client = stock["economy"].world.client_for("district")
        red = client.get(reverse("economy:warning_list"), {"grade": 4}).content.decode()
        assert "杭州坤和科技有限公司" not in red
        orange = client.get(reverse("economy:warning_list"), {"grade": 3}).content.decode()
        assert "杭州坤和科技有限公司" in orange

    def test_the_htmx_visit_button_answers_with_the_row(self, stock, monkeypatch):
        client = stock["economy"].world.client_for("district")
        warning = stock["warning"]
        response = client.post(
            reverse("economy:warning_visit", args=[warning.pk]), HTTP_HX_REQUEST="true"
        )
        assert response.status_code == 200
        assert f'id="warning-{warning.pk}"' in response.content.decode()
        warning.refresh_from_db()
        assert warning.visit_requested_by == stock["economy"].world.users["district"]
        assert AuditLog.objects.filter(action="warning.visit").count() == 1

    def test_the_list_query_count_does_not_grow_with_rows(self, stock):
        client = stock["economy"].world.client_for("district")
        url = reverse("economy:warning_list")
        client.get(url)  # first request warms caches (content types, sessions)
        with CaptureQueriesContext(connection) as one:
            client.get(url)
        economy = stock["economy"]
        for index, code in enumerate(("91330103MA2CFK1B1L", "91330103MA2CFK1C1M")):
            firm = enterprise_create(actor=None, credit_code=_valid(code), name=f"预警公司{index}")
            occupancy_create(
                actor=None,
                enterprise=firm,
                building=economy.kunhe,
                start=date(2010, 1, 1),
                area=Decimal(50),
                intends_to_leave=True,
            )
        svc.warnings_refresh()
        with CaptureQueriesContext(connection) as three:
            page = client.get(url)
        assert "预警公司1" in page.content.decode()
        assert len(three) == len(one), "\n".join(q["sql"][:150] for q in three.captured_queries)


def _valid(code: str) -> str:
    from stdnum.cn import uscc

    return code[:17] + uscc.calc_check_digit(code[:17])


@pytest.mark.django_db
class VacancyFormTests:
    def test_a_writer_creates_a_listing_with_units_and_a_floor_plan(self, stock):
        from louyu.economy.models import Floor, Unit

        economy = stock["economy"]
        floor = Floor.objects.create(building=economy.kunhe, number=20)
        Unit.objects.create(floor=floor, number="2001", area=Decimal(300), state="vacant")
        Unit.objects.create(floor=floor, number="2002", area=Decimal(300), state="vacant")
        client = economy.world.client_for("street")
        response = client.post(
            reverse("economy:vacancy_create"),
            {
                "building": economy.kunhe.pk,
                "unit_numbers": "2001，2002",
                "title": "坤和中心 20 层",
                "area": "600",
                "price": "4.8",
                "price_unit": "day",
                "status": "available",
                "floor_plan": png(),
            },
        )
        assert response.status_code == 302
        listing = VacancyListing.objects.get(title="坤和中心 20 层")
        assert sorted(listing.units.values_list("number", flat=True)) == ["2001", "2002"]
        assert listing.floor_plan.name.startswith("economy/floor-plans/")
        assert listing.created_by == economy.world.users["street"]

    def test_bad_input_is_refused_with_a_message_and_nothing_written(self, stock):
        economy = stock["economy"]
        client = economy.world.client_for("street")
        before = VacancyListing.objects.count()
        response = client.post(
            reverse("economy:vacancy_create"),
            {
                "building": economy.kunhe.pk,
                "unit_numbers": "9999",
                "title": "坏数据",
                "area": "100",
                "price": "4",
                "price_unit": "day",
                "status": "available",
            },
            HTTP_ACCEPT_LANGUAGE="zh-hans",
        )
        assert response.status_code == 400
        assert VacancyListing.objects.count() == before
        bad_image = io.BytesIO(b"<svg></svg>")
        bad_image.name = "plan.png"
        response = client.post(
            reverse("economy:vacancy_create"),
            {
                "building": economy.kunhe.pk,
                "title": "坏图片",
                "area": "100",
                "price": "4",
                "price_unit": "day",
                "status": "available",
                "floor_plan": bad_image,
            },
        )
        assert response.status_code == 400
        assert VacancyListing.objects.count() == before

    def test_a_street_cadre_cannot_put_a_listing_in_another_street(self, stock):
        economy = stock["economy"]
        client = economy.world.client_for("street")
        response = client.post(
            reverse("economy:vacancy_create"),
            {
                "building": economy.waijingmao.pk,
                "title": "越权",
                "area": "100",
                "price": "4",
                "price_unit": "day",
                "status": "available",
            },
        )
        assert response.status_code == 400
        assert not VacancyListing.objects.filter(title="越权").exists()

    def test_a_writer_edits_a_listing(self, stock):
        client = stock["economy"].world.client_for("district")
        listing = stock["draft"]
        response = client.post(
            reverse("economy:vacancy_edit", args=[listing.pk]),
            {
                "building": listing.building_id,
                "title": "坤和中心 9 层（改）",
                "area": "320",
                "price": "115",
                "price_unit": "month",
                "status": "available",
            },
        )
        assert response.status_code == 302
        listing.refresh_from_db()
        assert (listing.title, listing.area) == ("坤和中心 9 层（改）", Decimal(320))
        assert listing.floor_plan  # kept


@pytest.mark.django_db
class LeadPageTests:
    def test_the_list_masks_contacts_and_shows_the_funnel(self, stock):
        client = stock["economy"].world.client_for("clerk")
        text = client.get(reverse("economy:lead_list"), HTTP_ACCEPT_LANGUAGE="zh-hans")
        text = text.content.decode()
        assert "杭州云帆科技有限公司" in text
        assert "139****2345" in text and "林**" in text
        assert "13905712345" not in text and "林志远" not in text
        assert "天水公司" not in text
        assert "<progress" in text

    def test_the_detail_shows_matches(self, stock):
        client = stock["economy"].world.client_for("street")
        text = client.get(reverse("economy:lead_detail", args=[stock["lead"].pk]))
        text = text.content.decode()
        assert "坤和中心 18 层" in text
        assert "外经贸 5 层" not in text  # not in the street cadre's scope

    def test_a_writer_creates_a_lead_and_moves_it(self, stock):
        economy = stock["economy"]
        client = economy.world.client_for("street")
        response = client.post(
            reverse("economy:lead_create"),
            {
                "node": economy.world.nodes["community"].pk,
                "company": "杭州新线索有限公司",
                "contact_phone": "13905710000",
                "area_min": "100",
                "area_max": "200",
                "source": "visit",
            },
        )
        assert response.status_code == 302
        lead = InvestmentLead.objects.get(company="杭州新线索有限公司")
        assert lead.owner == economy.world.users["street"]
        response = client.post(
            reverse("economy:lead_stage", args=[lead.pk]),
            {"stage": "lost", "lost_reason": ""},
            HTTP_REFERER="http://testserver" + reverse("economy:lead_detail", args=[lead.pk]),
        )
        assert response.status_code == 302
        lead.refresh_from_db()
        assert lead.stage == "lead"  # refused: no reason
        client.post(
            reverse("economy:lead_stage", args=[lead.pk]),
            {"stage": "lost", "lost_reason": "去了别区"},
        )
        lead.refresh_from_db()
        assert (lead.stage, lead.lost_reason) == ("lost", "去了别区")

    def test_a_lead_cannot_be_put_outside_the_writers_scope(self, stock):
        economy = stock["economy"]
        client = economy.world.client_for("street")
        response = client.post(
            reverse("economy:lead_create"),
            {
                "node": economy.world.nodes["other_community"].pk,
                "company": "越权线索",
                "source": "visit",
            },
        )
        assert response.status_code == 400
        assert not InvestmentLead.objects.filter(company="越权线索").exists()
