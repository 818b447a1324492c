"""The one scoping mechanism (roles.md): every scoped model, every role, in and out of scope."""

import datetime

import pytest
from django.core.files.base import ContentFile

from accounts.models import User
from archives.models import ActivityAttachment, ActivityPhoto, ActivityRecord, YearClosing
from enterprises.models import Enterprise
from instructors.models import Assignment, GuidanceVisit, Instructor
from members.models import Person, PersonRole, Recommendation
from metrics.models import Target
from organizations.models import (
    ActivitySite,
    Coverage,
    Evaluation,
    EvaluationItem,
    Organization,
    Pairing,
    RegionalCentre,
    SitePhoto,
)
from partybuild.scoping import Role, role_can
from partybuild.testdata import make_credit_code
from regions.models import Region, RegionStat
from tests.conftest import make_user

D = datetime.date


def _objects_for(world, side, town, tmp_media):
    org, enterprise, instructor, person = (world[f"{k}_{side}"] for k in ("org", "ent", "instructor", "person"))
    record = ActivityRecord.objects.create(organization=org, held_on=D(2024, 3, 1), category="theme_day", title=f"主题党日{side}")
    photo = ActivityPhoto(record=record, caption="p")
    photo.image.save(f"{side}.jpg", ContentFile(b"x"), save=True)
    attachment = ActivityAttachment(record=record, name="a.pdf")
    attachment.file.save(f"{side}.pdf", ContentFile(b"%PDF"), save=True)
    site = ActivitySite.objects.create(organization=org)
    site_photo = SitePhoto(site=site, item="flag")
    site_photo.image.save(f"site-{side}.jpg", ContentFile(b"x"), save=True)
    centre = RegionalCentre.objects.create(name=f"活动中心{side}", region=town)
    centre.organizations.add(org)
    evaluation = Evaluation.objects.create(organization=org, year=2023, scheme="five_good")
    return {
        Region: town,
        RegionStat: RegionStat.objects.create(region=town, year=2024, total_members=10, new_members=1),
        Enterprise: enterprise,
        Organization: org,
        Coverage: Coverage.objects.get(enterprise=enterprise),
        Pairing: Pairing.objects.create(organization=org, partner_unit="共建单位", start_on=D(2020, 1, 1)),
        ActivitySite: site,
        SitePhoto: site_photo,
        RegionalCentre: centre,
        Evaluation: evaluation,
        EvaluationItem: EvaluationItem.objects.create(evaluation=evaluation, item="members_good", met=True),
        Instructor: instructor,
        Assignment: Assignment.objects.get(instructor=instructor),
        GuidanceVisit: GuidanceVisit.objects.create(instructor=instructor, enterprise=enterprise, visited_on=D(2024, 1, 1), content="走访"),
        Person: person,
        PersonRole: PersonRole.objects.create(person=person, role="union_chair"),
        Recommendation: Recommendation.objects.create(person=person, kind="admission", recommended_on=D(2020, 1, 1)),
        ActivityRecord: record,
        ActivityPhoto: photo,
        ActivityAttachment: attachment,
        YearClosing: YearClosing.objects.create(region=town, year=2020),
        Target: Target.objects.create(indicator="sites.six_have_rate", value=1, region=town),
    }


@pytest.fixture
def objects(world, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    return {side: _objects_for(world, side, world[f"town_{side}"], tmp_path) for side in ("a", "b")}


# Which A-anchored roles see town A's object of each model (roles.md); nobody anchored in A
# ever sees town B's object.
ALL = {"staff", "leader", "secretary", "instructor"}
OFFICE = {"staff", "leader"}
SEES = {
    Region: OFFICE,
    RegionStat: OFFICE,
    Enterprise: ALL,
    Organization: ALL,
    Coverage: ALL,
    Pairing: ALL,
    ActivitySite: ALL,
    SitePhoto: ALL,
    RegionalCentre: ALL,
    Evaluation: OFFICE | {"secretary"},
    EvaluationItem: OFFICE | {"secretary"},
    Instructor: ALL,
    Assignment: ALL,
    GuidanceVisit: ALL,
    Person: OFFICE | {"secretary"},
    PersonRole: OFFICE | {"secretary"},
    Recommendation: OFFICE | {"secretary"},
    ActivityRecord: ALL,
    ActivityPhoto: ALL,
    ActivityAttachment: ALL,
    YearClosing: OFFICE,
    Target: OFFICE | {"secretary"},  # a secretary reads the targets that apply to their region
}


@pytest.mark.parametrize("role", ["staff", "leader", "secretary", "instructor"])
def test_it_scopes_every_model_for_every_role(role, users, objects):
    """A user sees their own region's / organization's / assignment's rows, never town B's."""
    wrong = []
    for model, roles in SEES.items():
        visible = set(model.objects.for_user(users[role]).values_list("pk", flat=True))
        if (objects["a"][model].pk in visible) != (role in roles):
            wrong.append(f"{model.__name__}: own row {'hidden' if role in roles else 'shown'}")
        if objects["b"][model].pk in visible:
            wrong.append(f"{model.__name__}: town B's row shown")
    assert wrong == []


def test_it_gives_admins_and_wider_leaders_everything_below_them(users, objects):
    for user in (users["admin"], users["district_leader"]):
        for model in SEES:
            visible = set(model.objects.for_user(user).values_list("pk", flat=True))
            assert {objects["a"][model].pk, objects["b"][model].pk} <= visible, (user, model)


def test_it_shows_nothing_to_anonymous_or_inactive_users(users, objects):
    from django.contrib.auth.models import AnonymousUser

    assert not Enterprise.objects.for_user(AnonymousUser()).exists()
    users["staff"].is_active = False
    assert not Enterprise.objects.for_user(users["staff"]).exists()


def test_it_scopes_accounts_to_the_staff_subtree(users):
    visible = set(User.objects.for_user(users["staff"]).values_list("username", flat=True))
    assert {"staff_a", "leader_a", "secretary_a", "instructor_a"} <= visible
    assert not visible & {"staff_b", "leader_d", "admin"}
    assert set(User.objects.for_user(users["leader"]).values_list("username", flat=True)) == {"leader_a"}


def test_it_follows_the_secretary_when_coverage_ends(users, world):
    """Scope derives from open coverage links: an ended link takes the enterprise out of scope."""
    Coverage.objects.filter(organization=world["org_a"]).update(end_on=D(2024, 1, 1))
    assert not Enterprise.objects.for_user(users["secretary"]).exists()


def test_it_is_one_query_whatever_the_depth_of_the_tree(world, django_assert_num_queries):
    """A ten-level region tree: the subtree filter is a single LIKE on the materialised path."""
    parent = world["town_a"]
    for level in range(10):
        parent = Region.objects.create(code=f"9{level:02d}{parent.pk:04d}", name=f"层级{level}", kind="park", parent=parent)
        Enterprise.objects.create(name=f"深层企业{level}", credit_code=make_credit_code(500 + level, "320506"), region=parent)
    user = make_user("deep_staff", Role.STAFF, region=world["town_a"])
    user = User.objects.select_related("region").get(pk=user.pk)
    with django_assert_num_queries(1):
        names = list(Enterprise.objects.for_user(user).values_list("name", flat=True))
    assert len(names) == 11
    secretary = make_user("deep_secretary", Role.SECRETARY, organization=world["org_a"])
    with django_assert_num_queries(1):
        assert list(Person.objects.for_user(secretary).values_list("name", flat=True)) == [world["person_a"].name]


def test_it_states_what_each_role_may_do(users):
    assert role_can(users["staff"], "change", Enterprise)
    assert not role_can(users["leader"], "change", Enterprise) and role_can(users["leader"], "export", Enterprise)
    assert role_can(users["secretary"], "add", ActivityRecord) and not role_can(users["secretary"], "add", Enterprise)
    assert role_can(users["instructor"], "add", GuidanceVisit) and not role_can(users["instructor"], "view", Person)
    assert not role_can(users["staff"], "delete", Organization) and role_can(users["staff"], "dissolve", Organization)
    assert role_can(users["admin"], "delete", Organization)


@pytest.mark.parametrize("username, expected", [("staff_a", 200), ("staff_b", 200), ("admin", 200)])
def test_it_scopes_the_admin_through_the_same_mechanism(client, users, objects, username, expected):
    """The admin changelist lists only in-scope rows; an out-of-scope change page does not open."""
    client.force_login(User.objects.get(username=username))
    response = client.get("/admin/enterprises/enterprise/")
    assert response.status_code == expected
    body = response.content.decode()
    a_name, b_name = objects["a"][Enterprise].name, objects["b"][Enterprise].name
    assert (a_name in body) == (username in ("staff_a", "admin"))
    assert (b_name in body) == (username in ("staff_b", "admin"))
    change = client.get(f"/admin/enterprises/enterprise/{objects['a'][Enterprise].pk}/change/")
    if username == "staff_b":
        assert change.status_code == 302  # the admin answers "does not exist" and sends to its index
    else:
        assert change.status_code == 200


def test_it_keeps_leaders_secretaries_and_instructors_out_of_the_admin(client, users):
    for username in ("leader_a", "secretary_a", "instructor_a"):
        client.force_login(User.objects.get(username=username))
        assert client.get("/admin/enterprises/enterprise/").status_code == 302
        client.logout()
