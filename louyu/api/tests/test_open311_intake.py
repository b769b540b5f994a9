"""The Open311 intake queue (issue 12): a location that matches no building is accepted with a
token and kept as given; a clerk of a community inside its jurisdiction places it, which files
the request, and the token then answers with its number. Nobody else sees it."""

from __future__ import annotations

import pytest
from django.urls import reverse

from louyu.api.models import Open311Submission
from louyu.api.open311.services import open311_submission_place
from louyu.core.exceptions import ApplicationError
from louyu.core.models import AuditLog
from louyu.servicedesk.models import Channel, ServiceRequest

from .test_open311_views import BASE, body, post

pytestmark = pytest.mark.django_db

NOWHERE = "浙江省杭州市 不存在路 88 号"


def submit(client, catalog, key="enterprise", **extra):
    data = {
        "api_key": catalog.key(key),
        "service_code": "fire-hazard",
        "address_string": NOWHERE,
        "description": "楼道堆放杂物",
        "first_name": "小明",
        "last_name": "王",
        "phone": "13900001111",
        **extra,
    }
    return post(client, **data)


class IntakeSubmitTests:
    def test_it_accepts_an_unmatched_address_with_a_token(self, client, catalog):
        response = submit(client, catalog)
        assert response.status_code == 201
        (answer,) = body(response)
        assert set(answer) == {"token", "service_notice", "account_id"}
        assert "服务中心" in answer["service_notice"]
        record = Open311Submission.objects.get(token=answer["token"])
        assert record.request is None
        assert record.address_string == NOWHERE
        assert record.service_item == catalog.hazard
        assert (record.reporter_name, record.reporter_phone) == ("王小明", "13900001111")
        assert record.jurisdiction == catalog.world.nodes["district"]  # the tree's one root
        assert not ServiceRequest.objects.exists()
        assert AuditLog.objects.filter(action="open311.intake").count() == 1

    def test_its_token_has_no_request_number_until_placed(self, client, catalog):
        token = body(submit(client, catalog))[0]["token"]
        assert body(client.get(f"{BASE}tokens/{token}.json")) == [
            {"service_request_id": None, "token": token}
        ]
        xml = client.get(f"{BASE}tokens/{token}.xml")
        assert xml.status_code == 200

    def test_it_goes_to_the_keys_jurisdiction(self, client, catalog):
        response = submit(client, catalog, key="outsider")
        assert response.status_code == 201
        record = Open311Submission.objects.get(token=body(response)[0]["token"])
        assert record.jurisdiction == catalog.world.other_community

    def test_it_goes_to_the_jurisdiction_asked_for(self, client, catalog):
        response = submit(client, catalog, jurisdiction_id="330103002001")
        record = Open311Submission.objects.get(token=body(response)[0]["token"])
        assert record.jurisdiction == catalog.world.community

    def test_it_treats_empty_optional_parameters_as_absent(self, client, catalog):
        response = submit(client, catalog, lat="", long="", media_url="", email="", address_id="")
        assert response.status_code == 201

    def test_it_still_refuses_an_unknown_address_id(self, client, catalog):
        response = submit(client, catalog, address_id="999999")
        assert response.status_code == 400

    def test_it_still_needs_a_location(self, client, catalog):
        response = submit(client, catalog, address_string="")
        assert response.status_code == 400


class IntakePlaceTests:
    @pytest.fixture
    def record(self, client, catalog) -> Open311Submission:
        token = body(submit(client, catalog))[0]["token"]
        return Open311Submission.objects.get(token=token)

    def test_a_clerk_places_it_and_the_token_gives_the_number(self, client, catalog, record):
        request = open311_submission_place(
            actor=catalog.clerk, record=record, building=catalog.building
        )
        assert request.channel == Channel.OPEN311
        assert request.building == catalog.building and request.community == catalog.community
        assert request.service_item == catalog.hazard
        assert (request.requester_name, request.requester_phone) == ("王小明", "13900001111")
        record.refresh_from_db()
        assert record.request == request and record.placed_by == catalog.clerk
        assert body(client.get(f"{BASE}tokens/{record.token}.json")) == [
            {"service_request_id": request.number, "token": record.token}
        ]
        assert AuditLog.objects.filter(action="open311.place", actor=catalog.clerk).exists()

    def test_it_is_placed_once(self, catalog, record):
        open311_submission_place(actor=catalog.clerk, record=record, building=catalog.building)
        with pytest.raises(ApplicationError):
            open311_submission_place(actor=catalog.clerk, record=record, building=catalog.building)
        assert ServiceRequest.objects.count() == 1

    def test_it_refuses_a_building_outside_the_clerks_community(self, catalog, record):
        with pytest.raises(ApplicationError):
            open311_submission_place(
                actor=catalog.clerk, record=record, building=catalog.world.other_building
            )
        assert not ServiceRequest.objects.exists()


class IntakePageTests:
    url = "/service/intake/"

    def test_the_clerk_sees_it_and_places_it(self, client, catalog):
        submit(client, catalog)
        clerk = catalog.world.client_for("clerk")
        html = clerk.get(self.url).content.decode()
        assert NOWHERE in html and "消防隐患报告" in html and "坤和中心" in html
        record = Open311Submission.objects.get()
        response = clerk.post(
            reverse("servicedesk:intake_place", args=[record.pk]),
            {"building": catalog.building.pk},
        )
        filed = ServiceRequest.objects.get()
        assert response["Location"] == reverse("servicedesk:request_detail", args=[filed.pk])
        assert NOWHERE not in clerk.get(self.url).content.decode()

    def test_it_is_in_english_too(self, client, catalog):
        submit(client, catalog)
        html = catalog.world.client_for("clerk").get(self.url, HTTP_ACCEPT_LANGUAGE="en")
        assert "Place and file" in html.content.decode()

    def test_a_forged_building_changes_nothing(self, client, catalog):
        submit(client, catalog)
        record = Open311Submission.objects.get()
        clerk = catalog.world.client_for("clerk")
        for forged in (catalog.world.other_building.pk, "x", ""):
            clerk.post(reverse("servicedesk:intake_place", args=[record.pk]), {"building": forged})
        assert not ServiceRequest.objects.exists()

    def test_the_street_sees_it_but_cannot_place_it(self, client, catalog):
        submit(client, catalog, jurisdiction_id="330103002001")
        html = catalog.world.client_for("street").get(self.url).content.decode()
        assert NOWHERE in html and "Place and file" not in html and "选择楼宇" not in html

    @pytest.mark.parametrize("username", ["outsider", "enterprise", "employee", "nobody"])
    def test_others_get_404(self, client, catalog, username):
        submit(client, catalog)
        record = Open311Submission.objects.get()
        other = catalog.world.client_for(username)
        assert other.get(self.url).status_code == 404
        place = reverse("servicedesk:intake_place", args=[record.pk])
        assert other.post(place, {"building": catalog.building.pk}).status_code == 404
        assert not ServiceRequest.objects.exists()

    def test_another_communitys_submission_is_not_the_clerks(self, client, catalog):
        submit(client, catalog, key="outsider")
        record = Open311Submission.objects.get()
        clerk = catalog.world.client_for("clerk")
        assert NOWHERE not in clerk.get(self.url).content.decode()
        place = reverse("servicedesk:intake_place", args=[record.pk])
        assert clerk.post(place, {"building": catalog.building.pk}).status_code == 404

    def test_anonymous_is_sent_to_sign_in(self, client):
        assert client.get(self.url).status_code == 302

    def test_it_pages_the_queue_and_counts_it_all(self, client, catalog):
        for _ in range(23):
            submit(client, catalog)
        clerk = catalog.world.client_for("clerk")
        first = clerk.get(self.url).content.decode()
        assert first.count('action="/service/intake/') == 20
        assert '<span class="badge text-bg-secondary">23</span>' in first
        second = clerk.get(self.url, {"page": 2}).content.decode()
        assert second.count('action="/service/intake/') == 3
