"""Expected frequencies of 中国共产党支部工作条例（试行）(2018), shipped as editable data."""

from django.db import migrations

DEFAULTS = [
    ("branch_assembly", "quarter", 1),
    ("committee_meeting", "month", 1),
    ("group_meeting", "month", 1),
    ("party_lecture", "quarter", 1),
    ("theme_day", "month", 1),
    ("org_life_meeting", "year", 1),
    ("member_review", "year", 1),
]


def create_defaults(apps, schema_editor):
    MeetingRequirement = apps.get_model("archives", "MeetingRequirement")
    for category, period, times in DEFAULTS:
        MeetingRequirement.objects.get_or_create(category=category, defaults={"period": period, "times": times})


def remove_defaults(apps, schema_editor):
    apps.get_model("archives", "MeetingRequirement").objects.filter(category__in=[row[0] for row in DEFAULTS]).delete()


class Migration(migrations.Migration):
    dependencies = [("archives", "0002_initial")]

    operations = [migrations.RunPython(create_defaults, remove_defaults)]
