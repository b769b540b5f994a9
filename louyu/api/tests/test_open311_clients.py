"""Two Open311 GeoReport v2 clients from PyPI, written by others, against a real server
(issue 12: "run them against the server in the suite"): `georeport` reads the catalog and the
requests in JSON and XML, `civicbot` files a request and an unplaced one and looks up its
token. Each talks HTTP to pytest-django's live server; nothing is mocked."""

from __future__ import annotations

import pytest
from civicbot.http import HttpTransport, RateLimiter
from civicbot.open311 import Open311Client
from civicbot.registry import Endpoint
from georeport import GeoReport

from louyu.api.models import Open311Submission
from louyu.servicedesk.models import ServiceRequest

from .conftest import KUNHE_WGS

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def root(live_server, catalog) -> str:
    return f"{live_server.url}/open311/v2"


def civicbot_client(root: str) -> Open311Client:
    endpoint = Endpoint(id="louyu", name="楼宇社区", base_url=root, write=True)
    return Open311Client(endpoint, transport=HttpTransport(rate_limiter=RateLimiter(0)))


class GeoReportClientTests:
    @pytest.mark.parametrize("fmt", ["json", "xml"])
    def test_it_reads_the_catalog_and_a_definition(self, root, fmt):
        client = GeoReport(root, output_format=fmt)
        services = client.get_service_list()
        codes = {service["service_code"] for service in services}
        assert {"tax-invoice", "fire-hazard", "street-light"} <= codes
        definition = client.get_service_definition("tax-invoice")
        attributes = definition["attributes"]
        if fmt == "xml":  # xmltodict: one <attribute> per element under <attributes>
            attributes = attributes["attribute"]
        assert "invoice_kind" in {attribute["code"] for attribute in attributes}

    def test_it_reads_back_a_request_filed_by_civicbot(self, root, catalog):
        filed = civicbot_client(root).create_request(
            "fire-hazard",
            dry_run=False,
            confirm="SEND",
            api_key=catalog.key("enterprise"),
            lat=KUNHE_WGS[0],
            lng=KUNHE_WGS[1],
            description="三楼消防通道堵塞",
        )
        (answer,) = filed.response
        number = answer["service_request_id"]
        assert ServiceRequest.objects.get(number=number).building == catalog.building
        one = GeoReport(root).get_service_request(number)
        one = one[0] if isinstance(one, list) else one
        assert (one["service_code"], one["status"]) == ("fire-hazard", "open")
        listed = GeoReport(root).get_service_requests(service_code="fire-hazard")
        assert number in {row["service_request_id"] for row in listed}


class CivicbotClientTests:
    def test_an_address_that_matches_no_building_gets_a_token(self, root, catalog):
        client = civicbot_client(root)
        filed = client.create_request(
            "fire-hazard",
            dry_run=False,
            confirm="SEND",
            api_key=catalog.key("enterprise"),
            address_string="浙江省杭州市 不存在路 88 号",
            description="楼道堆放杂物",
        )
        (answer,) = filed.response
        record = Open311Submission.objects.get(token=answer["token"])
        assert record.request is None
        assert client.get_token(answer["token"]) == [
            {"service_request_id": None, "token": answer["token"]}
        ]

    def test_it_lists_the_services_through_its_own_transport(self, root):
        services = civicbot_client(root).list_services()
        assert "fire-hazard" in {service["service_code"] for service in services}
