"""gunicorn settings: ``gunicorn -c gunicorn.conf.py brocode_site.wsgi``.

Values come from the environment or the project's ``.env`` file, read as the
settings read it, and can be overridden on the command line.
"""

import os
import runpy
from pathlib import Path

# Run the settings' env-file loader on its own: importing the settings
# package here would evaluate every setting in the gunicorn master.
runpy.run_path(str(Path(__file__).parent / "brocode_site/settings/environment.py"))

bind = os.environ.get("BIND", "127.0.0.1:8000")
# LocMem mode serves one process only, so it gets one worker by default.
default_workers = "2" if os.environ.get("REDIS_URL") else "1"
workers = int(os.environ.get("WEB_CONCURRENCY") or default_workers)
# Sync workers: each request occupies a worker, so the timeout bounds a stuck one.
worker_class = "sync"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 30
# Drop a worker's memory growth by restarting it after this many requests,
# with jitter so that workers do not restart together.
max_requests = 5000
max_requests_jitter = 500
accesslog = "-"
errorlog = "-"
# The worker PID (%(p)s) shows which worker served each request.
access_log_format = '%(h)s pid=%(p)s "%(r)s" %(s)s %(b)s %(M)sms "%(a)s"'


def on_starting(server):
    """Tell the workers how many of them there are.

    While Redis is unreachable, each worker enforces 1/WEB_CONCURRENCY of the
    login limits, so the variable must match the real worker count, also when
    ``--workers`` overrides it on the command line.
    """
    os.environ["WEB_CONCURRENCY"] = str(server.cfg.workers)
