"""The database refuses overlapping bookings of one venue — on PostgreSQL.

An exclusion constraint (venue_id WITH =, tstzrange(starts_at, ends_at) WITH &&) over the
bookings that hold their slot needs the btree_gist extension (for `=` on an integer in a GiST
index) and has no SQLite equivalent. It is therefore not in `Booking.Meta.constraints`: there
the migration autodetector would try to create it on SQLite too, and leaving it out of the
model state on one vendor only would make `makemigrations --check` disagree between them. This
migration adds it through the schema editor only when the connection is PostgreSQL, so the
model state is the same everywhere; on SQLite `booking_request` checks inside its transaction
(SQLite serialises writers: the settings open transactions IMMEDIATE).
"""

from django.db import migrations

from louyu.venues.models import BOOKING_NO_OVERLAP


def forward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
    schema_editor.add_constraint(apps.get_model("venues", "Booking"), BOOKING_NO_OVERLAP)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.remove_constraint(apps.get_model("venues", "Booking"), BOOKING_NO_OVERLAP)


class Migration(migrations.Migration):
    dependencies = [("venues", "0001_initial")]

    operations = [migrations.RunPython(forward, backward)]
