"""Event state: a small JSON value per key, versioned, with a TTL.

``RedisEventStore`` keeps value, version and expiry in one hash with a TTL,
and checks ``If-Match`` and writes in one Lua script, so of two writers with
the same version exactly one wins. ``CacheEventStore`` does the same under a
lock in one process.
"""

import threading
from dataclasses import dataclass

from django.core.cache import cache
from django_redis import get_redis_connection

from . import clock, keys

ANY_VERSION = "*"

# KEYS: the state hash. ARGV: state JSON, TTL ms, TTL s, expected version
# ("" for none, "*" for any existing), time override ms ("" for TIME).
# Returns {1, version, updated, expires} or {0, current version}.
WRITE_LUA = (
    clock.now_lua(5)
    + """
local stored = redis.call('HMGET', KEYS[1], 'version', 'expires')
local current = tonumber(stored[1] or '0')
if current > 0 and tonumber(stored[2]) <= now then current = 0 end
if ARGV[4] == '*' then
  if current == 0 then return {0, current} end
elseif ARGV[4] ~= '' and tonumber(ARGV[4]) ~= current then
  return {0, current}
end
local version = current + 1
local expires = now + tonumber(ARGV[2])
redis.call('HSET', KEYS[1], 'state', ARGV[1], 'version', version,
           'updated', now, 'expires', expires, 'ttl', ARGV[3])
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[2]))
return {1, version, now, expires}
"""
)


@dataclass
class EventState:
    event_key: str
    state_json: str
    version: int
    updated_ms: int
    expires_ms: int
    ttl_seconds: int


class VersionMismatch(Exception):
    """The write's expected version is not the current one (0 when absent)."""

    def __init__(self, current: int):
        super().__init__(current)
        self.current = current


class RedisEventStore:
    def __init__(self, connection=None):
        self.connection = connection or get_redis_connection("default")

    def write(
        self, event_key: str, state_json: str, ttl_seconds: int, expected: str | None
    ) -> EventState:
        script = self.connection.register_script(WRITE_LUA)
        result = script(
            keys=[keys.event_state_key(event_key)],
            args=[
                state_json,
                ttl_seconds * 1000,
                ttl_seconds,
                expected or "",
                clock.override_ms(),
            ],
        )
        if not result[0]:
            raise VersionMismatch(int(result[1]))
        _, version, updated, expires = (int(value) for value in result)
        return EventState(event_key, state_json, version, updated, expires, ttl_seconds)

    def read(self, event_key: str) -> EventState | None:
        fields = self.connection.hmget(
            keys.event_state_key(event_key),
            ["state", "version", "updated", "expires", "ttl"],
        )
        if fields[0] is None:
            return None
        state = EventState(
            event_key,
            fields[0].decode(),
            int(fields[1]),
            int(fields[2]),
            int(fields[3]),
            int(fields[4]),
        )
        if clock.override is not None and state.expires_ms <= clock.override():
            return None
        return state

    def delete(self, event_key: str) -> None:
        self.connection.delete(keys.event_state_key(event_key))


class CacheEventStore:
    lock = threading.Lock()

    def write(
        self, event_key: str, state_json: str, ttl_seconds: int, expected: str | None
    ) -> EventState:
        with self.lock:
            current = self._live(event_key)
            current_version = current.version if current else 0
            if expected == ANY_VERSION:
                if current is None:
                    raise VersionMismatch(0)
            elif expected is not None and int(expected) != current_version:
                raise VersionMismatch(current_version)
            now = clock.local_now_ms()
            state = EventState(
                event_key,
                state_json,
                current_version + 1,
                now,
                now + ttl_seconds * 1000,
                ttl_seconds,
            )
            cache.set(keys.event_state_key(event_key), state, ttl_seconds)
        return state

    def read(self, event_key: str) -> EventState | None:
        return self._live(event_key)

    def delete(self, event_key: str) -> None:
        cache.delete(keys.event_state_key(event_key))

    def _live(self, event_key: str) -> EventState | None:
        state = cache.get(keys.event_state_key(event_key))
        if state is None or state.expires_ms <= clock.local_now_ms():
            return None
        return state


def event_store():
    from django.conf import settings

    if settings.CACHE_BACKEND_NAME == "redis":
        return RedisEventStore()
    return CacheEventStore()
