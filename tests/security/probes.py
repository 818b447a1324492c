"""What the security suites send and compare: attack bodies, response text, town A's fingerprint."""

import io
import zipfile

from django.apps import apps

from partybuild.testdata import make_credit_code
from tests.conftest import PASSWORD

# Models whose town-A rows are counted before and after (through town A staff's own scope).
COUNTED_MODELS = [
    "enterprises.Enterprise", "organizations.Organization", "organizations.Coverage", "organizations.Pairing",
    "organizations.Evaluation", "organizations.ActivitySite", "organizations.SitePhoto", "organizations.RegionalCentre",
    "instructors.Instructor", "instructors.Assignment", "instructors.GuidanceVisit", "members.Person",
    "members.PersonRole", "members.Recommendation", "archives.ActivityRecord", "archives.ActivityPhoto",
    "archives.ActivityAttachment", "archives.YearClosing", "regions.RegionStat", "metrics.Target", "accounts.User",
]


def response_text(response):
    """Everything a response shows: HTML/JSON/CSV text, or the text inside a zip (xlsx, archive exports)."""
    body = b"".join(response.streaming_content) if response.streaming else response.content
    if body[:2] == b"PK":
        try:
            with zipfile.ZipFile(io.BytesIO(body)) as archive:
                return "\n".join(member + archive.read(member).decode("utf-8", "ignore") for member in archive.namelist())
        except zipfile.BadZipFile:
            pass
    return body.decode("utf-8", "ignore")


def attack_body(town_a):
    """A form body naming town A's objects in every field name a create form is likely to use."""
    return {
        "organization": town_a["organization"].pk, "organizations": town_a["organization"].pk,
        "enterprise": town_a["enterprise"].pk, "region": town_a["town"].pk, "instructor": town_a["instructor"].pk,
        "person": town_a["person"].pk, "record": town_a["record"].pk, "site": town_a["site"].pk,
        "name": "越权写入测试", "title": "越权写入测试", "content": "越权写入测试", "year": 2025,
        "held_on": "2025-05-01", "visited_on": "2025-05-01", "start_on": "2025-05-01", "founded_on": "2025-05-01",
        "category": "branch_assembly", "indicator": "coverage.org_rate", "value": "0.5",
        "credit_code": make_credit_code(77, "320506"), "employees": 10, "total_members": 1, "new_members": 0,
        "username": "intruder_user", "role": "leader", "password1": PASSWORD, "password2": PASSWORD,
    }


def fingerprint(town_a, staff_a, own_scopes=()):
    """Town A's objects as stored, and the row count per model in town A (town A staff's scope)
    minus the rows in ``own_scopes`` (users inside town A who may legitimately add rows there)."""
    rows = {key: type(obj).objects.filter(pk=obj.pk).values().first() for key, obj in town_a.items()}
    counts = {}
    for label in COUNTED_MODELS:
        manager = apps.get_model(label).objects
        rows_in_town = manager.for_user(staff_a)
        for user in own_scopes:
            rows_in_town = rows_in_town.exclude(pk__in=manager.for_user(user).values("pk"))
        counts[label] = rows_in_town.count()
    return rows, counts
