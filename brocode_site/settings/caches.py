"""The ``CACHES`` setting: django-redis when ``REDIS_URL`` is set, else LocMem."""

# LocMemCache culls a third of its entries once it reaches MAX_ENTRIES (300 by
# default, per Django's cache documentation). Sessions, throttle counters,
# presence and event state all live in the cache, so the limit is set far above
# what one process stores at realistic volumes.
LOCMEM_MAX_ENTRIES = 1_000_000
PAGE_CACHE_ALIAS = "pages"


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
                "CONNECTION_POOL_CLASS": "brocode_site.cache.BreakerConnectionPool",
                "SERIALIZER": "brocode_site.cache.SafePickleSerializer",
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
    # The page cache of cache_page: the same store, but a failed read or
    # write of a page is a miss rather than an error (django-redis's
    # IGNORE_EXCEPTIONS), because the page can always be built again.
    pages = {**default, "OPTIONS": {**default["OPTIONS"]}}
    if redis_url:
        pages["OPTIONS"]["IGNORE_EXCEPTIONS"] = True
    else:
        pages["LOCATION"] = "brocode-pages"
    return {"default": default, PAGE_CACHE_ALIAS: pages}
