"""The request page: who sees it (outsider 404), each action through its form and service, the
stale-version conflict shown clearly with the current state, internal history hidden from the
requester."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation

from louyu.servicedesk.models import Rating, RectificationCase, RequestEvent, ServiceRequest, Status
from louyu.servicedesk.services.requests import (
    request_accept,
    request_complete,
    request_create,
    request_dispatch,
    request_note,
    request_sign,
)
from louyu.testing import assert_access_matrix

pytestmark = pytest.mark.django_db


def submitted(desk, **extra) -> ServiceRequest:
    return request_create(
        actor=desk.enterprise,
        requester=desk.enterprise,
        enterprise=desk.scopes["enterprise"],
        title="申领增值税专用发票",
        description="需要领用发票",
        channel="web",
        service_item=desk.item,
        form_data={"invoice_kind": "vat", "count": "25"},
        **extra,
    )


def url(req: ServiceRequest) -> str:
    return reverse("servicedesk:request_detail", args=[req.pk])


def act(
    client, req: ServiceRequest, name: str, data: dict | None = None, version: int | None = None
):
    payload = {f"{name}-version": version if version is not None else req.version}
    payload.update({f"{name}-{k}": v for k, v in (data or {}).items()})
    return client.post(reverse("servicedesk:request_action", args=[req.pk, name]), payload)


def refresh(req: ServiceRequest) -> ServiceRequest:
    return ServiceRequest.objects.get(pk=req.pk)


class RequestPageAccessTests:
    def test_it_shows_the_request_to_its_people_and_404_to_everyone_else(self, desk):
        req = submitted(desk)
        assert_access_matrix(
            desk.world,
            "get",
            url(req),
            allowed={"enterprise", "clerk", "street", "district"},
        )

    def test_it_shows_the_department_the_request_once_dispatched(self, desk):
        req = submitted(desk)
        request_accept(actor=desk.clerk, request=req)
        request_dispatch(actor=desk.clerk, request=req)
        assert_access_matrix(
            desk.world,
            "get",
            url(req),
            allowed={"enterprise", "clerk", "street", "district", "handler_tax"},
        )

    def test_it_refuses_an_action_to_the_outsider_with_404_and_changes_nothing(self, desk):
        req = submitted(desk)
        response = act(desk.world.client_for("outsider"), req, "accept")
        assert response.status_code == 404
        assert refresh(req).status == Status.SUBMITTED

    def test_it_does_not_let_the_requester_accept_their_own_request(self, desk):
        req = submitted(desk)
        response = act(desk.world.client_for("enterprise"), req, "accept")
        assert response.status_code == 404
        assert refresh(req).status == Status.SUBMITTED


class RequestPageContentTests:
    def test_it_shows_who_handles_it_by_when_and_the_extra_fields(self, desk):
        req = submitted(desk)
        request_accept(actor=desk.clerk, request=req)
        request_dispatch(actor=desk.clerk, request=req)
        page = desk.world.client_for("enterprise").get(url(req)).content.decode()
        assert "税务局" in page
        assert req.number in page
        assert "增值税专用发票" in page  # the list value by its name, not its key
        assert 'id="request-due"' in page

    def test_it_hides_internal_notes_from_the_requester(self, desk):
        req = submitted(desk)
        request_note(actor=desk.clerk, request=req, note="内部：核对营业执照")
        assert "内部：核对营业执照" in desk.world.client_for("clerk").get(url(req)).content.decode()
        assert (
            "内部：核对营业执照"
            not in desk.world.client_for("enterprise").get(url(req)).content.decode()
        )

    def test_it_offers_only_the_actions_the_user_may_take_now(self, desk):
        req = submitted(desk)
        clerk_page = desk.world.client_for("clerk").get(url(req)).content.decode()
        assert 'id="action-accept"' in clerk_page
        assert 'name="accept-version"' in clerk_page
        assert 'id="action-sign"' not in clerk_page
        requester_page = desk.world.client_for("enterprise").get(url(req)).content.decode()
        assert 'id="action-accept"' not in requester_page

    def test_it_shows_the_clock_stopped_while_documents_are_awaited(self, desk):
        req = submitted(desk)
        client = desk.world.client_for("clerk")
        act(
            client,
            req,
            "request_documents",
            {"documents": ["营业执照副本"], "other": "法人身份证复印件"},
        )
        req = refresh(req)
        assert req.status == Status.AWAITING_DOCUMENTS
        assert req.missing_documents == ["营业执照副本", "法人身份证复印件"]
        page = desk.world.client_for("enterprise").get(url(req)).content.decode()
        assert "sd-light-paused" in page
        assert "法人身份证复印件" in page


class RequestActionTests:
    def test_it_walks_a_request_through_every_step_by_its_forms(self, desk):
        clerk = desk.world.client_for("clerk")
        handler = desk.world.client_for("handler_tax")
        req = submitted(desk)
        steps = [
            (clerk, "accept", {"note": "材料齐全"}, Status.ACCEPTED),
            (clerk, "request_documents", {"other": "发票专用章"}, Status.AWAITING_DOCUMENTS),
            (clerk, "documents_received", {}, Status.ACCEPTED),
            (clerk, "dispatch", {}, Status.DISPATCHED),
            (handler, "sign", {}, Status.SIGNED),
            (handler, "start", {}, Status.IN_PROGRESS),
            (handler, "complete", {"resolution": "已发放发票25份"}, Status.DONE),
            (
                desk.world.client_for("enterprise"),
                "rate",
                {"level": "5", "comment": "很快", "real_name": "on"},
                Status.RATED,
            ),
            (clerk, "close", {}, Status.CLOSED),
            (clerk, "reopen", {"reason": "企业反映发票份数不对"}, Status.DISPATCHED),
        ]
        for client, name, data, expected in steps:
            response = act(client, req, name, data)
            assert response.status_code == 302, (name, response.content.decode()[:2000])
            assert response.url == url(req)
            req = refresh(req)
            assert req.status == expected, name
        actions = list(RequestEvent.objects.filter(request=req).values_list("action", flat=True))
        assert actions == [
            "create",
            "accept",
            "request_documents",
            "documents_received",
            "dispatch",
            "sign",
            "start",
            "complete",
            "rate",
            "close",
            "reopen",
        ]
        assert Rating.objects.get(request=req).level == 5

    def test_it_transfers_with_a_reason(self, desk):
        from louyu.servicedesk.models import Department

        market = Department.objects.create(code="market", name="市场监管局")
        req = submitted(desk)
        request_accept(actor=desk.clerk, request=req)
        request_dispatch(actor=desk.clerk, request=req)
        response = act(
            desk.world.client_for("handler_tax"),
            req,
            "transfer",
            {"department": market.pk, "reason": "属市场监管职责"},
        )
        assert response.status_code == 302
        assert refresh(req).department == market

    def test_it_refuses_with_a_reason_and_shows_it_to_the_requester(self, desk):
        req = submitted(desk)
        response = act(
            desk.world.client_for("clerk"), req, "refuse", {"reason": "不属于本中心受理范围"}
        )
        assert response.status_code == 302
        page = desk.world.client_for("enterprise").get(url(req)).content.decode()
        assert "不属于本中心受理范围" in page

    def test_it_keeps_the_form_and_changes_nothing_when_the_reason_is_missing(self, desk):
        req = submitted(desk)
        response = act(desk.world.client_for("clerk"), req, "refuse", {"reason": ""})
        assert response.status_code == 400
        assert 'id="action-refuse"' in response.content.decode()
        assert refresh(req).status == Status.SUBMITTED

    def test_it_tells_the_second_of_two_staff_that_someone_acted_first(self, desk):
        req = submitted(desk)
        seen = req.version
        # Another clerk accepts while this one still has the page open.
        request_accept(actor=desk.clerk, request=ServiceRequest.objects.get(pk=req.pk))
        response = act(
            desk.world.client_for("clerk"), req, "refuse", {"reason": "重复提交"}, version=seen
        )
        assert response.status_code == 409
        page = response.content.decode()
        assert 'id="action-error"' in page
        assert req.number in page
        # The message names the current state (in the page's language, Chinese by default).
        with translation.override("zh-hans"):
            assert str(Status.ACCEPTED.label) in page
        # The page shows the request as it is now: the accepted request's actions, fresh version.
        current = refresh(req)
        assert current.status == Status.ACCEPTED
        assert f'name="dispatch-version" value="{current.version}"' in page

    def test_it_answers_409_on_an_action_no_longer_possible(self, desk):
        req = submitted(desk)
        request_accept(actor=desk.clerk, request=req)
        request_dispatch(actor=desk.clerk, request=req)
        request_sign(actor=desk.handler_tax, request=req)
        response = act(desk.world.client_for("handler_tax"), refresh(req), "sign")
        assert response.status_code == 409


class RatingTests:
    def done(self, desk) -> ServiceRequest:
        req = submitted(desk)
        request_accept(actor=desk.clerk, request=req)
        request_complete(actor=desk.clerk, request=req, resolution="当场办结")
        return refresh(req)

    def test_it_lets_the_requester_rate_once(self, desk):
        req = self.done(desk)
        client = desk.world.client_for("enterprise")
        assert 'id="action-rate"' in client.get(url(req)).content.decode()
        assert act(client, req, "rate", {"level": "4"}).status_code == 302
        page = client.get(url(req)).content.decode()
        assert 'id="action-rate"' not in page
        with translation.override("zh-hans"):
            assert f"<strong>{Rating._meta.get_field('level').choices[1][1]}</strong>" in page

    def test_it_opens_a_rectification_case_on_a_bad_rating_and_staff_can_appeal(self, desk):
        req = self.done(desk)
        act(
            desk.world.client_for("enterprise"),
            req,
            "rate",
            {"level": "1", "comment": "态度差", "real_name": "on"},
        )
        case = RectificationCase.objects.get(request=req)
        assert (
            'id="case-stage"' in desk.world.client_for("enterprise").get(url(req)).content.decode()
        )
        clerk = desk.world.client_for("clerk")
        assert 'id="case-appeal-form"' in clerk.get(url(req)).content.decode()
        response = clerk.post(
            reverse("servicedesk:case_appeal", args=[req.pk]), {"text": "评价对象错误"}
        )
        assert response.status_code == 302
        case.refresh_from_db()
        assert case.stage == RectificationCase.Stage.APPEALED
        response = desk.world.client_for("district").post(
            reverse("servicedesk:case_decide", args=[req.pk]), {"upheld": "1", "decision": "属实"}
        )
        assert response.status_code == 302
        case.refresh_from_db()
        assert case.stage == RectificationCase.Stage.CLOSED
        assert Rating.objects.get(request=req).excluded

    def test_it_walks_the_rectification_steps(self, desk):
        req = self.done(desk)
        act(desk.world.client_for("enterprise"), req, "rate", {"level": "2"})
        clerk = desk.world.client_for("clerk")
        for step in ("verify", "rectify", "feedback", "revisit"):
            response = clerk.post(
                reverse("servicedesk:case_step", args=[req.pk, step]), {"text": f"{step} 完成"}
            )
            assert response.status_code == 302, step
        assert RectificationCase.objects.get(request=req).stage == RectificationCase.Stage.CLOSED

    def test_it_refuses_the_outsider_the_case_pages(self, desk):
        req = self.done(desk)
        act(desk.world.client_for("enterprise"), req, "rate", {"level": "1"})
        for username in ("outsider", "enterprise"):
            response = desk.world.client_for(username).post(
                reverse("servicedesk:case_step", args=[req.pk, "verify"]), {"text": "x"}
            )
            assert response.status_code == 404


class RequestPageActionLayoutTests:
    """Issue 12: every form was stacked into one column several screens long."""

    @staticmethod
    def sections(html: str) -> tuple[str, str]:
        """The open part of the actions card and the part behind "More actions"."""
        card = html.split('id="actions-title"', 1)[1].split("</section>", 1)[0]
        if "sd-more-actions" not in card:
            return card, ""
        shown, more = card.split('class="sd-more-actions"', 1)
        return shown, more

    def test_it_opens_the_next_steps_and_hides_the_rest_behind_a_menu(self, desk):
        req = submitted(desk)
        html = desk.world.client_for("clerk").get(url(req)).content.decode()
        shown, more = self.sections(html)
        assert 'id="action-accept"' in shown and 'id="action-complete"' not in shown
        assert 'id="action-refuse"' in more and 'id="action-request_documents"' in more
        assert "更多操作" in more

    def test_a_form_sent_back_with_errors_stays_open(self, desk):
        req = submitted(desk)
        response = act(desk.world.client_for("clerk"), req, "refuse", {"reason": ""})
        shown, more = self.sections(response.content.decode())
        assert 'id="action-refuse"' in shown and 'id="action-refuse"' not in more

    def test_dispatch_preselects_the_lead_department_and_sorts_by_pinyin(self, desk):
        from louyu.servicedesk.models import Department

        Department.objects.create(code="zz-an", name="安监局")
        Department.objects.create(code="aa-zh", name="住建局")
        req = submitted(desk)
        request_accept(actor=desk.clerk, request=req)
        html = desk.world.client_for("clerk").get(url(req)).content.decode()
        form = html.split('id="action-dispatch"', 1)[1].split("</form>", 1)[0]
        names = [chunk.split(">", 1)[1].split("<", 1)[0] for chunk in form.split("<option")[1:]]
        assert names.index("安监局") < names.index("住建局")  # an… before zhu…, not by code
        assert f'value="{desk.world.tax.pk}" selected' in form
        assert "主办部门" not in names[0] and names[0] != "---------"

    def test_transfer_never_offers_the_department_it_is_with(self, desk):
        req = submitted(desk)
        request_accept(actor=desk.clerk, request=req)
        request_dispatch(actor=desk.clerk, request=req)
        html = desk.world.client_for("handler_tax").get(url(req)).content.decode()
        form = html.split('id="action-transfer"', 1)[1].split("</form>", 1)[0]
        assert f'<option value="{desk.world.tax.pk}"' not in form
        assert "<option" in form
