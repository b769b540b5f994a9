"""Ship GB/T 4754-2017 (2019) sections and divisions as data."""

from django.db import migrations

from louyu.economy.industry_data import VERSION, industry_rows


def load(apps, schema_editor):
    Industry = apps.get_model("economy", "Industry")
    saved = {}
    for row in industry_rows():
        industry, _ = Industry.objects.update_or_create(
            version=VERSION,
            code=row["code"],
            defaults={
                "level": row["level"],
                "section": row["section"],
                "name": row["name"],
                "parent": saved.get(row["parent"]),
            },
        )
        saved[row["code"]] = industry


def unload(apps, schema_editor):
    Industry = apps.get_model("economy", "Industry")
    Industry.objects.filter(version=VERSION, level="division").delete()
    Industry.objects.filter(version=VERSION, level="section").delete()


class Migration(migrations.Migration):
    dependencies = [("economy", "0002_archives_tax_rollup")]

    operations = [migrations.RunPython(load, unload)]
