"""The ``CACHES`` setting: django-redis when ``REDIS_URL`` is set, else LocMem."""

# LocMemCache culls a third of its entries once it holds MAX_ENTRIES (300 by
# default, per Django's cache documentation). Sessions, throttle counters,
# presence and event state all live in the cache, so the limit is set far above
# what one process holds at realistic volumes.
LOCMEM_MAX_ENTRIES = 1_000_000


def build_caches(
    redis_url: str | None,
    key_prefix: str,
    connect_timeout: float,
    socket_timeout: float,
) -> dict:
    """Return the ``CACHES`` setting for the given Redis URL, or LocMem."""
    if redis_url:
        default = {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": redis_url,
            "KEY_PREFIX": key_prefix,
            "OPTIONS": {
                "CLIENT_CLASS": "django_redis.client.DefaultClient",
                "SOCKET_CONNECT_TIMEOUT": connect_timeout,
                "SOCKET_TIMEOUT": socket_timeout,
                "CONNECTION_POOL_KWARGS": {"health_check_interval": 30},
            },
        }
    else:
        default = {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "brocode",
            "KEY_PREFIX": key_prefix,
            "OPTIONS": {"MAX_ENTRIES": LOCMEM_MAX_ENTRIES},
        }
    return {"default": default}
