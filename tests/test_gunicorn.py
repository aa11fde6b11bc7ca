"""Two gunicorn workers on the real Redis: a logout holds in both at once."""

import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.conftest import TEST_REDIS_URL, require_real_redis

PROJECT_DIR = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def call(url, method="GET", body=None, token=None):
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method)
    request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


@pytest.fixture
def gunicorn_server(tmp_path):
    redis_client = require_real_redis()
    key_prefix = f"test-{uuid.uuid4().hex[:12]}"
    port = free_port()
    access_log = tmp_path / "access.log"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "brocode_site.settings",
        "ENV_FILE": str(tmp_path / "none.env"),
        "SECRET_KEY": "gunicorn-test-secret-key-" + "x" * 30,
        "DEBUG": "false",
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "REDIS_URL": TEST_REDIS_URL,
        "REDIS_KEY_PREFIX": key_prefix,
        "API_RATE_USER": "10000/min",
        "API_RATE_ANON": "10000/min",
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
        stderr=subprocess.PIPE,
    )
    base_url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if call(f"{base_url}/api/health")[0] == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline or server.poll() is not None:
                pytest.fail(f"gunicorn did not start: {server.stderr.read1().decode()}")
            time.sleep(0.2)
        yield base_url, access_log
    finally:
        server.terminate()
        server.wait(timeout=30)
        keys = list(redis_client.scan_iter(match=f"{key_prefix}:*", count=1000))
        if keys:
            redis_client.delete(*keys)


def worker_pids(access_log: Path, marker: str) -> set[str]:
    pids = set()
    for line in access_log.read_text().splitlines():
        if marker in line:
            pids.add(re.search(r"pid=<(\d+)>", line).group(1))
    return pids


def test_logout_rejected_by_other_worker(gunicorn_server):
    base_url, access_log = gunicorn_server
    status, body = call(
        f"{base_url}/api/auth/login",
        "POST",
        {"username": "dhanush", "password": "changeme"},
    )
    assert status == 200
    token = json.loads(body)["token"]

    def me(marker):
        return call(f"{base_url}/api/auth/me?{marker}", token=token)[0]

    # Concurrent requests spread over both sync workers and warm their cache.
    with ThreadPoolExecutor(max_workers=4) as pool:
        before = list(pool.map(me, ["before"] * 40))
    assert set(before) == {200}
    assert len(worker_pids(access_log, "/api/auth/me?before")) == 2

    assert call(f"{base_url}/api/auth/logout", "POST", token=token)[0] == 204

    with ThreadPoolExecutor(max_workers=4) as pool:
        after = list(pool.map(me, ["after"] * 40))
    assert set(after) == {401}
    assert len(worker_pids(access_log, "/api/auth/me?after")) == 2
