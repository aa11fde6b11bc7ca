"""Cached copies of sessions and users, and their invalidation.

The database is the source of truth; these entries only spare it a query.
They are used only when the cache is shared by every server process
(Redis). A per-process LocMem cache cannot see a logout made in another
process, so in LocMem mode every request is checked in the database.

Keys, all under the cache's ``KEY_PREFIX``:

- ``auth:session:<token hash>``: ``{"sid", "uid", "exp", "created"}``, or ``REVOKED``
  after a revocation. Refills use ``add``, so they never overwrite
  ``REVOKED``.
- ``auth:user-gen:<uid>``: the user's generation, an integer that every
  change to the user increments.
- ``auth:user:<uid>``: the user's fields and the generation they were read
  at. An entry whose generation is not the current one is ignored, so a
  refill that raced a change can never be trusted.
- ``auth:seen:<sid>:<n>``: added by the first request in the n-th interval
  of ``LAST_SEEN_INTERVAL_SECONDS`` since login, which alone writes
  ``last_seen_at``. Intervals follow the project clock, not the cache's.
"""

import contextlib
import logging
import secrets

from django.conf import settings
from django.core.cache import cache

from brocode_site import cache as cache_wiring
from brocode_site import clock
from brocode_site.cache import CACHE_ERRORS

logger = logging.getLogger(__name__)

REVOKED = "revoked"
SESSION_ENTRY_TTL_SECONDS = 60
USER_ENTRY_TTL_SECONDS = 300
# Longer than any refill can take, so no refill lands after it expires.
REVOKED_TTL_SECONDS = 600
USER_GENERATION_TTL_SECONDS = 24 * 3600
LAST_SEEN_INTERVAL_SECONDS = 60
USER_FIELDS = ("username", "name", "role", "is_active", "is_staff", "is_superuser")


def is_shared() -> bool:
    """Return whether the cache is shared by every process, so it can be trusted."""
    return settings.CACHE_BACKEND_NAME == "redis"


def session_key(token_hash: str) -> str:
    return f"auth:session:{token_hash}"


def user_generation_key(user_id: int) -> str:
    return f"auth:user-gen:{user_id}"


def user_key(user_id: int) -> str:
    return f"auth:user:{user_id}"


def seen_key(session_id: int, created: float) -> str:
    interval = int((clock.timestamp() - created) // LAST_SEEN_INTERVAL_SECONDS)
    return f"auth:seen:{session_id}:{interval}"


def warn_unreachable(action: str, error: Exception) -> None:
    cache_wiring.warn_unreachable(
        logger, f"{action}; checking sessions in the database", error
    )


def get_session_entry(token_hash: str):
    return cache.get(session_key(token_hash))


def get_user_state(user_id: int, session_id: int, created: float) -> tuple:
    """Return ``(generation, user entry, seen marker)`` in one round trip."""
    keys = [
        user_generation_key(user_id),
        user_key(user_id),
        seen_key(session_id, created),
    ]
    found = cache.get_many(keys)
    return tuple(found.get(key) for key in keys)


def current_generation(user_id: int) -> int:
    """Return the user's generation, starting a random one when it is missing.

    A random start keeps an evicted counter from coming back at a value that
    old entries still carry.
    """
    key = user_generation_key(user_id)
    generation = cache.get(key)
    if generation is None:
        cache.add(key, secrets.randbelow(2**31), USER_GENERATION_TTL_SECONDS)
        generation = cache.get(key)
    return generation


def store_session(token_hash: str, session) -> None:
    expires = session.expires_at.timestamp()
    ttl = min(SESSION_ENTRY_TTL_SECONDS, max(1, int(expires - clock.timestamp())))
    entry = {
        "sid": session.pk,
        "uid": session.user_id,
        "exp": expires,
        "created": session.created_at.timestamp(),
    }
    cache.add(session_key(token_hash), entry, ttl)


def store_user(user, generation: int) -> None:
    entry = {field: getattr(user, field) for field in USER_FIELDS}
    entry["gen"] = generation
    cache.set(user_key(user.pk), entry, USER_ENTRY_TTL_SECONDS)


def mark_seen(session_id: int, created: float) -> bool:
    """Return True for the first caller in this interval, who writes last seen."""
    return cache.add(seen_key(session_id, created), 1, 2 * LAST_SEEN_INTERVAL_SECONDS)


def mark_revoked(token_hashes: list[str]) -> None:
    """Replace the cached sessions with ``REVOKED`` markers."""
    if not token_hashes or not is_shared():
        return
    entries = {session_key(token_hash): REVOKED for token_hash in token_hashes}

    def write():
        cache.set_many(entries, REVOKED_TTL_SECONDS)

    try:
        write()
    except CACHE_ERRORS as error:
        logger.error(
            "Could not mark %d revoked session(s) in the cache (%s). They are "
            "revoked in the database; the markers are retried until Redis is back.",
            len(token_hashes),
            error,
        )
        cache_wiring.pending_writes.add(
            f"revoked sessions {token_hashes[0][:12]}", write
        )


def invalidate_user(user_id: int) -> None:
    """Move the user to a new generation, so cached copies are ignored."""
    if not is_shared():
        return

    def write():
        # Without a cached generation, no cached copy is trusted anyway.
        with contextlib.suppress(ValueError):
            cache.incr(user_generation_key(user_id))

    try:
        write()
    except CACHE_ERRORS as error:
        logger.error(
            "Could not invalidate the cached copy of user %s (%s); retrying until "
            "Redis is back.",
            user_id,
            error,
        )
        cache_wiring.pending_writes.add(f"user {user_id}", write)
