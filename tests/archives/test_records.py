"""Record pages: list, detail, add, edit, delete, photo upload; scope, roles, closed years."""

import datetime

import pytest
from django.urls import reverse

from archives.models import ActivityPhoto, ActivityRecord, YearClosing

from .conftest import jpeg_bytes, photo_upload, stored_files


def _form(**overrides):
    data = {
        "held_on": "2026-03-18",
        "category": "committee_meeting",
        "title": "三月第二次支委会",
        "location": "二楼会议室",
        "expected_attendance": "5",
        "actual_attendance": "4",
        "host": "王书记",
        "content": "学习文件。",
    }
    data.update(overrides)
    return data


# --- list ---------------------------------------------------------------------------------------


def test_it_lists_records_in_scope_only(login, users, record_a, record_b):
    """Town-A staff see org_a's record, never org_b's."""
    response = login(users["staff"]).get(reverse("archives:record_list"))
    assert response.status_code == 200
    assert "三月支委会" in response.text
    assert "木渎党课" not in response.text


def test_it_filters_the_list_by_year_and_category(login, users, record_a):
    """Filters narrow the list; another year shows nothing."""
    client = login(users["secretary"])
    assert "三月支委会" in client.get(reverse("archives:record_list"), {"category": "committee_meeting", "year": 2026}).text
    assert "三月支委会" not in client.get(reverse("archives:record_list"), {"year": 2025}).text
    assert "三月支委会" not in client.get(reverse("archives:record_list"), {"category": "party_lecture"}).text


def test_it_lets_instructors_read_the_list_of_assigned_organizations(login, users, record_a, record_b):
    """An instructor reads the records of organizations covering assigned enterprises."""
    response = login(users["instructor"]).get(reverse("archives:record_list"))
    assert "三月支委会" in response.text and "木渎党课" not in response.text
    assert reverse("archives:record_add") not in response.text


def test_it_runs_the_same_queries_for_1_or_50_records(login, users, world, record_a, django_assert_num_queries):
    """List query count does not grow with rows: session, user, filter options, page of records."""
    client = login(users["staff"])
    url = reverse("archives:record_list")
    client.get(url)
    # session, user, user's region (scope), records page (with photo/attachment counts),
    # organizations for the filter select, then the session save (savepoint, update, release).
    with django_assert_num_queries(8):
        client.get(url)
    ActivityRecord.objects.bulk_create(
        ActivityRecord(organization=world["org_a"], held_on=datetime.date(2026, 1, 1 + n % 28), category="theme_day", title=f"主题党日{n}")
        for n in range(49)
    )
    with django_assert_num_queries(8):
        response = client.get(url)
    assert response.text.count("主题党日") >= 20


# --- detail -------------------------------------------------------------------------------------


def test_it_shows_the_record_with_its_photos(login, users, photo_a):
    """The detail page shows photos only through the scope-checking URLs."""
    response = login(users["leader"]).get(photo_a.record.get_absolute_url())
    assert response.status_code == 200
    assert reverse("archives:thumbnail", args=[photo_a.pk]) in response.text
    assert "全体委员" in response.text
    assert "/media" not in response.text
    assert reverse("archives:record_edit", args=[photo_a.record.pk]) not in response.text  # leaders only read


def test_it_answers_404_for_a_record_out_of_scope(login, users, record_b):
    """Town-A users never learn that town-B records exist."""
    for role in ("staff", "leader", "secretary", "instructor"):
        assert login(users[role]).get(record_b.get_absolute_url()).status_code == 404


def test_it_pins_the_detail_query_count(login, users, record_a, django_assert_num_queries):
    """One photo or twelve: the same number of queries."""
    from archives.services import photos_add

    client = login(users["staff"])
    url = record_a.get_absolute_url()
    photos_add(actor=users["staff"], record=record_a, files=[photo_upload(size=(64, 48))])
    client.get(url)
    # session, user, user's region, record (+organization, region, recorder), photos, attachments,
    # year closed?, history, history's organization and user names, session save (3).
    with django_assert_num_queries(13):
        client.get(url)
    photos_add(actor=users["staff"], record=record_a, files=[photo_upload(f"{n}.jpg", size=(64, 48)) for n in range(11)])
    with django_assert_num_queries(13):
        response = client.get(url)
    assert response.text.count("/thumbnail/") == 12


# --- add ----------------------------------------------------------------------------------------


def test_it_lets_a_secretary_record_an_activity_with_photos(login, users, world, media_root):
    """Two photos with captions are processed and stored under the protected media root."""
    client = login(users["secretary"])
    data = _form(caption_0="签到", caption_1="讨论")
    data["photos"] = [photo_upload("1.jpg"), photo_upload("2.jpg", size=(300, 400))]
    response = client.post(reverse("archives:record_add"), data)
    record = ActivityRecord.objects.get(title="三月第二次支委会")
    assert response.status_code == 302 and response.url == record.get_absolute_url()
    assert record.organization == world["org_a"]
    assert record.recorded_by == users["secretary"]
    assert [p.caption for p in record.photos.all()] == ["签到", "讨论"]
    assert len(stored_files(media_root)) == 4  # web copy + thumbnail each


def test_it_takes_captions_one_per_line_without_javascript(login, users):
    """Without archives.js, the captions textarea gives one caption per photo."""
    data = _form(captions="第一张\n第二张")
    data["photos"] = [photo_upload("1.jpg"), photo_upload("2.jpg")]
    login(users["secretary"]).post(reverse("archives:record_add"), data)
    assert [p.caption for p in ActivityPhoto.objects.order_by("pk")] == ["第一张", "第二张"]


def test_it_answers_json_to_the_upload_script(login, users):
    """archives.js posts with X-Requested-With and gets where to go, or the errors."""
    client = login(users["secretary"])
    ok = client.post(reverse("archives:record_add"), _form(), headers={"X-Requested-With": "XMLHttpRequest"})
    assert ok.status_code == 200 and ok.json()["redirect"].startswith("/archives/records/")
    bad = client.post(reverse("archives:record_add"), _form(title=""), headers={"X-Requested-With": "XMLHttpRequest"})
    assert bad.status_code == 400
    assert any("标题" in error for error in bad.json()["errors"])


def test_it_writes_nothing_when_one_photo_is_bad(login, users, media_root):
    """A good photo beside a truncated one: no record, no files, a clear message."""
    good = photo_upload("好.jpg")
    data = jpeg_bytes(size=(900, 700))
    from django.core.files.uploadedfile import SimpleUploadedFile

    bad = SimpleUploadedFile("坏.jpg", data[: len(data) // 3], content_type="image/jpeg")
    payload = _form()
    payload["photos"] = [good, bad]
    response = login(users["secretary"]).post(reverse("archives:record_add"), payload)
    assert response.status_code == 200
    assert "坏.jpg" in response.text and "损坏或不完整" in response.text
    assert not ActivityRecord.objects.exists()
    assert stored_files(media_root) == []


def test_it_refuses_a_fake_attachment_and_accepts_a_pdf(login, users):
    """Attachments are checked by content; a PDF is kept under its original name."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = login(users["secretary"])
    payload = _form()
    payload["attachments"] = [SimpleUploadedFile("会议记录.docx", b"plain text, not a document")]
    response = client.post(reverse("archives:record_add"), payload)
    assert "不是 PDF、Word 或 Excel 文件" in response.text
    assert not ActivityRecord.objects.exists()
    payload["attachments"] = [SimpleUploadedFile("会议记录.pdf", b"%PDF-1.4\n1 0 obj\n")]
    client.post(reverse("archives:record_add"), payload)
    attachment = ActivityRecord.objects.get().attachments.get()
    assert attachment.name == "会议记录.pdf" and attachment.file.name.endswith(".pdf")


def test_it_refuses_add_to_leaders_and_instructors(login, users):
    """Leaders and instructors read only: 403."""
    for role in ("leader", "instructor"):
        assert login(users[role]).get(reverse("archives:record_add")).status_code == 403
        assert login(users[role]).post(reverse("archives:record_add"), _form()).status_code == 403
    assert not ActivityRecord.objects.exists()


def test_it_answers_404_when_staff_add_for_an_organization_out_of_scope(login, users, world):
    """Staff of town A cannot record for org_b."""
    response = login(users["staff"]).post(reverse("archives:record_add") + f"?organization={world['org_b'].pk}", _form(organization=world["org_b"].pk))
    assert response.status_code == 404
    assert not ActivityRecord.objects.exists()


def test_it_lets_staff_record_for_an_organization_in_scope(login, users, world):
    """Staff pick the organization."""
    response = login(users["staff"]).post(reverse("archives:record_add"), _form(organization=world["org_a"].pk))
    assert response.status_code == 302
    assert ActivityRecord.objects.get().organization == world["org_a"]


# --- edit / delete / closed years -----------------------------------------------------------------


def test_it_lets_the_secretary_edit_their_record(login, users, record_a):
    client = login(users["secretary"])
    assert client.get(reverse("archives:record_edit", args=[record_a.pk])).status_code == 200
    response = client.post(reverse("archives:record_edit", args=[record_a.pk]), _form(title="改过的标题"))
    assert response.status_code == 302
    record_a.refresh_from_db()
    assert record_a.title == "改过的标题"
    assert record_a.history.count() == 2


def test_it_refuses_edit_to_readers_and_hides_others(login, users, record_a, record_b, secretary_b):
    """Leader 403; a secretary of another organization 404."""
    assert login(users["leader"]).get(reverse("archives:record_edit", args=[record_a.pk])).status_code == 403
    assert login(secretary_b).get(reverse("archives:record_edit", args=[record_a.pk])).status_code == 404
    assert login(users["staff"]).get(reverse("archives:record_edit", args=[record_b.pk])).status_code == 404


@pytest.mark.parametrize("region_key", ["town_a", "district"])
def test_it_makes_a_closed_year_read_only_for_secretaries(login, users, world, record_a, photo_a, region_key):
    """After staff close 2026 (for the town or the district), the secretary gets 403 with a Chinese reason."""
    YearClosing.objects.create(region=world[region_key], year=2026, closed_by=users["staff"])
    client = login(users["secretary"])
    for url in (
        reverse("archives:record_edit", args=[record_a.pk]),
        reverse("archives:record_delete", args=[record_a.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 403
        assert "2026年度档案已由组织部门关账" in response.text
    assert client.post(reverse("archives:photo_delete", args=[photo_a.pk])).status_code == 403
    assert client.post(reverse("archives:photo_add", args=[record_a.pk]), {"photos": [photo_upload()]}).status_code == 403
    response = client.post(reverse("archives:record_add"), _form(held_on="2026-02-01"))
    assert "关账" in response.text and ActivityRecord.objects.count() == 1
    detail = client.get(record_a.get_absolute_url())
    assert "本记录只读" in detail.text
    # Staff may still correct.
    staff = login(users["staff"])
    assert staff.post(reverse("archives:record_edit", args=[record_a.pk]), _form(organization=world["org_a"].pk, title="工作人员更正")).status_code == 302


def test_it_deletes_a_record_with_its_files(login, users, photo_a, media_root, django_capture_on_commit_callbacks):
    """Deleting removes the record, its photos and their files."""
    record = photo_a.record
    client = login(users["secretary"])
    assert client.get(reverse("archives:record_delete", args=[record.pk])).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("archives:record_delete", args=[record.pk]))
    assert response.status_code == 302
    assert not ActivityRecord.objects.filter(pk=record.pk).exists()
    assert stored_files(media_root) == []


def test_it_refuses_delete_to_readers_and_hides_others(login, users, record_a, record_b):
    assert login(users["instructor"]).post(reverse("archives:record_delete", args=[record_a.pk])).status_code == 403
    assert login(users["staff"]).post(reverse("archives:record_delete", args=[record_b.pk])).status_code == 404
    assert ActivityRecord.objects.count() == 2


# --- photos on an existing record -------------------------------------------------------------------


def test_it_adds_photos_to_a_record(login, users, record_a):
    """The photo form on the detail page adds photos (several at once)."""
    response = login(users["secretary"]).post(
        reverse("archives:photo_add", args=[record_a.pk]), {"photos": [photo_upload("a.jpg"), photo_upload("b.jpg")], "captions": "甲\n乙"}
    )
    assert response.status_code == 302
    assert list(record_a.photos.values_list("caption", flat=True)) == ["甲", "乙"]


def test_it_refuses_photo_upload_to_readers_and_hides_others(login, users, record_a, record_b):
    assert login(users["leader"]).post(reverse("archives:photo_add", args=[record_a.pk]), {"photos": [photo_upload()]}).status_code == 403
    assert login(users["staff"]).post(reverse("archives:photo_add", args=[record_b.pk]), {"photos": [photo_upload()]}).status_code == 404
    assert not ActivityPhoto.objects.exists()


def test_it_deletes_a_photo(login, users, photo_a, photo_b):
    """Secretary deletes own photo; another town's staff get 404; leaders 403."""
    assert login(users["leader"]).post(reverse("archives:photo_delete", args=[photo_a.pk])).status_code == 403
    assert login(users["staff"]).post(reverse("archives:photo_delete", args=[photo_b.pk])).status_code == 404
    assert login(users["secretary"]).post(reverse("archives:photo_delete", args=[photo_a.pk])).status_code == 302
    assert list(ActivityPhoto.objects.all()) == [photo_b]


def test_it_refuses_activities_after_the_organization_was_dissolved(login, users, world):
    """A dissolved organization keeps its archive, but no activity after the dissolution date."""
    from organizations.models import Organization

    Organization.objects.filter(pk=world["org_a"].pk).update(
        status="dissolved", dissolved_on=datetime.date(2026, 1, 31), dissolve_reason="closed", dissolve_document="吴组〔2026〕1号"
    )
    client = login(users["staff"])
    response = client.post(reverse("archives:record_add"), _form(organization=world["org_a"].pk, held_on="2026-02-03"))
    assert response.status_code == 200 and "已于 2026-01-31 撤销" in response.text
    assert client.post(reverse("archives:record_add"), _form(organization=world["org_a"].pk, held_on="2026-01-10")).status_code == 302


def test_it_removes_stored_photos_when_a_later_step_fails(users, world, media_root, monkeypatch):
    """If saving fails after the photos were put in storage, the transaction rolls back and the files go too."""
    from django.core.exceptions import ValidationError
    from django.core.files.uploadedfile import SimpleUploadedFile

    from archives.models import ActivityAttachment
    from archives.services import record_save

    def refuse(self, *args, **kwargs):
        raise ValidationError("附件保存失败")

    monkeypatch.setattr(ActivityAttachment, "full_clean", refuse)
    record = ActivityRecord(organization=world["org_a"], held_on=datetime.date(2026, 3, 1), category="theme_day", title="主题党日")
    with pytest.raises(ValidationError):
        record_save(
            actor=users["secretary"],
            record=record,
            photos=[photo_upload("1.jpg"), photo_upload("2.jpg")],
            attachments=[SimpleUploadedFile("a.pdf", b"%PDF-1.4")],
        )
    assert not ActivityRecord.objects.exists() and not ActivityPhoto.objects.exists()
    assert stored_files(media_root) == []


def test_it_edits_a_photo_caption(login, users, photo_a, photo_b):
    """The secretary fixes a caption; leaders 403; another town's photo 404."""
    url = reverse("archives:photo_edit", args=[photo_a.pk])
    assert login(users["leader"]).post(url, {"caption": "x"}).status_code == 403
    assert login(users["staff"]).post(reverse("archives:photo_edit", args=[photo_b.pk]), {"caption": "x"}).status_code == 404
    assert login(users["secretary"]).post(url, {"caption": "  全体支委合影 "}).status_code == 302
    photo_a.refresh_from_db()
    assert photo_a.caption == "全体支委合影"
