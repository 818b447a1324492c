"""The photo pipeline (archives/photos.py) and attachment type detection, on real files made with Pillow."""

import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from archives.photos import THUMB_LONG_EDGE, WEB_LONG_EDGE, detect_attachment_kind, process_photo

from .conftest import jpeg_bytes, png_bytes

GPS_IFD = 0x8825


def phone_exif(orientation=6):
    """EXIF like a phone's: orientation, capture time, device and GPS position."""
    exif = Image.Exif()
    exif[0x0112] = orientation
    exif[0x010F] = "Huawei"  # Make
    exif[0x0110] = "P60 Pro"  # Model
    exif.get_ifd(0x8769)[36867] = "2026:03:10 09:30:15"
    gps = exif.get_ifd(GPS_IFD)
    gps[1] = "N"
    gps[2] = (31.0, 18.0, 30.5)
    gps[3] = "E"
    gps[4] = (120.0, 37.0, 10.2)
    return exif


def upload(data, name="photo.jpg"):
    return SimpleUploadedFile(name, data, content_type="image/jpeg")


def decoded(content_file):
    content_file.seek(0)
    image = Image.open(io.BytesIO(content_file.read()))
    image.load()
    return image


def test_it_turns_the_photo_upright_and_strips_location_and_device(settings):
    """Orientation 6 (rotated 90°) becomes upright pixels; no EXIF (GPS, make, model) is left in either file."""
    result = process_photo(upload(jpeg_bytes(size=(800, 600), exif=phone_exif(6))))
    web = decoded(result.web)
    assert web.size == (600, 800)  # portrait after rotation
    for image in (web, decoded(result.thumbnail)):
        exif = image.getexif()
        assert not exif.get_ifd(GPS_IFD)
        assert 0x010F not in exif and 0x0110 not in exif and 0x0112 not in exif
        assert "exif" not in image.info
    result.web.seek(0)
    assert b"Huawei" not in result.web.read()
    # The blue marker drawn top-left of the sensor image ends up top-right after a 90° clockwise turn.
    assert web.getpixel((web.size[0] - 10, 10))[2] > 200
    assert web.getpixel((10, 10))[2] < 100


def test_it_keeps_the_capture_time():
    """DateTimeOriginal becomes taken_at (in the site's time zone)."""
    result = process_photo(upload(jpeg_bytes(exif=phone_exif(1))))
    assert result.taken_at is not None
    assert result.taken_at.strftime("%Y-%m-%d %H:%M:%S %z") == "2026-03-10 09:30:15 +0800"


def test_it_resizes_to_the_web_size_and_makes_a_thumbnail():
    """A large photo is stored with its long edge at 1920 px and a small thumbnail."""
    result = process_photo(upload(jpeg_bytes(size=(4000, 3000))))
    assert decoded(result.web).size == (WEB_LONG_EDGE, 1440)
    assert max(decoded(result.thumbnail).size) == THUMB_LONG_EDGE


def test_it_accepts_a_png_and_stores_it_as_jpeg():
    """A PNG with transparency is accepted and flattened."""
    result = process_photo(upload(png_bytes(), name="截图.png"))
    assert decoded(result.web).format == "JPEG"
    assert result.taken_at is None


def test_it_accepts_webp_and_heic():
    """WebP and HEIC (iPhone) photos go through the same pipeline."""
    import pillow_heif

    webp = io.BytesIO()
    Image.new("RGB", (320, 240), (1, 2, 3)).save(webp, "WEBP")
    assert decoded(process_photo(upload(webp.getvalue(), "a.webp")).web).size == (320, 240)
    heif = pillow_heif.from_pillow(Image.new("RGB", (320, 240), (9, 9, 9)))
    heic = io.BytesIO()
    heif.save(heic, quality=50)
    assert decoded(process_photo(upload(heic.getvalue(), "IMG_0001.HEIC")).web).size == (320, 240)


def test_it_refuses_a_truncated_jpeg():
    """A JPEG cut off mid-way (weak connection) is refused, not stored half-grey."""
    data = jpeg_bytes(size=(1200, 900))
    with pytest.raises(ValidationError) as error:
        process_photo(upload(data[: len(data) // 2]))
    assert "损坏或不完整" in error.value.messages[0]


def test_it_refuses_a_text_file_named_jpg():
    """The content decides, not the name."""
    with pytest.raises(ValidationError) as error:
        process_photo(upload("这不是照片".encode() * 50, "会议.jpg"))
    assert "不是照片文件" in error.value.messages[0]


def test_it_refuses_other_image_formats():
    """A GIF is an image, but not one we accept."""
    gif = io.BytesIO()
    Image.new("RGB", (10, 10)).save(gif, "GIF")
    with pytest.raises(ValidationError) as error:
        process_photo(upload(gif.getvalue(), "a.jpg"))
    assert "不是支持的照片格式" in error.value.messages[0]


def test_it_refuses_a_decompression_bomb(settings):
    """More pixels than PHOTO_MAX_PIXELS is refused before decoding."""
    settings.PHOTO_MAX_PIXELS = 100 * 100
    with pytest.raises(ValidationError) as error:
        process_photo(upload(png_bytes(size=(200, 200)), "bomb.png"))
    assert "像素过多" in error.value.messages[0]


def test_it_refuses_an_oversize_file(settings):
    """A file over PHOTO_MAX_BYTES is refused with the limit in the message."""
    settings.PHOTO_MAX_BYTES = 1024
    with pytest.raises(ValidationError) as error:
        process_photo(upload(jpeg_bytes(size=(800, 600))))
    assert "文件过大" in error.value.messages[0]
    assert "不能超过" in error.value.messages[0]


def _zip_with(member):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(member, "<x/>")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("data", "name", "kind"),
    [
        (b"%PDF-1.7\n%...", "纪要.pdf", "pdf"),
        (_zip_with("word/document.xml"), "通知.docx", "docx"),
        (_zip_with("xl/workbook.xml"), "签到表.xlsx", "xlsx"),
        (bytes.fromhex("D0CF11E0A1B11AE1") + b"\0" * 100, "旧表.xls", "xls"),
        (_zip_with("word/document.xml"), "名字写错.pdf", "docx"),
    ],
)
def test_it_detects_the_attachment_type_by_content(data, name, kind):
    """PDF, Word and Excel are recognised by their bytes, whatever the name says."""
    assert detect_attachment_kind(SimpleUploadedFile(name, data)) == kind


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (b"MZ\x90\x00 executable", "签到表.xlsx"),
        (_zip_with("other.txt"), "压缩包.docx"),
        (jpeg_bytes(), "照片.pdf"),
        (bytes.fromhex("D0CF11E0A1B11AE1") + b"\0" * 100, "stuff.bin"),
    ],
)
def test_it_refuses_attachments_that_are_not_office_or_pdf(data, name):
    """Anything else is refused with a Chinese message."""
    with pytest.raises(ValidationError) as error:
        detect_attachment_kind(SimpleUploadedFile(name, data))
    assert "不是 PDF、Word 或 Excel 文件" in error.value.messages[0]


@pytest.mark.parametrize("mode", ["I;16", "LA", "P", "1", "L"])
def test_it_handles_unusual_png_modes(mode):
    """16-bit, grey with alpha, palette and 1-bit PNGs become ordinary JPEGs."""
    buffer = io.BytesIO()
    Image.new(mode, (64, 48)).save(buffer, "PNG")
    assert decoded(process_photo(upload(buffer.getvalue(), "scan.png")).web).mode == "RGB"


def test_it_turns_a_cmyk_jpeg_into_rgb():
    buffer = io.BytesIO()
    Image.new("CMYK", (64, 48), (0, 100, 100, 0)).save(buffer, "JPEG")
    assert decoded(process_photo(upload(buffer.getvalue())).web).mode == "RGB"
