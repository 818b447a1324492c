"""Time the browser pages (lists, details, workbench) on the Suzhou-shaped city.

    .venv/bin/python bench/pages_bench.py                              # sqlite at 1/100 and full scale
    .venv/bin/python bench/pages_bench.py --db postgres --scale 1.0    # one run
    .venv/bin/python bench/pages_bench.py --db sqlite --scale 1.0 --no-rebuild

Each run builds its own database (SQLite /tmp/pb_pages_bench_<scale>.sqlite3, PostgreSQL
pb_pages_bench_<scale>), loads ``bench.suzhou.build(scale)``, then GETs each page as a city admin
(the widest scope) through the test Client: one warm-up, then the median of five. It prints one
JSON line per run with seconds and SQL statements per page; the statement counts must be the
same at both scales (the fixed-query rule).
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PG_URL = "postgres://postgres@127.0.0.1:5432/{name}"


def db_name(scale):
    return f"pb_pages_bench_{str(scale).replace('.', '_')}"


def fresh_database(db, scale):
    if db == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            Path(f"/tmp/{db_name(scale)}.sqlite3{suffix}").unlink(missing_ok=True)
        return
    import psycopg2

    connection = psycopg2.connect(PG_URL.format(name="postgres"))
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{db_name(scale)}"')
        cursor.execute(f'CREATE DATABASE "{db_name(scale)}"')
    connection.close()


def run_one(db, scale, rebuild=True):
    if rebuild:
        fresh_database(db, scale)
    os.environ["DATABASE_URL"] = f"sqlite:////tmp/{db_name(scale)}.sqlite3" if db == "sqlite" else PG_URL.format(name=db_name(scale))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "partybuild.settings")
    os.environ["AXES_ENABLED"] = "0"
    os.environ["LOG_LEVEL"] = "WARNING"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from accounts.models import User
    from bench.suzhou import build
    from enterprises.models import Enterprise
    from members.models import Person
    from organizations.models import Organization

    call_command("migrate", verbosity=0)
    build_seconds = None
    if rebuild:
        start = time.perf_counter()
        build(scale)
        build_seconds = time.perf_counter() - start
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    admin, _ = User.objects.get_or_create(username="bench_pages_admin", defaults={"role": "admin"})
    client = Client()
    client.force_login(admin)
    busiest_org = Organization.objects.order_by("-pk").first()
    covered = Enterprise.objects.filter(coverages__end_on__isnull=True).order_by("pk").first()
    someone = Person.objects.order_by("pk").first()
    pages = {
        "enterprise_list": "/enterprises/",
        "enterprise_list_uncovered_100plus": "/enterprises/?covered=no&staff=100&o=-employees",
        "enterprise_search_code": f"/enterprises/?q={covered.credit_code}",
        "enterprise_list_page_100": "/enterprises/?page=100",
        "organization_list": "/organizations/?status=active",
        "person_list_full": "/members/?status=full",
        "instructor_list_assigned": "/instructors/?assigned=yes",
        "enterprise_detail": covered.get_absolute_url(),
        "organization_detail": busiest_org.get_absolute_url(),
        "person_detail": someone.get_absolute_url(),
        "workbench": "/accounts/workbench/",
    }
    result = {"db": db, "scale": scale, "build_s": round(build_seconds, 1) if build_seconds else None}
    for name, path in pages.items():
        def get():
            response = client.get(path)
            assert response.status_code == 200, (path, response.status_code)

        get()
        statements = []
        with connection.execute_wrapper(lambda execute, sql, params, many, context: statements.append(sql) or execute(sql, params, many, context)):
            get()
        times = []
        for _ in range(5):
            start = time.perf_counter()
            get()
            times.append(time.perf_counter() - start)
        result[name] = {"s": round(statistics.median(times), 3), "queries": len(statements)}
    print(json.dumps(result, ensure_ascii=False), flush=True)
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgres"])
    parser.add_argument("--scale", type=float)
    parser.add_argument("--no-rebuild", action="store_true")
    args = parser.parse_args()
    if args.db:
        run_one(args.db, args.scale or 1.0, rebuild=not args.no_rebuild)
        return
    for scale in (0.01, 1.0):
        command = [sys.executable, __file__, "--db", "sqlite", "--scale", str(scale)]
        if args.no_rebuild:
            command.append("--no-rebuild")
        subprocess.run(command, check=True)


if __name__ == "__main__":
    main()
