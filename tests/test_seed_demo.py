"""The demo seed: every kind of record, one account per role, and idempotent."""

import pytest
from django.core.management import call_command

from accounts.models import User
from archives.models import ActivityPhoto, ActivityRecord
from enterprises.models import Enterprise
from instructors.models import Assignment, Instructor
from members.models import Person
from organizations.models import Coverage, Evaluation, Organization
from regions.models import Region


def counts():
    models = [Region, Enterprise, Organization, Coverage, Instructor, Assignment, Person, ActivityRecord, ActivityPhoto, Evaluation, User]
    return {model.__name__: model.objects.count() for model in models}


@pytest.mark.django_db
def test_it_seeds_a_demo_city_twice_without_errors_or_duplicates(settings, tmp_path, capsys):
    settings.MEDIA_ROOT = tmp_path
    call_command("seed_demo", "--enterprises", "60")
    first = counts()
    output = capsys.readouterr().out
    call_command("seed_demo", "--enterprises", "60")
    assert counts() == first
    # Every kind and status, each formation and level, one dissolved organization.
    assert set(Enterprise.objects.values_list("kind", flat=True)) == {"private", "foreign_invested", "individual", "market"}
    assert set(Enterprise.objects.values_list("status", flat=True)) == {"operating", "not_started", "suspended", "closed"}
    assert set(Organization.objects.values_list("formation", flat=True)) == {"standalone", "joint", "hosted"}
    assert set(Organization.objects.values_list("level", flat=True)) >= {"committee", "branch"}
    assert Organization.objects.filter(status="dissolved").count() == 1
    assert set(Person.objects.values_list("status", flat=True)) >= {"masses", "applicant", "activist", "candidate", "probationary", "full"}
    assert ActivityPhoto.objects.exists() and Evaluation.objects.exists()
    # One account per role, with its password printed.
    assert set(User.objects.values_list("role", flat=True)) == {"admin", "staff", "leader", "secretary", "instructor"}
    for username in ("staff_luzhi", "leader_city", "secretary_demo", "instructor_demo"):
        assert username in output
        assert User.objects.get(username=username).check_password(
            output.split(f"{username} / ")[1].split(" / ")[0]
        )


@pytest.mark.django_db
def test_it_skips_a_database_that_has_data_when_asked(settings, tmp_path, world, capsys):
    settings.MEDIA_ROOT = tmp_path
    call_command("seed_demo", "--if-empty")
    assert "跳过" in capsys.readouterr().out
    assert Enterprise.objects.count() == 2
