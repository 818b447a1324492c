"""Indexes the city-scale reports need, on tables of other apps.

Django's AddIndex cannot target another app's model from here, so these are plain SQL that
runs unchanged on SQLite and PostgreSQL (``IF NOT EXISTS`` / ``IF EXISTS``).

- metrics_enterprise_region_cover (enterprises_enterprise: region_id, status, kind, employees):
  the first report query groups every enterprise of the subtree by region, status and kind and
  counts the 25/50/100-staff bands; with this index it is read index-only (289,513 rows at city
  scale) instead of visiting the wide enterprise rows.
"""

from django.db import migrations

INDEXES = [
    ("metrics_enterprise_region_cover", "enterprises_enterprise", "region_id, status, kind, employees"),
]


class Migration(migrations.Migration):
    dependencies = [
        ("metrics", "0002_default_targets"),
        ("enterprises", "0001_initial"),
    ]

    operations = [
        migrations.RunSQL(
            sql=f"CREATE INDEX IF NOT EXISTS {name} ON {table} ({columns})",
            reverse_sql=f"DROP INDEX IF EXISTS {name}",
        )
        for name, table, columns in INDEXES
    ]
