"""Time the city dashboard and coverage_report on the Suzhou-shaped city, SQLite and PostgreSQL.

    .venv/bin/python bench/metrics_bench.py                 # all four runs, then the ratios
    .venv/bin/python bench/metrics_bench.py --db sqlite --scale 0.01   # one run (a child process)

Each run builds its own database (SQLite: /tmp/pb_metrics_bench_<scale>.sqlite3; PostgreSQL:
pb_metrics_bench_<scale>, dropped and re-created), migrates, loads ``bench.suzhou.build(scale)``,
then times, as an admin through the test Client, a full GET of the city dashboard (figures,
targets, child regions, trend, warnings) and ``coverage_report --json`` as of 2003-12-31: one
warm-up, then the median of five. It prints one JSON line per run and, in the parent, the
city-scale ÷ 1/100-scale time ratios.

PostgreSQL runs set ``random_page_cost = 1.1`` on their database (SSD tuning) and VACUUM ANALYZE
after loading; SQLite runs ANALYZE.
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
SCALES = (0.01, 1.0)
PG_URL = "postgres://postgres@127.0.0.1:5432/{name}"


def database_url(db, scale):
    name = f"pb_metrics_bench_{str(scale).replace('.', '_')}"
    if db == "sqlite":
        return f"sqlite:////tmp/{name}.sqlite3"
    return PG_URL.format(name=name)


def fresh_database(db, scale):
    name = f"pb_metrics_bench_{str(scale).replace('.', '_')}"
    if db == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            Path(f"/tmp/{name}.sqlite3{suffix}").unlink(missing_ok=True)
        return
    import psycopg2

    connection = psycopg2.connect(PG_URL.format(name="postgres"))
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
        cursor.execute(f'CREATE DATABASE "{name}"')
    connection.close()


def timed(function, repeat=5):
    """(median wall seconds, median CPU seconds of this process) over ``repeat`` runs after a warm-up.

    On SQLite the database work happens in this process, so the CPU figure is the cost of the
    page itself, unaffected by other jobs competing for the two cores.
    """
    function()  # warm-up
    walls, cpus = [], []
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        function()
        walls.append(time.perf_counter() - start)
        cpus.append(time.process_time() - start_cpu)
    return round(statistics.median(walls), 3), round(statistics.median(cpus), 3)


def run_one(db, scale, rebuild=True):
    if rebuild:
        fresh_database(db, scale)
    os.environ["DATABASE_URL"] = database_url(db, scale)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "partybuild.settings")
    os.environ["AXES_ENABLED"] = "0"
    os.environ["LOG_LEVEL"] = "WARNING"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from io import StringIO

    from accounts.models import User
    from bench.suzhou import AS_OF, build

    build_seconds = None
    call_command("migrate", verbosity=0)  # also applies new metrics indexes to a kept database
    if rebuild:
        start = time.perf_counter()
        build(scale)
        build_seconds = time.perf_counter() - start
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # SSD-backed PostgreSQL: index probes cost about as much as sequential reads
            # (the usual deployment tuning; the default 4.0 models spinning disks and makes
            # the planner hash-join whole enterprise tables for a few thousand rows).
            cursor.execute(f'ALTER DATABASE "{connection.settings_dict["NAME"]}" SET random_page_cost = 1.1')
            cursor.execute("VACUUM ANALYZE")  # also sets the visibility map for index-only scans
        else:
            cursor.execute("ANALYZE")
    connection.close()
    admin, _ = User.objects.get_or_create(username="bench_admin", defaults={"role": "admin"})
    client = Client()
    client.force_login(admin)
    url = f"/metrics/?region=320500&as_of={AS_OF.isoformat()}&year={AS_OF.year}"

    from django.core.cache import cache

    def warm_dashboard():
        response = client.get(url)
        assert response.status_code == 200, response.status_code

    def dashboard():
        """Cold: the figures computed afresh (metrics/cache.py keeps them until the data changes)."""
        cache.clear()
        warm_dashboard()

    def report():
        call_command("coverage_report", "--json", region="320500", as_of=AS_OF.isoformat(), year=AS_OF.year, stdout=StringIO())

    queries = []

    def record(execute, sql, params, many, context):
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            queries.append((time.perf_counter() - start, sql))

    with connection.execute_wrapper(record):
        dashboard()
    if os.environ.get("BENCH_VERBOSE"):
        for seconds, sql in sorted(queries, reverse=True)[:8]:
            print(f"{seconds:.3f}s {sql[:300]}", file=sys.stderr)
    result = {
        "db": db,
        "scale": scale,
        "build_s": round(build_seconds, 1) if build_seconds else None,
        "dashboard_queries": len(queries),
    }
    result["dashboard_s"], result["dashboard_cpu_s"] = timed(dashboard)
    result["dashboard_cached_s"], _ = timed(warm_dashboard)
    result["coverage_report_s"], result["coverage_report_cpu_s"] = timed(report)
    result["load_average"] = round(os.getloadavg()[0], 1)
    print(json.dumps(result), flush=True)
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgres"])
    parser.add_argument("--scale", type=float)
    parser.add_argument("--no-rebuild", action="store_true", help="time an already built database again")
    args = parser.parse_args()
    if args.db:
        run_one(args.db, args.scale or 1.0, rebuild=not args.no_rebuild)
        return
    results = {}
    for db in ("sqlite", "postgres"):
        for scale in SCALES:
            command = [sys.executable, __file__, "--db", db, "--scale", str(scale)]
            if args.no_rebuild:
                command.append("--no-rebuild")
            output = subprocess.run(command, check=True, capture_output=True, text=True, cwd=ROOT).stdout
            line = [row for row in output.splitlines() if row.startswith("{")][-1]
            print(line, flush=True)
            results[(db, scale)] = json.loads(line)
    for db in ("sqlite", "postgres"):
        small, city = results[(db, SCALES[0])], results[(db, SCALES[1])]
        for key in ("dashboard_s", "coverage_report_s"):
            print(f"{db} {key}: scale 1 {city[key]}s, scale 0.01 {small[key]}s, ratio {city[key] / small[key]:.1f}")


if __name__ == "__main__":
    main()
