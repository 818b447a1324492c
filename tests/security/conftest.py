"""Fixtures for the security suites: one object of every kind in town A, users of every role in town B."""

import datetime
import io

import pytest
from django.core.files.base import ContentFile
from PIL import Image

from archives.models import ActivityAttachment, ActivityPhoto, ActivityRecord, ArchiveExport, YearClosing
from imports.models import ImportJob
from enterprises.models import Enterprise
from instructors.models import Assignment, GuidanceVisit, Instructor
from metrics.models import Indicator, Target
from organizations.models import ActivitySite, Coverage, Organization, RegionalCentre, SitePhoto
from partybuild.scoping import Role
from partybuild.testdata import make_credit_code
from regions.models import RegionStat
from tests.conftest import make_user

# What must never appear in a page served to someone outside town A.
TOWN_A_RECORD_TITLE = "甪直三月支部党员大会"
TOWN_A_CENTRE_NAME = "甪直工业园区党群服务中心"


@pytest.fixture(autouse=True)
def security_media(settings, tmp_path):
    """Uploads go to a temporary folder; tasks run at once; a fast hasher keeps many sign-ins cheap."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return settings.MEDIA_ROOT


def jpeg(colour="red"):
    buffer = io.BytesIO()
    Image.new("RGB", (16, 12), colour).save(buffer, "JPEG")
    return buffer.getvalue()


@pytest.fixture
def town_a(world, users):
    """Every kind of object the URLs name, all in town A (甪直镇), keyed by a short name."""
    record = ActivityRecord.objects.create(
        organization=world["org_a"], held_on=datetime.date(2025, 3, 5), category="branch_assembly",
        title=TOWN_A_RECORD_TITLE, recorded_by=users["secretary"],
    )
    photo = ActivityPhoto(record=record, caption="会场")
    photo.image.save("meeting.jpg", ContentFile(jpeg()), save=False)
    photo.thumbnail.save("meeting-thumb.jpg", ContentFile(jpeg()), save=False)
    photo.save()
    attachment = ActivityAttachment(record=record, name="签到表.pdf")
    attachment.file.save("sign-in.pdf", ContentFile(b"%PDF-1.4 test"), save=True)
    site = ActivitySite.objects.create(organization=world["org_a"], address="甪直镇某路1号", has_place=True)
    site_photo = SitePhoto(site=site, item="place")
    site_photo.image.save("site.jpg", ContentFile(jpeg("green")), save=False)
    site_photo.thumbnail.save("site-thumb.jpg", ContentFile(jpeg("green")), save=False)
    site_photo.save()
    centre = RegionalCentre.objects.create(name=TOWN_A_CENTRE_NAME, region=world["town_a"])
    centre.organizations.add(world["org_a"])
    export = ArchiveExport.objects.create(
        requested_by=users["staff"], organization=world["org_a"], year=2025, status=ArchiveExport.Status.DONE
    )
    export.file.save("export.zip", ContentFile(b"PK\x05\x06" + b"\x00" * 18), save=True)
    import_job = ImportJob(
        user=users["staff"], kind="enterprises", original_name="甪直企业名录.xlsx", status=ImportJob.Status.FAILED,
        message="测试",
    )
    import_job.file.save("enterprises.xlsx", ContentFile(b"PK\x05\x06" + b"\x00" * 18), save=True)
    return {
        "town": world["town_a"],
        "enterprise": world["ent_a"],
        "organization": world["org_a"],
        "instructor": world["instructor_a"],
        "person": world["person_a"],
        "coverage": Coverage.objects.get(organization=world["org_a"]),
        "assignment": Assignment.objects.get(enterprise=world["ent_a"]),
        "record": record,
        "photo": photo,
        "attachment": attachment,
        "site": site,
        "site_photo": site_photo,
        "centre": centre,
        "visit": GuidanceVisit.objects.create(
            instructor=world["instructor_a"], enterprise=world["ent_a"], visited_on=datetime.date(2025, 4, 1),
            content="甪直指导记录",
        ),
        "region_stat": RegionStat.objects.create(region=world["town_a"], year=2025, total_members=300, new_members=12),
        "year_closing": YearClosing.objects.create(region=world["town_a"], year=2024, closed_by=users["staff"]),
        "export": export,
        "target": Target.objects.create(indicator=Indicator.ORG_RATE, value="0.7", region=world["town_a"]),
        "user": users["secretary"],
        "import_job": import_job,
    }


@pytest.fixture
def town_b_users(world, users):
    """One user of every non-admin role, all anchored in town B (木渎镇)."""
    return {
        "staff": users["staff_b"],
        "leader": make_user("leader_b", Role.LEADER, region=world["town_b"]),
        "secretary": make_user("secretary_b", Role.SECRETARY, organization=world["org_b"]),
        "instructor": make_user("instructor_b", Role.INSTRUCTOR, instructor=world["instructor_b"]),
    }


@pytest.fixture
def leak_markers(town_a):
    """Strings of town A's personal and business data; none may reach a town-B user."""
    person = town_a["person"]
    return [
        town_a["enterprise"].name,
        town_a["enterprise"].credit_code,
        town_a["organization"].name,
        town_a["instructor"].name,
        town_a["instructor"].phone,
        person.name,
        person.id_number,
        TOWN_A_RECORD_TITLE,
        TOWN_A_CENTRE_NAME,
    ]


@pytest.fixture
def outsiders(town_b_users, world):
    """Everyone who must not see town A's objects: town B's four roles, plus a secretary and an
    instructor of a second organization/enterprise inside town A (a secretary's scope is their
    own organization, an instructor's their assigned enterprises, not the township)."""
    enterprise = Enterprise.objects.create(
        name="甪直二号精密有限公司", credit_code=make_credit_code(3, "320506"), region=world["town_a"], employees=40
    )
    organization = Organization.objects.create(
        name="甪直二号精密有限公司党支部", region=world["town_a"], founded_on=datetime.date(2018, 7, 1)
    )
    Coverage.objects.create(organization=organization, enterprise=enterprise, start_on=datetime.date(2018, 7, 1))
    instructor = Instructor.objects.create(name="甪直二号指导员", phone="13900009999", region=world["town_a"])
    Assignment.objects.create(instructor=instructor, enterprise=enterprise, start_on=datetime.date(2019, 1, 1))
    return {
        **{f"{role}_b": user for role, user in town_b_users.items()},
        "secretary_a2": make_user("secretary_a2", Role.SECRETARY, organization=organization),
        "instructor_a2": make_user("instructor_a2", Role.INSTRUCTOR, instructor=instructor),
    }
