"""Load test: 20 signed-in users of several roles against gunicorn (2 workers) and PostgreSQL.

    .venv/bin/python bench/load/run.py                      # fresh database pb_load, seed_demo, 60 s
    .venv/bin/python bench/load/run.py --duration 120 --max-requests 20000 --enterprises 2000

What it does, all on 127.0.0.1 only:
1. (unless --reuse-database) drops and creates the PostgreSQL database, migrates, runs seed_demo;
2. starts gunicorn with deploy/gunicorn.conf.py, 2 workers, DEBUG off, on a free port;
3. runs --users virtual users (threads, one cookie jar each), accounts spread over the demo roles,
   each signing in through the real login form and then looping over a weighted mix of
   dashboard, list, detail, search and (secretaries, staff) photo upload, until --duration seconds
   or --max-requests requests in total;
4. prints throughput, p50/p95/p99 per action and overall and the error count, and writes them to
   bench/out/load-<timestamp>.json.

An error is any exception or any status >= 400. Nothing here is a pass/fail test; the numbers
go to bench/RESULTS.md (## Load).
"""

import argparse
import http.client
import io
import json
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
import uuid
from collections import defaultdict
from http.cookies import SimpleCookie
from pathlib import Path

from PIL import Image

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable
OUT = ROOT / "bench" / "out"

# Demo accounts (accounts/management/commands/seed_demo.py) and their share of the 20 users.
ACCOUNTS = [
    ("staff_luzhi", "Pb-staff-2026!", "staff", 6),
    ("leader_wuzhong", "Pb-leader-2026!", "leader", 4),
    ("leader_city", "Pb-city-2026!", "leader", 2),
    ("secretary_demo", "Pb-secretary-2026!", "secretary", 5),
    ("instructor_demo", "Pb-instructor-2026!", "instructor", 3),
]
# (action, path or callable, weight) per role. Detail paths are discovered from list pages.
MIXES = {
    "staff": [("dashboard", "/metrics/", 3), ("list", "/enterprises/", 3), ("list", "/organizations/", 2),
              ("list", "/members/", 2), ("list", "/archives/", 1), ("detail", "enterprise", 4),
              ("detail", "organization", 2), ("search", "/enterprises/?q={term}", 3), ("upload", "record", 1)],
    "leader": [("dashboard", "/metrics/", 5), ("dashboard", "/metrics/warnings/", 2), ("list", "/enterprises/", 2),
               ("list", "/organizations/", 2), ("detail", "enterprise", 3), ("detail", "organization", 2),
               ("search", "/enterprises/?q={term}", 2)],
    "secretary": [("dashboard", "/metrics/organization/", 3), ("list", "/archives/", 3), ("list", "/members/", 2),
                  ("detail", "record", 3), ("upload", "record", 2)],
    "instructor": [("dashboard", "/instructors/mine/", 3), ("list", "/enterprises/", 3), ("detail", "enterprise", 3),
                   ("list", "/archives/", 2), ("search", "/enterprises/?q={term}", 2)],
}
DETAIL_SOURCES = {
    "enterprise": ("/enterprises/", re.compile(r'href="(/enterprises/\d+/)"')),
    "organization": ("/organizations/", re.compile(r'href="(/organizations/\d+/)"')),
    "record": ("/archives/", re.compile(r'href="(/archives/records/\d+/)"')),
}
# Demo accounts in the bench/suzhou.py city: the busiest township, a district, the city, the
# secretary of an organization with activity records, an instructor with assignments.
CITY_ACCOUNTS = """
from django.db.models import Count
from accounts.models import User
from instructors.models import Instructor
from organizations.models import Organization
from regions.models import Region
town = Region.objects.filter(kind="township").annotate(n=Count("enterprises")).order_by("-n").first()
org = Organization.objects.filter(region=town, status="active").annotate(n=Count("activities")).order_by("-n").first()
instructor = Instructor.objects.annotate(n=Count("assignments")).order_by("-n").first()
anchors = {
    "staff_luzhi": ("staff", {"region": town}),
    "leader_wuzhong": ("leader", {"region": town.parent}),
    "leader_city": ("leader", {"region": town.parent.parent}),
    "secretary_demo": ("secretary", {"organization": org}),
    "instructor_demo": ("instructor", {"instructor": instructor}),
}
passwords = {%s}
for username, (role, anchor) in anchors.items():
    user = User(username=username, role=role, **anchor)
    user.set_password(passwords[username])
    user.save()
print("accounts:", town, org, instructor)
""" % ", ".join(f"{name!r}: {password!r}" for name, password, *_ in ACCOUNTS)
SEARCH_TERMS = ["华兴", "宏达", "科技", "电子", "物流", "食品", "9132", "有限公司", "00012", "个体工商户"]


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def run(command, env):
    print("$", " ".join(command), flush=True)
    subprocess.run(command, cwd=ROOT, env=env, check=True)


def prepare_database(args, env):
    name = urllib.parse.urlparse(args.database_url).path.lstrip("/")
    if not re.fullmatch(r"pb_[a-z0-9_]+", name):
        sys.exit("refusing: the load database must be named pb_<something>")
    psql = ["psql", "-h", "127.0.0.1", "-U", "postgres", "-q"]
    run(psql + ["-c", f"DROP DATABASE IF EXISTS {name}", "-c", f"CREATE DATABASE {name}"], env)
    run([PYTHON, "manage.py", "migrate", "--verbosity", "0"], env)
    if args.city_scale:
        # The Suzhou-shaped city of bench/suzhou.py (289,513 enterprises at scale 1), plus the demo
        # accounts anchored in it.
        run([PYTHON, "-m", "bench.suzhou", "--scale", str(args.city_scale)], env)
        run([PYTHON, "manage.py", "shell", "-c", CITY_ACCOUNTS], env)
    else:
        run([PYTHON, "manage.py", "seed_demo", "--enterprises", str(args.enterprises)], env)
    # Planner statistics, as autovacuum would gather them in production (it is off on this test server).
    run(psql + ["-d", name, "-c", "ANALYZE"], env)


def start_gunicorn(env, port):
    process = subprocess.Popen(
        [str(Path(PYTHON).with_name("gunicorn")), "-c", "deploy/gunicorn.conf.py", "partybuild.wsgi"],
        cwd=ROOT, env={**env, "GUNICORN_BIND": f"127.0.0.1:{port}", "GUNICORN_WORKERS": "2",
                       "GUNICORN_ACCESS_LOG": str(OUT / "load-access.log")},
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                return process
        except OSError:
            time.sleep(0.3)
    process.kill()
    sys.exit("gunicorn did not start")


def jpeg(seed):
    buffer = io.BytesIO()
    Image.new("RGB", (1024, 768), ((seed * 37) % 256, 90, 160)).save(buffer, "JPEG", quality=80)
    return buffer.getvalue()


class VirtualUser(threading.Thread):
    def __init__(self, index, port, account, stop, budget, samples, rng_seed):
        super().__init__(daemon=True)
        self.index, self.port = index, port
        self.username, self.password, self.role, _ = account
        self.stop, self.budget, self.samples = stop, budget, samples
        self.cookies = {}
        self.rng = random.Random(rng_seed)
        self.details = {}
        self.connection = None
        self.ready, self.go = threading.Event(), None
        self.think = (0.0, 0.0)

    # -- HTTP with a cookie jar and a kept-alive connection ------------------------------------
    def request(self, method, path, body=None, headers=None, action=None):
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{key}={value}" for key, value in self.cookies.items())
        started = time.perf_counter()
        error = None
        status, text = 0, ""
        try:
            if self.connection is None:
                self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
            self.connection.request(method, path, body=body, headers=headers)
            response = self.connection.getresponse()
            raw = response.read()
            status = response.status
            for header in response.headers.get_all("Set-Cookie") or []:
                cookie = SimpleCookie(header)
                for key, morsel in cookie.items():
                    self.cookies[key] = morsel.value
            text = raw.decode("utf-8", "ignore")
        except Exception as exc:  # noqa: BLE001 - every failure is counted and reported
            error = f"{type(exc).__name__}: {exc}"
            self.connection = None
        elapsed = time.perf_counter() - started
        if action:
            self.samples.append((action, elapsed, status, error, path))
        return status, text

    def csrf(self):
        return self.cookies.get("csrftoken", "")

    def sign_in(self):
        self.request("GET", "/accounts/login/")
        body = urllib.parse.urlencode(
            {"username": self.username, "password": self.password, "csrfmiddlewaretoken": self.csrf()}
        )
        status, _ = self.request(
            "POST", "/accounts/login/", body,
            {"Content-Type": "application/x-www-form-urlencoded", "Referer": f"http://127.0.0.1:{self.port}/accounts/login/"},
            action="sign_in",
        )
        return status == 302

    def detail_paths(self, kind):
        if kind not in self.details:
            list_path, pattern = DETAIL_SOURCES[kind]
            _, text = self.request("GET", list_path)
            self.details[kind] = sorted(set(pattern.findall(text)))
        return self.details[kind]

    def upload(self):
        records = self.detail_paths("record")
        if not records:
            return
        record = self.rng.choice(records)
        boundary = uuid.uuid4().hex
        parts = [
            f'--{boundary}\r\nContent-Disposition: form-data; name="csrfmiddlewaretoken"\r\n\r\n{self.csrf()}\r\n'.encode(),
            f'--{boundary}\r\nContent-Disposition: form-data; name="captions"\r\n\r\n压测照片\r\n'.encode(),
            f'--{boundary}\r\nContent-Disposition: form-data; name="photos"; filename="load.jpg"\r\n'
            "Content-Type: image/jpeg\r\n\r\n".encode() + jpeg(self.index) + b"\r\n",
            f"--{boundary}--\r\n".encode(),
        ]
        self.request(
            "POST", f"{record}photos/", b"".join(parts),
            {"Content-Type": f"multipart/form-data; boundary={boundary}", "Referer": f"http://127.0.0.1:{self.port}{record}"},
            action="upload",
        )

    def run(self):
        signed_in = self.sign_in()
        self.ready.set()
        if not signed_in:
            return
        self.go.wait()
        mix = MIXES[self.role]
        weights = [weight for *_, weight in mix]
        while not self.stop.is_set() and self.budget.take():
            action, target, _ = self.rng.choices(mix, weights)[0]
            if action == "upload":
                self.upload()
            elif action == "detail":
                paths = self.detail_paths(target)
                if paths:
                    self.request("GET", self.rng.choice(paths), action="detail")
            elif action == "search":
                term = urllib.parse.quote(self.rng.choice(SEARCH_TERMS))
                self.request("GET", target.format(term=term), action="search")
            else:
                self.request("GET", target, action=action)
            if self.think[1] > 0:
                time.sleep(self.rng.uniform(*self.think))


class Budget:
    def __init__(self, total):
        self.left, self.lock = total, threading.Lock()

    def take(self):
        with self.lock:
            if self.left <= 0:
                return False
            self.left -= 1
            return True


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def summarise(samples, wall):
    rows = {}
    groups = defaultdict(list)
    for action, elapsed, status, error, path in samples:
        groups[action].append((elapsed, status, error, path))
    groups["ALL"] = [item for action, items in list(groups.items()) for item in items]
    for action, items in groups.items():
        times = [elapsed * 1000 for elapsed, *_ in items]
        errors = [(status, error, path) for _, status, error, path in items if error or status >= 400]
        rows[action] = {
            "requests": len(items),
            "rps": round(len(items) / wall, 1),
            "p50_ms": round(percentile(times, 0.50), 1),
            "p95_ms": round(percentile(times, 0.95), 1),
            "p99_ms": round(percentile(times, 0.99), 1),
            "mean_ms": round(statistics.fmean(times), 1),
            "errors": len(errors),
            "error_examples": errors[:5],
        }
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/pb_load")
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of load after sign-in")
    parser.add_argument("--max-requests", type=int, default=10000)
    parser.add_argument("--enterprises", type=int, default=320, help="seed_demo size")
    parser.add_argument("--think-min", type=float, default=0.0, help="seconds a user pauses between clicks (min)")
    parser.add_argument("--think-max", type=float, default=0.0, help="(max); 0 = no pause, saturation")
    parser.add_argument("--city-scale", type=float, default=0, help="load bench/suzhou.py's city at this scale instead of seed_demo")
    parser.add_argument("--reuse-database", action="store_true", help="skip drop/create/migrate/seed")
    parser.add_argument("--cache-url", default="redis://127.0.0.1:6379/1",
                        help="CACHE_URL as in production (shared dashboard cache); 'none' = per-process cache")
    args = parser.parse_args()

    OUT.mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        "DATABASE_URL": args.database_url,
        "DEBUG": "false",
        "ALLOWED_HOSTS": "127.0.0.1",
        "MEDIA_ROOT": str(OUT / "load-media"),
        "LOG_LEVEL": "WARNING",
        "DJANGO_SETTINGS_MODULE": "partybuild.settings",
    }
    if args.cache_url != "none":
        env["CACHE_URL"] = args.cache_url
    if not args.reuse_database:
        prepare_database(args, env)
    # Every run starts cold: no dashboard figures left over from an earlier run.
    run([PYTHON, "manage.py", "shell", "-c", "from django.core.cache import cache; cache.clear()"], env)
    port = free_port()
    (OUT / "load-access.log").unlink(missing_ok=True)
    server = start_gunicorn(env, port)
    try:
        accounts = [account for account in ACCOUNTS for _ in range(account[3])]
        accounts = (accounts * (args.users // len(accounts) + 1))[: args.users]
        stop, budget, samples = threading.Event(), Budget(args.max_requests), []
        users = [VirtualUser(i, port, accounts[i], stop, budget, samples, rng_seed=i) for i in range(args.users)]
        go = threading.Event()
        for user in users:
            user.go = go
            user.think = (args.think_min, args.think_max)
            user.start()
        # Sign-in (deliberately slow password hashing) happens first and is reported apart;
        # the measured window starts when every user is signed in.
        for user in users:
            user.ready.wait(timeout=300)
        sign_ins = list(samples)
        samples.clear()
        started = time.perf_counter()
        go.set()
        deadline = started + args.duration
        while time.perf_counter() < deadline and any(user.is_alive() for user in users):
            time.sleep(0.2)
        stop.set()
        for user in users:
            user.join(timeout=60)
        wall = time.perf_counter() - started
    finally:
        server.terminate()
        server.wait(timeout=30)

    rows = summarise(samples, wall)
    sign_in_times = sorted(elapsed * 1000 for _, elapsed, *_ in sign_ins)
    rows["sign_in (before the window)"] = {
        "requests": len(sign_ins), "rps": 0, "p50_ms": round(percentile(sign_in_times, 0.5), 1),
        "p95_ms": round(percentile(sign_in_times, 0.95), 1), "p99_ms": round(percentile(sign_in_times, 0.99), 1),
        "mean_ms": round(statistics.fmean(sign_in_times), 1),
        "errors": sum(1 for _, _, status, error, _ in sign_ins if error or status != 302), "error_examples": [],
    }
    server_ms = sorted(
        int(match.group(1))
        for line in (OUT / "load-access.log").read_text().splitlines()
        if "/accounts/login/" not in line and "/healthz" not in line
        for match in [re.search(r" (\d+)ms rid=", line)] if match
    )
    if server_ms:
        rows["server-side (gunicorn %(M)s, excl. sign-in)"] = {
            "requests": len(server_ms), "rps": 0, "p50_ms": percentile(server_ms, 0.5), "p95_ms": percentile(server_ms, 0.95),
            "p99_ms": percentile(server_ms, 0.99), "mean_ms": round(statistics.fmean(server_ms), 1), "errors": 0,
            "error_examples": [],
        }
    report = {"load_average_after": os.getloadavg(), "command": " ".join(sys.argv), "users": args.users, "wall_seconds": round(wall, 1),
              "data": f"bench/suzhou.py city, scale {args.city_scale}" if args.city_scale else f"seed_demo --enterprises {args.enterprises}", "actions": rows}
    path = OUT / f"load-{time.strftime('%Y%m%d-%H%M%S')}.json"
    path.write_text(json.dumps(report, ensure_ascii=False, indent=2))
    print(f"\n{args.users} users, {wall:.1f} s wall, load average {os.getloadavg()}, written to {path.relative_to(ROOT)}\n")
    print("| action | requests | req/s | p50 ms | p95 ms | p99 ms | errors |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for action in sorted(rows, key=lambda name: (name == "ALL", name)):
        row = rows[action]
        print(f"| {action} | {row['requests']} | {row['rps']} | {row['p50_ms']} | {row['p95_ms']} | {row['p99_ms']} | {row['errors']} |")
    for action, row in rows.items():
        for example in row["error_examples"]:
            print("error:", action, example)


if __name__ == "__main__":
    main()
