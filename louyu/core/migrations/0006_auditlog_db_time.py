"""The database, not the client, dates each audit row (issue 13).

`at` gets Django's `Now()` as its column default (STATEMENT_TIMESTAMP() on PostgreSQL,
STRFTIME('%Y-%m-%d %H:%M:%f', 'now') on SQLite) and a BEFORE INSERT trigger refuses any row whose
`at` is not that value, so neither the app nor the worker role can write a row dated in the past
(which retention purging would then delete) or in the future.

On SQLite, changing the column default rebuilds the table, which drops the UPDATE trigger of
migration 0002: it is created again here, and again when this migration is reversed.
"""

import django.db.models.functions.datetime
from django.db import migrations, models

# The statement's time is what the column default wrote; any other value came from the client.
PG_FORWARD = """
CREATE OR REPLACE FUNCTION core_auditlog_db_time() RETURNS trigger AS $$
BEGIN
    IF NEW.at IS DISTINCT FROM statement_timestamp() THEN
        RAISE EXCEPTION 'core_auditlog.at is set by the database: INSERT at % refused', NEW.at
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END
$$ LANGUAGE plpgsql;
CREATE TRIGGER core_auditlog_db_time
    BEFORE INSERT ON core_auditlog
    FOR EACH ROW EXECUTE FUNCTION core_auditlog_db_time();
"""
PG_BACKWARD = """
DROP TRIGGER IF EXISTS core_auditlog_db_time ON core_auditlog;
DROP FUNCTION IF EXISTS core_auditlog_db_time();
"""
# 'now' is fixed for the whole statement in SQLite, triggers included, so it equals the default.
SQLITE_FORWARD = """
CREATE TRIGGER core_auditlog_db_time BEFORE INSERT ON core_auditlog
WHEN NEW.at IS NOT STRFTIME('%Y-%m-%d %H:%M:%f', 'now')
BEGIN SELECT RAISE(ABORT, 'core_auditlog.at is set by the database: INSERT refused'); END;
"""
SQLITE_BACKWARD = "DROP TRIGGER IF EXISTS core_auditlog_db_time;"
# Migration 0002's trigger, lost whenever SQLite rebuilds the table.
SQLITE_NO_UPDATE = """
CREATE TRIGGER IF NOT EXISTS core_auditlog_no_update BEFORE UPDATE ON core_auditlog
BEGIN SELECT RAISE(ABORT, 'core_auditlog is append-only: UPDATE refused'); END;
"""


def _run(schema_editor, *, postgresql: tuple[str, ...] = (), sqlite: tuple[str, ...] = ()):
    """Execute the vendor's statements (SQLite takes one per call)."""
    statements = {"postgresql": postgresql, "sqlite": sqlite}.get(schema_editor.connection.vendor)
    for sql in statements or ():
        schema_editor.execute(sql, params=None)  # no placeholders: keep every % as written


def forward(apps, schema_editor):
    _run(schema_editor, postgresql=(PG_FORWARD,), sqlite=(SQLITE_NO_UPDATE, SQLITE_FORWARD))


def backward(apps, schema_editor):
    _run(schema_editor, postgresql=(PG_BACKWARD,), sqlite=(SQLITE_BACKWARD,))


def restore_no_update(apps, schema_editor):
    _run(schema_editor, sqlite=(SQLITE_NO_UPDATE,))


class Migration(migrations.Migration):
    dependencies = [("core", "0005_calendarday_seed")]
    operations = [
        # Reversed last: the AlterField reversal rebuilds the SQLite table once more.
        migrations.RunPython(migrations.RunPython.noop, restore_no_update),
        migrations.AlterField(
            model_name="auditlog",
            name="at",
            field=models.DateTimeField(
                db_default=django.db.models.functions.datetime.Now(),
                db_index=True,
                verbose_name="time",
            ),
        ),
        migrations.RunPython(forward, backward),
    ]
