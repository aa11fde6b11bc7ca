"""HTTP caching of the reads, CORS on cached bodies, and cache faults."""

import socket
import threading
import time

import pytest
from django.core.cache import caches

from brocode_site.cache import breaker
from tests.conftest import redis_caches
from tests.factories import CatalogItemFactory

pytestmark = pytest.mark.django_db

ORIGIN = "https://app.brocode.example"


@pytest.fixture
def item(cache_backend):
    return CatalogItemFactory(id="d-1", name="Beer", price=180)


def page_keys() -> int:
    """Return how many page-cache entries exist (LocMem or Redis)."""
    pages = caches["pages"]
    if hasattr(pages, "_cache"):
        return sum(1 for key in pages._cache if ":pages:" in key)
    client = pages.client.get_client()
    return sum(1 for _ in client.scan_iter(match=f"{pages.key_prefix}:*pages:*"))


def test_etag_and_304(client, item):
    first = client.get("/api/catalog")
    etag = first["ETag"]

    cached = client.get("/api/catalog", HTTP_IF_NONE_MATCH=etag)
    stale = client.get("/api/catalog", HTTP_IF_NONE_MATCH='"other"')

    assert cached.status_code == 304
    assert cached.content == b""
    assert stale.status_code == 200
    assert stale["ETag"] == etag


@pytest.mark.django_db(transaction=True)
def test_etag_changes_with_content(client, item):
    before = client.get("/api/catalog/drinks")["ETag"]

    item.name = "Renamed"
    item.save()

    after = client.get("/api/catalog/drinks", HTTP_IF_NONE_MATCH=before)
    assert after.status_code == 200
    assert after["ETag"] != before


def test_head_does_not_poison_get(client, item):
    head = client.head("/api/catalog/drinks")
    get = client.get("/api/catalog/drinks")

    assert head.status_code == 200
    assert head.content == b""
    assert get.json() == [{"id": "d-1", "name": "Beer", "price": 180}]


def test_get_then_head(client, item):
    client.get("/api/catalog/drinks")

    head = client.head("/api/catalog/drinks")

    assert head.status_code == 200
    assert head.content == b""


def test_query_strings_do_not_fill_cache(client, item):
    client.get("/api/catalog")
    stored = page_keys()

    for number in range(20):
        response = client.get(f"/api/catalog?random={number}")
        assert response.status_code == 200
        assert response.json()["drinks"][0]["id"] == "d-1"

    assert page_keys() == stored


def test_cached_read_makes_no_query(client, item, django_assert_num_queries):
    client.get("/api/spots")

    with django_assert_num_queries(0):
        client.get("/api/spots")


@pytest.mark.parametrize("path", ["/api/catalog", "/api/spots", "/api/catalog/food"])
def test_cors_on_cached_reads(client, item, settings, path):
    settings.CORS_ALLOWED_ORIGINS = [ORIGIN]
    client.get(path, HTTP_ORIGIN="https://evil.example")

    allowed = client.get(path, HTTP_ORIGIN=ORIGIN)
    foreign = client.get(path, HTTP_ORIGIN="https://evil.example")

    assert allowed["Access-Control-Allow-Origin"] == ORIGIN
    assert "origin" in allowed["Vary"].lower()
    assert "Access-Control-Allow-Origin" not in foreign
    expose = allowed["Access-Control-Expose-Headers"].lower()
    for header in ("etag", "retry-after", "x-total-count"):
        assert header in expose


@pytest.mark.parametrize(
    "path, method",
    [
        ("/api/events/state/party", "PUT"),
        ("/api/catalog/items/d-1", "PATCH"),
        ("/api/spots/spot-1", "DELETE"),
        ("/api/orders", "POST"),
    ],
)
def test_cors_preflight(client, settings, path, method):
    settings.CORS_ALLOWED_ORIGINS = [ORIGIN]

    response = client.options(
        path,
        HTTP_ORIGIN=ORIGIN,
        HTTP_ACCESS_CONTROL_REQUEST_METHOD=method,
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS=(
            "authorization, content-type, if-match, if-none-match, idempotency-key"
        ),
    )

    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == ORIGIN
    assert method in response["Access-Control-Allow-Methods"]
    allowed_headers = response["Access-Control-Allow-Headers"].lower()
    for header in (
        "authorization",
        "content-type",
        "if-match",
        "if-none-match",
        "idempotency-key",
    ):
        assert header in allowed_headers


def test_cors_preflight_foreign_origin(client, settings):
    settings.CORS_ALLOWED_ORIGINS = [ORIGIN]

    response = client.options(
        "/api/orders",
        HTTP_ORIGIN="https://evil.example",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST",
    )

    assert "Access-Control-Allow-Origin" not in response


# Faults of the cache


def test_garbage_bytes_are_a_miss(client, cache_backend, item, login):
    if cache_backend == "locmem":
        pytest.skip("only a Redis key can hold bytes written by someone else")
    from django.core.cache import cache

    from tests.conftest import bearer
    from tests.factories import UserFactory

    UserFactory(username="dhanush")
    token = login("dhanush")["token"]
    client.get("/api/auth/me", **bearer(token))
    client.get("/api/catalog")
    raw = cache.client.get_client()
    prefix = cache.key_prefix
    for key in raw.scan_iter(match=f"{prefix}:*"):
        if raw.type(key) == b"string":
            raw.set(key, b"\x80\x04garbage\xff", keepttl=True)

    assert client.get("/api/catalog").status_code == 200
    assert client.get("/api/auth/me", **bearer(token)).status_code == 200
    assert client.get("/api/health").json()["cache"]["ok"] is True


class SilentServer:
    """A TCP server that accepts connections and never replies, like a hung
    Redis."""

    def __init__(self):
        self.socket = socket.socket()
        self.socket.bind(("127.0.0.1", 0))
        self.socket.listen(64)
        self.port = self.socket.getsockname()[1]
        self.connections = []
        self.running = True
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while self.running:
            try:
                connection, _ = self.socket.accept()
            except OSError:
                return
            self.connections.append(connection)

    def close(self):
        self.running = False
        self.socket.close()
        for connection in self.connections:
            connection.close()


@pytest.fixture
def hung_redis(settings):
    server = SilentServer()
    settings.CACHES = redis_caches(f"redis://127.0.0.1:{server.port}/0", "test-hung")
    for alias in settings.CACHES.values():
        alias["OPTIONS"]["SOCKET_TIMEOUT"] = 0.25
        alias["OPTIONS"]["SOCKET_CONNECT_TIMEOUT"] = 0.25
    settings.CACHE_BACKEND_NAME = "redis"
    settings.CACHE_BREAKER_SECONDS = 30
    yield server
    server.close()
    breaker.open_until = 0.0


def test_hung_redis_fails_fast(client, hung_redis, login):
    from tests.conftest import bearer
    from tests.factories import UserFactory

    CatalogItemFactory(id="d-1")
    UserFactory(username="dhanush")
    client.get("/api/health")  # The first request trips the breaker.

    durations = []
    statuses = []
    token = None
    for _ in range(3):
        started = time.monotonic()
        statuses.append(client.get("/api/catalog").status_code)
        response = client.post(
            "/api/auth/login",
            {"username": "dhanush", "password": "correct-horse-battery-staple"},
            content_type="application/json",
        )
        token = response.json()["token"]
        statuses.append(response.status_code)
        statuses.append(client.get("/api/auth/me", **bearer(token)).status_code)
        statuses.append(
            client.post(
                "/api/presence/heartbeat",
                {},
                content_type="application/json",
                **bearer(token),
            ).status_code
        )
        durations.append(time.monotonic() - started)

    assert statuses == [200, 200, 200, 503] * 3
    assert max(durations) < 0.2
    health = client.get("/api/health").json()
    assert health["status"] == "degraded"
    assert health["cache"] == {"backend": "redis", "ok": False}
