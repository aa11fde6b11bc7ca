"""Time of the realtime stores, in milliseconds since the epoch.

The Redis stores take time from the Redis server (``TIME``), so every worker
agrees on it. ``override`` replaces it in every store, so tests can move
time instead of sleeping.
"""

from collections.abc import Callable

override: Callable[[], int] | None = None


def override_ms() -> str:
    """Return the overriding time for a Lua script, or "" to use ``TIME``."""
    return "" if override is None else str(override())


def local_now_ms() -> int:
    if override is not None:
        return override()
    from brocode_site import clock

    return int(clock.timestamp() * 1000)


def now_lua(argv_index: int) -> str:
    """Return Lua that sets ``now`` in ms: ARGV[argv_index], or Redis ``TIME``.

    A Lua script of the realtime stores starts with it, so every worker uses
    the Redis server's clock unless ``override`` passes a time.
    """
    return f"""
local now
if ARGV[{argv_index}] ~= '' then
  now = tonumber(ARGV[{argv_index}])
else
  local t = redis.call('TIME')
  now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
"""
