"""Concurrent login attempts: counts are exact and reservations hold.

Thread tests run on every cache backend; process tests need the real Redis,
because only a shared cache can count across processes.
"""

import multiprocessing
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from accounts import services
from accounts.counters import LoginKey, counter_store, login_redis_keys
from tests.conftest import TEST_REDIS_URL, require_real_redis
from tests.factories import UserFactory
from tests.workers import record_failures, reserve_logins


def test_threads_get_at_most_limit_reservations(cache_backend):
    store = counter_store()
    key = LoginKey("pair", "burst", 5)
    start = threading.Barrier(30)

    def reserve(_):
        start.wait()
        return store.reserve_login([key], 900).allowed

    with ThreadPoolExecutor(max_workers=30) as pool:
        allowed = sum(pool.map(reserve, range(30)))

    assert allowed == 5


def test_threads_count_every_failure(cache_backend):
    store = counter_store()
    key = LoginKey("ip", "busy", 10**9)

    def fail_ten(_):
        for _ in range(10):
            store.reserve_login([key], 900)
            store.record_login_failure([key], 900)

    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(fail_ten, range(8)))

    count_key = login_redis_keys(key)[0]
    if hasattr(store, "connection"):
        assert int(store.connection.get(count_key)) == 80
    else:
        assert store._get(count_key) == 80


@pytest.mark.django_db(transaction=True)
def test_login_burst_checks_at_most_five_passwords(
    cache_backend, settings, monkeypatch, client
):
    settings.LOGIN_MAX_FAILURES_PER_PAIR = 5
    UserFactory(username="dhanush")
    checks = []
    lock = threading.Lock()
    real_check = services.check_credentials

    def counting_check(username, password):
        with lock:
            checks.append(username)
        time.sleep(0.05)  # Keep the checks in flight while others arrive.
        return real_check(username, password)

    monkeypatch.setattr(services, "check_credentials", counting_check)
    start = threading.Barrier(30)

    def login(_):
        from django.test import Client

        start.wait()
        try:
            response = Client().post(
                "/api/auth/login",
                {"username": "dhanush", "password": "wrong"},
                content_type="application/json",
            )
            return response.status_code
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=30) as pool:
        statuses = list(pool.map(login, range(30)))

    assert len(checks) <= 5
    assert statuses.count(401) == len(checks)
    assert statuses.count(429) == 30 - len(checks)
    assert (
        client.post(
            "/api/auth/login",
            {"username": "dhanush", "password": "correct-horse-battery-staple"},
            content_type="application/json",
        ).status_code
        == 429
    )


@pytest.fixture
def redis_prefix(isolated_cache):
    client = require_real_redis()
    yield isolated_cache
    keys = list(client.scan_iter(match=f"{isolated_cache}:*", count=1000))
    if keys:
        client.delete(*keys)
    client.close()


def run_processes(target, argument_sets):
    context = multiprocessing.get_context("spawn")
    start = context.Event()
    results = context.Queue()
    processes = [
        context.Process(target=target, args=(*arguments, start, results))
        for arguments in argument_sets
    ]
    for process in processes:
        process.start()
    start.set()
    collected = [results.get(timeout=60) for _ in processes]
    for process in processes:
        process.join(timeout=60)
        assert process.exitcode == 0
    return collected


def test_processes_get_at_most_limit_reservations(redis_prefix):
    arguments = [
        (TEST_REDIS_URL, redis_prefix, ("pair", "burst"), 5, 5) for _ in range(6)
    ]

    allowed = run_processes(reserve_logins, arguments)

    assert sum(allowed) == 5


def test_processes_count_every_failure(redis_prefix):
    import redis

    arguments = [(TEST_REDIS_URL, redis_prefix, ("ip", "busy"), 25) for _ in range(4)]

    run_processes(record_failures, arguments)

    client = redis.Redis.from_url(TEST_REDIS_URL)
    count_key = f"{redis_prefix}:throttle:ip:busy:count"
    assert int(client.get(count_key)) == 100
    assert 0 < client.pttl(count_key) <= 900_000
