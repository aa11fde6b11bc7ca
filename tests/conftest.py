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

CACHE_BACKENDS = ["locmem", "fakeredis", "redis"]
TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
REQUIRE_REAL_SERVICES = os.environ.get("REQUIRE_REAL_SERVICES", "") in {"1", "true"}


def redis_caches(url: str, key_prefix: str, pool_kwargs: dict | None = None) -> dict:
    return {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": url,
            "KEY_PREFIX": key_prefix,
            "OPTIONS": {
                "CLIENT_CLASS": "django_redis.client.DefaultClient",
                "SOCKET_CONNECT_TIMEOUT": 0.5,
                "SOCKET_TIMEOUT": 0.5,
                "CONNECTION_POOL_KWARGS": pool_kwargs or {},
            },
        }
    }


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
    return {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": key_prefix,
            "KEY_PREFIX": key_prefix,
            "OPTIONS": {"MAX_ENTRIES": 1_000_000},
        }
    }


@pytest.fixture(autouse=True)
def isolated_cache(settings):
    """Give every test an empty LocMem cache of its own.

    A cache named in the developer's environment or ``.env`` is never used by
    the tests, so they cannot delete anything from it.
    """
    key_prefix = f"test-{uuid.uuid4().hex[:12]}"
    settings.REDIS_KEY_PREFIX = key_prefix
    settings.CACHE_BACKEND_NAME = "locmem"
    settings.CACHES = locmem_caches(key_prefix)
    yield key_prefix
    # Drop this test's LocMem store, and only it, to free its memory.
    for store in (locmem._caches, locmem._expire_info, locmem._locks):
        store.pop(key_prefix, None)


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
