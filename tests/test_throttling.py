"""Login brute-force protection and API rates, on every cache backend."""

import logging

import pytest

from accounts import counters, services
from accounts.counters import LoginKey, counter_store, login_redis_keys
from accounts.throttling import LoginAttempt, client_ip
from tests.factories import TEST_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def member(cache_backend):
    return UserFactory(username="dhanush")


@pytest.fixture
def limits(settings):
    settings.LOGIN_MAX_FAILURES_PER_PAIR = 5
    settings.LOGIN_MAX_FAILURES_PER_IP = 20
    settings.LOGIN_MAX_FAILURES_PER_USERNAME = 100
    settings.LOGIN_FAILURE_WINDOW_SECONDS = 900
    settings.LOGIN_BLOCK_SECONDS = 900
    return settings


def attempt(client, username="dhanush", password="wrong", ip="10.0.0.1", **extra):
    return client.post(
        "/api/auth/login",
        {"username": username, "password": password},
        content_type="application/json",
        REMOTE_ADDR=ip,
        **extra,
    )


def block_ttl_ms(key: LoginKey) -> int:
    """Return the remaining block time of a login key, in milliseconds."""
    store = counter_store()
    block_key = login_redis_keys(key)[1]
    if isinstance(store, counters.RedisCounterStore):
        return store.connection.pttl(block_key)
    return store._ttl_ms(block_key)


def test_pair_blocked_after_limit(client, member, limits):
    for _ in range(5):
        assert attempt(client).status_code == 401

    response = attempt(client, password=TEST_PASSWORD)

    assert response.status_code == 429
    body = response.json()
    assert body["code"] == "login_blocked"
    retry_after = int(response["Retry-After"])
    assert 1 <= retry_after <= 900
    assert body["retryAfterSeconds"] == retry_after


def test_block_is_per_pair(client, member, limits):
    for _ in range(5):
        attempt(client)

    assert attempt(client, ip="10.0.0.2", password=TEST_PASSWORD).status_code == 200
    assert attempt(client, username="someone-else").status_code == 401


def test_success_clears_pair_counter_only(client, member, limits):
    for _ in range(4):
        attempt(client)
    assert attempt(client, password=TEST_PASSWORD).status_code == 200

    for _ in range(5):
        assert attempt(client).status_code == 401
    assert attempt(client).status_code == 429


def test_success_keeps_ip_failures(client, member, limits):
    limits.LOGIN_MAX_FAILURES_PER_IP = 6
    for number in range(4):
        attempt(client, username=f"ghost{number}")
    assert attempt(client, password=TEST_PASSWORD).status_code == 200

    assert attempt(client, username="ghost-a").status_code == 401
    assert attempt(client, username="ghost-b").status_code == 401
    assert attempt(client, username="ghost-c").status_code == 429


def test_ip_blocked_after_limit(client, member, limits):
    for number in range(20):
        assert attempt(client, username=f"user{number}").status_code == 401

    response = attempt(client, username="dhanush", password=TEST_PASSWORD)

    assert response.status_code == 429
    assert attempt(client, ip="10.9.9.9", password=TEST_PASSWORD).status_code == 200


def test_username_blocked_from_any_ip(client, member, limits):
    limits.LOGIN_MAX_FAILURES_PER_USERNAME = 4
    for number in range(4):
        username = "Dhanush" if number % 2 else "DHANUSH"
        assert (
            attempt(client, username=username, ip=f"10.1.0.{number}").status_code == 401
        )

    response = attempt(client, ip="10.2.0.1", password=TEST_PASSWORD)

    assert response.status_code == 429


def test_attempts_while_blocked_do_not_extend(client, member, limits):
    for _ in range(5):
        attempt(client)
    pair = LoginAttempt("dhanush", "10.0.0.1").pair
    before = block_ttl_ms(pair)

    for _ in range(3):
        assert attempt(client).status_code == 429

    assert 0 < block_ttl_ms(pair) <= before


def test_block_lasts_block_seconds(client, member, limits):
    limits.LOGIN_BLOCK_SECONDS = 300
    for _ in range(5):
        attempt(client)

    ttl = block_ttl_ms(LoginAttempt("dhanush", "10.0.0.1").pair)

    assert 299_000 < ttl <= 300_000
    assert int(attempt(client)["Retry-After"]) in {300, 299}


def test_window_set_on_first_failure(client, member, limits):
    attempt(client)
    pair = LoginAttempt("dhanush", "10.0.0.1").pair
    count_key = login_redis_keys(pair)[0]
    store = counter_store()

    def window_ms():
        if isinstance(store, counters.RedisCounterStore):
            return store.connection.pttl(count_key)
        return store._ttl_ms(count_key)

    first = window_ms()
    attempt(client)
    attempt(client)

    assert 0 < first <= 900_000
    assert window_ms() <= first


@pytest.mark.parametrize(
    "username",
    ["x" * 5000, "дхануш", "  padded  ", "tab\there", "emoji🍺", "a\u0000b", "\ud800"],
)
def test_odd_usernames_counted_without_500(client, cache_backend, limits, username):
    statuses = [attempt(client, username=username).status_code for _ in range(6)]

    assert all(status in {400, 401, 429} for status in statuses)
    if statuses[0] == 401:
        assert statuses[:5] == [401] * 5
        assert statuses[5] == 429


def test_blocked_login_skips_password_check(client, member, limits, monkeypatch):
    for _ in range(5):
        attempt(client)
    checks = []
    monkeypatch.setattr(
        services, "check_credentials", lambda *args: checks.append(args) or None
    )

    attempt(client, password=TEST_PASSWORD)

    assert checks == []


def test_block_and_unblock_logged_without_secrets(
    client, member, limits, caplog, fake_clock, cache_backend
):
    caplog.set_level(logging.INFO, logger="accounts.throttling")
    for _ in range(5):
        attempt(client, password="hunter2-secret")

    blocked = [
        r.getMessage() for r in caplog.records if "Login blocked" in r.getMessage()
    ]
    assert len(blocked) == 1
    assert "pair key" in blocked[0]
    assert "hunter2-secret" not in caplog.text
    assert "dhanush" not in caplog.text
    assert "10.0.0.1" not in caplog.text

    if cache_backend != "locmem":
        # Redis expires the block on its own clock; end it as expiry would.
        counter_store().connection.delete(
            login_redis_keys(LoginAttempt("dhanush", "10.0.0.1").pair)[1]
        )
    fake_clock.advance(901)
    assert attempt(client, password=TEST_PASSWORD).status_code == 200
    assert "Login unblocked: pair key" in caplog.text


def test_block_ends_after_block_seconds(client, member, limits, fake_clock):
    """LocMem follows the project clock; Redis keeps time itself."""
    if counter_store().__class__ is counters.RedisCounterStore:
        pytest.skip("Redis expires keys on its own clock, checked by TTL tests")
    for _ in range(5):
        attempt(client)

    fake_clock.advance(899)
    assert attempt(client, password=TEST_PASSWORD).status_code == 429
    fake_clock.advance(2)
    assert attempt(client, password=TEST_PASSWORD).status_code == 200


def test_failures_expire_with_window(client, member, limits, fake_clock):
    if counter_store().__class__ is counters.RedisCounterStore:
        pytest.skip("Redis expires keys on its own clock, checked by TTL tests")
    for _ in range(4):
        attempt(client)

    fake_clock.advance(901)
    for _ in range(5):
        assert attempt(client).status_code == 401


# Client IP


class FakeRequest:
    def __init__(self, remote_addr, forwarded=None):
        self.META = {"REMOTE_ADDR": remote_addr}
        if forwarded is not None:
            self.META["HTTP_X_FORWARDED_FOR"] = forwarded


@pytest.mark.parametrize(
    "proxies, forwarded, expected",
    [
        (0, "1.2.3.4", "10.0.0.1"),
        (0, None, "10.0.0.1"),
        (1, None, "10.0.0.1"),
        (1, "203.0.113.7", "203.0.113.7"),
        (1, "6.6.6.6, 203.0.113.7", "203.0.113.7"),
        (2, "6.6.6.6, 203.0.113.7, 10.0.0.5", "203.0.113.7"),
        (2, "203.0.113.7", "10.0.0.1"),
        (1, "not-an-ip", "10.0.0.1"),
        (1, " , ", "10.0.0.1"),
        (1, "2001:db8::1", "2001:db8::1"),
    ],
)
def test_client_ip_rule(settings, proxies, forwarded, expected):
    settings.TRUSTED_PROXY_COUNT = proxies

    assert client_ip(FakeRequest("10.0.0.1", forwarded)) == expected


def test_spoofed_forwarded_for_changes_nothing(client, member, limits):
    for number in range(5):
        attempt(client, HTTP_X_FORWARDED_FOR=f"198.51.100.{number}")

    response = attempt(client, password=TEST_PASSWORD, HTTP_X_FORWARDED_FOR="1.1.1.1")

    assert response.status_code == 429


def test_trusted_proxy_address_is_the_client(client, member, limits):
    limits.TRUSTED_PROXY_COUNT = 1
    for _ in range(5):
        attempt(client, ip="10.0.0.100", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.7")

    blocked = attempt(
        client,
        ip="10.0.0.100",
        password=TEST_PASSWORD,
        HTTP_X_FORWARDED_FOR="203.0.113.7",
    )
    other = attempt(
        client,
        ip="10.0.0.100",
        password=TEST_PASSWORD,
        HTTP_X_FORWARDED_FOR="203.0.113.8",
    )

    assert blocked.status_code == 429
    assert other.status_code == 200


# API rates


def test_anonymous_rate_limit(client, cache_backend, settings):
    settings.API_RATE_ANON = "3/min"

    statuses = [client.get("/api/catalog").status_code for _ in range(4)]

    assert statuses == [200, 200, 200, 429]
    response = client.get("/api/catalog")
    assert response.json()["code"] == "throttled"
    assert 1 <= int(response["Retry-After"]) <= 60
    assert response.json()["retryAfterSeconds"] == int(response["Retry-After"])


def test_anonymous_rate_is_per_ip(client, cache_backend, settings):
    settings.API_RATE_ANON = "2/min"
    for _ in range(2):
        client.get("/api/catalog", REMOTE_ADDR="10.0.0.1")

    assert client.get("/api/catalog", REMOTE_ADDR="10.0.0.1").status_code == 429
    assert client.get("/api/catalog", REMOTE_ADDR="10.0.0.2").status_code == 200


def test_user_rate_limit(client, member, settings, login):
    settings.API_RATE_USER = "2/min"
    token = login("dhanush")["token"]
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"}

    statuses = [client.get("/api/auth/me", **headers).status_code for _ in range(3)]

    assert statuses == [200, 200, 429]


def test_rate_counter_has_ttl(cache_backend, settings):
    store = counter_store()

    count, ttl_ms = store.hit("anon:probe", 60)
    count, ttl_ms = store.hit("anon:probe", 60)

    assert count == 2
    assert 0 < ttl_ms <= 60_000


def test_login_not_rate_limited_as_api(client, member, limits, settings):
    settings.API_RATE_ANON = "1/min"

    for _ in range(3):
        assert attempt(client, password=TEST_PASSWORD).status_code == 200


@pytest.mark.parametrize("workers, allowed", [(1, 5), (2, 2), (5, 1), (9, 1)])
def test_unreachable_cache_keeps_protection(
    client, member, limits, settings, workers, allowed
):
    from tests.conftest import redis_caches

    settings.CACHES = redis_caches("redis://127.0.0.1:1/0", "test-dead")
    settings.CACHE_BACKEND_NAME = "redis"
    settings.WEB_CONCURRENCY = workers
    counters.outage_store().cache.clear()

    statuses = [attempt(client).status_code for _ in range(allowed + 1)]

    assert statuses == [401] * allowed + [429]
