"""Audit action codes in words (issue 12: the auditor's workbench showed `auth.login`)."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation

from louyu.core.audit import action_label

CODE = re.compile(r'action="([a-z_]+\.[a-z_.]+)"')


def codes_in_source() -> set[str]:
    """Every literal action code the platform's services write (tests and benches left out)."""
    found = set()
    for path in Path(settings.BASE_DIR, "louyu").rglob("*.py"):
        if "tests" in path.parts:
            continue
        found |= set(CODE.findall(path.read_text(encoding="utf-8")))
    return found


class ActionLabelTests:
    def test_it_names_every_action_the_services_write(self):
        codes = codes_in_source()
        assert len(codes) > 80
        unnamed = sorted(code for code in codes if action_label(code) == code)
        assert unnamed == []

    @pytest.mark.parametrize(
        ("code", "target", "chinese", "english"),
        [
            ("auth.login", "accounts.user", "登录", "Signed in"),
            ("request.dispatch", "servicedesk.servicerequest", "服务请求：派单", "dispatched"),
            ("vacancy.publish", "", "空置房源：发布", "published"),
        ],
    )
    def test_it_speaks_the_readers_language(self, code, target, chinese, english):
        with translation.override("zh-hans"):
            assert chinese in action_label(code, target)
        with translation.override("en"):
            assert english in action_label(code, target)

    def test_it_shows_an_unknown_code_as_it_is(self):
        assert action_label("something.new_here") == "something.new_here"
        assert action_label("plain") == "plain"


@pytest.mark.django_db
def test_the_auditors_workbench_shows_actions_in_words(world):
    from django.urls import reverse

    world.client_for("auditor")  # signing in writes auth.login
    html = world.client_for("auditor").get(reverse("workbench")).content.decode()
    assert 'title="auth.login">登录<' in html
