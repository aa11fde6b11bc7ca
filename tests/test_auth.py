"""Token sessions: login, the bearer check, logout and revocation.

Every test runs on LocMem, fakeredis and the real Redis.
"""

from datetime import timedelta

import pytest
from django.core.cache import caches

from accounts import cache as session_cache
from accounts.models import Session, User
from tests.conftest import bearer
from tests.factories import TEST_PASSWORD, UserFactory

# Revocation runs on transaction commit, so tests commit for real.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def member(cache_backend):
    return UserFactory(username="dhanush", name="Dhanush")


@pytest.fixture
def admin_member(cache_backend):
    return UserFactory(username="brocode", name="Ram", role=User.Role.ADMIN)


def me(client, token):
    return client.get("/api/auth/me", **bearer(token))


# Login


def test_login_returns_token_and_user(client, member, login, settings):
    body = login("dhanush")

    assert body["tokenType"] == "Bearer"
    assert len(body["token"]) >= 43
    assert body["user"] == {
        "id": str(member.pk),
        "username": "dhanush",
        "name": "Dhanush",
        "role": "user",
    }
    assert body["expiresAt"].endswith("Z")


def test_login_expiry_follows_setting(client, member, login, settings, fake_clock):
    settings.SESSION_TTL_SECONDS = 3600

    body = login("dhanush")

    session = Session.objects.get()
    assert session.expires_at == fake_clock.current + timedelta(seconds=3600)
    assert body["expiresAt"].startswith(session.expires_at.strftime("%Y-%m-%dT%H:%M"))


def test_login_username_is_case_insensitive(client, member, login):
    body = login("DHANUSH")

    assert body["user"]["username"] == "dhanush"


@pytest.mark.parametrize(
    "payload, field",
    [
        ({"password": "x"}, "username"),
        ({"username": "dhanush"}, "password"),
        ({"username": "", "password": "x"}, "username"),
        ({"username": "   ", "password": "x"}, "username"),
        ({"username": "dhanush", "password": ""}, "password"),
        ({"username": ["dhanush"], "password": "x"}, "username"),
        ({"username": "dhanush", "password": None}, "password"),
    ],
)
def test_login_missing_field_is_400(client, member, payload, field):
    response = client.post("/api/auth/login", payload, content_type="application/json")

    assert response.status_code == 400
    assert response.json()["code"] == "validation_error"
    assert field in response.json()["fields"]


@pytest.mark.parametrize("body", [b"[]", b'"text"', b"42", b"null"])
def test_login_non_object_body_is_400(client, cache_backend, body):
    response = client.post("/api/auth/login", body, content_type="application/json")

    assert response.status_code == 400


def test_login_malformed_json_is_400(client, cache_backend):
    response = client.post("/api/auth/login", b"{", content_type="application/json")

    assert response.status_code == 400
    assert response.json()["code"] == "invalid_json"


def test_login_failures_look_alike(client, member):
    UserFactory(username="gone", is_active=False)

    bodies = []
    for username, password in [
        ("dhanush", "wrong-password"),
        ("nobody", TEST_PASSWORD),
        ("gone", TEST_PASSWORD),
    ]:
        response = client.post(
            "/api/auth/login",
            {"username": username, "password": password},
            content_type="application/json",
        )
        assert response.status_code == 401
        bodies.append(response.json())

    assert bodies[0] == bodies[1] == bodies[2]
    assert bodies[0]["code"] == "invalid_credentials"


@pytest.mark.parametrize(
    "username",
    ["x" * 10_000, "дхануш", "  spaced  out  ", "tab\tname", "emoji🍺", "a\u0000b"],
)
def test_login_odd_usernames_never_500(client, cache_backend, username):
    response = client.post(
        "/api/auth/login",
        {"username": username, "password": "whatever"},
        content_type="application/json",
    )

    assert response.status_code in {400, 401}
    assert response.json()["code"] in {"validation_error", "invalid_credentials"}


def test_login_records_ip_and_user_agent(client, member, login):
    login("dhanush", HTTP_USER_AGENT="PartyApp/2.0", REMOTE_ADDR="10.1.2.3")

    session = Session.objects.get()
    assert session.ip == "10.1.2.3"
    assert session.user_agent == "PartyApp/2.0"


# Bearer check


def test_me_returns_user(client, member, login):
    token = login("dhanush")["token"]

    response = me(client, token)

    assert response.status_code == 200
    assert response.json()["username"] == "dhanush"


@pytest.mark.parametrize(
    "header",
    [
        None,
        "Bearer",
        "Bearer ",
        "Bearer short",
        "Bearer " + "A" * 43,
        "Basic ZGhhbnVzaDpjaGFuZ2VtZQ==",
        "Bearer " + "é" * 43,
    ],
)
def test_me_rejects_bad_header(client, member, header):
    extra = {"HTTP_AUTHORIZATION": header} if header is not None else {}

    response = client.get("/api/auth/me", **extra)

    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert response.json()["code"] in {"not_authenticated", "invalid_token"}


def test_tampered_token_is_401(client, member, login):
    token = login("dhanush")["token"]
    tampered = token[:-1] + ("A" if token[-1] != "A" else "B")

    response = me(client, tampered)

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Bearer"


def test_expired_token_is_401(client, member, login, settings, fake_clock):
    settings.SESSION_TTL_SECONDS = 600
    token = login("dhanush")["token"]
    assert me(client, token).status_code == 200

    fake_clock.advance(599)
    assert me(client, token).status_code == 200

    fake_clock.advance(2)
    assert me(client, token).status_code == 401


def test_token_never_stored_in_clear(client, member, login, cache_backend):
    token = login("dhanush")["token"]
    assert me(client, token).status_code == 200

    session = Session.objects.get()
    assert token not in str(Session.objects.values().get())
    assert session.token_hash != token
    for value in cached_values(cache_backend):
        assert token.encode() not in value


def cached_values(cache_backend) -> list[bytes]:
    """Return every raw value this test wrote to the cache."""
    import pickle

    if cache_backend == "locmem":
        location = caches["default"]._cache
        return [bytes(value) for value in location.values()]
    client = caches["default"].client.get_client()
    prefix = caches["default"].key_prefix
    values = []
    for key in client.scan_iter(match=f"{prefix}:*"):
        values.append(key)
        if client.type(key) == b"string":
            values.append(client.get(key))
    assert values, "expected the login to write to the cache"
    pickle.dumps(values)
    return values


def test_warm_request_makes_no_session_query(
    client, member, login, cache_backend, django_assert_max_num_queries
):
    token = login("dhanush")["token"]
    me(client, token)

    with django_assert_max_num_queries(0 if cache_backend != "locmem" else 1):
        response = me(client, token)

    assert response.status_code == 200


def test_flushed_cache_logs_nobody_out(client, member, login, flush_cache):
    token = login("dhanush")["token"]
    me(client, token)

    flush_cache()

    assert me(client, token).status_code == 200


def test_unreachable_cache_logs_nobody_out(client, member, login, settings):
    from tests.conftest import redis_caches

    token = login("dhanush")["token"]
    settings.CACHES = redis_caches("redis://127.0.0.1:1/0", "test-dead")
    settings.CACHE_BACKEND_NAME = "redis"

    response = me(client, token)

    assert response.status_code == 200


def test_last_seen_written_once_a_minute(client, member, login, fake_clock):
    token = login("dhanush")["token"]
    logged_in_at = fake_clock.current

    fake_clock.advance(30)
    me(client, token)
    assert Session.objects.get().last_seen_at == logged_in_at

    fake_clock.advance(31)
    me(client, token)
    first_update = Session.objects.get().last_seen_at
    assert first_update == fake_clock.current

    fake_clock.advance(10)
    me(client, token)
    assert Session.objects.get().last_seen_at == first_update


def test_last_seen_not_written_per_request(
    client, member, login, django_assert_max_num_queries
):
    token = login("dhanush")["token"]
    me(client, token)

    with django_assert_max_num_queries(5) as captured:
        for _ in range(5):
            me(client, token)

    updates = [q for q in captured.captured_queries if q["sql"].startswith("UPDATE")]
    assert updates == []


# Logout and revocation


def test_logout_revokes_only_that_token(client, member, login):
    first = login("dhanush")["token"]
    second = login("dhanush")["token"]
    me(client, first)

    response = client.post("/api/auth/logout", **bearer(first))

    assert response.status_code == 204
    assert me(client, first).status_code == 401
    assert me(client, second).status_code == 200
    assert Session.objects.filter(revoked_at__isnull=False).count() == 1


def test_logout_without_token_is_401(client, cache_backend):
    response = client.post("/api/auth/logout")

    assert response.status_code == 401


def test_logout_all_revokes_every_session(client, member, login):
    tokens = [login("dhanush")["token"] for _ in range(3)]
    for token in tokens:
        me(client, token)

    response = client.post("/api/auth/logout-all", **bearer(tokens[0]))

    assert response.status_code == 204
    for token in tokens:
        assert me(client, token).status_code == 401


def test_logout_all_spares_other_users(client, member, admin_member, login):
    mine = login("dhanush")["token"]
    theirs = login("brocode")["token"]

    client.post("/api/auth/logout-all", **bearer(mine))

    assert me(client, theirs).status_code == 200


def test_revoked_marker_survives_late_refill(client, member, login):
    token = login("dhanush")["token"]
    me(client, token)
    session = Session.objects.get()
    client.post("/api/auth/logout", **bearer(token))

    # A request that read the row before the logout committed now refills.
    if session_cache.is_shared():
        session_cache.store_session(session.token_hash, session)

    assert me(client, token).status_code == 401


def test_sessions_lists_active_with_current(client, member, login):
    first = login("dhanush", HTTP_USER_AGENT="Phone")["token"]
    second = login("dhanush", HTTP_USER_AGENT="Laptop")["token"]
    third = login("dhanush")["token"]
    client.post("/api/auth/logout", **bearer(third))

    response = client.get("/api/auth/sessions", **bearer(second))

    assert response.status_code == 200
    sessions = response.json()["sessions"]
    assert len(sessions) == 2
    assert {s["userAgent"] for s in sessions} == {"Phone", "Laptop"}
    current = [s for s in sessions if s["current"]]
    assert len(current) == 1
    assert current[0]["userAgent"] == "Laptop"
    assert set(sessions[0]) == {
        "id",
        "createdAt",
        "lastSeenAt",
        "expiresAt",
        "ip",
        "userAgent",
        "current",
    }
    assert isinstance(sessions[0]["id"], str)
    assert first


def test_delete_own_session_revokes_it(client, member, login):
    phone = login("dhanush")["token"]
    laptop = login("dhanush")["token"]
    me(client, phone)
    phone_id = next(
        s["id"]
        for s in client.get("/api/auth/sessions", **bearer(phone)).json()["sessions"]
        if s["current"]
    )

    response = client.delete(f"/api/auth/sessions/{phone_id}", **bearer(laptop))

    assert response.status_code == 204
    assert me(client, phone).status_code == 401
    assert me(client, laptop).status_code == 200


@pytest.mark.parametrize("session_id", ["other", "999999", "abc", "-1", "1.5"])
def test_delete_foreign_session_is_404(client, member, admin_member, login, session_id):
    mine = login("dhanush")["token"]
    theirs = login("brocode")["token"]
    me(client, theirs)
    if session_id == "other":
        session_id = str(Session.objects.get(user=admin_member).pk)

    response = client.delete(f"/api/auth/sessions/{session_id}", **bearer(mine))

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert me(client, theirs).status_code == 200


# Changes to the user apply on the next request


def test_role_change_applies_next_request(client, member, login):
    token = login("dhanush")["token"]
    assert client.get("/api/users", **bearer(token)).status_code == 403

    member.role = User.Role.ADMIN
    member.save()
    assert client.get("/api/users", **bearer(token)).status_code == 200

    member.role = User.Role.GUEST
    member.save()
    response = client.get("/api/users", **bearer(token))
    assert response.status_code == 403
    assert me(client, token).json()["role"] == "guest"


def test_deactivation_revokes_sessions(client, member, login):
    token = login("dhanush")["token"]
    me(client, token)

    member.is_active = False
    member.save()
    assert me(client, token).status_code == 401

    member.is_active = True
    member.save()
    assert me(client, token).status_code == 401
    assert Session.objects.get().revoked_at is not None


def test_admin_revoke_action(admin_client, client, member, login):
    token = login("dhanush")["token"]
    me(client, token)
    session = Session.objects.get()

    response = admin_client.post(
        "/admin/accounts/session/",
        {"action": "revoke", "_selected_action": [session.pk], "index": 0},
    )

    assert response.status_code == 302
    assert me(client, token).status_code == 401


@pytest.mark.parametrize(
    "path",
    [
        "/admin/accounts/session/",
        "/admin/accounts/session/?status=active",
        "/admin/accounts/session/?status=revoked",
        "/admin/accounts/session/?status=expired",
        "/admin/accounts/session/?q=dhanush",
    ],
)
def test_admin_session_lists_load(admin_client, member, login, path):
    login("dhanush", HTTP_USER_AGENT="Phone")

    response = admin_client.get(path)

    assert response.status_code == 200


def test_admin_user_page_shows_sessions(admin_client, member, login):
    login("dhanush", HTTP_USER_AGENT="SessionInlineAgent")

    response = admin_client.get(f"/admin/accounts/user/{member.pk}/change/")

    assert response.status_code == 200
    assert b"SessionInlineAgent" in response.content


def test_cached_entries_of_other_shape_are_misses(client, member, login, cache_backend):
    if cache_backend == "locmem":
        pytest.skip("LocMem mode checks every session in the database")
    from django.core.cache import cache

    token = login("dhanush")["token"]
    me(client, token)
    session = Session.objects.get()
    cache.set(session_cache.session_key(session.token_hash), {"sid": session.pk}, 60)
    cache.set(session_cache.user_key(member.pk), {"gen": 1}, 60)

    assert me(client, token).status_code == 200
