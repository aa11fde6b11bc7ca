"""Code run in child processes by the multi-process tests."""

import os


def setup_django(redis_url: str, key_prefix: str) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "tests.settings"
    os.environ["REDIS_URL"] = redis_url
    os.environ["REDIS_KEY_PREFIX"] = key_prefix
    import django

    django.setup()


def reserve_logins(redis_url, key_prefix, key_fields, limit, count, start, results):
    """Wait for ``start``, then reserve ``count`` login attempts; put the
    number allowed on ``results``."""
    setup_django(redis_url, key_prefix)
    from accounts.counters import LoginKey, counter_store

    key = LoginKey(*key_fields, limit)
    store = counter_store()
    start.wait()
    allowed = sum(store.reserve_login([key], 900).allowed for _ in range(count))
    results.put(allowed)


def record_failures(redis_url, key_prefix, key_fields, count, start, results):
    """Wait for ``start``, then reserve and fail ``count`` login attempts."""
    setup_django(redis_url, key_prefix)
    from accounts.counters import LoginKey, counter_store

    key = LoginKey(*key_fields, 10**9)
    store = counter_store()
    start.wait()
    for _ in range(count):
        assert store.reserve_login([key], 900).allowed
        store.record_login_failure([key], 900)
    results.put(count)
