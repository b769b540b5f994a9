"""The enterprise's side: "My requests" (own and, for the contact, the enterprise's) and the
submit form with the item's checklist and extra fields; the outsider never sees ours."""

from __future__ import annotations

import pytest
from django.urls import reverse

from louyu.servicedesk.models import RequestEvent, ServiceRequest
from louyu.servicedesk.services.requests import request_create
from louyu.testing import assert_access_matrix

pytestmark = pytest.mark.django_db
SUBMIT = "/service/new/"
MINE = "/service/mine/"


class MyRequestsTests:
    def test_it_lists_the_contact_the_enterprise_requests_and_the_employee_their_own(self, desk):
        by_employee = request_create(
            actor=desk.employee,
            requester=desk.employee,
            enterprise=desk.scopes["enterprise"],
            title="员工申请",
            description="",
            channel="web",
        )
        by_contact = request_create(
            actor=desk.enterprise,
            requester=desk.enterprise,
            enterprise=desk.scopes["enterprise"],
            title="联络员申请",
            description="",
            channel="web",
        )

        def listed(username):
            return {
                r["req"].number for r in desk.world.client_for(username).get(MINE).context["rows"]
            }

        assert listed("enterprise") == {by_employee.number, by_contact.number}
        assert listed("employee") == {by_employee.number}
        assert listed("outsider") == set()

    def test_it_needs_a_sign_in(self, desk):
        assert desk.world.client_for(None).get(MINE).status_code == 302


class SubmitTests:
    def test_it_opens_the_submit_form_to_enterprise_people_and_desk_staff(self, desk):
        people = {"enterprise", "employee", "outsider", "district", "street", "clerk"}
        assert_access_matrix(desk.world, "get", SUBMIT, allowed=people)
        assert_access_matrix(desk.world, "get", f"{SUBMIT}?item={desk.item.code}", allowed=people)

    def test_staff_record_a_counter_request_for_an_enterprise_of_their_community(self, desk):
        client = desk.world.client_for("clerk")
        form = {
            "item": desk.item.code,
            "enterprise": desk.scopes["enterprise"].pk,
            "title": "窗口申领发票",
            "f_invoice_kind": "plain",
            "channel": "counter",
            "requester_name": "孙浩然",
            "requester_phone": "13905710001",
        }
        choices = client.get(SUBMIT, {"item": desk.item.code}).context["form"]["enterprise"]
        assert [name for _pk, name in choices.field.choices] == ["杭州坤和科技有限公司"]
        other = {**form, "enterprise": desk.scopes["other_enterprise"].pk}
        assert client.post(f"{SUBMIT}?item={desk.item.code}", other).status_code == 400
        response = client.post(f"{SUBMIT}?item={desk.item.code}", form)
        assert response.status_code == 302
        req = ServiceRequest.objects.get()
        assert (req.channel, req.requester, req.requester_name) == ("counter", None, "孙浩然")
        assert req.created_by == desk.clerk

    def test_it_lists_the_five_categories_and_shows_the_item_checklist_and_fields(self, desk):
        client = desk.world.client_for("enterprise")
        groups = client.get(SUBMIT).context["groups"]
        assert [g["key"] for g in groups] == [
            "economy",
            "livelihood",
            "urban",
            "governance",
            "party",
        ]
        page = client.get(SUBMIT, {"item": desk.item.code}).content.decode()
        assert "营业执照副本" in page  # 一次性告知
        assert 'name="f_invoice_kind"' in page and 'name="f_count"' in page
        assert 'name="urgent"' not in page  # an economy item: no urgent flag

    def test_it_submits_a_request_with_its_extra_fields(self, desk):
        client = desk.world.client_for("enterprise")
        response = client.post(
            f"{SUBMIT}?item={desk.item.code}",
            {
                "item": desk.item.code,
                "enterprise": desk.scopes["enterprise"].pk,
                "title": "申领增值税专用发票",
                "description": "本月需要25份",
                "f_invoice_kind": "vat",
                "f_count": "25",
            },
            headers={"User-Agent": "Mozilla/5.0 (iPhone) Mobile Safari"},
        )
        req = ServiceRequest.objects.get()
        assert response.status_code == 302
        assert response.url == reverse("servicedesk:request_detail", args=[req.pk])
        assert req.requester == desk.enterprise
        assert req.form_data == {"invoice_kind": "vat", "count": "25"}
        assert req.channel == "mobile"
        assert req.service_item == desk.item
        assert RequestEvent.objects.filter(request=req, action="create").exists()

    def test_it_keeps_the_input_and_writes_nothing_when_a_required_field_is_missing(self, desk):
        client = desk.world.client_for("enterprise")
        response = client.post(
            f"{SUBMIT}?item={desk.item.code}",
            {
                "item": desk.item.code,
                "enterprise": desk.scopes["enterprise"].pk,
                "title": "申领发票",
            },
        )
        assert response.status_code == 400
        assert 'value="申领发票"' in response.content.decode()
        assert not ServiceRequest.objects.exists()

    def test_it_refuses_to_file_for_another_enterprise(self, desk):
        client = desk.world.client_for("outsider")
        response = client.post(
            f"{SUBMIT}?item=other",
            {"item": "other", "enterprise": desk.scopes["enterprise"].pk, "title": "冒名申请"},
        )
        assert response.status_code == 400
        assert not ServiceRequest.objects.exists()

    def test_it_offers_the_urgent_flag_on_safety_items_only_where_not_forced(self, desk):
        client = desk.world.client_for("enterprise")
        page = client.get(SUBMIT, {"item": desk.safety_item.code}).content.decode()
        assert 'name="urgent"' not in page  # always urgent: said in words instead
        response = client.post(
            f"{SUBMIT}?item={desk.safety_item.code}",
            {
                "item": desk.safety_item.code,
                "enterprise": desk.scopes["enterprise"].pk,
                "title": "消防通道堵塞",
            },
        )
        assert response.status_code == 302
        assert ServiceRequest.objects.get().urgent

    def test_it_answers_404_for_an_unknown_item(self, desk):
        assert desk.world.client_for("enterprise").get(SUBMIT, {"item": "nope"}).status_code == 404
