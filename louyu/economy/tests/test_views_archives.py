"""The building directory, the building and enterprise archives and the enterprise list: who
sees what (outsiders 404), tax only for tax viewers under the chosen 口径, masking, pinyin
search, exports and pinned query counts."""

from __future__ import annotations

import io
import re
from datetime import date
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from louyu.core.models import AuditLog, Node
from louyu.core.services import node_create
from louyu.economy.models import BuildingPhoto, Floor, Unit
from louyu.economy.services import building_photo_add, building_profile_save, enterprise_update
from louyu.testing import assert_access_matrix

BUILDINGS = "/economy/buildings/"
ENTERPRISES = "/economy/enterprises/"
STAFF = {"district", "street", "clerk"}
# 坤和中心 paid 12,000,000 yuan in 2013 (1,200.00 万元; district share 480.00 万元);
# 浙江省外经贸广场 1,200,000 (120.00 万元).
KUNHE_WAN = "1,200.00"
KUNHE_DISTRICT_WAN = "480.00"
WAIJINGMAO_WAN = "120.00"


def html(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def names_in_order(page: str, names: list[str]) -> list[str]:
    return sorted(names, key=page.index)


class BuildingListTests:
    def test_it_shows_the_directory_to_anyone_without_tax(self, economy):
        for username in (None, "nobody", "enterprise", "outsider", "party_officer"):
            page = html(economy.world.client_for(username).get(BUILDINGS, {"year": 2013}))
            for name in ("坤和中心", "浙江省外经贸广场", "备用大厦"):
                assert name in page, username
            assert KUNHE_WAN not in page and WAIJINGMAO_WAN not in page, username
            assert "口径" not in page.split("<main", 1)[1].split("</form>", 1)[1], username

    def test_it_shows_tax_to_the_district_office_with_its_definition(self, economy):
        client = economy.world.client_for("district")
        page = html(client.get(BUILDINGS, {"year": 2013}))
        assert KUNHE_WAN in page and WAIJINGMAO_WAN in page
        assert "千万元楼" in page
        assert "全口径" in page or "总税" in page or "Total tax" in page
        page = html(client.get(BUILDINGS, {"year": 2013, "definition": "district"}))
        assert KUNHE_DISTRICT_WAN in page and KUNHE_WAN not in page

    def test_a_street_cadre_sees_tax_of_their_street_only(self, economy):
        page = html(economy.world.client_for("street").get(BUILDINGS, {"year": 2013}))
        assert KUNHE_WAN in page
        assert "浙江省外经贸广场" in page and WAIJINGMAO_WAN not in page

    def test_it_finds_buildings_by_pinyin(self, economy):
        client = economy.world.client_for(None)
        for query in ("khzx", "kunhe", "坤和", "KunHe", "kun zhong"):
            page = html(client.get(BUILDINGS, {"q": query}))
            assert "坤和中心" in page and "浙江省外经贸广场" not in page, query

    def test_it_sorts_by_tax_for_tax_viewers_only(self, economy):
        names = ["坤和中心", "浙江省外经贸广场", "备用大厦"]
        page = html(
            economy.world.client_for("district").get(BUILDINGS, {"year": 2013, "sort": "tax"})
        )
        # Lowest first, buildings without tax last either way.
        assert names_in_order(page, names) == ["浙江省外经贸广场", "坤和中心", "备用大厦"]
        page = html(economy.world.client_for(None).get(BUILDINGS, {"year": 2013, "sort": "tax"}))
        assert names_in_order(page, names) == ["备用大厦", "坤和中心", "浙江省外经贸广场"]

    def test_it_filters_by_tier_and_target_year(self, economy):
        client = economy.world.client_for("district")
        page = html(client.get(BUILDINGS, {"year": 2013, "tier": "10m"}))
        assert "坤和中心" in page and "浙江省外经贸广场" not in page
        page = html(client.get(BUILDINGS, {"target_year": 2012}))
        assert "坤和中心" in page and "浙江省外经贸广场" not in page and "备用大厦" not in page
        # The tier filter does not exist for the public: it would reveal tax.
        page = html(economy.world.client_for(None).get(BUILDINGS, {"year": 2013, "tier": "10m"}))
        assert "浙江省外经贸广场" in page

    def test_it_links_archives_only_for_their_keepers(self, economy):
        url = reverse("economy:building_detail", args=[economy.kunhe.pk])
        assert url in html(economy.world.client_for("clerk").get(BUILDINGS))
        assert url not in html(economy.world.client_for(None).get(BUILDINGS))
        assert url not in html(economy.world.client_for("outsider").get(BUILDINGS))

    def test_it_lists_in_a_fixed_number_of_queries(self, economy, django_assert_num_queries):
        client = economy.world.client_for(None)
        # Years, street and community choices, count, page.
        with django_assert_num_queries(5):
            client.get(BUILDINGS)
        # A fresh sign-in each time (its first request always saves the session): the shell
        # and the scopes, then the years, the street and community choices, count and page.
        # None of it grows with the number of buildings.
        client = economy.world.client_for("district")
        with django_assert_num_queries(17):
            client.get(BUILDINGS, {"year": 2013})
        for number in range(3):
            building = node_create(
                actor=None,
                kind=Node.Kind.BUILDING,
                name=f"新楼{number}",
                parent=economy.world.nodes["community"],
            )
            building_profile_save(actor=None, building=building, grade="a")
            floor = Floor.objects.create(building=building, number=1)
            Unit.objects.create(floor=floor, number="101", area=Decimal(100), state="vacant")
        client = economy.world.client_for("district")
        with django_assert_num_queries(17):
            assert "新楼2" in html(client.get(BUILDINGS, {"year": 2013}))


class BuildingExportTests:
    def test_the_public_export_has_no_tax(self, economy):
        response = economy.world.client_for(None).get(
            reverse("economy:building_export"), {"format": "csv"}
        )
        assert response.status_code == 200
        text = response.content.decode("utf-8-sig")
        assert "坤和中心" in text and "税收" not in text.split("\n", 1)[0]

    def test_the_district_export_has_tax_in_wan_and_is_audited(self, economy):
        response = economy.world.client_for("district").get(
            reverse("economy:building_export"),
            {"format": "csv", "unit": "wan", "year": 2013, "q": "khzx"},
        )
        text = response.content.decode("utf-8-sig")
        assert "1200.00" in text.split("\n", 2)[1]
        assert "浙江省外经贸广场" not in text
        assert AuditLog.objects.filter(action="export.economy.buildings").count() == 1

    def test_a_bad_format_is_refused_in_chinese(self, economy):
        response = economy.world.client_for("district").get(
            reverse("economy:building_export"), {"format": "pdf"}, HTTP_ACCEPT="application/json"
        )
        assert response.status_code == 400


class BuildingDetailTests:
    @pytest.fixture
    def url(self, economy) -> str:
        return f"{BUILDINGS}{economy.kunhe.pk}/"

    def test_only_its_keepers_open_it(self, economy, url):
        assert_access_matrix(economy.world, "get", url, allowed=STAFF)

    def test_the_other_building_is_not_the_clerks(self, economy):
        url = f"{BUILDINGS}{economy.waijingmao.pk}/"
        assert economy.world.client_for("clerk").get(url).status_code == 404
        assert economy.world.client_for("district").get(url).status_code == 200
        assert economy.world.client_for("district").get(f"{BUILDINGS}999999/").status_code == 404

    def test_it_shows_the_archive(self, economy, url):
        building_profile_save(
            actor=None,
            building=economy.kunhe,
            address="杭州市下城区环城西路",
            longitude=Decimal("120.16"),
            latitude=Decimal("30.27"),
            datum="gcj02",
            grade="a",
            operator="坤和集团",
        )
        floor = Floor.objects.get(building=economy.kunhe, number=8)
        Unit.objects.create(floor=floor, number="802", area=Decimal(500), state="vacant")
        page = html(economy.world.client_for("clerk").get(url, {"year": 2013}))
        for text in ("环城西路", "GCJ-02", "坤和集团", "801", "802", "杭州坤和科技有限公司"):
            assert text in page, text
        assert "unit-tile unit-vacant" in page and "unit-tile unit-occupied" in page
        assert "50.0%" in page  # occupancy by area: 500 of 1,000 m²
        assert KUNHE_WAN in page and "2013" in page and "2012" in page

    def test_it_exports_the_enterprises_tax_of_the_building(self, economy, url):
        client = economy.world.client_for("clerk")
        page = html(client.get(url, {"year": 2013, "definition": "district"}))
        link = re.search(
            r'href="(/economy/dashboard/export/\?[^"]*format=csv&amp;unit=yuan)"', page
        )
        assert link, "no export link"
        text = client.get(link.group(1).replace("&amp;", "&")).content.decode("utf-8-sig")
        assert "杭州坤和科技有限公司" in text and "4800000.00" in text

    def test_it_switches_the_definition(self, economy, url):
        client = economy.world.client_for("district")
        page = html(client.get(url, {"year": 2013, "definition": "district"}))
        assert KUNHE_DISTRICT_WAN in page and KUNHE_WAN not in page


class EnterpriseListTests:
    def test_only_archive_keepers_list_enterprises(self, economy):
        assert_access_matrix(economy.world, "get", ENTERPRISES, allowed=STAFF)

    def test_it_lists_only_enterprises_in_scope(self, economy):
        page = html(economy.world.client_for("clerk").get(ENTERPRISES))
        assert "杭州坤和科技有限公司" in page and "91330103MA2CFK1A3R" in page
        assert "杭州外经贸咨询有限公司" not in page
        page = html(economy.world.client_for("district").get(ENTERPRISES))
        assert "杭州外经贸咨询有限公司" in page

    def test_it_searches_and_filters(self, economy):
        client = economy.world.client_for("district")
        for query in ("hzkh", "kunhe", "坤和", "91330103ma2cfk1a3r"):
            page = html(client.get(ENTERPRISES, {"q": query}))
            assert "杭州坤和科技有限公司" in page and "杭州外经贸咨询有限公司" not in page, query
        street = economy.world.nodes["other_street"].pk
        page = html(client.get(ENTERPRISES, {"street": street}))
        assert "杭州坤和科技有限公司" not in page and "杭州外经贸咨询有限公司" in page

    def test_it_lists_in_a_fixed_number_of_queries(self, economy, django_assert_num_queries):
        # A fresh sign-in (its first request always saves the session): the shell and the
        # scopes, then the section, street, community and building choices, count and page.
        client = economy.world.client_for("district")
        with django_assert_num_queries(20):
            client.get(ENTERPRISES)

    def test_the_export_holds_the_credit_code_as_text(self, economy):
        response = economy.world.client_for("clerk").get(
            reverse("economy:enterprise_export"), {"format": "csv"}
        )
        text = response.content.decode("utf-8-sig")
        assert "91330103MA2CFK1A3R" in text and "杭州外经贸咨询有限公司" not in text
        assert (
            economy.world.client_for("outsider")
            .get(reverse("economy:enterprise_export"), {"format": "csv"})
            .status_code
            == 404
        )


class EnterpriseDetailTests:
    @pytest.fixture
    def url(self, economy) -> str:
        return f"{ENTERPRISES}{economy.world.scopes['enterprise'].pk}/"

    def test_its_own_people_and_its_keepers_open_it(self, economy, url):
        assert_access_matrix(economy.world, "get", url, allowed=STAFF | {"enterprise", "employee"})

    def test_the_outsider_opens_only_their_own(self, economy):
        own = f"{ENTERPRISES}{economy.world.scopes['other_enterprise'].pk}/"
        assert economy.world.client_for("outsider").get(own).status_code == 200

    def test_it_masks_the_legal_representative_for_those_not_cleared(self, economy, url):
        enterprise_update(
            actor=None,
            enterprise=economy.world.scopes["enterprise"],
            legal_representative="孙浩然",
        )
        page = html(economy.world.client_for("employee").get(url))
        assert "孙*然" in page and "孙浩然" not in page
        for username in ("district", "clerk", "enterprise"):
            assert "孙浩然" in html(economy.world.client_for(username).get(url)), username

    def test_it_masks_contact_phones(self, economy, url):
        page = html(economy.world.client_for("district").get(url))
        phone = economy.world.users["enterprise"].phone
        assert phone not in page and f"{phone[:3]}****{phone[-4:]}" in page

    def test_it_shows_tax_to_tax_viewers_and_the_enterprise_contact(self, economy, url):
        for username in ("district", "street", "clerk", "enterprise"):
            page = html(economy.world.client_for(username).get(url))
            assert KUNHE_WAN in page, username
        assert KUNHE_WAN not in html(economy.world.client_for("employee").get(url))
        page = html(economy.world.client_for("district").get(url, {"definition": "district"}))
        assert KUNHE_DISTRICT_WAN in page

    def test_it_shows_the_moves(self, economy, url):
        page = html(economy.world.client_for("district").get(url))
        assert date(2010, 1, 1).isoformat() in page and "坤和中心" in page


def png_upload(name="照片.png"):
    out = io.BytesIO()
    Image.new("RGB", (4, 3), "blue").save(out, format="PNG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/png")


class BuildingPhotoTests:
    def test_archive_keepers_add_see_and_remove_photos(self, economy):
        kunhe = economy.kunhe
        client = economy.world.client_for("clerk")
        add = reverse("economy:building_photo_add", args=[kunhe.pk])
        response = client.post(add, {"image": png_upload(), "caption": "大堂"})
        assert response.status_code == 302
        photo = BuildingPhoto.objects.get(building=kunhe)
        assert photo.caption == "大堂" and "照片" not in photo.image.name
        page = html(client.get(reverse("economy:building_detail", args=[kunhe.pk])))
        src = reverse("economy:building_photo", args=[kunhe.pk, photo.pk])
        assert src in page and "大堂" in page
        assert client.get(src)["Content-Type"] == "image/png"
        assert AuditLog.objects.filter(action="buildingphoto.create").count() == 1
        client.post(reverse("economy:building_photo_delete", args=[kunhe.pk, photo.pk]))
        assert not BuildingPhoto.objects.exists()
        assert AuditLog.objects.filter(action="buildingphoto.delete").count() == 1

    def test_a_file_that_is_not_an_image_is_refused_and_nothing_stored(self, economy):
        client = economy.world.client_for("clerk")
        fake = SimpleUploadedFile("x.png", b"<svg onload=alert(1)>", content_type="image/png")
        response = client.post(
            reverse("economy:building_photo_add", args=[economy.kunhe.pk]),
            {"image": fake},
            follow=True,
        )
        assert "该文件不是可识别的图片" in html(response)
        assert not BuildingPhoto.objects.exists()

    def test_photos_are_only_for_the_archive_keepers(self, economy):
        photo = building_photo_add(
            actor=None, building=economy.kunhe, upload=png_upload(), caption="外立面"
        )
        src = reverse("economy:building_photo", args=[economy.kunhe.pk, photo.pk])
        assert_access_matrix(economy.world, "get", src, allowed=STAFF)
        add = reverse("economy:building_photo_add", args=[economy.kunhe.pk])
        for username in ("outsider", "enterprise"):
            client = economy.world.client_for(username)
            assert client.post(add, {"image": png_upload()}).status_code == 404
        assert BuildingPhoto.objects.count() == 1
