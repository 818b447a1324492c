"""Photos, thumbnails, attachments and site photos are served only through scope-checking views."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from archives.services import record_save, site_save
from organizations.models import ActivitySite

from .conftest import photo_upload


@pytest.fixture
def attachment_a(record_a, users):
    record_save(actor=users["staff"], record=record_a, attachments=[SimpleUploadedFile("签到表.pdf", b"%PDF-1.4 sign-in sheet")])
    return record_a.attachments.get()


@pytest.fixture
def attachment_b(record_b, users):
    record_save(actor=users["admin"], record=record_b, attachments=[SimpleUploadedFile("b.pdf", b"%PDF-1.4 other")])
    return record_b.attachments.get()


def _site_photo(world, users, org_key):
    site = ActivitySite(organization=world[org_key], has_flag=True)
    site_save(actor=users["admin"], site=site, photos_by_item={"flag": [photo_upload("党旗.jpg")]})
    return site.photos.get()


FILE_URLS = ["archives:photo", "archives:thumbnail"]


@pytest.mark.parametrize("url_name", FILE_URLS)
def test_it_serves_photos_to_users_in_scope(client, login, users, photo_a, url_name):
    """Every role with the record in scope gets the JPEG bytes, marked private."""
    for role in ("staff", "leader", "secretary", "instructor", "district_leader"):
        response = login(users[role]).get(reverse(url_name, args=[photo_a.pk]))
        assert response.status_code == 200, role
        assert response["Content-Type"] == "image/jpeg"
        assert b"".join(response.streaming_content)[:3] == b"\xff\xd8\xff"
        assert "private" in response["Cache-Control"]


@pytest.mark.parametrize("url_name", FILE_URLS)
def test_it_answers_404_for_a_photo_out_of_scope(login, users, photo_b, secretary_b, url_name):
    """The file itself answers 404 outside scope."""
    for role in ("staff", "leader", "secretary", "instructor"):
        assert login(users[role]).get(reverse(url_name, args=[photo_b.pk])).status_code == 404
    assert login(secretary_b).get(reverse(url_name, args=[photo_b.pk])).status_code == 200


def test_it_sends_anonymous_visitors_to_sign_in(client, photo_a, attachment_a):
    for url in (reverse("archives:photo", args=[photo_a.pk]), reverse("archives:attachment", args=[attachment_a.pk])):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response.url


def test_it_serves_attachments_under_their_original_name(login, users, attachment_a, attachment_b):
    """An attachment downloads as its original name; out of scope is 404."""
    response = login(users["secretary"]).get(reverse("archives:attachment", args=[attachment_a.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"] and "%E7%AD%BE%E5%88%B0" in response["Content-Disposition"]
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert login(users["staff"]).get(reverse("archives:attachment", args=[attachment_b.pk])).status_code == 404


def test_it_lets_nginx_send_the_file(login, users, settings, photo_a):
    """PROTECTED_MEDIA_SERVER=nginx answers X-Accel-Redirect under the internal location, no body."""
    settings.PROTECTED_MEDIA_SERVER = "nginx"
    response = login(users["staff"]).get(reverse("archives:photo", args=[photo_a.pk]))
    assert response.status_code == 200
    assert response["X-Accel-Redirect"] == "/protected-media/" + photo_a.image.name
    assert response.content == b""


def test_it_lets_apache_send_the_file(login, users, settings, photo_a):
    """PROTECTED_MEDIA_SERVER=apache answers X-Sendfile with the storage path."""
    settings.PROTECTED_MEDIA_SERVER = "apache"
    response = login(users["staff"]).get(reverse("archives:thumbnail", args=[photo_a.pk]))
    assert response["X-Sendfile"] == photo_a.thumbnail.storage.path(photo_a.thumbnail.name)


@pytest.mark.parametrize("url_name", ["archives:site_photo", "archives:site_thumbnail"])
def test_it_serves_site_photos_within_scope_only(login, users, world, url_name):
    """Site photos: in scope 200, out of scope 404."""
    photo_a = _site_photo(world, users, "org_a")
    photo_b = _site_photo(world, users, "org_b")
    assert login(users["instructor"]).get(reverse(url_name, args=[photo_a.pk])).status_code == 200
    assert login(users["secretary"]).get(reverse(url_name, args=[photo_b.pk])).status_code == 404
    assert login(users["staff"]).get(reverse(url_name, args=[photo_b.pk])).status_code == 404


def test_it_never_puts_a_media_url_in_pages(login, users, photo_a):
    """Pages link files through the views, never through MEDIA_URL."""
    response = login(users["secretary"]).get(photo_a.record.get_absolute_url())
    assert "/media-not-public/" not in response.text
    assert photo_a.image.name not in response.text


def test_it_deletes_attachments_within_role_and_scope(login, users, attachment_a, attachment_b, django_capture_on_commit_callbacks):
    """Secretary deletes own attachment (file gone too); leaders 403; another town 404."""
    from archives.models import ActivityAttachment

    assert login(users["leader"]).post(reverse("archives:attachment_delete", args=[attachment_a.pk])).status_code == 403
    assert login(users["staff"]).post(reverse("archives:attachment_delete", args=[attachment_b.pk])).status_code == 404
    storage, name = attachment_a.file.storage, attachment_a.file.name
    with django_capture_on_commit_callbacks(execute=True):
        assert login(users["secretary"]).post(reverse("archives:attachment_delete", args=[attachment_a.pk])).status_code == 302
    assert list(ActivityAttachment.objects.all()) == [attachment_b]
    assert not storage.exists(name)
