"""Shared fixtures: the cache backends every behaviour test runs against.

``cache_backend`` switches the default cache to LocMem, fakeredis or the real
Redis at ``TEST_REDIS_URL`` (database 15 of the local server by default).
Each real-Redis test writes under a key prefix of its own and deletes only
the keys under that prefix afterwards. With ``REQUIRE_REAL_SERVICES=1``, as
in CI, an unreachable Redis fails the test instead of skipping it.
"""

import os
import uuid

import pytest
import redis
from django.core.cache.backends import locmem

from brocode_site.cache import breaker
from brocode_site.settings.caches import build_caches

CACHE_BACKENDS = ["locmem", "fakeredis", "redis"]
TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
REQUIRE_REAL_SERVICES = os.environ.get("REQUIRE_REAL_SERVICES", "") in {"1", "true"}


def redis_caches(url: str, key_prefix: str, pool_kwargs: dict | None = None) -> dict:
    """Return CACHES for Redis at ``url``, shaped like the project's own."""
    caches = build_caches(url, key_prefix, connect_timeout=0.5, socket_timeout=0.5)
    for alias in caches.values():
        alias["OPTIONS"]["CONNECTION_POOL_KWARGS"] = pool_kwargs or {}
    return caches


def require_real_redis() -> redis.Redis:
    """Return a client of the test Redis, or skip (fail in CI) without one."""
    client = redis.Redis.from_url(TEST_REDIS_URL, socket_connect_timeout=0.5)
    try:
        client.ping()
    except redis.exceptions.RedisError as error:
        message = f"Redis at {TEST_REDIS_URL} is unreachable: {error}"
        if REQUIRE_REAL_SERVICES:
            pytest.fail(message)
        pytest.skip(message)
    return client


def locmem_caches(key_prefix: str) -> dict:
    """Return CACHES for LocMem stores that only this test uses."""
    caches = build_caches(None, key_prefix, connect_timeout=0.5, socket_timeout=0.5)
    for alias, config in caches.items():
        config["LOCATION"] = f"{key_prefix}-{alias}"
    return caches


@pytest.fixture(autouse=True)
def isolated_cache(settings):
    """Give every test an empty LocMem cache of its own.

    A cache named in the developer's environment or ``.env`` is never used by
    the tests, so they cannot delete anything from it.
    """
    key_prefix = f"test-{uuid.uuid4().hex[:12]}"
    settings.REDIS_KEY_PREFIX = key_prefix
    settings.CACHE_BACKEND_NAME = "locmem"
    # A dead Redis of an earlier test must not hold the breaker open.
    breaker.open_until = 0.0
    settings.CACHES = locmem_caches(key_prefix)
    yield key_prefix
    # Drop this test's LocMem stores, and only them, to free their memory.
    for location in locmem_caches(key_prefix).values():
        for store in (locmem._caches, locmem._expire_info, locmem._locks):
            store.pop(location["LOCATION"], None)


@pytest.fixture(params=CACHE_BACKENDS)
def cache_backend(request, settings, isolated_cache):
    """Run the test once per cache backend and return the backend's name."""
    backend = request.param
    key_prefix = isolated_cache
    if backend == "locmem":
        yield backend
        return

    settings.CACHE_BACKEND_NAME = "redis"
    if backend == "fakeredis":
        import fakeredis

        server = fakeredis.FakeServer()
        # A URL of its own keeps django-redis from reusing another test's pool.
        url = f"redis://fake-{key_prefix}:6379/0"
        settings.CACHES = redis_caches(
            url,
            key_prefix,
            {"connection_class": fakeredis.FakeRedisConnection, "server": server},
        )
        yield backend
        return

    client = require_real_redis()
    settings.CACHES = redis_caches(TEST_REDIS_URL, key_prefix)
    try:
        yield backend
    finally:
        keys = list(client.scan_iter(match=f"{key_prefix}:*", count=1000))
        if keys:
            client.delete(*keys)
        client.close()


@pytest.fixture
def flush_cache(cache_backend, isolated_cache):
    """Return a function that empties this test's cache, and nothing else."""
    from django.core.cache import caches

    def flush():
        if cache_backend == "redis":
            client = redis.Redis.from_url(TEST_REDIS_URL)
            keys = list(client.scan_iter(match=f"{isolated_cache}:*", count=1000))
            if keys:
                client.delete(*keys)
            client.close()
        else:
            for alias in ("default", "pages"):
                caches[alias].clear()

    return flush


@pytest.fixture
def login(client):
    """Return a function that logs in and returns the login body."""

    def do_login(username, password=None, **extra):
        from tests.factories import TEST_PASSWORD

        response = client.post(
            "/api/auth/login",
            {"username": username, "password": password or TEST_PASSWORD},
            content_type="application/json",
            **extra,
        )
        assert response.status_code == 200, response.content
        return response.json()

    return do_login


def bearer(token: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


class FakeClock:
    """A clock that does not move until a test advances it."""

    def __init__(self, start):
        self.current = start

    def now(self):
        return self.current

    def advance(self, seconds: float) -> None:
        from datetime import timedelta

        self.current += timedelta(seconds=seconds)


@pytest.fixture
def fake_clock(monkeypatch):
    from django.utils import timezone

    from brocode_site import clock

    fake = FakeClock(timezone.now())
    monkeypatch.setattr(clock, "now", fake.now)
    return fake
