"""Time the photo pipeline on a 12-megapixel phone JPEG against Pillow's own decode of it.

    .venv/bin/python bench/photo_bench.py [--repeat 7]

Builds a 4000×3000 JPEG (quality 92, noisy like a real photo, EXIF orientation 6 + GPS +
DateTimeOriginal), then measures the median of ``--repeat`` runs of
  decode:   Image.open(...).load()  (Pillow's full decode, nothing else)
  pipeline: archives.photos.process_photo (verify, orient, strip, resize to 1920, thumbnail, encode)
and prints both and the ratio pipeline ÷ decode. No database is touched.
"""

import argparse
import io
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "partybuild.settings")

import django  # noqa: E402

django.setup()

from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402
from PIL import Image  # noqa: E402

from archives.photos import process_photo  # noqa: E402


def phone_jpeg(width=4000, height=3000):
    noise = Image.effect_noise((width, height), 40).convert("RGB")
    gradient = Image.linear_gradient("L").resize((width, height)).convert("RGB")
    image = Image.blend(noise, gradient, 0.6)
    exif = Image.Exif()
    exif[0x0112] = 6
    exif[0x010F] = "Xiaomi"
    exif.get_ifd(0x8769)[36867] = "2026:03:10 09:30:15"
    exif.get_ifd(0x8825)[2] = (31.0, 18.0, 30.5)
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=92, exif=exif)
    return buffer.getvalue()


def median_seconds(function, repeat):
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    data = phone_jpeg()

    def decode():
        Image.open(io.BytesIO(data)).load()

    def pipeline():
        process_photo(SimpleUploadedFile("IMG.jpg", data, content_type="image/jpeg"))

    decode(), pipeline()  # warm-up
    decode_time = median_seconds(decode, args.repeat)
    pipeline_time = median_seconds(pipeline, args.repeat)
    print(f"photo: 4000x3000 JPEG, {len(data) / 1e6:.1f} MB, median of {args.repeat}")
    print(f"pillow decode      {decode_time * 1000:8.1f} ms")
    print(f"process_photo      {pipeline_time * 1000:8.1f} ms")
    print(f"ratio pipeline/decode {pipeline_time / decode_time:.2f}")


if __name__ == "__main__":
    main()
