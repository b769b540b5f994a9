"""Seed the holiday calendar with the years the chinese-calendar package knows (issue #12)."""

from django.db import migrations


def seed(apps, schema_editor):
    from louyu.lib.workdays import PACKAGE_SOURCE, package_days

    CalendarDay = apps.get_model("core", "CalendarDay")
    known = set(CalendarDay.objects.values_list("day", flat=True))
    CalendarDay.objects.bulk_create(
        [
            CalendarDay(
                day=day,
                kind="workday" if worked else "holiday",
                name=name,
                source=PACKAGE_SOURCE,
            )
            for day, worked, name in package_days()
            if day not in known
        ],
        batch_size=500,
    )


class Migration(migrations.Migration):
    dependencies = [("core", "0004_calendarday")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
