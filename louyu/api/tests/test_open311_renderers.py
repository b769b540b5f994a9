"""XML and JSON bodies of the GeoReport responses."""

from __future__ import annotations

from decimal import Decimal
from types import SimpleNamespace
from xml.etree import ElementTree as ET

from louyu.api.open311.renderers import Open311JSONRenderer, Open311XMLRenderer, to_xml


class ToXmlTests:
    def test_it_names_list_items_after_their_container(self):
        data = [{"service_code": "a", "attributes": [{"values": [{"key": "k", "name": "名"}]}]}]
        root = ET.fromstring(to_xml("services", data))
        assert root.tag == "services"
        assert root.findtext("service/attributes/attribute/values/value/name") == "名"

    def test_it_writes_the_declaration_booleans_numbers_and_empty_values(self):
        document = to_xml("request", {"metadata": True, "lat": Decimal("30.1"), "zipcode": None})
        assert document.startswith(b'<?xml version="1.0" encoding="utf-8"?>\n<request>')
        root = ET.fromstring(document)
        assert root.findtext("metadata") == "true"
        assert root.findtext("lat") == "30.1"
        assert root.find("zipcode").text is None

    def test_it_escapes_markup_and_drops_characters_xml_cannot_hold(self):
        root = ET.fromstring(to_xml("r", {"description": "a<b>&c\x00\x1fd"}))
        assert root.findtext("description") == "a<b>&cd"


class RendererTests:
    def test_it_renders_under_the_responses_root(self):
        response = SimpleNamespace(xml_root="errors")
        body = Open311XMLRenderer().render(
            [{"code": 404, "description": "无"}], renderer_context={"response": response}
        )
        assert ET.fromstring(body).findtext("error/code") == "404"

    def test_it_declares_utf8_json_without_escaping_chinese(self):
        renderer = Open311JSONRenderer()
        assert (renderer.media_type, renderer.charset, renderer.format) == (
            "application/json",
            "utf-8",
            "json",
        )
        assert "发票".encode() in renderer.render([{"service_name": "发票"}])
