"""The to-do list per persona (issue 14): the groups each persona gets, every count equal to the
rows of the list page it links to, nothing of another building community, the workbench block
in both languages and /api/v1/todo/."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from louyu.api.models import Open311Submission
from louyu.api.open311.services import open311_key_create
from louyu.economy.models import EnterpriseWarning, StabilityGrade
from louyu.messaging.services import message_send
from louyu.messaging.services.conversations import group_create
from louyu.notifications.todo import todo_for
from louyu.servicedesk.models import Category, RectificationCase, ServiceRequest
from louyu.servicedesk.services.catalog import service_item_save
from louyu.servicedesk.services.ratings import request_rate
from louyu.servicedesk.services.requests import (
    request_accept,
    request_complete,
    request_create,
    request_dispatch,
    request_reopen,
    request_request_documents,
    request_sign,
)
from louyu.servicedesk.services.visits import visit_schedule
from louyu.testing import PERSONAS

pytestmark = pytest.mark.django_db

# The groups each persona's workbench opens with, in order (the admins keep their cards).
EXPECTED_GROUPS: dict[str, list[str]] = {
    "district": [
        "servicedesk.escalated",
        "economy.red_warnings",
        "servicedesk.rectification_overdue",
        "messaging.unread",
    ],
    "street": [
        "servicedesk.escalated",
        "economy.red_warnings",
        "servicedesk.rectification_overdue",
        "messaging.unread",
    ],
    "clerk": [
        "servicedesk.new",
        "servicedesk.due_today",
        "servicedesk.overdue",
        "servicedesk.visits_due",
        "venues.approvals",
        "servicedesk.unplaced_open311",
        "messaging.unread",
    ],
    "handler_tax": [
        "servicedesk.to_sign",
        "servicedesk.to_complete",
        "servicedesk.returned",
        "messaging.unread",
    ],
    "party_officer": ["messaging.unread"],
    "association": ["messaging.unread"],
    "enterprise": ["servicedesk.documents", "servicedesk.to_rate", "messaging.unread"],
    "employee": ["servicedesk.documents", "servicedesk.to_rate", "messaging.unread"],
    "outsider": ["servicedesk.documents", "servicedesk.to_rate", "messaging.unread"],
    "sysadmin": [],
    "secadmin": [],
    "auditor": [],
}

# What waits for whom in `todo_world` (groups left out: 0 rows).
EXPECTED_COUNTS: dict[str, dict[str, int]] = {
    "district": {
        "servicedesk.escalated": 1,
        "economy.red_warnings": 2,
        "servicedesk.rectification_overdue": 1,
        "messaging.unread": 1,
    },
    "street": {
        "servicedesk.escalated": 1,
        "economy.red_warnings": 1,
        "servicedesk.rectification_overdue": 1,
        "messaging.unread": 1,
    },
    "clerk": {
        "servicedesk.new": 1,
        "servicedesk.due_today": 1,
        "servicedesk.overdue": 1,
        "servicedesk.visits_due": 1,
        "servicedesk.unplaced_open311": 1,
        "messaging.unread": 1,
    },
    "handler_tax": {
        "servicedesk.to_sign": 2,
        "servicedesk.to_complete": 1,
        "servicedesk.returned": 1,
        "messaging.unread": 1,
    },
    "party_officer": {"messaging.unread": 1},
    "association": {"messaging.unread": 1},
    # The contact sees the enterprise's requests; the employee only those they filed (none).
    "enterprise": {"servicedesk.documents": 1, "servicedesk.to_rate": 1, "messaging.unread": 1},
    "employee": {"messaging.unread": 1},
    "outsider": {"servicedesk.documents": 1},
}


def todo_world(world: Any) -> dict[str, Any]:
    """Requests in every state a to-do counts, a visit due today, red warnings in both
    communities, a group conversation with unread messages, and the outsider's own request
    waiting for documents."""
    w = world
    item = service_item_save(
        actor=None,
        code="tax-invoice",
        name="发票领用",
        category=Category.ECONOMY,
        lead_department=w.tax,
        statutory_days=10,
        promised_days=3,
    )
    today = timezone.localdate()
    now = timezone.now()

    def new(title: str, *, user: Any = None, enterprise: Any = None) -> ServiceRequest:
        return request_create(
            actor=user or w.enterprise,
            requester=user or w.enterprise,
            enterprise=enterprise or w.scopes["enterprise"],
            title=title,
            description="",
            channel="web",
            service_item=item,
        )

    def accepted(title: str) -> ServiceRequest:
        return request_accept(actor=w.clerk, request=new(title))

    rows: dict[str, Any] = {"new": new("新办发票申请")}
    rows["due_today"] = accepted("今天到期的申请")
    ServiceRequest.objects.filter(pk=rows["due_today"].pk).update(due_on=today)
    rows["overdue"] = accepted("超期并已催办的申请")
    ServiceRequest.objects.filter(pk=rows["overdue"].pk).update(
        due_on=today - timedelta(days=1), escalation=1, escalated_at=now - timedelta(days=2)
    )
    rows["to_sign"] = request_dispatch(actor=w.clerk, request=accepted("待签收的申请"))
    rows["to_complete"] = request_sign(
        actor=w.handler_tax, request=request_dispatch(actor=w.clerk, request=accepted("办理中"))
    )
    returned = request_sign(
        actor=w.handler_tax, request=request_dispatch(actor=w.clerk, request=accepted("重办"))
    )
    request_complete(actor=w.handler_tax, request=returned, resolution="已办结")
    rows["returned"] = request_reopen(actor=w.clerk, request=returned, reason="企业反映未解决")
    rows["documents"] = request_request_documents(
        actor=w.clerk, request=accepted("缺材料的申请"), documents=["营业执照副本"]
    )
    rows["to_rate"] = request_complete(actor=w.clerk, request=accepted("待评价"), resolution="好")
    rated = request_complete(actor=w.clerk, request=accepted("差评整改"), resolution="已处理")
    request_rate(actor=w.enterprise, request=rated, level=1, comment="太慢")
    RectificationCase.objects.filter(request=rated).update(due_on=today - timedelta(days=3))
    rows["rectification"] = rated
    # The other building community: the outsider's request, waiting for documents.
    theirs = new("外楼宇社区的申请", user=w.outsider, enterprise=w.scopes["other_enterprise"])
    request_request_documents(actor=None, request=theirs, documents=["授权委托书"])
    rows["theirs"] = theirs
    rows["visit"] = visit_schedule(
        actor=w.clerk, enterprise=w.scopes["enterprise"], due_on=today, reason="季度走访"
    )
    for enterprise in (w.scopes["enterprise"], w.scopes["other_enterprise"]):
        EnterpriseWarning.objects.create(
            enterprise=enterprise,
            grade=StabilityGrade.RED,
            score=7,
            since=now - timedelta(days=3),
            triggers=",lease_30,",
        )
    # An Open311 submission whose location matched no building, held for the community.
    key, _raw = open311_key_create(actor=None, user=w.clerk, name="12345 热线")
    rows["unplaced"] = Open311Submission.objects.create(
        key=key,
        token="todo-test-token",
        jurisdiction=w.community,
        service_item=item,
        address_string="环城西路 1 号",
        description="路灯不亮",
    )
    members = [w.users[name] for name in PERSONAS if name != "outsider"]
    group = group_create(actor=w.clerk, title="坤和中心工作群", members=members)
    message_send(actor=w.clerk, conversation=group, body="本周五消防培训，请准时参加。")
    message_send(actor=w.enterprise, conversation=group, body="收到，我们派两人参加。")
    # The system admin (who has no to-do list) posts last: everyone else has something unread.
    message_send(actor=w.sysadmin, conversation=group, body="培训签到表已上传。")
    return rows


@pytest.fixture
def data(world) -> dict[str, Any]:
    return todo_world(world)


def rows_listed(client: Any, url: str) -> int:
    """How many rows the list page at `url` shows (all its pages)."""
    response = client.get(url)
    assert response.status_code == 200, url
    if "page" in response.context:
        return response.context["page"].paginator.count
    if "rows" in response.context:  # the Open311 intake queue
        return len(response.context["rows"])
    return len(response.context["conversations"])


class TodoPerPersonaTests:
    def test_it_gives_every_persona_its_own_groups(self, world, data):
        assert set(EXPECTED_GROUPS) == set(PERSONAS)
        for username, keys in EXPECTED_GROUPS.items():
            assert [g.key for g in todo_for(world.users[username])] == keys, username

    def test_it_counts_what_waits_for_each_persona(self, world, data):
        for username in PERSONAS:
            counts = {g.key: g.count for g in todo_for(world.users[username]) if g.count}
            assert counts == EXPECTED_COUNTS.get(username, {}), username

    @pytest.mark.parametrize("username", list(PERSONAS))
    def test_it_counts_exactly_the_rows_its_list_shows(self, world, data, username):
        client = world.client_for(username)
        for group in todo_for(world.users[username]):
            assert rows_listed(client, group.url) == group.count, (username, group.key)

    def test_it_lists_the_oldest_rows_linked_to_their_objects(self, world, data):
        groups = {g.key: g for g in todo_for(world.clerk)}
        new = groups["servicedesk.new"]
        assert [i.label for i in new.items] == [f"{data['new'].number} 新办发票申请"]
        assert new.items[0].url == reverse("servicedesk:request_detail", args=[data["new"].pk])
        street = {g.key: g for g in todo_for(world.street)}
        assert street["servicedesk.rectification_overdue"].age_days == 3 or (
            street["servicedesk.rectification_overdue"].age_days == 2  # across midnight
        )
        assert street["economy.red_warnings"].age_days == 3
        assert street["servicedesk.escalated"].items[0].label.endswith("超期并已催办的申请")

    def test_it_shows_the_outsider_nothing_of_another_community(self, world, data):
        groups = todo_for(world.outsider)
        labels = [item.label for g in groups for item in g.items]
        assert labels == [f"{data['theirs'].number} 外楼宇社区的申请"]
        html = world.client_for("outsider").get(reverse("workbench")).content.decode()
        for text in ("坤和", "缺材料的申请", "坤和中心工作群"):
            assert text not in html

    def test_it_shows_the_outsider_none_of_the_clerks_lists(self, world, data):
        client = world.client_for("outsider")
        for group in todo_for(world.clerk):
            if group.key.startswith("servicedesk."):
                assert client.get(group.url).status_code == 404, group.key
        url = f"{reverse('economy:warning_list')}?grade=4"
        assert client.get(url).status_code == 404

    @pytest.mark.parametrize(
        ("username", "queries"),
        # roles, the scope lookups (cached on the user), then per group one COUNT + MIN and,
        # when something waits, one query for its first rows; the clerk's venue approvals add
        # the managed communities (three) and their COUNT.
        [("clerk", 23), ("handler_tax", 12), ("street", 15), ("enterprise", 8), ("sysadmin", 1)],
    )
    def test_it_pins_its_query_count(
        self, world, data, username, queries, django_assert_num_queries
    ):
        from louyu.accounts.models import User

        user = User.objects.get(username=username)
        with django_assert_num_queries(queries):
            todo_for(user)


class WorkbenchTodoTests:
    def test_it_opens_the_clerks_workbench_with_the_to_do_list_in_chinese(self, world, data):
        html = world.client_for("clerk").get(reverse("workbench")).content.decode()
        assert html.index('id="todo"') < html.index('id="section-jurisdiction"')
        assert "待办" in html
        assert "待受理的新申请" in html
        assert "今日到期" in html
        assert "待走访" in html
        assert "待落位楼宇的 Open311 申请" in html
        assert "查看全部" in html
        assert "最早" in html
        assert 'data-todo="servicedesk.new" data-count="1"' in html
        assert f"{reverse('servicedesk:queue')}?todo=new" in html

    def test_it_speaks_english_when_asked(self, world, data):
        client = world.client_for("handler_tax")
        html = client.get(reverse("workbench"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
        assert "To-do" in html
        assert "To sign for" in html
        assert "Returned for redoing" in html
        assert "See all" in html
        assert "oldest" in html

    def test_it_gives_the_party_officer_counts_and_clear_empty_states(self, world):
        html = world.client_for("party_officer").get(reverse("workbench")).content.decode()
        assert 'data-todo="messaging.unread" data-count="0"' in html
        assert "这里没有待办事项。" in html
        assert 'id="section-party"' in html

    def test_it_keeps_the_admins_cards_without_a_to_do_block(self, world):
        html = world.client_for("sysadmin").get(reverse("workbench")).content.decode()
        assert 'id="todo"' not in html
        assert 'id="section-system"' in html

    def test_it_shows_the_queue_filtered_to_the_to_do(self, world, data):
        client = world.client_for("clerk")
        html = client.get(f"{reverse('servicedesk:queue')}?todo=new").content.decode()
        assert data["new"].number in html
        assert data["due_today"].number not in html


class TodoApiTests:
    url = "/api/v1/todo/"

    def test_it_answers_the_callers_groups_with_counts_and_age(self, world, data):
        response = world.client_for("street").get(self.url)
        assert response.status_code == 200
        body = response.json()
        groups = {g["key"]: g for g in body["groups"]}
        assert list(groups) == EXPECTED_GROUPS["street"]
        assert groups["economy.red_warnings"]["count"] == 1
        assert groups["economy.red_warnings"]["oldest_age_seconds"] >= 3 * 86400
        assert groups["economy.red_warnings"]["url"].endswith("?grade=4")
        assert body["count"] == sum(g["count"] for g in body["groups"])

    def test_it_gives_the_outsider_only_their_own(self, world, data):
        body = world.client_for("outsider").get(self.url).json()
        items = [i["label"] for g in body["groups"] for i in g["items"]]
        assert items == [f"{data['theirs'].number} 外楼宇社区的申请"]
        assert body["count"] == 1

    def test_it_refuses_anonymous_callers(self, world):
        assert world.client_for(None).get(self.url).status_code in {401, 403}

    def test_it_filters_the_request_api_by_to_do(self, world, data):
        client = world.client_for("handler_tax")
        response = client.get("/api/v1/servicedesk/requests/", {"todo": "to_sign"})
        assert response.status_code == 200
        numbers = {r["number"] for r in response.json()["results"]}
        assert numbers == {data["to_sign"].number, data["returned"].number}

    def test_it_is_in_the_openapi_schema(self, world):
        response = world.client_for("clerk").get(reverse("api:schema"), {"format": "json"})
        schema = response.json()
        assert "/api/v1/todo/" in schema["paths"]
