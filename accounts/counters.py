"""Atomic counters for the login and API throttles.

Two stores give the same results. ``RedisCounterStore`` runs each operation
as one Lua script, so it is one round trip and atomic across every process.
``LocalCounterStore`` does the same under a lock in one process, over a
LocMem cache. ``counter_store()`` picks the store for the configured cache.

Each login key kind (pair, IP, username) has three Redis keys.
``<prefix>:throttle:<kind>:<digest>:count`` counts failures within the
window. ``...:block`` exists while the key is blocked. ``...:blocked``
remembers a block until the next attempt after it ends, so that the unblock
can be logged. Every key is written with a TTL.
"""

import math
import threading
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache.backends.locmem import LocMemCache
from django_redis import get_redis_connection

from brocode_site import clock

# A reservation refused only because other attempts on the key are still
# being checked: try again after this many milliseconds.
IN_FLIGHT_RETRY_MS = 1000


@dataclass(frozen=True)
class LoginKey:
    """One login counter: its kind, the hashed key and its failure limit."""

    kind: str
    digest: str
    limit: int


@dataclass
class Reservation:
    allowed: bool
    retry_after_ms: int = 0
    blocked_kinds: list[str] = field(default_factory=list)
    unblocked: list[LoginKey] = field(default_factory=list)

    @property
    def retry_after_seconds(self) -> int:
        return max(1, math.ceil(self.retry_after_ms / 1000))


def redis_key(*parts: str) -> str:
    return ":".join((settings.REDIS_KEY_PREFIX, "throttle", *parts))


def login_redis_keys(key: LoginKey) -> list[str]:
    base = redis_key(key.kind, key.digest)
    return [f"{base}:count", f"{base}:block", f"{base}:blocked"]


# KEYS: count, block and blocked keys of each login key, in that order.
# ARGV: window in ms, then the limit of each login key.
# Returns {allowed, retry_after_ms, blocked indexes, unblocked indexes}.
RESERVE_LUA = """
local window = tonumber(ARGV[1])
local n = #KEYS / 3
local retry, blocked, unblocked = 0, {}, {}
for i = 1, n do
  local ttl = redis.call('PTTL', KEYS[3 * i - 1])
  if ttl > 0 then
    if ttl > retry then retry = ttl end
    table.insert(blocked, i)
  elseif redis.call('DEL', KEYS[3 * i]) == 1 then
    table.insert(unblocked, i)
  end
end
if #blocked > 0 then return {0, retry, blocked, unblocked} end
for i = 1, n do
  local count = tonumber(redis.call('GET', KEYS[3 * i - 2]) or '0')
  if count >= tonumber(ARGV[i + 1]) then
    return {0, tonumber(ARGV[n + 2]), {}, unblocked}
  end
end
for i = 1, n do
  if redis.call('INCR', KEYS[3 * i - 2]) == 1 then
    redis.call('PEXPIRE', KEYS[3 * i - 2], window)
  end
end
return {1, 0, {}, unblocked}
"""

# KEYS as for RESERVE_LUA. ARGV: block ms, blocked-marker ms, then limits.
# Returns the indexes of the keys that this failure blocked.
FAILURE_LUA = """
local n = #KEYS / 3
local newly = {}
for i = 1, n do
  local count = tonumber(redis.call('GET', KEYS[3 * i - 2]) or '0')
  if count >= tonumber(ARGV[i + 2]) then
    if redis.call('SET', KEYS[3 * i - 1], '1', 'PX', ARGV[1], 'NX') then
      redis.call('SET', KEYS[3 * i], '1', 'PX', ARGV[2])
      table.insert(newly, i)
    end
    redis.call('DEL', KEYS[3 * i - 2])
  end
end
return newly
"""

# KEYS[1]: the count key to clear; KEYS[2..]: count keys whose reservation
# is released.
SUCCESS_LUA = """
redis.call('DEL', KEYS[1])
for i = 2, #KEYS do
  local count = tonumber(redis.call('GET', KEYS[i]) or '0')
  if count > 1 then
    redis.call('DECR', KEYS[i])
  else
    redis.call('DEL', KEYS[i])
  end
end
return 1
"""

# KEYS[1]: the rate counter. ARGV[1]: window in ms. Returns {count, ttl ms}.
HIT_LUA = """
local count = redis.call('INCR', KEYS[1])
local ttl = redis.call('PTTL', KEYS[1])
if count == 1 or ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return {count, ttl}
"""


class RedisCounterStore:
    def __init__(self, connection=None):
        self.connection = connection or get_redis_connection("default")

    def _run(self, lua: str, keys: list[str], args: list):
        return self.connection.register_script(lua)(keys=keys, args=args)

    def reserve_login(self, keys: list[LoginKey], window_seconds: int) -> Reservation:
        redis_keys = [name for key in keys for name in login_redis_keys(key)]
        args = [window_seconds * 1000, *(key.limit for key in keys)]
        args.append(IN_FLIGHT_RETRY_MS)
        allowed, retry_ms, blocked, unblocked = self._run(RESERVE_LUA, redis_keys, args)
        return Reservation(
            allowed=bool(allowed),
            retry_after_ms=int(retry_ms),
            blocked_kinds=[keys[index - 1].kind for index in blocked],
            unblocked=[keys[index - 1] for index in unblocked],
        )

    def record_login_failure(
        self, keys: list[LoginKey], block_seconds: int
    ) -> list[LoginKey]:
        redis_keys = [name for key in keys for name in login_redis_keys(key)]
        block_ms = block_seconds * 1000
        marker_ms = block_ms + settings.LOGIN_FAILURE_WINDOW_SECONDS * 1000
        args = [block_ms, marker_ms, *(key.limit for key in keys)]
        newly = self._run(FAILURE_LUA, redis_keys, args)
        return [keys[index - 1] for index in newly]

    def record_login_success(self, cleared: LoginKey, released: list[LoginKey]):
        redis_keys = [login_redis_keys(cleared)[0]]
        redis_keys += [login_redis_keys(key)[0] for key in released]
        self._run(SUCCESS_LUA, redis_keys, [])

    def hit(self, name: str, window_seconds: int) -> tuple[int, int]:
        """Count one request on a rate key; return the count and TTL in ms."""
        count, ttl = self._run(
            HIT_LUA, [redis_key("rate", name)], [window_seconds * 1000]
        )
        return int(count), int(ttl)


class LocalCounterStore:
    """The same operations over a LocMem cache, atomic within this process.

    Entries are ``(value, expires_at)`` pairs checked against the project
    clock, so tests can move time; the cache TTL only frees the memory.
    """

    # One lock for every instance: LocMem caches with the same LOCATION
    # share their data across threads, while each thread gets its own
    # cache object.
    lock = threading.Lock()

    def __init__(self, cache):
        self.cache = cache

    def _get(self, key: str):
        stored = self.cache.get(key)
        if stored is None or stored[1] <= clock.timestamp():
            return None
        return stored[0]

    def _ttl_ms(self, key: str) -> int:
        stored = self.cache.get(key)
        if stored is None:
            return 0
        return max(0, math.ceil((stored[1] - clock.timestamp()) * 1000))

    def _set(self, key: str, value, ttl_ms: int, expires_at: float | None = None):
        expires_at = expires_at or clock.timestamp() + ttl_ms / 1000
        timeout = max(1, math.ceil(expires_at - clock.timestamp()))
        self.cache.set(key, (value, expires_at), timeout)

    def reserve_login(self, keys: list[LoginKey], window_seconds: int) -> Reservation:
        with self.lock:
            retry, blocked, unblocked = 0, [], []
            for key in keys:
                _, block_key, marker_key = login_redis_keys(key)
                ttl = self._ttl_ms(block_key) if self._get(block_key) else 0
                if ttl > 0:
                    retry = max(retry, ttl)
                    blocked.append(key.kind)
                elif self._get(marker_key) is not None:
                    self.cache.delete(marker_key)
                    unblocked.append(key)
            if blocked:
                return Reservation(False, retry, blocked, unblocked)
            for key in keys:
                if (self._get(login_redis_keys(key)[0]) or 0) >= key.limit:
                    return Reservation(False, IN_FLIGHT_RETRY_MS, [], unblocked)
            for key in keys:
                self._increment(login_redis_keys(key)[0], window_seconds * 1000)
            return Reservation(True, 0, [], unblocked)

    def record_login_failure(
        self, keys: list[LoginKey], block_seconds: int
    ) -> list[LoginKey]:
        newly = []
        with self.lock:
            for key in keys:
                count_key, block_key, marker_key = login_redis_keys(key)
                if (self._get(count_key) or 0) < key.limit:
                    continue
                if self._get(block_key) is None:
                    self._set(block_key, 1, block_seconds * 1000)
                    marker_ms = (
                        block_seconds + settings.LOGIN_FAILURE_WINDOW_SECONDS
                    ) * 1000
                    self._set(marker_key, 1, marker_ms)
                    newly.append(key)
                self.cache.delete(count_key)
        return newly

    def record_login_success(self, cleared: LoginKey, released: list[LoginKey]):
        with self.lock:
            self.cache.delete(login_redis_keys(cleared)[0])
            for key in released:
                count_key = login_redis_keys(key)[0]
                count = self._get(count_key) or 0
                if count > 1:
                    stored = self.cache.get(count_key)
                    self._set(count_key, count - 1, 0, expires_at=stored[1])
                else:
                    self.cache.delete(count_key)

    def hit(self, name: str, window_seconds: int) -> tuple[int, int]:
        with self.lock:
            return self._increment(redis_key("rate", name), window_seconds * 1000)

    def _increment(self, key: str, window_ms: int) -> tuple[int, int]:
        """Add one to a counter, starting its window on the first count."""
        stored = self.cache.get(key)
        if stored is None or stored[1] <= clock.timestamp():
            self._set(key, 1, window_ms)
            return 1, window_ms
        count = stored[0] + 1
        self._set(key, count, 0, expires_at=stored[1])
        return count, self._ttl_ms(key)


_outage_cache = LocMemCache(
    "brocode-throttle-outage", {"OPTIONS": {"MAX_ENTRIES": 1_000_000}}
)
_outage_store = LocalCounterStore(_outage_cache)


def counter_store():
    """Return the counter store of the configured cache."""
    if settings.CACHE_BACKEND_NAME == "redis":
        return RedisCounterStore()
    from django.core.cache import cache

    return LocalCounterStore(cache)


def outage_store() -> LocalCounterStore:
    """Return the per-process store used while Redis is unreachable."""
    return _outage_store
