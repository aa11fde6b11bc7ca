"""Presence and event state, on LocMem, fakeredis and the real Redis."""

import json
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from accounts import services as account_services
from realtime import clock as realtime_clock
from realtime import keys
from tests.conftest import bearer
from tests.factories import SpotFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def moving_clock(fake_clock, monkeypatch):
    """Drive the realtime stores, Redis ones included, from the fake clock."""
    monkeypatch.setattr(
        realtime_clock,
        "override",
        lambda: int(fake_clock.current.timestamp() * 1000),
    )
    return fake_clock


@pytest.fixture
def people(cache_backend):
    users = {
        name: UserFactory(username=name, name=name.title())
        for name in ("ram", "dhanush", "kiran")
    }
    auth = {}
    for name, user in users.items():
        token, _ = account_services.start_session(user, "127.0.0.1", "tests")
        auth[name] = bearer(token)
    SpotFactory(id="spot-a")
    SpotFactory(id="spot-b")
    return users, auth


def heartbeat(client, auth, **body):
    return client.post(
        "/api/presence/heartbeat", body, content_type="application/json", **auth
    )


def active(client, auth, spot_id=None):
    params = {"spotId": spot_id} if spot_id else {}
    return client.get("/api/presence/active", params, **auth)


def names(response):
    return [entry["username"] for entry in response.json()["users"]]


# Presence


def test_heartbeat_returns_entry(client, people, moving_clock, settings):
    users, auth = people

    response = heartbeat(client, auth["ram"], spotId="spot-a", status="busy")

    assert response.status_code == 200
    body = response.json()
    assert body["userId"] == str(users["ram"].pk)
    assert body["username"] == "ram"
    assert body["name"] == "Ram"
    assert body["role"] == "user"
    assert body["spotId"] == "spot-a"
    assert body["status"] == "busy"
    assert body["updatedAt"].endswith("Z")
    assert body["expiresAt"] > body["updatedAt"]


def test_heartbeat_defaults(client, people):
    _, auth = people

    body = heartbeat(client, auth["ram"]).json()

    assert body["spotId"] is None
    assert body["status"] == "online"


@pytest.mark.parametrize(
    "body, field",
    [
        ({"status": "sleeping"}, "status"),
        ({"status": None}, "status"),
        ({"spotId": 42.5}, "spotId"),
        ({"spotId": ["spot-a"]}, "spotId"),
        ({"spotId": "s" * 65}, "spotId"),
    ],
)
def test_heartbeat_invalid_is_400(client, people, body, field):
    _, auth = people

    response = heartbeat(client, auth["ram"], **body)

    assert response.status_code == 400
    assert field in response.json()["fields"]


def test_heartbeat_unknown_spot_is_404(client, people):
    _, auth = people

    response = heartbeat(client, auth["ram"], spotId="spot-unknown")

    assert response.status_code == 404


def test_presence_needs_token(client, people):
    assert client.post("/api/presence/heartbeat").status_code == 401
    assert client.get("/api/presence/active").status_code == 401
    assert client.post("/api/presence/leave").status_code == 401


def test_active_lists_most_recent_first(client, people, moving_clock):
    _, auth = people
    heartbeat(client, auth["ram"], spotId="spot-a")
    moving_clock.advance(1)
    heartbeat(client, auth["dhanush"], spotId="spot-a")
    moving_clock.advance(1)
    heartbeat(client, auth["kiran"], spotId="spot-b")

    everyone = active(client, auth["ram"])
    at_a = active(client, auth["ram"], "spot-a")

    assert names(everyone) == ["kiran", "dhanush", "ram"]
    assert everyone.json()["count"] == 3
    assert names(at_a) == ["dhanush", "ram"]
    assert at_a.json()["count"] == 2


def test_moving_spot_leaves_old_list(client, people):
    _, auth = people
    heartbeat(client, auth["ram"], spotId="spot-a")

    heartbeat(client, auth["ram"], spotId="spot-b")

    assert names(active(client, auth["ram"], "spot-a")) == []
    assert names(active(client, auth["ram"], "spot-b")) == ["ram"]
    assert names(active(client, auth["ram"])) == ["ram"]


def test_one_entry_per_user(client, people):
    _, auth = people
    for status in ("online", "away", "busy"):
        heartbeat(client, auth["ram"], spotId="spot-a", status=status)

    response = active(client, auth["ram"])

    assert response.json()["count"] == 1
    assert response.json()["users"][0]["status"] == "busy"


def test_entry_expires_after_ttl(client, people, moving_clock, settings):
    settings.PRESENCE_TTL_SECONDS = 60
    _, auth = people
    heartbeat(client, auth["ram"], spotId="spot-a")

    moving_clock.advance(59)
    assert names(active(client, auth["dhanush"], "spot-a")) == ["ram"]

    moving_clock.advance(2)
    assert names(active(client, auth["dhanush"], "spot-a")) == []
    assert names(active(client, auth["dhanush"])) == []


def test_listing_prunes_expired_members(client, people, moving_clock, cache_backend):
    _, auth = people
    heartbeat(client, auth["ram"], spotId="spot-a")
    moving_clock.advance(61)
    heartbeat(client, auth["dhanush"], spotId="spot-a")

    active(client, auth["dhanush"], "spot-a")

    members = stored_members(cache_backend, keys.presence_spot_key("spot-a"))
    assert members == {str(people[0]["dhanush"].pk)}


def stored_members(cache_backend, set_key) -> set[str]:
    """Return the user IDs kept in a presence set of the cache."""
    if cache_backend == "locmem":
        from django.core.cache import cache

        return set(cache.get(set_key) or {})
    from django_redis import get_redis_connection

    connection = get_redis_connection("default")
    return {member.decode() for member in connection.zrange(set_key, 0, -1)}


def test_leave_removes_entry(client, people):
    _, auth = people
    heartbeat(client, auth["ram"], spotId="spot-a")

    response = client.post("/api/presence/leave", **auth["ram"])

    assert response.status_code == 204
    assert names(active(client, auth["dhanush"], "spot-a")) == []
    assert names(active(client, auth["dhanush"])) == []


def test_logout_drops_presence(client, people):
    _, auth = people
    heartbeat(client, auth["ram"], spotId="spot-a")

    client.post("/api/auth/logout", **auth["ram"])

    assert names(active(client, auth["dhanush"])) == []


@pytest.mark.django_db(transaction=True)
def test_user_deletion_drops_presence(client, people):
    users, auth = people
    users["kiran"].role = "admin"
    users["kiran"].save()
    heartbeat(client, auth["ram"], spotId="spot-a")

    client.delete(f"/api/users/{users['ram'].pk}", **auth["kiran"])

    assert names(active(client, auth["kiran"])) == []


def test_active_unknown_spot_is_404(client, people):
    _, auth = people

    assert active(client, auth["ram"], "spot-unknown").status_code == 404


def test_every_presence_key_has_ttl(client, people, cache_backend):
    if cache_backend == "locmem":
        pytest.skip("LocMem entries are dropped by their cache timeout")
    from django_redis import get_redis_connection

    _, auth = people
    heartbeat(client, auth["ram"], spotId="spot-a")
    heartbeat(client, auth["ram"], spotId="spot-b")
    connection = get_redis_connection("default")

    realtime_keys = list(connection.scan_iter(match=keys.realtime_key("*")))

    assert realtime_keys
    for key in realtime_keys:
        assert connection.pttl(key) > 0, key


# Event state


def put_state(client, auth, event_key, body, **headers):
    return client.put(
        f"/api/events/state/{event_key}",
        json.dumps(body),
        content_type="application/json",
        **auth,
        **headers,
    )


def test_state_write_and_read(client, people):
    _, auth = people

    written = put_state(client, auth["ram"], "party:1", {"state": {"song": "Naatu"}})
    read = client.get("/api/events/state/party:1", **auth["dhanush"])

    assert written.status_code == 200
    body = written.json()
    assert body["eventKey"] == "party:1"
    assert body["state"] == {"song": "Naatu"}
    assert body["version"] == 1
    assert body["ttlSeconds"] == 120
    assert written["ETag"] == '"1"'
    assert read.status_code == 200
    assert read.json() == body
    assert read["ETag"] == '"1"'


def test_post_writes_like_put(client, people):
    _, auth = people

    response = client.post(
        "/api/events/state/k",
        {"state": [1, 2]},
        content_type="application/json",
        **auth["ram"],
    )

    assert response.status_code == 200
    assert response.json()["state"] == [1, 2]


@pytest.mark.parametrize("value", [None, 0, False, "", [], {}, 1.5, "ünï", 10**30])
def test_any_json_state(client, people, value):
    _, auth = people

    written = put_state(client, auth["ram"], "any", {"state": value})

    assert written.status_code == 200
    assert client.get("/api/events/state/any", **auth["ram"]).json()["state"] == value


def test_version_grows_per_write(client, people):
    _, auth = people

    versions = [
        put_state(client, auth["ram"], "count", {"state": n}).json()["version"]
        for n in range(3)
    ]

    assert versions == [1, 2, 3]


def test_if_match_current_version_writes(client, people):
    _, auth = people
    put_state(client, auth["ram"], "m", {"state": 1})

    response = put_state(client, auth["ram"], "m", {"state": 2}, HTTP_IF_MATCH='"1"')

    assert response.status_code == 200
    assert response.json()["version"] == 2


def test_if_match_stale_version_is_412(client, people):
    _, auth = people
    put_state(client, auth["ram"], "m", {"state": 1})
    put_state(client, auth["ram"], "m", {"state": 2})

    response = put_state(client, auth["ram"], "m", {"state": 3}, HTTP_IF_MATCH='"1"')

    assert response.status_code == 412
    assert response.json()["code"] == "precondition_failed"
    read = client.get("/api/events/state/m", **auth["ram"]).json()
    assert read["state"] == 2
    assert read["version"] == 2


def test_if_match_on_absent_state_is_412(client, people):
    _, auth = people

    response = put_state(client, auth["ram"], "new", {"state": 1}, HTTP_IF_MATCH='"1"')

    assert response.status_code == 412
    assert client.get("/api/events/state/new", **auth["ram"]).status_code == 404


@pytest.mark.parametrize("header", ["one", '"abc"', '"1', "1.5", '""'])
def test_malformed_if_match_is_400(client, people, header):
    _, auth = people

    response = put_state(client, auth["ram"], "m", {"state": 1}, HTTP_IF_MATCH=header)

    assert response.status_code == 400
    assert "If-Match" in response.json()["fields"]


@pytest.mark.django_db(transaction=True)
def test_concurrent_if_match_writers(client, people, cache_backend):
    _, auth = people
    put_state(client, auth["ram"], "race", {"state": 0})
    barrier = threading.Barrier(2)

    def write(value):
        from django.db import connection
        from django.test import Client

        barrier.wait()
        try:
            response = put_state(
                Client(), auth["ram"], "race", {"state": value}, HTTP_IF_MATCH='"1"'
            )
            return response.status_code
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=2) as pool:
        statuses = sorted(pool.map(write, ["a", "b"]))

    assert statuses == [200, 412]
    assert client.get("/api/events/state/race", **auth["ram"]).json()["version"] == 2


def test_if_none_match_gives_304(client, people):
    _, auth = people
    put_state(client, auth["ram"], "cached", {"state": 1})

    same = client.get(
        "/api/events/state/cached", HTTP_IF_NONE_MATCH='"1"', **auth["ram"]
    )
    other = client.get(
        "/api/events/state/cached", HTTP_IF_NONE_MATCH='"9"', **auth["ram"]
    )

    assert same.status_code == 304
    assert same["ETag"] == '"1"'
    assert other.status_code == 200


def test_state_expires_after_ttl(client, people, moving_clock):
    _, auth = people
    put_state(client, auth["ram"], "short", {"state": 1, "ttlSeconds": 10})

    moving_clock.advance(9)
    assert client.get("/api/events/state/short", **auth["ram"]).status_code == 200
    moving_clock.advance(2)
    assert client.get("/api/events/state/short", **auth["ram"]).status_code == 404
    rewritten = put_state(client, auth["ram"], "short", {"state": 2})
    assert rewritten.json()["version"] == 1


def test_state_key_has_redis_ttl(client, people, cache_backend):
    if cache_backend == "locmem":
        pytest.skip("LocMem entries are dropped by their cache timeout")
    from django_redis import get_redis_connection

    _, auth = people
    put_state(client, auth["ram"], "ttl", {"state": 1, "ttlSeconds": 30})

    ttl = get_redis_connection("default").pttl(keys.event_state_key("ttl"))

    assert 29_000 < ttl <= 30_000


def test_delete_state(client, people):
    _, auth = people
    put_state(client, auth["ram"], "gone", {"state": 1})

    response = client.delete("/api/events/state/gone", **auth["ram"])

    assert response.status_code == 204
    assert client.get("/api/events/state/gone", **auth["ram"]).status_code == 404
    assert client.delete("/api/events/state/gone", **auth["ram"]).status_code == 204


@pytest.mark.parametrize("event_key", ["a" * 129, "bad key", "semi;colon", "ü", "a+b"])
def test_invalid_event_key_is_400(client, people, event_key):
    _, auth = people

    response = put_state(client, auth["ram"], event_key, {"state": 1})
    read = client.get(f"/api/events/state/{event_key}", **auth["ram"])

    assert response.status_code == 400
    assert "eventKey" in response.json()["fields"]
    assert read.status_code == 400


def test_longest_event_key_allowed(client, people):
    _, auth = people

    response = put_state(client, auth["ram"], "A-z_0.9:" * 16, {"state": 1})

    assert response.status_code == 200


@pytest.mark.parametrize(
    "body, field",
    [
        ({}, "state"),
        ({"state": 1, "ttlSeconds": 0}, "ttlSeconds"),
        ({"state": 1, "ttlSeconds": 86401}, "ttlSeconds"),
        ({"state": 1, "ttlSeconds": "60"}, "ttlSeconds"),
        ({"state": 1, "ttlSeconds": 1.5}, "ttlSeconds"),
        ({"state": 1, "ttlSeconds": True}, "ttlSeconds"),
        ({"state": 1, "ttlSeconds": None}, "ttlSeconds"),
    ],
)
def test_invalid_state_write_is_400(client, people, body, field):
    _, auth = people

    response = put_state(client, auth["ram"], "k", body)

    assert response.status_code == 400
    assert field in response.json()["fields"]


def test_ttl_bounds_allowed(client, people):
    _, auth = people

    low = put_state(client, auth["ram"], "low", {"state": 1, "ttlSeconds": 1})
    high = put_state(client, auth["ram"], "high", {"state": 1, "ttlSeconds": 86400})

    assert low.status_code == 200
    assert high.status_code == 200
    assert high.json()["ttlSeconds"] == 86400


def test_state_over_limit_is_413(client, people):
    _, auth = people
    limit_fill = "x" * (16384 - 2)  # Two bytes for the JSON quotes.

    at_limit = put_state(client, auth["ram"], "big", {"state": limit_fill})
    over = put_state(client, auth["ram"], "big", {"state": limit_fill + "x"})

    assert at_limit.status_code == 200
    assert over.status_code == 413
    assert over.json()["code"] == "state_too_large"
    assert client.get("/api/events/state/big", **auth["ram"]).json()["version"] == 1


def test_state_size_counts_utf8_bytes(client, people):
    _, auth = people

    response = put_state(client, auth["ram"], "wide", {"state": "ü" * 8192})

    assert response.status_code == 413


def test_event_state_needs_token(client, people):
    assert client.get("/api/events/state/k").status_code == 401
