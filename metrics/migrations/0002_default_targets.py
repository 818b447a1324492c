"""The default targets of indicators.md, shipped as data (each editable; regions may override)."""

from decimal import Decimal

from django.db import migrations

TOWNSHIP_PLAN = "镇非公企业党建工作规划（确保党的组织和工作100%覆盖）"
CITY_MINUTES = "全市非公有制经济组织党建工作会议纪要（苏州，2004）"

DEFAULT_TARGETS = [
    # indicator, comparison, value, value_max, deadline_kind, years_after_plan_start, document, note
    ("coverage.two_coverage_rate", "gte", "1", None, "after_plan_start", 2, TOWNSHIP_PLAN, "确保党的组织和工作100%覆盖"),
    ("coverage.should_build_rate", "gte", "1", None, "after_plan_start", 2, f"{TOWNSHIP_PLAN}；{CITY_MINUTES}", "3名以上正式党员都能建立党组织"),
    ("evaluations.double_strong_six_good_rate", "gte", "0.6", None, "after_plan_start", 2, TOWNSHIP_PLAN, "60%以上非公企业达到“双强六好”标准"),
    ("evaluations.five_good_rate", "gte", "0.3333", None, "after_plan_start", 3, CITY_MINUTES, "三分之一以上达到“五个好”"),
    ("members.staff50_rate", "gte", "1", None, "none", None, TOWNSHIP_PLAN, "努力实现职工50人以上的非公企业有党员"),
    ("coverage.staff100_org_rate", "gte", "0.9", None, "none", None, CITY_MINUTES, "绝大多数（本系统按90%理解，可修改）"),
    ("instructors.staff25_rate", "gte", "1", None, "none", None, CITY_MINUTES, "职工25人以上企业选派指导员100%"),
    ("members.new_in_year", "between", "5", "8", "every_year", None, TOWNSHIP_PLAN, "每个镇每年新发展5-8名非公企业党员"),
    ("members.activist_training_rate", "gte", "1", None, "every_year", None, TOWNSHIP_PLAN, "每个企业每年培养1-2名入党积极分子"),
    ("sites.six_have_rate", "gte", "1", None, "none", None, TOWNSHIP_PLAN, "活动阵地“六有”达标"),
]


def create_defaults(apps, schema_editor):
    Target = apps.get_model("metrics", "Target")
    for indicator, comparison, value, value_max, deadline_kind, years, document, note in DEFAULT_TARGETS:
        Target.objects.update_or_create(
            indicator=indicator,
            region=None,
            defaults={
                "comparison": comparison,
                "value": Decimal(value),
                "value_max": Decimal(value_max) if value_max else None,
                "deadline_kind": deadline_kind,
                "years_after_plan_start": years,
                "document": document,
                "note": note,
            },
        )


def remove_defaults(apps, schema_editor):
    Target = apps.get_model("metrics", "Target")
    Target.objects.filter(region=None, indicator__in=[row[0] for row in DEFAULT_TARGETS]).delete()


class Migration(migrations.Migration):
    dependencies = [("metrics", "0001_initial")]

    operations = [migrations.RunPython(create_defaults, remove_defaults)]
