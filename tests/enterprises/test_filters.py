"""The list FilterSets, as the Excel export constructs them (data, scoped queryset, request)."""

import pytest
from django.http import QueryDict
from django.test import RequestFactory

from enterprises.filters import EnterpriseFilter
from enterprises.models import Enterprise
from instructors.filters import InstructorFilter
from instructors.models import Instructor
from members.filters import PersonFilter
from members.models import Person
from organizations.filters import OrganizationFilter
from organizations.models import Organization
from tests.accounts.pagetools import make_enterprise


def filtered(filterset_class, model, user, query):
    request = RequestFactory().get("/", QueryDict(query))
    request.user = user
    return set(filterset_class(data=request.GET, queryset=model.objects.for_user(user), request=request).qs)


@pytest.mark.parametrize(
    "filterset_class,model,query,expected",
    [
        (EnterpriseFilter, Enterprise, "", {"ent_a", "ent_b", "bare"}),
        (EnterpriseFilter, Enterprise, "covered=no", {"bare"}),
        (EnterpriseFilter, Enterprise, "staff=100&covered=yes", {"ent_a", "ent_b"}),
        (EnterpriseFilter, Enterprise, "region=town_b", {"ent_b"}),
        (OrganizationFilter, Organization, "q=木渎", {"org_b"}),
        (OrganizationFilter, Organization, "has_secretary=yes", set()),
        (InstructorFilter, Instructor, "assigned=yes&region=town_a", {"instructor_a"}),
        (PersonFilter, Person, "status=full&region=town_b", {"person_b"}),
    ],
)
def test_it_filters_what_the_list_and_the_export_show(users, world, filterset_class, model, query, expected):
    """Each FilterSet narrows the user's scoped queryset the way the list page does."""
    objects = {**world, "bare": make_enterprise(world["town_a"], 8, employees=5)}
    for key in ("town_a", "town_b"):
        query = query.replace(f"={key}", f"={world[key].pk}")
    got = filtered(filterset_class, model, users["district_leader"], query)
    assert got == {objects[key] for key in expected}


def test_it_keeps_the_scope_whatever_the_filter(users, world):
    """A region outside the user's scope is not a valid choice: the export gets nothing more."""
    request = RequestFactory().get("/", {"region": world["town_b"].pk})
    request.user = users["staff"]
    filterset = EnterpriseFilter(data=request.GET, queryset=Enterprise.objects.for_user(users["staff"]), request=request)
    assert not filterset.is_valid()
    assert world["ent_b"] not in set(filterset.qs)


def test_a_search_keeps_name_order_and_ignores_case(users, world):
    """Matches come back in name order (sorted by an unindexed copy of the name); Latin letters
    match either case, Chinese and digits as typed."""
    for serial, name in ((11, "乙ABC食品有限公司"), (12, "甲abc食品有限公司"), (13, "丙食品厂")):
        enterprise = make_enterprise(world["town_a"], serial)
        enterprise.name = name
        enterprise.save()
    request = RequestFactory().get("/", {"q": "食品"})
    request.user = users["district_leader"]
    scoped = Enterprise.objects.for_user(users["district_leader"])
    names = [e.name for e in EnterpriseFilter(data=request.GET, queryset=scoped, request=request).qs]
    assert names == sorted(["乙ABC食品有限公司", "甲abc食品有限公司", "丙食品厂"])
    for term in ("abc", "ABC", "Abc食品"):
        request = RequestFactory().get("/", {"q": term})
        request.user = users["district_leader"]
        found = {e.name for e in EnterpriseFilter(data=request.GET, queryset=scoped, request=request).qs}
        assert found == {"乙ABC食品有限公司", "甲abc食品有限公司"}, term
