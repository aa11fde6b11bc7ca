"""Page caching of the catalog and spot reads, and its invalidation.

The page-cache key prefix contains a catalog generation: a random token kept
in the shared cache. Any change to a catalog item or a spot replaces the token
after the transaction commits, so every process builds new keys on its next
request and old pages expire on their TTL. Nothing else in the cache is
deleted or scanned.
"""

import functools
import logging
import secrets

from django.conf import settings
from django.core.cache import cache
from django.views.decorators.cache import cache_page

from brocode_site.cache import CACHE_ERRORS, pending_writes, warn_unreachable

logger = logging.getLogger(__name__)

GENERATION_KEY = "catalog:generation"
# The token outlives every cached page. If it is evicted anyway, a new token
# is drawn, which only costs one cache miss per page.
GENERATION_TTL_SECONDS = 7 * 24 * 3600


def current_generation() -> str:
    generation = cache.get(GENERATION_KEY)
    if generation is None:
        cache.add(GENERATION_KEY, secrets.token_hex(8), GENERATION_TTL_SECONDS)
        generation = cache.get(GENERATION_KEY)
    return generation


def bump_generation() -> None:
    """Start a new catalog generation, so cached reads are rebuilt."""

    def write():
        cache.set(GENERATION_KEY, secrets.token_hex(8), GENERATION_TTL_SECONDS)

    try:
        write()
    except CACHE_ERRORS as error:
        logger.error(
            "Catalog change not yet propagated to the page cache: the cache is "
            "unreachable (%s). Retrying until Redis is back.",
            error,
        )
        pending_writes.add("catalog generation", write)


def cached_read(view):
    """Serve ``view`` through ``cache_page`` under the current generation.

    ``view`` takes the request first, as a DRF handler wrapped with
    ``method_decorator`` does. A request with a query string, or with the
    cache unreachable, is served straight from the database.
    """

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.META.get("QUERY_STRING"):
            # These reads take no parameters. Caching each query string would
            # let random ones fill the cache with copies of the same page.
            return view(request, *args, **kwargs)
        try:
            generation = current_generation()
        except CACHE_ERRORS as error:
            warn_unreachable(logger, "reading the catalog generation", error)
            return view(request, *args, **kwargs)

        page_cache = _page_cache(
            f"{settings.CACHE_MIDDLEWARE_KEY_PREFIX}:{generation}",
            settings.CACHE_DEFAULT_TTL_SECONDS,
            settings.CACHE_MIDDLEWARE_ALIAS,
        )
        return page_cache(request, view, *args, **kwargs)

    return wrapper


@functools.lru_cache(maxsize=16)
def _page_cache(key_prefix: str, timeout: int, alias: str):
    """Return ``cache_page`` around ``_call_view`` for one generation.

    Building the decorator once per generation spares each request the
    construction of Django's cache middleware. The view is passed at call
    time, because ``method_decorator`` makes a new bound method per request.
    """
    return cache_page(timeout, cache=alias, key_prefix=key_prefix)(_call_view)


def _call_view(request, view, *args, **kwargs):
    return view(request, *args, **kwargs)
