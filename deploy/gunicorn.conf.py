"""gunicorn settings for partybuild (``gunicorn -c deploy/gunicorn.conf.py partybuild.wsgi``).

Every value can be overridden from the environment (see deploy/env.example), so one file
serves a laptop test and a production host.
"""

import multiprocessing
import os

# nginx talks to gunicorn on loopback; never expose gunicorn itself.
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# Sync workers: the app does blocking database work per request; two per core plus one.
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1))
worker_class = "sync"
# Large Excel exports are streamed; imports run in the db_worker, so a minute is plenty.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then so a leak in any library cannot grow without bound.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "2000"))
max_requests_jitter = 200
# Uploads are buffered by nginx first; gunicorn only sees complete requests.
limit_request_line = 8190
# Trust X-Forwarded-* only from the local nginx.
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")
# Logs go to stdout/stderr and from there to journald; the app's own lines can be JSON (LOG_FORMAT=json).
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
errorlog = "-"
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms rid=%({x-request-id}o)s'
proc_name = "partybuild"
# gunicorn 27's control socket (gunicornc) defaults to ~/.gunicorn/: not needed here, and the
# hardened systemd unit (ProtectHome, ProtectSystem=strict) gives the service no writable home.
control_socket_disable = True
