"""Region pages: read for staff and leaders, RegionStat editing by staff, query pins."""

import pytest

from regions.models import Region, RegionStat
from tests.accounts.pagetools import statuses, url


@pytest.fixture
def stat(world):
    return RegionStat.objects.create(region=world["town_a"], year=2024, total_members=900, new_members=30)


EXPECTED = {
    ("regions:region_list", None): [200, 200, 403, 403, 200, 200],
    ("regions:region_detail", "town_a"): [200, 200, 404, 404, 200, 404],
    ("regions:regionstat_add", "town_a"): [200, 403, 404, 404, 200, 404],
    ("regions:regionstat_edit", "stat"): [200, 403, 404, 404, 200, 404],
}


@pytest.mark.parametrize("name,key", list(EXPECTED))
def test_it_answers_each_role_by_permission_and_scope(client, users, world, stat, name, key):
    """With permission 200, a role that may not act 403, an object outside the scope 404."""
    assert statuses(client, users, {**world, "stat": stat}, name, key) == EXPECTED[(name, key)]



def test_it_records_region_statistics(client, users, world, stat):
    """Staff enter a year's totals; more new members than members or a second row for a year is refused."""
    client.force_login(users["staff"])
    path = url("regions:regionstat_add", world["town_a"].pk)
    response = client.post(path, {"year": 2025, "total_members": 100, "new_members": 101})
    assert "当年发展党员数不能大于党员总数" in response.content.decode()
    response = client.post(path, {"year": 2024, "total_members": 100, "new_members": 1})
    assert "该区域此年度的数据已存在" in response.content.decode()
    assert client.post(path, {"year": 2025, "total_members": 1000, "new_members": 40}).status_code == 302
    assert RegionStat.objects.get(region=world["town_a"], year=2025).new_members == 40
    response = client.post(url("regions:regionstat_edit", stat.pk), {"year": 2024, "total_members": 950, "new_members": 31})
    assert response.status_code == 302 and RegionStat.objects.get(pk=stat.pk).total_members == 950


def test_it_shows_breadcrumbs_from_the_region_tree(client, users, world):
    """A district leader sees the tree from the city down; links only inside their subtree."""
    client.force_login(users["district_leader"])
    page = client.get(url("regions:region_detail", world["town_a"].pk)).content.decode()
    assert "苏州市" in page and "吴中区" in page and "甪直镇" in page
    assert url("regions:region_detail", world["district"].pk) in page
    assert f'href="{url("regions:region_detail", world["city"].pk)}"' not in page


def test_it_pins_the_region_pages_query_count(client, users, world, django_assert_num_queries):
    """List and detail run the same number of queries with 4 regions and with 54."""
    client.force_login(users["district_leader"])
    paths = [url("regions:region_list"), url("regions:region_detail", world["district"].pk)]
    counts = [7, 14]
    for path, count in zip(paths, counts):
        with django_assert_num_queries(count):
            client.get(path)
    for serial in range(50):
        Region.objects.create(code=f"320506{200 + serial}", name=f"园区{serial}", kind="park", parent=world["district"])
    for path, count in zip(paths, counts):
        with django_assert_num_queries(count):
            client.get(path)
