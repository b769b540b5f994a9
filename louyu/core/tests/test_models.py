from datetime import UTC, date, datetime, timedelta

import pytest
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.utils import timezone

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


def database_clock() -> datetime:
    """The database server's own time, read apart from any statement's."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT clock_timestamp()")
            return cursor.fetchone()[0]
        cursor.execute("SELECT STRFTIME('%Y-%m-%d %H:%M:%f', 'now')")
        return datetime.fromisoformat(cursor.fetchone()[0]).replace(tzinfo=UTC)


@pytest.mark.django_db
class AuditLogTimeTests:
    """Issue 13: the database dates audit rows, so no client can backdate one."""

    def test_it_dates_a_row_by_the_database_clock(self):
        before = database_clock()
        row = audit_record(actor=None, action="test.write")
        after = database_clock()

        assert before <= row.at <= after
        assert AuditLog.objects.get(pk=row.pk).at == row.at

    @pytest.mark.parametrize("offset", [timedelta(days=-1000), timedelta(hours=1)])
    def test_it_refuses_a_row_with_a_time_from_the_client(self, offset):
        with (
            pytest.raises(IntegrityError, match="set by the database"),
            transaction.atomic(),
        ):
            AuditLog.objects.create(at=timezone.now() + offset, action="test.backdated")
        assert not AuditLog.objects.filter(action="test.backdated").exists()

    def test_it_refuses_a_backdated_row_written_in_raw_sql(self):
        with (
            pytest.raises(IntegrityError, match="set by the database"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(
                "INSERT INTO core_auditlog (at, actor_name, action, target_type, target_id,"
                " target_repr, result) VALUES (%s, '-', 'test.raw', '', '', '', 'success')",
                [timezone.now() - timedelta(days=1000)],
            )
        assert not AuditLog.objects.filter(action="test.raw").exists()

    def test_it_dates_a_bulk_insert_by_its_statement(self):
        before = database_clock()
        rows = AuditLog.objects.bulk_create([AuditLog(action=f"test.bulk.{n}") for n in range(50)])

        stored = set(AuditLog.objects.filter(action__startswith="test.bulk.").values_list("at"))
        assert len(stored) == 1  # one statement, one time
        ((at,),) = stored
        assert before <= at <= database_clock()
        assert {row.at for row in rows} == {at}
