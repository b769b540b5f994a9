"""The GIN index of Chinese full-text search (search.py), on PostgreSQL only: other databases
search with instr and have no expression index of this kind."""

from django.db import migrations

CREATE = (
    "CREATE INDEX IF NOT EXISTS messaging_message_search_gin ON messaging_message "
    "USING gin (to_tsvector('simple', search_tokens))"
)
DROP = "DROP INDEX IF EXISTS messaging_message_search_gin"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("messaging", "0001_initial")]

    operations = [migrations.RunPython(create, drop)]
