"""gunicorn settings, read from the environment: `gunicorn -c config/gunicorn.py config.wsgi`.

Every variable is listed in the README's configuration table.
"""

import os


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name, "")
    return int(raw) if raw.strip() else default


# GUNICORN_BIND wins; otherwise PORT (as platforms set it) on every interface, otherwise loopback only.
bind = os.environ.get("GUNICORN_BIND") or (
    f"0.0.0.0:{os.environ['PORT']}" if os.environ.get("PORT") else "127.0.0.1:8000"
)
# Pages are short and mostly wait on the database: two processes per core this process may run on (on the
# reference 2-core machine, 4), at least two so one slow page (an XLSX export) does not hold everyone up.
_cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
workers = _int("GUNICORN_WORKERS", max(2, 2 * _cores))
threads = _int("GUNICORN_THREADS", 1)
# A request that takes longer than this is a fault (PDF packs are made by the Celery worker, not here).
timeout = _int("GUNICORN_TIMEOUT", 60)
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 30)
keepalive = _int("GUNICORN_KEEPALIVE", 5)
# Recycle workers now and then so a slow leak cannot grow for ever; jitter stops them all restarting at once.
max_requests = _int("GUNICORN_MAX_REQUESTS", 1000)
max_requests_jitter = _int("GUNICORN_MAX_REQUESTS_JITTER", 100)
# Heartbeat files on a RAM disk: a worker on a slow or full disk is otherwise killed as if hung.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None  # noqa: S108 - a RAM disk, not a temp file
# Only a proxy at these addresses may say the request came over HTTPS (X-Forwarded-Proto), and from whom.
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# gunicorn's usual line, with the time taken added.
access_log_format = '%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" %(M)sms'
preload_app = False
