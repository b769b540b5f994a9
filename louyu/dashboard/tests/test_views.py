import pytest
from django.urls import reverse

from louyu.testing import PERSONAS

from .test_selectors import EXPECTED_SECTIONS

pytestmark = pytest.mark.django_db

ALL_SECTIONS = {key for keys in EXPECTED_SECTIONS.values() for key in keys}


class WorkbenchViewTests:
    def test_it_sends_anonymous_visitors_to_sign_in(self, client):
        response = client.get(reverse("workbench"))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))

    @pytest.mark.parametrize("username", list(PERSONAS))
    def test_it_shows_each_persona_its_own_section_and_no_other(self, world, username):
        html = world.client_for(username).get(reverse("workbench")).content.decode()
        for key in ALL_SECTIONS:
            shown = f'id="section-{key}"' in html
            assert shown == (key in EXPECTED_SECTIONS[username]), (username, key)

    def test_it_never_shows_the_outsider_the_other_community(self, world):
        html = world.client_for("outsider").get(reverse("workbench")).content.decode()
        assert "杭州外经贸咨询有限公司" in html
        for name in ("坤和中心", "环西楼宇社区", "杭州坤和科技有限公司", "武林街道"):
            assert name not in html

    def test_it_shows_the_clerk_their_community_and_not_the_other(self, world):
        html = world.client_for("clerk").get(reverse("workbench")).content.decode()
        assert "环西楼宇社区" in html
        assert "天水楼宇社区" not in html

    def test_it_says_when_nothing_is_waiting(self, world):
        html = world.client_for("sysadmin").get(reverse("workbench"), HTTP_ACCEPT_LANGUAGE="en")
        assert "workbench-empty" in html.content.decode()

    def test_it_shows_the_sysadmin_how_many_tasks_are_stuck(self, world):
        from datetime import timedelta

        from django.utils import timezone
        from django_tasks_db.models import DBTaskResult

        from louyu.core.tasks import job_run_execute

        stuck = job_run_execute.enqueue(job_run_id=1)
        DBTaskResult.objects.filter(id=stuck.id).update(
            status="RUNNING",
            started_at=timezone.now() - timedelta(hours=1),
            worker_ids=["host-gone:9"],
        )
        client = world.client_for("sysadmin")
        html = client.get(reverse("workbench"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
        assert "Background tasks: 1 running, 1 stuck on a stopped worker, 0 failed" in html

    def test_it_tells_a_user_without_roles_whom_to_ask(self, world):
        response = world.client_for("nobody").get(reverse("workbench"))
        assert response.status_code == 200
        assert response.context["sections"] == []

    # The sections' queries, plus the to-do list's (issue 14): one COUNT + MIN per group and
    # the scope lookups of its querysets (nothing waits in the bare test world).
    @pytest.mark.parametrize(
        ("username", "queries"),
        [
            ("district", 17),
            ("clerk", 23),
            ("handler_tax", 12),
            ("secadmin", 12),
            ("enterprise", 12),
        ],
    )
    def test_it_pins_the_page_query_count(
        self, world, username, queries, django_assert_max_num_queries
    ):
        client = world.client_for(username)
        client.get(reverse("workbench"))  # warm the content-type cache
        with django_assert_max_num_queries(queries):
            response = client.get(reverse("workbench"))
        assert response.status_code == 200
