"""Cached dashboard figures (metrics/cache.py): served again while nothing changed, never stale."""

import datetime

import pytest
from django.urls import reverse

from enterprises.models import Enterprise
from members.models import Person
from metrics import cache as metrics_cache
from organizations.models import Coverage, Organization
from partybuild.scoping import Role
from partybuild.testdata import make_credit_code
from regions.models import Region, RegionStat
from tests.conftest import make_user

from .helpers import QueryCounter

D = datetime.date(2024, 6, 30)
PARAMS = {"as_of": D.isoformat(), "year": D.year}


def dashboard(client, **params):
    with QueryCounter() as counter:
        response = client.get(reverse("metrics:dashboard"), {**PARAMS, **params})
    assert response.status_code == 200
    return response, len(counter)


@pytest.mark.django_db
def test_a_repeated_dashboard_comes_from_the_cache_with_the_same_figures(client, users, world):
    client.force_login(users["district_leader"])
    first, cold = dashboard(client)
    second, warm = dashboard(client)
    assert second.context["figures"].as_json() == first.context["figures"].as_json()
    assert second.context["trend"].as_chart() == first.context["trend"].as_chart()
    assert [c["values"] for c in second.context["children"]] == [c["values"] for c in first.context["children"]]
    # The figures' 20-odd aggregate queries are skipped; session, user, region, targets remain.
    assert warm <= cold - 15, (cold, warm)


@pytest.mark.django_db
def test_a_new_enterprise_shows_at_once(client, users, world):
    client.force_login(users["district_leader"])
    before = dashboard(client)[0].context["figures"]["enterprises.operating"]
    Enterprise.objects.create(name="新办科技有限公司", credit_code=make_credit_code(77, "320506"), region=world["town_a"])
    assert dashboard(client)[0].context["figures"]["enterprises.operating"] == before + 1


@pytest.mark.django_db
def test_an_edit_and_a_deletion_show_at_once(client, users, world):
    """Updates and deletions leave history rows, so the data version moves with them."""
    client.force_login(users["district_leader"])
    assert dashboard(client)[0].context["figures"]["coverage.covered"] == 2
    link = Coverage.objects.get(enterprise=world["ent_b"])
    link.end_on = datetime.date(2024, 1, 1)
    link.save()
    assert dashboard(client)[0].context["figures"]["coverage.covered"] == 1
    members = dashboard(client)[0].context["figures"]["members.total"]
    Person.objects.get(pk=world["person_a"].pk).delete()
    assert dashboard(client)[0].context["figures"]["members.total"] == members - 1


@pytest.mark.django_db
def test_the_warnings_page_and_the_dashboard_share_one_fresh_entry(client, users, world):
    client.force_login(users["district_leader"])
    dashboard(client)
    org = Organization.objects.get(pk=world["org_a"].pk)
    org.secretary = None
    org.save()
    response = client.get(reverse("metrics:warnings"), PARAMS)
    counts = {row["kind"].key: row["count"] for row in response.context["warnings"]}
    assert counts["no_secretary"] == 2


@pytest.mark.django_db
def test_an_import_changes_the_data_version(world, users, tmp_path):
    """Imports write through raw bulk SQL; their history rows still move the version."""
    from openpyxl import Workbook

    from imports.engine import run_import

    before = metrics_cache.data_version()
    workbook = Workbook()
    workbook.active.append(["统一社会信用代码", "企业名称", "所属区域"])
    workbook.active.append([make_credit_code(90, "320506"), "导入科技有限公司", world["town_a"].code])
    path = tmp_path / "企业.xlsx"
    workbook.save(path)
    result = run_import("enterprises", str(path), user=users["admin"])
    assert result.ok, result.errors
    assert metrics_cache.data_version() != before


@pytest.mark.django_db
def test_region_statistics_and_a_region_move_change_the_data_version(world):
    version = metrics_cache.data_version()
    RegionStat.objects.create(region=world["town_a"], year=2024, total_members=100, new_members=5)
    assert metrics_cache.data_version() != version
    version = metrics_cache.data_version()
    town = Region.objects.get(pk=world["town_b"].pk)
    town.parent = world["city"]
    town.save()
    assert metrics_cache.data_version() != version


@pytest.mark.django_db
def test_each_scope_has_its_own_entries(world, users):
    """Two leaders of one township share entries; staff of another township and admins do not."""
    second_leader = make_user("leader_a2", Role.LEADER, region=world["town_a"])
    assert metrics_cache.scope_key(second_leader) == metrics_cache.scope_key(users["leader"])
    keys = {metrics_cache.scope_key(users[name]) for name in ("leader", "staff", "staff_b", "district_leader", "admin")}
    assert len(keys) == 5
    assert metrics_cache.scope_key(None) not in keys


@pytest.mark.django_db
def test_other_dates_and_years_are_computed_for_themselves(client, users, world):
    client.force_login(users["district_leader"])
    assert dashboard(client)[0].context["figures"]["orgs.total"] == 2
    earlier = dashboard(client, as_of="2014-12-31", year=2014)[0].context["figures"]
    assert earlier["orgs.total"] == 0  # both founded 2015-07-01


def test_every_source_table_keeps_history():
    """The data version relies on every write leaving a history row."""
    for model in metrics_cache.SOURCE_MODELS:
        assert hasattr(model, "history"), model


@pytest.mark.django_db
def test_the_dashboard_cache_works_through_redis(client, users, world, settings):
    """The production backend (CACHE_URL=redis://…): figures survive pickling through Redis."""
    import uuid

    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:6379/15",  # a database of its own: clear() empties it
            "KEY_PREFIX": f"test-{uuid.uuid4().hex}",
        }
    }
    client.force_login(users["district_leader"])
    first, cold = dashboard(client)
    second, warm = dashboard(client)
    assert second.context["figures"].as_json() == first.context["figures"].as_json()
    assert warm <= cold - 15, (cold, warm)
    from django.core.cache import cache

    cache.clear()


def test_every_model_the_figures_read_is_a_source_of_the_data_version():
    """A model the selectors behind the figures import, but missing from SOURCE_MODELS, would let a
    change to it go unseen by the cache (EvaluationItem is read through Evaluation.items)."""
    from django.db.models import Model

    from archives import selectors as archive_selectors
    from metrics import selectors

    read = {
        value
        for module in (selectors, archive_selectors)
        for value in vars(module).values()
        if isinstance(value, type) and issubclass(value, Model)
    }
    assert read and read <= set(metrics_cache.SOURCE_MODELS), read - set(metrics_cache.SOURCE_MODELS)
