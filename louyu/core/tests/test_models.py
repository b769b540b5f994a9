from datetime import date

import pytest
from django.db import DatabaseError, connection, transaction

from louyu.core.models import AuditLog, Node
from louyu.core.services import audit_record


@pytest.mark.django_db
class NodeTests:
    def test_it_keeps_dated_division_codes(self, world):
        district = world.nodes["district"]
        assert district.current_code(date(2013, 6, 1)) == "330103"
        assert district.current_code(date(2022, 1, 1)) == "330105"

    def test_it_finds_a_subtree_by_path(self, world):
        names = set(Node.objects.subtree(world.nodes["street"]).values_list("name", flat=True))
        assert names == {"武林街道", "环西楼宇社区", "坤和中心"}

    def test_it_scopes_nodes_to_the_users_memberships(self, world):
        visible = set(Node.objects.visible_to(world.users["clerk"]).values_list("name", flat=True))
        assert visible == {"环西楼宇社区", "坤和中心"}
        outsider = Node.objects.visible_to(world.users["outsider"])
        assert list(outsider.values_list("name", flat=True)) == ["浙江省外经贸广场"]
        assert not Node.objects.visible_to(world.users["nobody"]).exists()


@pytest.mark.django_db(transaction=True)
class AuditLogImmutabilityTests:
    def test_it_refuses_updates_in_the_database(self, world):
        row = audit_record(actor=None, action="test.write")
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("UPDATE core_auditlog SET action = 'forged' WHERE id = %s", [row.pk])
        assert AuditLog.objects.get(pk=row.pk).action == "test.write"

    @pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="#2: PostgreSQL-only guard; SQLite test flush needs DELETE",
    )
    def test_it_refuses_deleting_recent_rows_on_postgresql(self, world):
        row = audit_record(actor=None, action="test.write")
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("DELETE FROM core_auditlog WHERE id = %s", [row.pk])
        assert AuditLog.objects.filter(pk=row.pk).exists()
