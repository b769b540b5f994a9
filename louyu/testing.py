"""Shared test world: a small jurisdiction with one demo persona per role of DESIGN.md §2,
including an **outsider** (an enterprise contact in another building community), and the
permission-matrix helper every app's tests reuse."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.test import Client

from louyu.accounts.models import User
from louyu.accounts.services import membership_grant, user_create
from louyu.core.demo import PERSONAS, persona_phone
from louyu.core.models import Node
from louyu.core.services import node_create
from louyu.economy.models import Enterprise
from louyu.lib.pinyin import search_names
from louyu.party.models import PartyOrganization
from louyu.servicedesk.models import Department

PASSWORD = "Test@2013pass"

# PERSONAS (username → Persona(role, scope key in World.scopes, real name, is_staff)) is the one
# table shared with the demo data (`manage.py seed_demo`); imported here for the tests.
__all__ = ["PASSWORD", "PERSONAS", "World", "assert_access_matrix", "build_world"]


@dataclass
class World:
    """The nodes, scopes and users of the test jurisdiction."""

    nodes: dict[str, Node] = field(default_factory=dict)
    scopes: dict[str, Any] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)

    def __getattr__(self, name: str) -> Any:
        """world.clerk, world.building …; users win where a name is also a node ("district",
        "street"): use world.nodes[...] for those."""
        for bucket in ("users", "nodes", "scopes"):
            values = self.__dict__.get(bucket, {})
            if name in values:
                return values[name]
        raise AttributeError(name)

    def client_for(self, username: str | None) -> Client:
        """A test client signed in as a persona (None: anonymous)."""
        client = Client()
        if username is not None:
            client.force_login(self.users[username])
        return client


def build_world(password: str = PASSWORD) -> World:
    """Xiacheng district with two streets, two building communities and their buildings."""
    world = World()
    district = node_create(
        actor=None,
        kind=Node.Kind.DISTRICT,
        name="下城区",
        codes=[("330103", date(1983, 1, 1), date(2021, 4, 8)), ("330105", date(2021, 4, 9), None)],
    )
    street = node_create(
        actor=None,
        kind=Node.Kind.STREET,
        name="武林街道",
        parent=district,
        codes=[("330103002", date(1983, 1, 1), date(2021, 4, 8))],
    )
    other_street = node_create(actor=None, kind=Node.Kind.STREET, name="天水街道", parent=district)
    community = node_create(
        actor=None, kind=Node.Kind.COMMUNITY, name="环西楼宇社区", parent=street
    )
    other_community = node_create(
        actor=None, kind=Node.Kind.COMMUNITY, name="天水楼宇社区", parent=other_street
    )
    building = node_create(
        actor=None, kind=Node.Kind.BUILDING, name="坤和中心", parent=community, is_target=True
    )
    other_building = node_create(
        actor=None,
        kind=Node.Kind.BUILDING,
        name="浙江省外经贸广场",
        parent=other_community,
        is_target=True,
    )
    world.nodes.update(
        district=district,
        street=street,
        other_street=other_street,
        community=community,
        other_community=other_community,
        building=building,
        other_building=other_building,
    )
    world.scopes.update(
        district=district,
        street=street,
        community=community,
        enterprise=Enterprise.objects.create(
            credit_code="91330103MA2CFK1A3R",
            name="杭州坤和科技有限公司",
            search_names=search_names("杭州坤和科技有限公司"),
            building=building,
        ),
        other_enterprise=Enterprise.objects.create(
            credit_code="91330103MA27YTW55X",
            name="杭州外经贸咨询有限公司",
            search_names=search_names("杭州外经贸咨询有限公司"),
            building=other_building,
        ),
        tax=Department.objects.create(code="tax", name="税务局"),
        party_committee=PartyOrganization.objects.create(
            name="环西楼宇社区综合党委",
            kind=PartyOrganization.Kind.COMMITTEE,
            community=community,
        ),
    )
    for username, (role, scope_key, real_name, is_staff) in PERSONAS.items():
        user = user_create(
            actor=None,
            username=username,
            password=password,
            real_name=real_name,
            phone=persona_phone(username),
            is_staff=is_staff,
        )
        membership_grant(actor=None, user=user, role=role, scope=world.scopes[scope_key])
        world.users[username] = user
    world.users["nobody"] = user_create(actor=None, username="nobody", password=password)
    return world


def assert_access_matrix(
    world: World,
    method: str,
    url: str,
    *,
    allowed: Iterable[str],
    denied_status: int = 404,
    allowed_status: Iterable[int] = (200,),
    data: dict[str, Any] | None = None,
) -> None:
    """Request `url` as every persona (and anonymous, and a user with no role): the `allowed`
    ones get `allowed_status`, everyone else gets `denied_status` (404: not yours is not
    found); anonymous is sent to sign in (302) or refused (401/403 on the API)."""
    allowed = set(allowed)
    ok_statuses = set(allowed_status)
    failures = []
    for username in [None, "nobody", *PERSONAS]:
        client = world.client_for(username)
        # The API reads JSON bodies only; the pages read forms.
        as_json = {"content_type": "application/json"} if url.startswith("/api/") else {}
        if method.lower() == "get":
            as_json = {}
        response = getattr(client, method.lower())(url, data or {}, **as_json)
        status = response.status_code
        if username in allowed:
            good = status in ok_statuses
        elif username is None:
            good = status in {302, 401, 403}
        else:
            good = status == denied_status
        if not good:
            failures.append(f"{username or 'anonymous'}: {status}")
    assert not failures, f"{method} {url}: unexpected statuses: {', '.join(failures)}"
