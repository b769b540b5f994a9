"""The page shell (base.html and the shell template tags)."""

import re

import pytest
from django.urls import resolve, reverse
from django.utils.translation import override

from louyu.dashboard.templatetags.shell import account_links_for, navigation_for

pytestmark = pytest.mark.django_db


def page(world, username, url="/"):
    return world.client_for(username).get(url).content.decode()


def links(items):
    """Every link of a menu, groups opened."""
    return [link for item in items for link in (item.children or (item,))]


def urls(user, path="/"):
    return [link.url for link in links(navigation_for(user, path))]


class NavigationTests:
    def test_it_gives_everyone_the_workbench(self, world):
        for username in ("enterprise", "clerk", "auditor"):
            items = navigation_for(world.users[username], "/")
            assert [(i.url, i.active) for i in items][0] == ("/", True)

    def test_it_offers_the_admin_site_only_to_the_three_admin_roles(self, world):
        for username in ("sysadmin", "secadmin", "auditor"):
            assert "/admin/" in urls(world.users[username])
        for username in ("district", "clerk", "enterprise", "outsider", "nobody"):
            assert "/admin/" not in urls(world.users[username])

    def test_it_links_only_to_pages_that_exist(self, world):
        for username in ("district", "sysadmin", "employee"):
            user = world.users[username]
            for item in links(navigation_for(user, "/")) + account_links_for(user):
                assert resolve(item.url), item.url

    def test_it_links_each_persona_only_to_pages_it_may_open(self, world):
        # Issue 12: a department handler's menu linked to the visit list, which is 404 for them.
        # Opening a page changes nothing, so it writes no audit row either.
        from louyu.core.models import AuditLog

        failures = []
        for username in world.users:
            client = world.client_for(username)
            user = world.users[username]
            for item in links(navigation_for(user, "/")):
                last = AuditLog.objects.order_by("-id").values_list("id", flat=True).first() or 0
                status = client.get(item.url).status_code
                if status != 200:
                    failures.append((username, item.url, status))
                written = list(
                    AuditLog.objects.filter(id__gt=last).values_list("action", flat=True)
                )
                if written:
                    failures.append((username, item.url, written))
        assert failures == [], failures

    def test_it_offers_password_change_second_factor_and_tokens_in_the_user_menu(self, world):
        urls = [item.url for item in account_links_for(world.clerk)]
        assert urls == [
            reverse("accounts:password_change"),
            reverse("accounts:2fa_setup"),
            reverse("accounts:tokens"),
        ]

    def test_it_offers_the_api_docs_to_staff_roles_only(self, world):
        assert "/api/v1/docs/" in urls(world.district)
        assert "/api/v1/docs/" not in urls(world.employee)

    def test_it_gives_anonymous_visitors_the_public_pages_only(self):
        from django.contrib.auth.models import AnonymousUser

        assert urls(AnonymousUser()) == [
            reverse("website:home"),
            reverse("economy:building_list"),
            reverse("economy:vacancy_public_list"),
        ]
        assert account_links_for(AnonymousUser()) == []

    def test_it_groups_the_menu_and_marks_the_group_of_the_current_page(self, world):
        building = reverse("economy:building_detail", args=[world.nodes["building"].pk])
        items = navigation_for(world.district, building)
        with override("en"):
            [economy] = [i for i in items if str(i.label) == "Building economy"]
        assert economy.active and economy.url == ""
        active = [link.url for link in economy.children if link.active]
        assert active == [reverse("economy:building_list")]
        # A group with a single entry is shown as a plain link.
        assert all(len(item.children) != 1 for item in navigation_for(world.employee, "/"))


class BaseTemplateTests:
    def test_it_declares_the_chinese_language_by_default(self, world):
        assert '<html lang="zh-hans">' in page(world, "clerk")

    def test_it_switches_the_language_with_a_plain_form(self, world):
        client = world.client_for("clerk")
        response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
        assert response.status_code == 302
        assert '<html lang="en">' in client.get("/").content.decode()

    def test_it_has_a_skip_link_to_main(self, world):
        html = page(world, "clerk")
        assert 'href="#main"' in html
        assert 'id="main"' in html

    def test_it_signs_out_with_a_post_form_carrying_the_csrf_token(self, world):
        html = page(world, "clerk")
        form = re.search(r'<form action="/accounts/logout/" method="post">(.*?)</form>', html, re.S)
        assert form
        assert "csrfmiddlewaretoken" in form.group(1)

    def test_it_shows_the_users_display_name(self, world):
        assert world.users["clerk"].real_name in page(world, "clerk")

    def test_it_puts_the_csrf_token_in_a_meta_tag_for_htmx(self, world):
        assert re.search(r'<meta name="csrf-token" content="[^"]+">', page(world, "clerk"))

    def test_it_has_no_inline_script_style_or_event_handler(self, world):
        for username in ("district", "sysadmin", "secadmin", "auditor", "enterprise"):
            html = page(world, username)
            assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), username
            assert not re.search(r"\sstyle=", html), username
            assert not re.search(r"\son[a-z]+=", html), username
            assert "<style" not in html

    def test_it_tells_the_page_the_idle_timeout_of_signed_in_users_only(
        self, world, client, settings
    ):
        meta = f'<meta name="louyu-idle-timeout" content="{settings.LOUYU_IDLE_TIMEOUT}">'
        assert meta in page(world, "clerk")
        assert "louyu-idle-timeout" not in client.get(reverse("accounts:login")).content.decode()

    def test_it_renders_the_404_page_in_the_shell(self, world):
        response = world.client_for("clerk").get("/no-such-page/")
        assert response.status_code == 404
        assert 'id="main"' in response.content.decode()

    def test_it_renders_the_500_page_without_a_database(self, django_assert_num_queries):
        from django.template.loader import render_to_string

        with django_assert_num_queries(0):
            html = render_to_string("500.html")
        assert 'id="main"' in html


class OneNamePerPageTests:
    def test_every_menu_entry_is_named_as_its_page(self, world):
        # Issue 12: one page was 提交办件, 登记办件 and 新建事项; another 招租房源 and 楼宇招租.
        from django.contrib.auth.models import AnonymousUser
        from django.test import Client

        mismatched = set()
        visitors = [(Client(), AnonymousUser())] + [
            (world.client_for(name), user) for name, user in world.users.items()
        ]
        for client, user in visitors:
            for item in links(navigation_for(user, "/")):
                if item.url.startswith(("/admin/", "/api/")):
                    continue  # tools with their own pages: the admin, the API documentation
                html = client.get(item.url).content.decode()
                title = re.search(r"<title>(.*?) · ", html, re.S)
                if title is None or title.group(1).strip() != str(item.label):
                    mismatched.add((str(item.label), title and title.group(1).strip()))
        assert mismatched == set()
