"""The GeoReport v2 methods through Django's test client: every branch, both formats."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from xml.etree import ElementTree as ET

import pytest
from django.utils import timezone
from rest_framework.throttling import AnonRateThrottle

from louyu.api.models import Open311Submission
from louyu.core.exceptions import ApplicationError
from louyu.core.models import AuditLog
from louyu.servicedesk.models import Category, Channel, ServiceItem, ServiceRequest, Status
from louyu.servicedesk.services.requests import request_create

from .conftest import KUNHE_GCJ, KUNHE_WGS

BASE = "/open311/v2/"
OFFSET = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00$")


def xml(response) -> ET.Element:
    assert response["Content-Type"] == "text/xml; charset=utf-8"
    assert response.content.startswith(b'<?xml version="1.0" encoding="utf-8"?>')
    return ET.fromstring(response.content)


def body(response):
    assert response["Content-Type"] == "application/json; charset=utf-8"
    return json.loads(response.content)


def post(client, fmt="json", **data):
    return client.post(f"{BASE}requests.{fmt}", data)


def invoice_form(catalog, **extra):
    return {
        "api_key": catalog.key("enterprise"),
        "service_code": "tax-invoice",
        "address_id": str(catalog.building.pk),
        "attribute[invoice_kind]": "vat",
        "description": "需要领用增值税专用发票\n共两本",
        **extra,
    }


def errors_of(response) -> list[dict]:
    if response["Content-Type"].startswith("text/xml"):
        root = xml(response)
        assert root.tag == "errors"
        return [
            {"code": int(e.findtext("code")), "description": e.findtext("description")}
            for e in root.findall("error")
        ]
    return body(response)


def file_counter_request(catalog, **values) -> ServiceRequest:
    """A request filed at the counter (not through Open311), with personal details."""
    return request_create(
        actor=catalog.clerk,
        requester=None,
        enterprise=catalog.scopes["enterprise"],
        title="柜台登记",
        description="张先生，手机13900001111，发票问题",
        channel=Channel.COUNTER,
        service_item=catalog.light,
        form_data={"pole": "HZ-001"},
        requester_name="张三丰",
        requester_phone="13900001111",
        **values,
    )


@pytest.mark.django_db
class DiscoveryApiTests:
    def test_it_describes_the_endpoint_in_json(self, client, catalog):
        data = body(client.get(f"{BASE}discovery.json"))
        assert {"changeset", "contact", "key_service", "endpoints"} <= set(data)
        (endpoint,) = data["endpoints"]
        assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
        assert endpoint["url"] == "http://testserver/open311/v2/"
        assert endpoint["formats"] == ["text/xml", "application/json"]
        assert endpoint["type"] == "production"
        assert OFFSET.match(data["changeset"])

    def test_it_moves_the_changeset_when_the_catalog_changes(self, client, catalog):
        before = body(client.get(f"{BASE}discovery.json"))["changeset"]
        latest = AuditLog.objects.filter(action="serviceitem.create").latest("at")
        assert before == timezone.localtime(latest.at).isoformat(timespec="seconds")

    def test_it_describes_the_endpoint_in_xml(self, client, catalog):
        root = xml(client.get(f"{BASE}discovery.xml"))
        assert root.tag == "discovery"
        formats = [f.text for f in root.findall("endpoints/endpoint/formats/format")]
        assert formats == ["text/xml", "application/json"]
        assert root.findtext("key_service")


@pytest.mark.django_db
class ServiceListApiTests:
    def test_it_lists_the_catalog_grouped_by_the_five_services(self, client, catalog):
        services = body(client.get(f"{BASE}services.json"))
        by_code = {s["service_code"]: s for s in services}
        assert set(by_code) == {"tax-invoice", "fire-hazard", "street-light"}
        invoice = by_code["tax-invoice"]
        economy, promised = str(Category.ECONOMY.label), str(ServiceItem.Kind.PROMISED.label)
        assert invoice == {
            "service_code": "tax-invoice",
            "service_name": "发票领用",
            "description": "增值税发票的领用与代办。",
            "metadata": True,
            "type": "batch",
            "keywords": f"{economy},{promised},税务局,代办",
            "group": economy,
        }
        assert by_code["fire-hazard"]["metadata"] is False
        assert by_code["fire-hazard"]["type"] == "realtime"
        assert by_code["street-light"]["group"] == str(Category.URBAN.label)

    def test_it_leaves_out_inactive_items(self, client, catalog):
        catalog.hazard.is_active = False
        catalog.hazard.save(update_fields=["is_active"])
        codes = {s["service_code"] for s in body(client.get(f"{BASE}services.json"))}
        assert "fire-hazard" not in codes

    def test_it_lists_services_in_xml(self, client, catalog):
        root = xml(client.get(f"{BASE}services.xml"))
        assert root.tag == "services"
        invoice = next(
            s for s in root.findall("service") if s.findtext("service_code") == "tax-invoice"
        )
        assert invoice.findtext("metadata") == "true"
        assert invoice.findtext("group") == str(Category.ECONOMY.label)

    def test_it_answers_404_for_an_unknown_jurisdiction(self, client, catalog):
        response = client.get(f"{BASE}services.json", {"jurisdiction_id": "999999"})
        assert response.status_code == 404
        assert errors_of(response)[0]["code"] == 404

    def test_it_accepts_a_known_jurisdiction_and_ignores_an_empty_one(self, client, catalog):
        assert client.get(f"{BASE}services.json", {"jurisdiction_id": "330105"}).status_code == 200
        assert client.get(f"{BASE}services.json", {"jurisdiction_id": ""}).status_code == 200


@pytest.mark.django_db
class ServiceDefinitionApiTests:
    def test_it_turns_the_form_fields_into_attributes(self, client, catalog):
        data = body(client.get(f"{BASE}services/tax-invoice.json"))
        assert data["service_code"] == "tax-invoice"
        checklist, kind, count, pickup, needs = data["attributes"]
        assert checklist["variable"] is False and checklist["code"] == "checklist"
        assert "营业执照副本、经办人身份证" in checklist["description"]
        assert kind == {
            "variable": True,
            "code": "invoice_kind",
            "datatype": "singlevaluelist",
            "required": True,
            "datatype_description": "从 values 所列的键中选一个。",
            "order": 2,
            "description": "发票种类",
            "values": [
                {"key": "vat", "name": "增值税专用发票"},
                {"key": "plain", "name": "普通发票"},
            ],
        }
        assert (count["datatype"], count["required"], count["order"]) == ("number", False, 3)
        assert pickup["datatype"] == "datetime"
        assert needs["datatype"] == "multivaluelist" and len(needs["values"]) == 2
        assert [a["order"] for a in data["attributes"]] == [1, 2, 3, 4, 5]

    def test_it_serves_the_definition_in_xml(self, client, catalog):
        root = xml(client.get(f"{BASE}services/tax-invoice.xml"))
        assert root.tag == "service_definition"
        attributes = root.findall("attributes/attribute")
        assert [a.findtext("code") for a in attributes][1:] == [
            "invoice_kind",
            "count",
            "pickup",
            "needs",
        ]
        keys = [v.findtext("key") for v in attributes[1].findall("values/value")]
        assert keys == ["vat", "plain"]
        assert attributes[1].findtext("required") == "true"

    def test_it_answers_404_for_an_unknown_service(self, client, catalog):
        response = client.get(f"{BASE}services/no-such-thing.xml")
        assert response.status_code == 404
        assert errors_of(response) == [
            {"code": 404, "description": "未知的 service_code：no-such-thing。"}
        ]


@pytest.mark.django_db
class RequestCreateTests:
    def test_it_files_a_batch_request_and_answers_with_a_token(self, client, catalog):
        response = post(client, **invoice_form(catalog, **{"attribute[count]": "2"}))
        assert response.status_code == 201
        (answer,) = body(response)
        assert set(answer) == {"token", "service_notice", "account_id"}
        assert "3 个工作日" in answer["service_notice"]
        record = Open311Submission.objects.get(token=answer["token"])
        request = record.request
        assert request.channel == Channel.OPEN311
        assert request.requester == catalog.enterprise
        assert request.enterprise == catalog.scopes["enterprise"]
        assert request.building == catalog.building
        assert request.form_data == {"invoice_kind": "vat", "count": "2"}
        assert request.title == "发票领用：需要领用增值税专用发票"
        assert record.key == catalog.keys["enterprise"][0]
        assert AuditLog.objects.filter(action="open311.submit", target_id=str(request.pk)).exists()
        assert AuditLog.objects.filter(action="request.create", target_id=str(request.pk)).exists()

    def test_it_turns_a_token_into_the_request_id(self, client, catalog):
        token = body(post(client, **invoice_form(catalog)))[0]["token"]
        number = Open311Submission.objects.get(token=token).request.number
        assert body(client.get(f"{BASE}tokens/{token}.json")) == [
            {"service_request_id": number, "token": token}
        ]
        root = xml(client.get(f"{BASE}tokens/{token}.xml"))
        assert root.findtext("request/service_request_id") == number

    def test_it_answers_404_for_an_unknown_token(self, client, catalog):
        response = client.get(f"{BASE}tokens/nope.json")
        assert response.status_code == 404
        assert errors_of(response)[0]["code"] == 404

    def test_it_files_a_realtime_request_by_lat_long_and_answers_with_its_id(self, client, catalog):
        response = post(
            client,
            "xml",
            api_key=catalog.key("enterprise"),
            service_code="fire-hazard",
            lat=str(KUNHE_WGS[0]),
            long=str(KUNHE_WGS[1]),
            description="三楼消防通道堵塞",
            media_url="https://example.org/p/1.jpg",
        )
        assert response.status_code == 201
        root = xml(response)
        assert root.tag == "service_requests"
        number = root.findtext("request/service_request_id")
        request = ServiceRequest.objects.get(number=number)
        assert request.building == catalog.building
        assert request.urgent
        assert request.open311.media_url == "https://example.org/p/1.jpg"

    def test_it_does_not_take_gcj02_coordinates_for_wgs84(self, client, catalog):
        response = post(
            client,
            api_key=catalog.key("enterprise"),
            service_code="fire-hazard",
            lat=str(KUNHE_GCJ[0]),
            long=str(KUNHE_GCJ[1]),
        )
        # GCJ-02 sits ~500 m off: no building is there, so it waits for a clerk to place it.
        assert response.status_code == 201
        record = Open311Submission.objects.get(token=body(response)[0]["token"])
        assert record.request is None and record.lat == KUNHE_GCJ[0]

    def test_it_finds_the_building_by_address_string(self, client, catalog):
        response = post(
            client,
            api_key=catalog.key("enterprise"),
            service_code="fire-hazard",
            address_string="浙江省杭州市 坤和中心 3楼",
        )
        assert response.status_code == 201
        number = body(response)[0]["service_request_id"]
        assert ServiceRequest.objects.get(number=number).building == catalog.building

    def test_it_lets_staff_record_a_request_for_someone(self, client, catalog):
        response = post(
            client,
            api_key=catalog.key("clerk"),
            service_code="street-light",
            address_id=str(catalog.building.pk),
            **{"attribute[pole]": "HZ-0042"},
            first_name="先生",
            last_name="王",
            phone="13800001234",
        )
        assert response.status_code == 201
        request = ServiceRequest.objects.get(number=body(response)[0]["service_request_id"])
        assert request.requester is None
        assert (request.requester_name, request.requester_phone) == ("王先生", "13800001234")
        assert request.created_by == catalog.clerk

    def test_it_refuses_a_missing_or_bad_api_key_with_403(self, client, catalog):
        form = invoice_form(catalog)
        for key in ("", "ly311_wrong", "something"):
            response = post(client, **{**form, "api_key": key})
            assert response.status_code == 403
            assert errors_of(response) == [{"code": 403, "description": "api_key 缺失或无效。"}]
        assert not ServiceRequest.objects.exists()

    def test_it_takes_the_key_from_the_form_body_only(self, client, catalog):
        form = invoice_form(catalog)
        key = form.pop("api_key")
        response = client.post(f"{BASE}requests.json?api_key={key}", form)
        assert response.status_code == 403

    def test_it_refuses_a_json_body_in_the_spec_format(self, client, catalog):
        response = client.post(
            f"{BASE}requests.json", invoice_form(catalog), content_type="application/json"
        )
        assert response.status_code == 415
        assert errors_of(response)[0]["code"] == 415

    def test_it_refuses_a_revoked_key_and_a_disabled_account(self, client, catalog):
        from louyu.api.open311.services import open311_key_revoke

        open311_key_revoke(actor=None, key=catalog.keys["enterprise"][0])
        assert post(client, **invoice_form(catalog)).status_code == 403
        catalog.clerk.is_active = False
        catalog.clerk.save(update_fields=["is_active"])
        form = invoice_form(catalog, api_key=catalog.key("clerk"))
        assert post(client, **form).status_code == 403

    def test_it_refuses_the_outsider_key_outside_its_jurisdiction(self, client, catalog):
        response = post(client, **invoice_form(catalog, api_key=catalog.key("outsider")))
        assert response.status_code == 403
        assert not ServiceRequest.objects.exists()

    def test_it_answers_404_for_an_unknown_service_code(self, client, catalog):
        response = post(client, **invoice_form(catalog, service_code="nope"))
        assert response.status_code == 404

    def test_it_lists_every_attribute_problem_with_400(self, client, catalog):
        form = invoice_form(catalog)
        del form["attribute[invoice_kind]"]
        form.update(
            {
                "attribute[count]": "many",
                "attribute[pickup]": "tomorrow",
                "attribute[needs][]": ["mail", "fax"],
                "attribute[colour]": "red",
            }
        )
        for fmt in ("json", "xml"):
            response = post(client, fmt, **form)
            assert response.status_code == 400
            errors = errors_of(response)
            assert {e["code"] for e in errors} == {400}
            descriptions = " ".join(e["description"] for e in errors)
            assert len(errors) == 5, descriptions
            assert "attribute[invoice_kind]（发票种类）为必填项。" in descriptions
            for code in ("count", "pickup", "needs", "colour"):
                assert f"attribute[{code}]" in descriptions
        assert not ServiceRequest.objects.exists()

    def test_it_takes_multivalue_and_datetime_attributes(self, client, catalog):
        form = invoice_form(
            catalog,
            **{
                "attribute[needs][]": ["mail", "stamp"],
                "attribute[pickup]": "2026-12-01T09:00:00+08:00",
            },
        )
        token = body(post(client, **form))[0]["token"]
        request = Open311Submission.objects.get(token=token).request
        assert request.form_data["needs"] == ["mail", "stamp"]
        assert request.form_data["pickup"] == "2026-12-01"

    def test_it_requires_a_location(self, client, catalog):
        form = invoice_form(catalog)
        del form["address_id"]
        response = post(client, **form)
        assert response.status_code == 400
        assert "lat" in errors_of(response)[0]["description"]
        response = post(client, **{**form, "lat": "30.2"})
        assert response.status_code == 400
        response = post(client, **{**form, "lat": "91", "long": "120"})
        assert response.status_code == 400
        response = post(client, **{**form, "address_id": str(catalog.community.pk)})
        assert response.status_code == 400

    def test_it_refuses_bad_client_fields(self, client, catalog):
        form = invoice_form(
            catalog, description="x" * 4001, media_url="javascript:alert(1)", email="not-an-email"
        )
        errors = errors_of(post(client, **form))
        assert len(errors) == 3

    def test_it_passes_service_desk_refusals_on_in_the_spec_format(
        self, client, catalog, monkeypatch
    ):
        def refuse(**kwargs):
            raise ApplicationError("不能这样做。", code="forbidden", status=403)

        monkeypatch.setattr("louyu.api.open311.services.request_create", refuse)
        response = post(client, "xml", **invoice_form(catalog))
        assert response.status_code == 403
        assert errors_of(response) == [{"code": 403, "description": "不能这样做。"}]
        assert not Open311Submission.objects.exists()


@pytest.mark.django_db
class RequestListApiTests:
    def test_it_lists_requests_without_personal_data(self, client, catalog):
        file_counter_request(catalog)
        post(client, **invoice_form(catalog))
        response = client.get(f"{BASE}requests.json")
        rows = body(response)
        assert len(rows) == 2
        text = response.content.decode()
        for secret in ("张三丰", "13900001111", "孙浩然", "杭州坤和科技有限公司", "13800"):
            assert secret not in text
        by_code = {row["service_code"]: row for row in rows}
        counter, online = by_code["street-light"], by_code["tax-invoice"]
        assert counter["description"] is None  # filed at the counter: text withheld
        assert online["description"] == "需要领用增值税专用发票\n共两本"
        assert online["status"] == "open"
        assert online["status_notes"] == str(Status.SUBMITTED.label)
        assert online["agency_responsible"] == "税务局"
        assert online["address"] == "杭州市下城区环城西路坤和中心"
        assert online["address_id"] == str(catalog.building.pk)
        assert (online["lat"], online["long"]) == pytest.approx(KUNHE_WGS, abs=1e-5)
        for field in ("requested_datetime", "updated_datetime"):
            assert OFFSET.match(online[field])
        assert set(online) == {
            "service_request_id",
            "status",
            "status_notes",
            "service_name",
            "service_code",
            "description",
            "agency_responsible",
            "service_notice",
            "requested_datetime",
            "updated_datetime",
            "expected_datetime",
            "address",
            "address_id",
            "zipcode",
            "lat",
            "long",
            "media_url",
        }

    def test_it_maps_the_workflow_onto_open_and_closed(self, client, catalog):
        done = file_counter_request(catalog)
        ServiceRequest.objects.filter(pk=done.pk).update(
            status=Status.DONE, due_on=timezone.localdate()
        )
        waiting = file_counter_request(catalog)
        ServiceRequest.objects.filter(pk=waiting.pk).update(status=Status.AWAITING_DOCUMENTS)
        open_rows = body(client.get(f"{BASE}requests.json", {"status": "open"}))
        closed_rows = body(client.get(f"{BASE}requests.json", {"status": "closed"}))
        both = body(client.get(f"{BASE}requests.json", {"status": "open,closed"}))
        assert [r["service_request_id"] for r in open_rows] == [waiting.number]
        assert [r["service_request_id"] for r in closed_rows] == [done.number]
        assert closed_rows[0]["expected_datetime"].endswith("T23:59:59+08:00")
        assert len(both) == 2
        assert client.get(f"{BASE}requests.json", {"status": "pending"}).status_code == 400

    def test_it_follows_the_workflow_services(self, client, catalog):
        from louyu.servicedesk.services.requests import request_accept, request_refuse

        accepted, refused = file_counter_request(catalog), file_counter_request(catalog)
        request_accept(actor=catalog.clerk, request=accepted)
        request_refuse(actor=catalog.clerk, request=refused, reason="不属于受理范围")
        accepted.refresh_from_db()
        rows = {r["service_request_id"]: r for r in body(client.get(f"{BASE}requests.json"))}
        shown = rows[accepted.number]
        assert (shown["status"], shown["status_notes"]) == ("open", str(Status.ACCEPTED.label))
        assert shown["expected_datetime"] == f"{accepted.due_on.isoformat()}T23:59:59+08:00"
        assert OFFSET.match(shown["updated_datetime"])
        assert rows[refused.number]["status"] == "closed"
        assert "不属于受理范围" not in json.dumps(rows, ensure_ascii=False)

    def test_it_filters_by_service_code_and_id(self, client, catalog):
        counter = file_counter_request(catalog)
        post(client, **invoice_form(catalog))
        rows = body(client.get(f"{BASE}requests.json", {"service_code": "street-light"}))
        assert [r["service_request_id"] for r in rows] == [counter.number]
        # service_request_id overrides every other filter.
        rows = body(
            client.get(
                f"{BASE}requests.json",
                {"service_request_id": f"{counter.number},LY0", "service_code": "tax-invoice"},
            )
        )
        assert [r["service_request_id"] for r in rows] == [counter.number]

    def test_it_defaults_to_the_last_90_days_and_refuses_wider_windows(self, client, catalog):
        old = file_counter_request(catalog)
        ServiceRequest.objects.filter(pk=old.pk).update(
            submitted_at=timezone.now() - timedelta(days=120)
        )
        recent = file_counter_request(catalog)
        rows = body(client.get(f"{BASE}requests.json"))
        assert [r["service_request_id"] for r in rows] == [recent.number]
        start = (timezone.now() - timedelta(days=130)).date().isoformat()
        rows = body(client.get(f"{BASE}requests.json", {"start_date": start}))
        assert [r["service_request_id"] for r in rows] == [old.number]
        response = client.get(
            f"{BASE}requests.json",
            {"start_date": "2026-01-01T00:00:00Z", "end_date": "2026-06-01T00:00:00Z"},
        )
        assert response.status_code == 400
        assert client.get(f"{BASE}requests.json", {"start_date": "last week"}).status_code == 400
        response = client.get(
            f"{BASE}requests.json", {"start_date": "2026-02-01", "end_date": "2026-01-01"}
        )
        assert response.status_code == 400

    def test_it_pages_with_page_size(self, client, catalog):
        numbers = [file_counter_request(catalog).number for _ in range(3)]
        first = body(client.get(f"{BASE}requests.json", {"page_size": "2"}))
        second = body(client.get(f"{BASE}requests.json", {"page_size": "2", "page": "2"}))
        assert [r["service_request_id"] for r in first + second] == numbers[::-1]
        assert client.get(f"{BASE}requests.json", {"page_size": "-1"}).status_code == 400

    def test_it_keeps_to_the_jurisdiction(self, client, catalog):
        file_counter_request(catalog)
        assert (
            len(body(client.get(f"{BASE}requests.json", {"jurisdiction_id": "330103002001"}))) == 1
        )
        outsider_community = catalog.other_community
        from louyu.core.models import DivisionCode

        DivisionCode.objects.create(
            node=outsider_community, code="330103003001", valid_from=timezone.localdate()
        )
        assert body(client.get(f"{BASE}requests.json", {"jurisdiction_id": "330103003001"})) == []

    def test_it_lists_requests_in_xml(self, client, catalog):
        counter = file_counter_request(catalog)
        root = xml(client.get(f"{BASE}requests.xml"))
        assert root.tag == "service_requests"
        (request,) = root.findall("request")
        assert request.findtext("service_request_id") == counter.number
        assert request.find("description").text is None
        assert OFFSET.match(request.findtext("requested_datetime"))


@pytest.mark.django_db
class RequestApiTests:
    def test_it_shows_one_request_as_a_one_element_list(self, client, catalog):
        counter = file_counter_request(catalog)
        rows = body(client.get(f"{BASE}requests/{counter.number}.json"))
        assert [r["service_request_id"] for r in rows] == [counter.number]
        root = xml(client.get(f"{BASE}requests/{counter.number}.xml"))
        assert root.findtext("request/service_name") == "路灯报修"

    def test_it_answers_404_for_unknown_and_non_catalog_requests(self, client, catalog):
        free_form = request_create(
            actor=catalog.outsider,
            requester=catalog.outsider,
            enterprise=catalog.scopes["other_enterprise"],
            title="咨询",
            description="私人问题",
            channel=Channel.WEB,
        )
        for number in (free_form.number, "LY000"):
            for fmt in ("json", "xml"):
                response = client.get(f"{BASE}requests/{number}.{fmt}")
                assert response.status_code == 404
                assert errors_of(response)[0]["code"] == 404


@pytest.mark.django_db
class ErrorShapeTests:
    def test_it_answers_unknown_paths_in_the_spec_format(self, client, catalog):
        response = client.get(f"{BASE}nothing-here.json")
        assert response.status_code == 404
        assert errors_of(response)[0]["code"] == 404
        response = client.get(f"{BASE}nothing/here")
        assert response.status_code == 404
        assert xml(response).tag == "errors"

    def test_it_answers_405_for_other_methods(self, client, catalog):
        response = client.delete(f"{BASE}services.json")
        assert response.status_code == 405
        assert errors_of(response)[0]["code"] == 405

    def test_it_throttles_like_the_rest_of_the_api(self, client, catalog, monkeypatch):
        monkeypatch.setattr(AnonRateThrottle, "THROTTLE_RATES", {"anon": "2/min"})
        statuses = [client.get(f"{BASE}services.xml").status_code for _ in range(3)]
        assert statuses == [200, 200, 429]
        response = client.get(f"{BASE}services.xml")
        assert errors_of(response)[0]["code"] == 429
        assert response["Retry-After"]

    def test_it_stays_out_of_the_openapi_schema(self, client, catalog):
        schema = client.get("/api/v1/schema/", {"format": "json"}).json()
        assert not [path for path in schema["paths"] if path.startswith("/open311")]
