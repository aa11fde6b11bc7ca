"""Inputs and faults found by trying to break the service."""

import pytest
import redis
from django.core.cache import cache
from django.db import DatabaseError

from accounts.models import Session, User
from brocode_site.cache import pending_writes
from tests.conftest import bearer
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def admin_token(cache_backend, login):
    UserFactory(username="brocode", role=User.Role.ADMIN)
    return login("brocode")["token"]


@pytest.mark.parametrize("depth", [1000, 100_000])
def test_deeply_nested_json_is_400(client, cache_backend, depth):
    body = "[" * depth + "]" * depth

    response = client.post("/api/auth/login", body, content_type="application/json")

    assert response.status_code == 400
    assert response.json()["code"] == "invalid_json"


def test_huge_integer_json_is_400(client, cache_backend):
    body = '{"username": ' + "9" * 5000 + ', "password": "x"}'

    response = client.post("/api/auth/login", body, content_type="application/json")

    assert response.status_code == 400
    assert response.json()["code"] == "invalid_json"
    assert "set_int_max_str_digits" not in response.json()["error"]


@pytest.mark.parametrize("odd_id", ["%C2%B2", "%EF%BC%91", "%D9%A1", "0x1", "1%20"])
def test_non_ascii_digit_ids_are_404(client, admin_token, odd_id):
    headers = bearer(admin_token)

    user = client.delete(f"/api/users/{odd_id}", **headers)
    session = client.delete(f"/api/auth/sessions/{odd_id}", **headers)

    assert user.status_code == 404
    assert session.status_code == 404
    assert Session.objects.filter(revoked_at__isnull=True).count() == 1


def test_bulk_deactivation_applies_next_request(client, cache_backend, login):
    UserFactory(username="dhanush")
    token = login("dhanush")["token"]
    assert client.get("/api/auth/me", **bearer(token)).status_code == 200

    User.objects.filter(username="dhanush").update(is_active=False)

    assert client.get("/api/auth/me", **bearer(token)).status_code == 401
    assert Session.objects.get().revoked_at is not None


def test_bulk_role_change_applies_next_request(client, cache_backend, login):
    UserFactory(username="dhanush")
    token = login("dhanush")["token"]
    assert client.get("/api/users", **bearer(token)).status_code == 403

    User.objects.filter(username="dhanush").update(role="admin")

    assert client.get("/api/users", **bearer(token)).status_code == 200


@pytest.mark.parametrize(
    "first, second", [("Émile", "émile"), ("ǅemal", "ǆemal"), ("STRASSE", "strasse")]
)
def test_unicode_usernames_differ_in_more_than_case(client, admin_token, first, second):
    body = {"password": "party-at-attibele-2025", "name": "N"}
    created = client.post(
        "/api/users",
        {**body, "username": first},
        content_type="application/json",
        **bearer(admin_token),
    )
    clash = client.post(
        "/api/users",
        {**body, "username": second},
        content_type="application/json",
        **bearer(admin_token),
    )

    assert created.status_code == 201
    assert clash.status_code == 409


def test_login_folds_unicode_case(client, cache_backend, login):
    UserFactory(username="Émile")

    assert login("ÉMILE")["user"]["username"] == "Émile"
    assert login("émile")["user"]["username"] == "Émile"


def test_wrong_method_without_token_is_405(client, cache_backend):
    for method, path in [
        ("put", "/api/auth/me"),
        ("get", "/api/auth/logout"),
        ("post", "/api/bills/x"),
    ]:
        response = getattr(client, method)(path)
        assert response.status_code == 405, path
        assert response.json()["code"] == "method_not_allowed"


def test_head_health(client, cache_backend):
    response = client.head("/api/health")

    assert response.status_code == 200


def test_database_down_is_503(client, cache_backend, login, monkeypatch):
    UserFactory(username="dhanush")
    token = login("dhanush")["token"]

    def broken(*args, **kwargs):
        raise DatabaseError("connection refused")

    monkeypatch.setattr("orders.selectors.Order.objects.all", broken)
    client.raise_request_exception = False
    response = client.get("/api/orders", **bearer(token))

    assert response.status_code == 503
    assert response.json()["code"] == "database_unavailable"


def test_revocation_during_outage_reaches_cache(
    client, cache_backend, login, monkeypatch
):
    if cache_backend == "locmem":
        pytest.skip("LocMem mode checks every session in the database")
    UserFactory(username="dhanush")
    token = login("dhanush")["token"]
    assert client.get("/api/auth/me", **bearer(token)).status_code == 200

    def unreachable(*args, **kwargs):
        raise redis.exceptions.ConnectionError("Redis is down")

    with monkeypatch.context() as patch:
        patch.setattr(cache, "set_many", unreachable)
        assert client.post("/api/auth/logout", **bearer(token)).status_code == 204
    assert pending_writes.writes, "the failed marker write should be pending"
    # Redis is back: the cached copy is still there until the retry lands.
    assert pending_writes.retry_now() == 0

    assert client.get("/api/auth/me", **bearer(token)).status_code == 401


@pytest.mark.parametrize(
    "params",
    [
        {"to": "9999-12-31T23:59:59-05:00"},
        {"from": "0001-01-01T00:00:00+05:00"},
        {"from": "9999-12-31T23:59:59.999999-00:01"},
    ],
)
def test_out_of_range_order_dates_are_400(client, cache_backend, login, params):
    UserFactory(username="dhanush")
    token = login("dhanush")["token"]

    response = client.get("/api/orders", params, **bearer(token))

    assert response.status_code == 400
    assert set(response.json()["fields"]) == set(params)


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01"])
def test_extreme_filter_days_allowed(client, cache_backend, login, day):
    UserFactory(username="dhanush")
    token = login("dhanush")["token"]

    response = client.get("/api/orders", {"from": day, "to": day}, **bearer(token))

    assert response.status_code == 200
    assert response.json() == []


@pytest.mark.parametrize("state", ['"\\ud800"', '{"\\ud800": 1}', '["a\\udfff"]'])
def test_lone_surrogate_state_is_400(client, cache_backend, login, state):
    UserFactory(username="dhanush")
    token = login("dhanush")["token"]

    response = client.put(
        "/api/events/state/evt",
        '{"state": ' + state + "}",
        content_type="application/json",
        **bearer(token),
    )

    assert response.status_code == 400
    assert "state" in response.json()["fields"]


@pytest.mark.parametrize(
    "method, path, body",
    [
        ("post", "/api/presence/heartbeat", '{"status": "\\ud800"}'),
        ("post", "/api/users", '{"username": "x", "password": "p", "role": "\\ud800"}'),
        (
            "post",
            "/api/catalog/items",
            '{"category": "\\ud800", "name": "n", "price": 1}',
        ),
    ],
)
def test_surrogate_in_choice_is_400(client, admin_token, method, path, body):
    response = getattr(client, method)(
        path, body, content_type="application/json", **bearer(admin_token)
    )

    assert response.status_code == 400
    assert response.json()["code"] == "validation_error"


def test_too_large_body_has_cors_headers(client, cache_backend, settings):
    settings.CORS_ALLOWED_ORIGINS = ["https://app.example.com"]

    response = client.post(
        "/api/orders",
        b"x" * 300_000,
        content_type="application/json",
        HTTP_ORIGIN="https://app.example.com",
    )

    assert response.status_code == 413
    assert response["Access-Control-Allow-Origin"] == "https://app.example.com"


def test_leading_zero_user_id_is_404(client, admin_token):
    member = UserFactory(username="member")

    response = client.delete(f"/api/users/0{member.pk}", **bearer(admin_token))

    assert response.status_code == 404
    assert User.objects.filter(pk=member.pk).exists()


def test_non_ascii_names_are_escaped(client, cache_backend, login):
    UserFactory(username="Émile", name="Émile")

    body = login("Émile")

    assert body["user"]["name"] == "Émile"
