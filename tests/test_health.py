import pytest
from django.db import DatabaseError

from brocode_site import health

pytestmark = pytest.mark.django_db


def test_health_reports_ok(client, cache_backend):
    response = client.get("/api/health")

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["service"] == "brocode-backend"
    assert body["timestamp"].endswith("Z")
    assert body["cache"] == {
        "backend": "locmem" if cache_backend == "locmem" else "redis",
        "ok": True,
    }
    assert body["database"] == {"ok": True}


def test_health_is_never_cached(client):
    response = client.get("/api/health")

    assert "no-cache" in response["Cache-Control"]


def test_health_degraded_when_cache_fails(client, monkeypatch):
    monkeypatch.setattr(health, "cache_is_ok", lambda: False)

    response = client.get("/api/health")

    assert response.status_code == 200
    assert response.json()["status"] == "degraded"
    assert response.json()["cache"]["ok"] is False


def test_health_503_when_database_fails(client, monkeypatch):
    def failing_cursor():
        raise DatabaseError("connection refused")

    monkeypatch.setattr(health.connection, "cursor", failing_cursor)

    response = client.get("/api/health")

    assert response.status_code == 503
    assert response.json()["database"] == {"ok": False}
    assert response.json()["status"] == "degraded"


def test_health_with_dead_redis(client, settings):
    from tests.conftest import redis_caches

    # Nothing listens on port 1, so every connection is refused at once.
    settings.CACHES = redis_caches("redis://127.0.0.1:1/0", "test-dead")
    settings.CACHE_BACKEND_NAME = "redis"

    response = client.get("/api/health")

    assert response.status_code == 200
    assert response.json()["status"] == "degraded"
    assert response.json()["cache"] == {"backend": "redis", "ok": False}


def test_catalog_served_from_database_with_dead_redis(client, settings):
    from tests.conftest import redis_caches
    from tests.factories import CatalogItemFactory

    CatalogItemFactory(id="d-7", name="Toddy", price=40)
    settings.CACHES = redis_caches("redis://127.0.0.1:1/0", "test-dead")
    settings.CACHE_BACKEND_NAME = "redis"

    response = client.get("/api/catalog/drinks")

    assert response.status_code == 200
    assert response.json() == [{"id": "d-7", "name": "Toddy", "price": 40}]
