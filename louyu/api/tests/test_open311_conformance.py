"""Conformance: two independent GeoReport v2 clients from PyPI — civicbot (JSON, POST with
payload validation, tokens) and georeport (JSON and XML reads) — against a real server
(pytest-django's live server on this machine). No call leaves the loopback interface."""

from __future__ import annotations

import json
from urllib.parse import urlparse

import pytest
import requests
from civicbot.http import HttpError, HttpTransport, RateLimiter
from civicbot.open311 import Open311Client, ValidationError
from civicbot.registry import Endpoint
from georeport import GeoReport

from louyu.api.models import Open311Submission
from louyu.servicedesk.models import Channel, ServiceRequest

from .conftest import KUNHE_WGS, Catalog, build_catalog


@pytest.fixture
def live(transactional_db, live_server, world, monkeypatch) -> tuple[Catalog, str]:
    """The catalog committed for the server thread, and the endpoint's base URL."""
    host = urlparse(live_server.url).hostname
    assert host in {"localhost", "127.0.0.1"}
    # Never through a proxy, whatever the environment says.
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NO_PROXY", "localhost,127.0.0.1")
    return build_catalog(world), f"{live_server.url}/open311/v2"


def civicbot_client(base: str) -> Open311Client:
    endpoint = Endpoint(id="louyu", name="楼宇社区", base_url=base, write=True)
    # No politeness delay against our own test server.
    transport = HttpTransport(rate_limiter=RateLimiter(min_interval=0))
    return Open311Client(endpoint, transport=transport)


class CivicbotTests:
    def test_it_reads_services_and_definitions(self, live):
        catalog, base = live
        client = civicbot_client(base)
        codes = {s["service_code"] for s in client.list_services()}
        assert codes == {"tax-invoice", "fire-hazard", "street-light"}
        definition = client.get_service_definition("tax-invoice")
        assert [a["code"] for a in definition["attributes"]] == [
            "checklist",
            "invoice_kind",
            "count",
            "pickup",
            "needs",
        ]

    def test_it_validates_against_our_definition_before_sending(self, live):
        catalog, base = live
        client = civicbot_client(base)
        with pytest.raises(ValidationError) as caught:
            client.create_request(
                "tax-invoice",
                dry_run=False,
                confirm="SEND",
                api_key=catalog.key("enterprise"),
                validate_remote=True,
                address_id=str(catalog.building.pk),
            )
        assert any("invoice_kind" in problem for problem in caught.value.problems)
        assert not ServiceRequest.objects.exists()

    def test_it_files_a_realtime_request_and_reads_it_back(self, live):
        catalog, base = live
        client = civicbot_client(base)
        sent = client.create_request(
            "street-light",
            dry_run=False,
            confirm="SEND",
            api_key=catalog.key("enterprise"),
            validate_remote=True,
            lat=KUNHE_WGS[0],
            lng=KUNHE_WGS[1],
            description="门口路灯不亮",
            attributes={"pole": "HZ-0042"},
        )
        (answer,) = sent.response
        number = answer["service_request_id"]
        request = ServiceRequest.objects.get(number=number)
        assert request.channel == Channel.OPEN311
        assert request.form_data == {"pole": "HZ-0042"}
        got = client.get_request(number)
        assert got["service_request_id"] == number
        assert got["status"] == "open"
        assert got["requested_datetime"].endswith("+08:00")
        assert got["lat"] == pytest.approx(KUNHE_WGS[0], abs=1e-6)
        listed = client.list_requests(service_request_ids=[number], page_size=10)
        assert [r["service_request_id"] for r in listed] == [number]
        assert client.list_requests(status="closed") == []

    def test_it_files_a_batch_request_with_a_multivalue_attribute_and_redeems_the_token(self, live):
        catalog, base = live
        client = civicbot_client(base)
        sent = client.create_request(
            "tax-invoice",
            dry_run=False,
            confirm="SEND",
            api_key=catalog.key("enterprise"),
            validate_remote=True,
            address_id=str(catalog.building.pk),
            attributes={"invoice_kind": "plain", "needs": ["mail", "stamp"]},
        )
        token = sent.response[0]["token"]
        assert "service_request_id" not in sent.response[0]
        (redeemed,) = client.get_token(token)
        record = Open311Submission.objects.get(token=token)
        assert redeemed == {"service_request_id": record.request.number, "token": token}
        assert record.request.form_data == {"invoice_kind": "plain", "needs": ["mail", "stamp"]}

    def test_it_gets_the_spec_errors(self, live):
        catalog, base = live
        client = civicbot_client(base)
        with pytest.raises(HttpError) as caught:
            client.create_request(
                "fire-hazard",
                dry_run=False,
                confirm="SEND",
                api_key="ly311_not-a-key",
                address_id=str(catalog.building.pk),
            )
        assert caught.value.status == 403
        assert json.loads(caught.value.body)[0]["code"] == 403
        with pytest.raises(HttpError) as caught:
            client.get_service_definition("no-such-service")
        assert caught.value.status == 404
        with pytest.raises(HttpError) as caught:
            client.get_token("no-such-token")
        assert caught.value.status == 404
        with pytest.raises(HttpError) as caught:
            client.list_requests(start_date="2020-01-01", end_date="2021-01-01")
        assert caught.value.status == 400
        assert "90" in json.loads(caught.value.body)[0]["description"]


class GeoReportTests:
    @pytest.mark.parametrize("fmt", ["json", "xml"])
    def test_it_reads_the_catalog(self, live, fmt):
        catalog, base = live
        client = GeoReport(base, output_format=fmt, jurisdiction="330105")
        services = client.get_service_list()
        assert {s["service_code"] for s in services} == {
            "tax-invoice",
            "fire-hazard",
            "street-light",
        }
        definition = client.get_service_definition("tax-invoice")
        assert definition["service_code"] == "tax-invoice"
        attributes = definition["attributes"]
        if fmt == "xml":
            attributes = attributes["attribute"]
        assert attributes[1]["code"] == "invoice_kind"

    @pytest.mark.parametrize("fmt", ["json", "xml"])
    def test_it_reads_requests_back(self, live, fmt):
        catalog, base = live
        filed = civicbot_client(base).create_request(
            "fire-hazard",
            dry_run=False,
            confirm="SEND",
            api_key=catalog.key("clerk"),
            address_id=str(catalog.building.pk),
            description="楼道堆放杂物",
        )
        number = filed.response[0]["service_request_id"]
        client = GeoReport(base, output_format=fmt)
        one = client.get_service_request(number)
        if fmt == "xml":
            assert isinstance(one, dict)  # the one-element list: one <request>
        assert one["service_request_id"] == number
        assert one["service_code"] == "fire-hazard"
        assert one["description"] == "楼道堆放杂物"
        assert one["requested_datetime"].endswith("+08:00")
        rows = client.get_service_requests(service_request_id=number, status="open")
        row = rows if fmt == "xml" else rows[0]
        assert row["service_request_id"] == number
        with pytest.raises(requests.HTTPError) as caught:
            client.get_service_request("LY000")
        assert caught.value.response.status_code == 404
        with pytest.raises(requests.HTTPError) as caught:
            GeoReport(base, output_format=fmt, jurisdiction="999999").get_service_list()
        assert caught.value.response.status_code == 404
