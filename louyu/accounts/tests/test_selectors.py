"""Membership scopes on the jurisdiction tree, resolved through the scope kinds each app
registers (issue 14: accounts and core import no feature app)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from louyu.accounts.scopes import scope_kinds
from louyu.accounts.selectors import scope_node_paths

pytestmark = pytest.mark.django_db

FEATURE_APPS = {
    "economy",
    "servicedesk",
    "party",
    "association",
    "notifications",
    "venues",
    "messaging",
    "surveys",
    "website",
    "dashboard",
}
# Project-wide entry points that live in core for want of a better home: the demo data set
# seeds every app, the ASGI router mounts every app's consumers.
ENTRY_POINTS = {"core/demo.py", "core/routing.py", "core/management/commands/seed_demo.py"}


class ScopeNodePathsTests:
    def test_it_gives_jurisdiction_roles_their_node(self, world):
        assert scope_node_paths(world.clerk) == [world.community.path]
        assert scope_node_paths(world.users["district"]) == [world.nodes["district"].path]

    def test_it_gives_party_roles_their_organizations_community(self, world):
        assert scope_node_paths(world.party_officer) == [world.party_committee.community.path]

    def test_it_gives_enterprise_roles_their_enterprises_building(self, world):
        assert scope_node_paths(world.enterprise) == [world.building.path]

    def test_it_keeps_the_outsider_in_its_own_building(self, world):
        (path,) = scope_node_paths(world.outsider)
        assert not path.startswith(world.community.path)

    def test_it_costs_one_query_per_kind_of_scope_held(self, world, django_assert_num_queries):
        # memberships, the enterprise's building, the node paths
        with django_assert_num_queries(3):
            scope_node_paths(world.enterprise)
        # memberships, the node paths
        with django_assert_num_queries(2):
            scope_node_paths(world.clerk)

    def test_it_answers_nothing_for_a_person_without_memberships(self, world):
        assert scope_node_paths(world.nobody) == []


class ScopeKindRegistryTests:
    def test_the_apps_that_own_scope_models_registered_them(self):
        assert {kind.model for kind in scope_kinds()} >= {
            "economy.enterprise",
            "party.partyorganization",
        }

    @pytest.mark.parametrize("package", ["core", "accounts"])
    def test_core_and_accounts_import_no_feature_app(self, package):
        root = Path(__file__).resolve().parents[2]
        offenders = []
        for path in sorted((root / package).rglob("*.py")):
            relative = path.relative_to(root).as_posix()
            if "/tests/" in relative or relative in ENTRY_POINTS:
                continue
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                names = (
                    [node.module or ""]
                    if isinstance(node, ast.ImportFrom)
                    else [a.name for a in node.names]
                    if isinstance(node, ast.Import)
                    else []
                )
                for name in names:
                    parts = name.split(".")
                    if len(parts) > 1 and parts[0] == "louyu" and parts[1] in FEATURE_APPS:
                        offenders.append(f"{relative}: {name}")
        assert offenders == []
