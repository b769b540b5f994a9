from datetime import date

import pytest

from louyu.core.exceptions import ApplicationError
from louyu.core.models import AuditLog, DivisionCode, Node
from louyu.core.services import division_code_save, node_create, node_update


@pytest.mark.django_db
class NodeServiceTests:
    def test_it_builds_the_path_from_the_parent(self, world):
        node = node_create(
            actor=world.sysadmin, kind=Node.Kind.BUILDING, name="新楼", parent=world.community
        )
        assert node.path == f"{world.community.path}{node.pk}/"
        assert AuditLog.objects.filter(action="node.create", target_id=str(node.pk)).exists()

    def test_it_refuses_a_building_under_a_street(self, world):
        with pytest.raises(ValueError):
            node_create(
                actor=None, kind=Node.Kind.BUILDING, name="错楼", parent=world.nodes["street"]
            )

    def test_it_audits_a_rename_and_ignores_no_change(self, world):
        node_update(actor=world.sysadmin, node=world.building, name="坤和中心A座")
        row = AuditLog.objects.get(action="node.update")
        assert (row.before, row.after) == ({"name": "坤和中心"}, {"name": "坤和中心A座"})
        node_update(actor=world.sysadmin, node=world.building, name="坤和中心A座")
        assert AuditLog.objects.filter(action="node.update").count() == 1

    def test_it_keeps_the_pinyin_search_text_through_a_rename(self, world):
        node = node_create(
            actor=None, kind=Node.Kind.BUILDING, name="云帆大厦", parent=world.community
        )
        assert node.search_names == "yunfandasha yfds 云帆大厦"
        node_update(actor=None, node=node, name="外经贸广场")
        node.refresh_from_db()
        assert node.search_names == "waijingmaoguangchang wjmgc 外经贸广场"

    def test_it_never_moves_a_node(self, world):
        with pytest.raises(ValueError):
            node_update(actor=world.sysadmin, node=world.building, parent=world.other_community)


@pytest.mark.django_db
class DivisionCodeServiceTests:
    def test_it_adds_and_corrects_a_dated_code(self, world):
        code = division_code_save(
            actor=world.sysadmin,
            node=world.community,
            code="330103003001",
            valid_from=date(2011, 1, 1),
            valid_to=None,
            note="",
        )
        assert world.community.current_code(date(2013, 1, 1)) == "330103003001"
        division_code_save(
            actor=world.sysadmin,
            node=world.community,
            division_code=code,
            valid_to=date(2021, 4, 8),
        )
        assert world.community.current_code(date(2022, 1, 1)) == ""
        actions = list(
            AuditLog.objects.filter(target_type="core.divisioncode").values_list(
                "action", flat=True
            )
        )
        assert sorted(actions) == ["divisioncode.create", "divisioncode.update"]

    def test_it_refuses_a_period_that_ends_before_it_starts(self, world):
        with pytest.raises(ApplicationError):
            division_code_save(
                actor=world.sysadmin,
                node=world.community,
                code="330103003001",
                valid_from=date(2021, 1, 1),
                valid_to=date(2020, 1, 1),
            )
        assert not DivisionCode.objects.filter(node=world.community).exists()
