"""Realtime on a real Redis server: round trips, scale and outages.

These are backend-specific: round trips are counted on the Redis client,
and the outage test stops a Redis server that it started itself.
"""

import time
import uuid

import pytest
from django_redis import get_redis_connection

from realtime import keys
from realtime.presence import HEARTBEAT_LUA, RedisPresenceStore
from tests.conftest import TEST_REDIS_URL, redis_caches
from tests.servers import RedisServer, require_redis_server

pytestmark = pytest.mark.django_db


@pytest.fixture
def real_redis(settings, isolated_cache):
    from tests.conftest import require_real_redis

    client = require_real_redis()
    settings.CACHES = redis_caches(TEST_REDIS_URL, isolated_cache)
    settings.CACHE_BACKEND_NAME = "redis"
    yield get_redis_connection("default")
    found = list(client.scan_iter(match=f"{isolated_cache}:*", count=5000))
    for start in range(0, len(found), 1000):
        client.delete(*found[start : start + 1000])


class CountingConnection:
    """Count the commands sent by a redis-py client: one per round trip."""

    def __init__(self, connection, monkeypatch):
        self.calls = []
        original = connection.execute_command

        def counting(*args, **kwargs):
            self.calls.append(args[0])
            return original(*args, **kwargs)

        monkeypatch.setattr(connection, "execute_command", counting)


def fill_spot(connection, spot_id: str, count: int) -> None:
    script = connection.register_script(HEARTBEAT_LUA)
    pipe = connection.pipeline(transaction=False)
    for number in range(count):
        user_id = str(100_000 + number)
        script(
            keys=[keys.presence_all_key(), keys.presence_user_key(user_id)],
            args=[
                user_id,
                f'{{"user":{{"userId":"{user_id}"}},"status":"online"}}',
                spot_id,
                60_000,
                keys.presence_spot_prefix(),
                "",
            ],
            client=pipe,
        )
    pipe.execute()


@pytest.mark.parametrize("members", [10, 10_000])
def test_round_trips_do_not_grow(real_redis, monkeypatch, members):
    fill_spot(real_redis, "spot-big", members)
    store = RedisPresenceStore(real_redis)
    user = {"userId": "7", "username": "u", "name": "U", "role": "user"}
    store.heartbeat(user, "spot-big", "online")  # Loads the scripts once.
    store.active("spot-big")
    store.leave("7")
    counter = CountingConnection(real_redis, monkeypatch)

    store.heartbeat(user, "spot-big", "online")
    heartbeat_calls = len(counter.calls)
    listed = store.active("spot-big")
    list_calls = len(counter.calls) - heartbeat_calls
    store.leave("7")
    leave_calls = len(counter.calls) - heartbeat_calls - list_calls

    assert heartbeat_calls == 1
    assert list_calls == 1
    assert leave_calls == 1
    assert len(listed) == members + 1


def test_listing_uses_redis_time(real_redis):
    store = RedisPresenceStore(real_redis)
    user = {"userId": "8", "username": "u", "name": "U", "role": "user"}

    entry = store.heartbeat(user, None, "online")

    server_seconds, _ = real_redis.time()
    assert abs(entry.updated_ms / 1000 - server_seconds) < 5


@pytest.fixture
def own_redis(settings):
    """A Redis server of this test's own, which the test may stop."""
    require_redis_server()
    server = RedisServer()
    server.start()
    settings.CACHES = redis_caches(server.url, f"own-{uuid.uuid4().hex[:8]}")
    settings.CACHE_BACKEND_NAME = "redis"
    yield server
    server.stop()


def test_stopped_redis_gives_503_then_recovers(client, own_redis, settings):
    from accounts import services
    from tests.conftest import bearer
    from tests.factories import UserFactory

    user = UserFactory(username="ram")
    token, _ = services.start_session(user, "127.0.0.1", "tests")
    auth = bearer(token)
    heartbeat = lambda: client.post(  # noqa: E731
        "/api/presence/heartbeat", {}, content_type="application/json", **auth
    )
    assert heartbeat().status_code == 200

    own_redis.stop()
    started = time.monotonic()
    responses = [
        heartbeat(),
        client.get("/api/presence/active", **auth),
        client.get("/api/events/state/k", **auth),
        client.put(
            "/api/events/state/k", {"state": 1}, content_type="application/json", **auth
        ),
    ]
    elapsed = time.monotonic() - started

    for response in responses:
        assert response.status_code == 503
        assert response.json()["code"] == "cache_unavailable"
    assert elapsed < 4, "each request should fail fast on a dead Redis"

    settings.CACHE_BREAKER_SECONDS = 0.5
    own_redis.start()
    deadline = time.monotonic() + 10
    while heartbeat().status_code != 200:
        assert time.monotonic() < deadline, "realtime did not recover"
        time.sleep(0.1)
    assert client.get("/api/presence/active", **auth).json()["count"] == 1
