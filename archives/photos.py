"""The one photo pipeline (activity photos and "六有" site photos) and attachment type checks.

A photo is verified to be a real JPEG / PNG / WebP / HEIC image by decoding it, turned upright
per its EXIF orientation, stripped of every EXIF tag (location, device) by re-encoding without
metadata, and stored as a web copy (long edge <= WEB_LONG_EDGE) and a thumbnail. Only the
capture time (DateTimeOriginal) is kept, returned as ``taken_at``.
"""

import datetime
import io
import uuid
import warnings
import zipfile
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils import timezone
from PIL import Image, ImageOps, UnidentifiedImageError

try:  # HEIC/HEIF from iPhones
    import pillow_heif

    pillow_heif.register_heif_opener()
except ImportError:  # pragma: no cover - pillow-heif is a declared dependency
    pillow_heif = None

WEB_LONG_EDGE = 1920
THUMB_LONG_EDGE = 400
WEB_QUALITY = 85
THUMB_QUALITY = 80
# MPO is how Pillow names many phones' JPEGs (a JPEG with an extra preview frame).
ACCEPTED_FORMATS = {"JPEG", "MPO", "PNG", "WEBP", "HEIF"}
EXIF_IFD = 0x8769
DATETIME_ORIGINAL = 36867
OFFSET_TIME_ORIGINAL = 36881


@dataclass
class ProcessedPhoto:
    web: ContentFile
    thumbnail: ContentFile
    taken_at: datetime.datetime | None
    width: int
    height: int


def _megabytes(size):
    return f"{size / 1024 / 1024:.1f} MB"


def _refuse(name, reason):
    raise ValidationError(f"“{name}”{reason}", code="invalid_photo")


def _capture_time(exif):
    """DateTimeOriginal as an aware datetime (its offset if recorded, else the site's time zone)."""
    try:
        sub_ifd = exif.get_ifd(EXIF_IFD)
    except Exception:  # a damaged EXIF block is not a reason to refuse the photo
        return None
    raw = sub_ifd.get(DATETIME_ORIGINAL)
    if not isinstance(raw, str):
        return None
    try:
        naive = datetime.datetime.strptime(raw.strip("\x00 "), "%Y:%m:%d %H:%M:%S")
    except ValueError:
        return None
    offset = sub_ifd.get(OFFSET_TIME_ORIGINAL)
    if isinstance(offset, str):
        try:
            return datetime.datetime.strptime(f"{raw.strip()} {offset.strip()}", "%Y:%m:%d %H:%M:%S %z")
        except ValueError:
            pass
    return timezone.make_aware(naive) if settings.USE_TZ else naive


def _fit(size, long_edge):
    width, height = size
    scale = min(1.0, long_edge / max(width, height))
    return max(1, round(width * scale)), max(1, round(height * scale))


def _encode_jpeg(image, quality):
    buffer = io.BytesIO()
    # No exif= argument: the stored file carries no EXIF at all (no GPS, no device data).
    image.save(buffer, "JPEG", quality=quality, optimize=False, progressive=True)
    return buffer.getvalue()


def _flatten(image):
    """RGB for JPEG; transparent areas on white."""
    if image.mode in ("RGBA", "LA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return image.convert("RGB") if image.mode != "RGB" else image


def process_photo(uploaded):
    """Verify, orient, strip, resize and thumbnail one uploaded photo, or raise ValidationError.

    Nothing is written anywhere: the caller stores the returned ContentFiles.
    """
    name = getattr(uploaded, "name", "照片") or "照片"
    size = getattr(uploaded, "size", None)
    if size is not None and size > settings.PHOTO_MAX_BYTES:
        _refuse(name, f"文件过大（{_megabytes(size)}），单张照片不能超过 {_megabytes(settings.PHOTO_MAX_BYTES)}")
    if size == 0:
        _refuse(name, "是空文件")
    uploaded.seek(0)
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(uploaded)
            image_format = image.format
            if image_format not in ACCEPTED_FORMATS:
                _refuse(name, "不是支持的照片格式（仅支持 JPEG、PNG、WebP、HEIC）")
            width, height = image.size
            if width * height > settings.PHOTO_MAX_PIXELS:
                _refuse(name, f"像素过多（{width}×{height}），超过上限 {settings.PHOTO_MAX_PIXELS:,} 像素，请压缩后再上传")
            exif = image.getexif()
            taken_at = _capture_time(exif)
            if image_format in ("JPEG", "MPO"):
                # Decode straight at the smallest DCT scale still >= the web size: a 12 MP photo
                # decodes at 1/2 scale, which is most of the speed of this pipeline.
                image.draft("RGB", _fit(image.size, WEB_LONG_EDGE))
            image.load()  # decodes every byte: a truncated or corrupt file fails here
        except ValidationError:
            raise
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            _refuse(name, f"像素过多，超过上限 {settings.PHOTO_MAX_PIXELS:,} 像素，请压缩后再上传")
        except UnidentifiedImageError:
            _refuse(name, "不是照片文件（无法识别为 JPEG、PNG、WebP 或 HEIC 图像）")
        except (OSError, SyntaxError, ValueError, EOFError):
            _refuse(name, "已损坏或不完整，无法读取，请重新拍摄或上传")
    try:
        upright = _flatten(ImageOps.exif_transpose(image))
        if max(upright.size) > WEB_LONG_EDGE:
            web = upright.resize(_fit(upright.size, WEB_LONG_EDGE), Image.Resampling.BICUBIC)
        else:
            web = upright
        thumb = web.copy()
        thumb.thumbnail((THUMB_LONG_EDGE, THUMB_LONG_EDGE), Image.Resampling.BILINEAR)
        web_bytes, thumb_bytes = _encode_jpeg(web, WEB_QUALITY), _encode_jpeg(thumb, THUMB_QUALITY)
    except (OSError, ValueError):  # an unusual colour mode or a damaged EXIF block
        _refuse(name, "无法转换为网页照片，请用手机相册导出为 JPEG 后再上传")
    stem = uuid.uuid4().hex
    return ProcessedPhoto(
        web=ContentFile(web_bytes, name=f"{stem}.jpg"),
        thumbnail=ContentFile(thumb_bytes, name=f"{stem}_thumb.jpg"),
        taken_at=taken_at,
        width=web.size[0],
        height=web.size[1],
    )


# --- Attachments: the real type from the first bytes, not the name -------------------------

ATTACHMENT_KINDS = {
    "pdf": ("PDF 文档", "application/pdf"),
    "docx": ("Word 文档", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    "xlsx": ("Excel 表格", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "doc": ("Word 97-2003 文档", "application/msword"),
    "xls": ("Excel 97-2003 表格", "application/vnd.ms-excel"),
}
OLE2_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")


def detect_attachment_kind(uploaded):
    """'pdf' / 'docx' / 'xlsx' / 'doc' / 'xls' from the file's content, or raise ValidationError."""
    name = getattr(uploaded, "name", "附件") or "附件"
    size = getattr(uploaded, "size", None)
    if size is not None and size > settings.ATTACHMENT_MAX_BYTES:
        _refuse(name, f"文件过大（{_megabytes(size)}），单个附件不能超过 {_megabytes(settings.ATTACHMENT_MAX_BYTES)}")
    uploaded.seek(0)
    head = uploaded.read(8)
    uploaded.seek(0)
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(uploaded) as archive:
                names = set(archive.namelist())
        except (zipfile.BadZipFile, OSError):
            names = set()
        finally:
            uploaded.seek(0)
        if "word/document.xml" in names:
            return "docx"
        if "xl/workbook.xml" in names:
            return "xlsx"
    if head == OLE2_MAGIC and extension in ("doc", "xls"):
        # Both legacy formats share the OLE2 container; the name tells which one it is.
        return extension
    _refuse(name, "不是 PDF、Word 或 Excel 文件（按文件内容判断），不能作为附件上传")


def attachment_content_type(stored_name):
    extension = stored_name.rsplit(".", 1)[-1].lower()
    return ATTACHMENT_KINDS.get(extension, ("", "application/octet-stream"))[1]
