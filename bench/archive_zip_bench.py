"""Peak memory of exporting an organization-year with 200 photos as a zip, against the photo bytes.

    .venv/bin/python bench/archive_zip_bench.py [--photos 200] [--megabytes 1.5]

Builds a throw-away SQLite database and media folder under /tmp, one organization with one
record per photo (each with a distinct ~1.5 MB phone-sized JPEG in storage), then runs
``archives.tasks.write_archive_zip`` into a temporary file while tracemalloc watches Python
allocations, and reads the process's peak RSS (ru_maxrss) before and after. Prints total
photo bytes, zip size, tracemalloc peak and the RSS growth: the zip streams photo by photo, so
the peaks stay a small constant while the photo bytes grow.
"""

import argparse
import datetime
import io
import os
import resource
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

WORK = Path(os.environ.get("PB_ZIP_BENCH_DIR") or tempfile.mkdtemp(prefix="pb_zip_bench_"))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ["DJANGO_SETTINGS_MODULE"] = "partybuild.settings"
os.environ["DATABASE_URL"] = f"sqlite:///{WORK / 'bench.sqlite3'}"
os.environ["MEDIA_ROOT"] = str(WORK / "media")

import django  # noqa: E402

django.setup()

from django.core.files.base import ContentFile  # noqa: E402
from django.core.management import call_command  # noqa: E402
from PIL import Image  # noqa: E402


def photo_bytes(seed, megabytes):
    """A noisy JPEG about ``megabytes`` large (noise does not compress, like a real photo)."""
    side = int(1000 * (megabytes / 1.5) ** 0.5)
    noise = Image.effect_noise((side * 4 // 3, side), 30 + seed % 20).convert("RGB")
    buffer = io.BytesIO()
    noise.save(buffer, "JPEG", quality=90)
    return buffer.getvalue()


def build(photos, megabytes):
    from accounts.models import User
    from archives.models import ActivityPhoto, ActivityRecord, ArchiveExport
    from organizations.models import Organization
    from regions.models import Region

    call_command("migrate", verbosity=0)
    town = Region.objects.create(code="320506101", name="甪直镇", kind="township")
    org = Organization.objects.create(name="基准测试党支部", region=town, founded_on=datetime.date(2010, 1, 1))
    user = User.objects.create(username="bench", role="staff", region=town)
    total = 0
    variants = [photo_bytes(seed, megabytes) for seed in range(5)]
    for n in range(photos):
        record = ActivityRecord.objects.create(
            organization=org, held_on=datetime.date(2025, 1 + n % 12, 1 + n % 28), category="theme_day", title=f"主题党日{n}"
        )
        data = variants[n % len(variants)] + n.to_bytes(4, "big")  # distinct files
        photo = ActivityPhoto(record=record, caption=f"照片{n}")
        photo.image.save(f"p{n}.jpg", ContentFile(data), save=False)
        photo.save()
        total += len(data)
    ArchiveExport.objects.create(requested_by=user, organization=org, year=2025)
    return total


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--photos", type=int, default=200)
    parser.add_argument("--megabytes", type=float, default=1.5)
    parser.add_argument("--build-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.build_only:
        print(build(args.photos, args.megabytes))
        return
    # Build in a child process, so this process's peak RSS is not inflated by making the photos.
    import subprocess

    child = subprocess.run(
        [sys.executable, __file__, "--build-only", "--photos", str(args.photos), "--megabytes", str(args.megabytes)],
        env={**os.environ, "PB_ZIP_BENCH_DIR": str(WORK)}, check=True, capture_output=True, text=True,
    )
    photo_total = int(child.stdout.strip().splitlines()[-1])
    from archives.models import ArchiveExport
    from archives.tasks import write_archive_zip

    export = ArchiveExport.objects.select_related("organization").get()
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    tracemalloc.start()
    started = time.perf_counter()
    with tempfile.TemporaryFile(dir=WORK) as target:
        count = write_archive_zip(export, target)
        zip_size = target.tell()
    elapsed = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    mb = 1024 * 1024
    print(f"records/photos         {count} / {args.photos}")
    print(f"total photo bytes      {photo_total / mb:8.1f} MB")
    print(f"zip size               {zip_size / mb:8.1f} MB in {elapsed:.1f} s")
    print(f"tracemalloc peak       {peak / mb:8.1f} MB  ({peak / photo_total:.1%} of photo bytes)")
    print(f"peak RSS growth        {(rss_after - rss_before) / mb:8.1f} MB  (ru_maxrss {rss_before / mb:.0f} → {rss_after / mb:.0f} MB)")
    import shutil

    shutil.rmtree(WORK, ignore_errors=True)


if __name__ == "__main__":
    main()
