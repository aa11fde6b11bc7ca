"""Two gunicorn workers on a Redis server of the test's own.

The suite starts ``redis-server`` on a free port and gunicorn with two sync
workers on an SQLite file. It checks that what one worker does is seen by
the other on the next request. It then stops Redis and checks that the
service keeps serving and recovers without a restart. The access log records the worker
PID of each request, which shows that both workers served the checks.
"""

import json
import os
import re
import subprocess
import sys
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.servers import RedisServer, free_port, require_redis_server, wait_for_port

PROJECT_DIR = Path(__file__).resolve().parent.parent
# Each check sends this many requests, this many at a time, so that both
# sync workers serve some of them.
REQUESTS = 40
PARALLEL = 8


class Service:
    """HTTP calls to the gunicorn server, and its access log."""

    def __init__(self, base_url: str, access_log: Path):
        self.base_url = base_url
        self.access_log = access_log

    def call(self, path, method="GET", body=None, token=None):
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.base_url + path, data=data, method=method)
        request.add_header("Content-Type", "application/json")
        if token:
            request.add_header("Authorization", f"Bearer {token}")
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status, json.loads(response.read() or b"null")
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read() or b"null")

    def many(self, path, **kwargs) -> list:
        """Send REQUESTS identical calls, PARALLEL at a time."""
        with ThreadPoolExecutor(max_workers=PARALLEL) as pool:
            return list(pool.map(lambda _: self.call(path, **kwargs), range(REQUESTS)))

    def login(self, username="dhanush", password="changeme"):
        status, body = self.call(
            "/api/auth/login", "POST", {"username": username, "password": password}
        )
        assert status == 200, body
        return body["token"]

    def worker_pids(self, marker: str) -> set[str]:
        """Return the PIDs of the workers that served paths with ``marker``."""
        time.sleep(0.2)  # gunicorn writes the access log after each response.
        pattern = re.compile(r"pid=<(\d+)>")
        return {
            pattern.search(line).group(1)
            for line in self.access_log.read_text().splitlines()
            if marker in line
        }


@pytest.fixture(scope="module")
def redis_server():
    require_redis_server()
    server = RedisServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def service(redis_server, tmp_path_factory):
    folder = tmp_path_factory.mktemp("gunicorn")
    port = free_port()
    access_log = folder / "access.log"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "brocode_site.settings",
        "ENV_FILE": str(folder / "none.env"),
        "SECRET_KEY": "integration-test-secret-key-" + "x" * 30,
        "DEBUG": "false",
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": f"sqlite:///{folder / 'db.sqlite3'}",
        "REDIS_URL": redis_server.url,
        "REDIS_KEY_PREFIX": "integration",
        "API_RATE_USER": "100000/min",
        "API_RATE_ANON": "100000/min",
        "WEB_CONCURRENCY": "2",
        "CACHE_BREAKER_SECONDS": "1",
    }
    manage = [sys.executable, "manage.py"]
    for command in (["migrate", "--noinput"], ["seed_demo", "--force"]):
        subprocess.run(
            manage + command, cwd=PROJECT_DIR, env=env, check=True, capture_output=True
        )
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "-c",
            "gunicorn.conf.py",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            "--access-logfile",
            str(access_log),
            "brocode_site.wsgi",
        ],
        cwd=PROJECT_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for_port(port, seconds=30)
        yield Service(f"http://127.0.0.1:{port}", access_log)
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_change_visible_in_both_workers(service):
    admin = service.login("brocode")
    before = service.many("/api/catalog/drinks")
    assert {body[0]["price"] for _, body in before} == {180}

    status, _ = service.call(
        "/api/catalog/items/d-2", "PATCH", {"price": 175.5}, token=admin
    )
    assert status == 200

    after = service.many("/api/catalog/drinks")
    prices = {body[1]["price"] for _, body in after}
    assert prices == {175.5}
    assert len(service.worker_pids("GET /api/catalog/drinks")) == 2


def test_logout_rejected_by_other_worker(service):
    token = service.login()
    before = service.many("/api/auth/me?before", token=token)
    assert {status for status, _ in before} == {200}
    assert len(service.worker_pids("/api/auth/me?before")) == 2

    assert service.call("/api/auth/logout", "POST", token=token)[0] == 204

    after = service.many("/api/auth/me?after", token=token)
    assert {status for status, _ in after} == {401}
    assert len(service.worker_pids("/api/auth/me?after")) == 2


def test_login_failures_counted_across_workers(service):
    attempts = []
    with ThreadPoolExecutor(max_workers=PARALLEL) as pool:
        attempts = list(
            pool.map(
                lambda _: service.call(
                    "/api/auth/login?burst",
                    "POST",
                    {"username": "dhanush", "password": "wrong"},
                ),
                range(20),
            )
        )

    statuses = sorted(status for status, _ in attempts)
    assert statuses.count(401) == 5
    assert statuses.count(429) == 15
    assert len(service.worker_pids("/api/auth/login?burst")) == 2
    status, body = service.call(
        "/api/auth/login", "POST", {"username": "dhanush", "password": "changeme"}
    )
    assert status == 429
    assert body["retryAfterSeconds"] >= 1


def test_presence_listed_by_other_worker(service):
    token = service.login("brocode")
    status, _ = service.call(
        "/api/presence/heartbeat",
        "POST",
        {"spotId": "spot-2025-07-26", "status": "busy"},
        token=token,
    )
    assert status == 200

    listings = service.many("/api/presence/active?spotId=spot-2025-07-26", token=token)

    for status, body in listings:
        assert status == 200
        assert [user["username"] for user in body["users"]] == ["brocode"]
    assert len(service.worker_pids("/api/presence/active?spotId=")) == 2


def test_redis_outage_and_recovery(service, redis_server):
    token = service.login("brocode")
    redis_server.stop()

    started = time.monotonic()
    health_status, health = service.call("/api/health")
    catalog_status, catalog = service.call("/api/catalog")
    me_status, _ = service.call("/api/auth/me", token=token)
    login_status, _ = service.call(
        "/api/auth/login", "POST", {"username": "brocode", "password": "changeme"}
    )
    presence_status, presence = service.call("/api/presence/active", token=token)
    elapsed = time.monotonic() - started

    assert health_status == 200
    assert health["status"] == "degraded"
    assert health["cache"] == {"backend": "redis", "ok": False}
    assert catalog_status == 200
    assert catalog["drinks"]
    assert me_status == 200
    assert login_status == 200
    assert presence_status == 503
    assert presence["code"] == "cache_unavailable"
    assert elapsed < 5 * 1.0

    redis_server.start()
    # Each worker tries Redis again once its breaker pause (1 s here) ends.
    deadline = time.monotonic() + 15
    while True:
        statuses = {
            status for status, _ in service.many("/api/presence/active", token=token)
        }
        if statuses == {200}:
            break
        assert time.monotonic() < deadline, f"not recovered: {statuses}"
        time.sleep(0.5)
    assert service.call("/api/health")[1]["status"] == "ok"
    assert len(service.worker_pids("/api/presence/active HTTP")) == 2
