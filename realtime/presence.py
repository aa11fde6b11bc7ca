"""Presence: who is online, and at which spot.

Two stores give the same results. ``RedisPresenceStore`` keeps a sorted set
of user IDs scored by expiry time for every spot and one for everyone, plus a
hash per user. Heartbeat, leave and list are each one Lua script, so one round
trip, and listing prunes expired members. ``CachePresenceStore`` keeps the
same structures in a LocMem cache, under a lock, for one process.
"""

import json
import threading
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django_redis import get_redis_connection

from . import clock, keys

STATUSES = ("online", "away", "busy")

# KEYS: the everyone set, the user's hash. ARGV: user ID, entry JSON, spot ID
# ("" for none), TTL ms, spot-set key prefix, time override ms ("" for TIME).
# Returns {updated ms, expires ms}.
HEARTBEAT_LUA = (
    clock.now_lua(6)
    + """
local ttl = tonumber(ARGV[4])
local expires = now + ttl
local old_spot = redis.call('HGET', KEYS[2], 'spot')
if old_spot and old_spot ~= '' and old_spot ~= ARGV[3] then
  redis.call('ZREM', ARGV[5] .. old_spot, ARGV[1])
end
if ARGV[3] ~= '' then
  local spot_key = ARGV[5] .. ARGV[3]
  redis.call('ZADD', spot_key, expires, ARGV[1])
  redis.call('PEXPIRE', spot_key, ttl)
end
redis.call('ZADD', KEYS[1], expires, ARGV[1])
redis.call('PEXPIRE', KEYS[1], ttl)
redis.call('HSET', KEYS[2], 'data', ARGV[2], 'spot', ARGV[3],
           'updated', now, 'expires', expires)
redis.call('PEXPIRE', KEYS[2], ttl)
return {now, expires}
"""
)

# KEYS: the everyone set, the user's hash. ARGV: user ID, spot-set prefix.
LEAVE_LUA = """
local old_spot = redis.call('HGET', KEYS[2], 'spot')
if old_spot and old_spot ~= '' then
  redis.call('ZREM', ARGV[2] .. old_spot, ARGV[1])
end
redis.call('ZREM', KEYS[1], ARGV[1])
return redis.call('DEL', KEYS[2])
"""

# KEYS: the set to list. ARGV: user-hash prefix, time override ms, spot ID
# that entries must have ("" for any). Prunes expired members, then returns
# data, spot, updated, expires of each live member, flattened.
LIST_LUA = (
    clock.now_lua(2)
    + """
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
local members = redis.call('ZRANGEBYSCORE', KEYS[1], '(' .. now, '+inf')
local result = {}
for _, member in ipairs(members) do
  local f = redis.call('HMGET', ARGV[1] .. member, 'data', 'spot', 'updated', 'expires')
  if f[1] and tonumber(f[4]) > now and (ARGV[3] == '' or f[2] == ARGV[3]) then
    table.insert(result, f[1])
    table.insert(result, f[2])
    table.insert(result, f[3])
    table.insert(result, f[4])
  end
end
return result
"""
)


@dataclass
class PresenceEntry:
    user: dict
    spot_id: str | None
    status: str
    updated_ms: int
    expires_ms: int


def _sorted(entries: list[PresenceEntry]) -> list[PresenceEntry]:
    return sorted(entries, key=lambda entry: entry.updated_ms, reverse=True)


class RedisPresenceStore:
    def __init__(self, connection=None):
        self.connection = connection or get_redis_connection("default")

    def _run(self, lua: str, script_keys: list[str], args: list):
        return self.connection.register_script(lua)(keys=script_keys, args=args)

    def heartbeat(self, user: dict, spot_id: str | None, status: str) -> PresenceEntry:
        user_id = user["userId"]
        data = json.dumps({"user": user, "status": status}, separators=(",", ":"))
        updated, expires = self._run(
            HEARTBEAT_LUA,
            [keys.presence_all_key(), keys.presence_user_key(user_id)],
            [
                user_id,
                data,
                spot_id or "",
                settings.PRESENCE_TTL_SECONDS * 1000,
                keys.presence_spot_prefix(),
                clock.override_ms(),
            ],
        )
        return PresenceEntry(user, spot_id, status, int(updated), int(expires))

    def leave(self, user_id: str) -> None:
        self._run(
            LEAVE_LUA,
            [keys.presence_all_key(), keys.presence_user_key(user_id)],
            [user_id, keys.presence_spot_prefix()],
        )

    def active(self, spot_id: str | None) -> list[PresenceEntry]:
        set_key = (
            keys.presence_spot_key(spot_id) if spot_id else keys.presence_all_key()
        )
        flat = self._run(
            LIST_LUA,
            [set_key],
            [keys.presence_user_prefix(), clock.override_ms(), spot_id or ""],
        )
        entries = []
        for index in range(0, len(flat), 4):
            data = json.loads(flat[index])
            entries.append(
                PresenceEntry(
                    user=data["user"],
                    spot_id=flat[index + 1].decode() or None,
                    status=data["status"],
                    updated_ms=int(flat[index + 2]),
                    expires_ms=int(flat[index + 3]),
                )
            )
        return _sorted(entries)


class CachePresenceStore:
    """The same structures in Django's cache, atomic within one process."""

    lock = threading.Lock()

    def heartbeat(self, user: dict, spot_id: str | None, status: str) -> PresenceEntry:
        user_id = user["userId"]
        ttl_ms = settings.PRESENCE_TTL_SECONDS * 1000
        with self.lock:
            now = clock.local_now_ms()
            entry = PresenceEntry(user, spot_id, status, now, now + ttl_ms)
            old = cache.get(keys.presence_user_key(user_id))
            if old is not None and old.spot_id and old.spot_id != spot_id:
                self._remove(keys.presence_spot_key(old.spot_id), user_id)
            if spot_id:
                self._add(keys.presence_spot_key(spot_id), user_id, entry.expires_ms)
            self._add(keys.presence_all_key(), user_id, entry.expires_ms)
            cache.set(keys.presence_user_key(user_id), entry, self._timeout(ttl_ms))
        return entry

    def leave(self, user_id: str) -> None:
        with self.lock:
            old = cache.get(keys.presence_user_key(user_id))
            if old is not None and old.spot_id:
                self._remove(keys.presence_spot_key(old.spot_id), user_id)
            self._remove(keys.presence_all_key(), user_id)
            cache.delete(keys.presence_user_key(user_id))

    def active(self, spot_id: str | None) -> list[PresenceEntry]:
        set_key = (
            keys.presence_spot_key(spot_id) if spot_id else keys.presence_all_key()
        )
        with self.lock:
            now = clock.local_now_ms()
            members = {
                user_id: expires
                for user_id, expires in (cache.get(set_key) or {}).items()
                if expires > now
            }
            self._store(set_key, members)
            found = cache.get_many([keys.presence_user_key(user) for user in members])
        entries = [
            entry
            for entry in found.values()
            if entry.expires_ms > now and (spot_id is None or entry.spot_id == spot_id)
        ]
        return _sorted(entries)

    def _add(self, set_key: str, user_id: str, expires_ms: int) -> None:
        members = cache.get(set_key) or {}
        members[user_id] = expires_ms
        self._store(set_key, members)

    def _remove(self, set_key: str, user_id: str) -> None:
        members = cache.get(set_key) or {}
        members.pop(user_id, None)
        self._store(set_key, members)

    def _store(self, set_key: str, members: dict) -> None:
        if not members:
            cache.delete(set_key)
            return
        latest = max(members.values())
        cache.set(set_key, members, self._timeout(latest - clock.local_now_ms()))

    @staticmethod
    def _timeout(ttl_ms: int) -> int:
        return max(1, -(-ttl_ms // 1000))


def presence_store():
    if settings.CACHE_BACKEND_NAME == "redis":
        return RedisPresenceStore()
    return CachePresenceStore()
