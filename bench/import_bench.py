"""Import benchmark: the enterprise file of bench/generate_city.py into SQLite and PostgreSQL.

For each database it migrates a fresh database, imports the regions, then measures, each in a
fresh process (so peak RSS belongs to that step alone):

- read: the reader the import uses, alone, reading every cell of 企业.xlsx (imports.readers' fast
  streaming tokenizer, constant memory) — and, for comparison, python-calamine on the same file
  (which holds the whole sheet in memory);
- first import of 企业.xlsx (all created) and a re-import (all unchanged), via the same
  engine as the web and the shell (imports.engine.run_import, full scope, history rows written).

It prints import time ÷ read time and peak memory for both imports. Goal: ≤ 5× and < 500 MiB.

    python bench/generate_city.py --scale 1            # writes bench/data/*.xlsx
    python bench/import_bench.py --db sqlite,postgres   # PostgreSQL database: pb_bench
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
PG_URL = "postgres://postgres@127.0.0.1:5432/{name}"


def database_url(db, out_dir):
    if db == "sqlite":
        return f"sqlite:///{out_dir / 'bench.sqlite3'}"
    return PG_URL.format(name="pb_bench")


def fresh_database(db, out_dir):
    if db == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            path = out_dir / f"bench.sqlite3{suffix}"
            if path.exists():
                path.unlink()
        return
    import psycopg2

    connection = psycopg2.connect("dbname=postgres user=postgres host=127.0.0.1 port=5432")
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute("DROP DATABASE IF EXISTS pb_bench")
        cursor.execute("CREATE DATABASE pb_bench")
    connection.close()


def run_step(env, *args):
    completed = subprocess.run([PYTHON, __file__, "--step", *args], env=env, cwd=ROOT, capture_output=True, text=True)
    if completed.returncode != 0:
        raise SystemExit(f"step {args} failed:\n{completed.stdout}\n{completed.stderr}")
    return json.loads(completed.stdout.strip().splitlines()[-1])


def step(kind, path):
    """One measured step inside a fresh process: prints one JSON line."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "partybuild.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from imports.engine import run_import
    from imports.readers import read_all_cells

    load_before = os.getloadavg()[0]
    started = time.perf_counter()
    cpu_started = time.process_time()
    if kind == "read":
        data = {"cells": read_all_cells(path)}
    elif kind == "read_calamine":  # for comparison: calamine holds the whole sheet in memory
        from imports.readers import read_all_cells_calamine

        data = {"cells": read_all_cells_calamine(path)}
    else:
        result = run_import(kind, path)
        data = {key: value for key, value in result.as_dict().items() if key != "errors"}
        data["error_count"] = len(result.errors)
        data["first_errors"] = result.errors[:3]
    data["seconds"] = round(time.perf_counter() - started, 2)
    # The machine is shared: CPU time of this process is steadier than wall time (it leaves out
    # the PostgreSQL server's own work, which wall time includes).
    data["cpu_seconds"] = round(time.process_time() - cpu_started, 2)
    data["peak_rss_mib"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    data["loadavg_1min"] = [round(load_before, 2), round(os.getloadavg()[0], 2)]  # before, after
    print(json.dumps(data, ensure_ascii=False))


def bench(db, data_dir, out_dir):
    env = dict(os.environ, DATABASE_URL=database_url(db, out_dir), DJANGO_SETTINGS_MODULE="partybuild.settings",
               AXES_ENABLED="0", LOG_LEVEL="WARNING", DEBUG="0")
    fresh_database(db, out_dir)
    subprocess.run([PYTHON, "manage.py", "migrate", "-v", "0"], env=env, cwd=ROOT, check=True)
    enterprises = str(data_dir / "企业.xlsx")
    regions = run_step(env, "regions", str(data_dir / "区域.xlsx"))
    read = run_step(env, "read", enterprises)
    read_calamine = run_step(env, "read_calamine", enterprises)
    first = run_step(env, "enterprises", enterprises)
    second = run_step(env, "enterprises", enterprises)
    report = {"db": db, "regions": regions, "read": read, "read_calamine": read_calamine, "first": first,
              "reimport": second}
    for name in ("first", "reimport"):
        report[f"{name}_ratio"] = round(report[name]["seconds"] / read["seconds"], 2)
        report[f"{name}_cpu_ratio"] = round(report[name]["cpu_seconds"] / max(read["cpu_seconds"], 0.01), 2)
        # Against python-calamine's read of the same file, stated too.
        report[f"{name}_calamine_ratio"] = round(report[name]["seconds"] / read_calamine["seconds"], 2)
        report[f"{name}_calamine_cpu_ratio"] = round(
            report[name]["cpu_seconds"] / max(read_calamine["cpu_seconds"], 0.01), 2)
    return report


def main():
    parser = argparse.ArgumentParser(description="Import benchmark (see module docstring)")
    parser.add_argument("--db", default="sqlite,postgres")
    parser.add_argument("--data", default=str(ROOT / "bench" / "data"))
    parser.add_argument("--out", default=str(ROOT / "bench" / "out"))
    parser.add_argument("--step", nargs=2, metavar=("KIND", "PATH"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.step:
        step(*args.step)
        return
    out_dir = Path(args.out)
    out_dir.mkdir(parents=True, exist_ok=True)
    for db in args.db.split(","):
        report = bench(db, Path(args.data), out_dir)
        print(json.dumps(report, ensure_ascii=False))
        first, again, read = report["first"], report["reimport"], report["read"]
        calamine = report["read_calamine"]
        print(
            f"{db}: read {read['seconds']}s wall / {read['cpu_seconds']}s CPU ({read['peak_rss_mib']} MiB) "
            f"[calamine {calamine['seconds']}s wall / {calamine['cpu_seconds']}s CPU, {calamine['peak_rss_mib']} MiB]; "
            f"first import {first['seconds']}s wall / {first['cpu_seconds']}s CPU = {report['first_ratio']}× read "
            f"(CPU {report['first_cpu_ratio']}×; vs calamine {report['first_calamine_ratio']}× / "
            f"CPU {report['first_calamine_cpu_ratio']}×), "
            f"peak {first['peak_rss_mib']} MiB (created {first['created']}, errors {first['error_count']}); "
            f"re-import {again['seconds']}s wall / {again['cpu_seconds']}s CPU = {report['reimport_ratio']}× read "
            f"(CPU {report['reimport_cpu_ratio']}×; vs calamine {report['reimport_calamine_ratio']}× / "
            f"CPU {report['reimport_calamine_cpu_ratio']}×), peak {again['peak_rss_mib']} MiB "
            f"(unchanged {again['unchanged']}, errors {again['error_count']}); "
            f"load average (1 min) before/after: read {read['loadavg_1min']}, first {first['loadavg_1min']}, "
            f"re-import {again['loadavg_1min']}",
            flush=True,
        )


if __name__ == "__main__":
    main()
