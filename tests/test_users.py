"""The admin-only user endpoints."""

import pytest

from accounts.models import Session, User
from tests.conftest import bearer
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

STRONG_PASSWORD = "party-at-attibele-2025"


@pytest.fixture
def admin_token(cache_backend, login):
    UserFactory(username="brocode", role=User.Role.ADMIN)
    return login("brocode")["token"]


@pytest.fixture
def member_token(cache_backend, login):
    UserFactory(username="dhanush")
    return login("dhanush")["token"]


def create(client, token, **fields):
    body = {"username": "kiran", "password": STRONG_PASSWORD, "name": "Kiran"}
    body.update(fields)
    body = {key: value for key, value in body.items() if value is not None}
    return client.post(
        "/api/users", body, content_type="application/json", **bearer(token)
    )


def test_create_user_returns_201(client, admin_token):
    response = create(client, admin_token, role="guest")

    assert response.status_code == 201
    body = response.json()
    assert body == {
        "id": body["id"],
        "username": "kiran",
        "name": "Kiran",
        "role": "guest",
    }
    user = User.objects.get(username="kiran")
    assert str(user.pk) == body["id"]
    assert user.check_password(STRONG_PASSWORD)


def test_created_user_can_log_in(client, admin_token, login):
    create(client, admin_token)

    assert login("kiran", STRONG_PASSWORD)["user"]["role"] == "user"


@pytest.mark.parametrize("password", ["short", "password", "12345678901", "Kiran"])
def test_create_user_weak_password_is_400(client, admin_token, password):
    response = create(client, admin_token, password=password)

    assert response.status_code == 400
    assert "password" in response.json()["fields"]
    assert not User.objects.filter(username="kiran").exists()


@pytest.mark.parametrize("role", ["superuser", "", "ADMIN", 3])
def test_create_user_unknown_role_is_400(client, admin_token, role):
    response = create(client, admin_token, role=role)

    assert response.status_code == 400
    assert "role" in response.json()["fields"]


@pytest.mark.parametrize(
    "fields, field",
    [
        ({"username": None}, "username"),
        ({"username": ""}, "username"),
        ({"username": "has space"}, "username"),
        ({"username": "x" * 151}, "username"),
        ({"password": None}, "password"),
        ({"name": "n" * 151}, "name"),
    ],
)
def test_create_user_invalid_field_is_400(client, admin_token, fields, field):
    response = create(client, admin_token, **fields)

    assert response.status_code == 400
    assert field in response.json()["fields"]


def test_create_user_taken_username_is_409(client, admin_token):
    assert create(client, admin_token).status_code == 201

    response = create(client, admin_token, username="KIRAN")

    assert response.status_code == 409
    assert response.json()["code"] == "username_taken"
    assert User.objects.filter(username__iexact="kiran").count() == 1


def test_create_user_needs_admin(client, member_token):
    response = create(client, member_token)

    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"


def test_create_user_needs_token(client, cache_backend):
    response = client.post("/api/users", {}, content_type="application/json")

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Bearer"


def test_list_users(client, admin_token, member_token):
    response = client.get("/api/users", **bearer(admin_token))

    assert response.status_code == 200
    assert [user["username"] for user in response.json()] == ["brocode", "dhanush"]
    assert set(response.json()[0]) == {"id", "username", "name", "role"}


def test_list_users_needs_admin(client, member_token):
    response = client.get("/api/users", **bearer(member_token))

    assert response.status_code == 403


def test_delete_user_revokes_sessions(client, admin_token, member_token):
    member = User.objects.get(username="dhanush")
    assert client.get("/api/auth/me", **bearer(member_token)).status_code == 200

    response = client.delete(f"/api/users/{member.pk}", **bearer(admin_token))

    assert response.status_code == 204
    assert not User.objects.filter(pk=member.pk).exists()
    assert not Session.objects.filter(user_id=member.pk).exists()
    assert client.get("/api/auth/me", **bearer(member_token)).status_code == 401


@pytest.mark.parametrize("user_id", ["999999", "abc", "-1", "1e3", "9" * 40])
def test_delete_unknown_user_is_404(client, admin_token, user_id):
    response = client.delete(f"/api/users/{user_id}", **bearer(admin_token))

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_delete_self_is_400(client, admin_token):
    admin = User.objects.get(username="brocode")

    response = client.delete(f"/api/users/{admin.pk}", **bearer(admin_token))

    assert response.status_code == 400
    assert User.objects.filter(pk=admin.pk).exists()


def test_delete_user_needs_admin(client, admin_token, member_token):
    admin = User.objects.get(username="brocode")

    response = client.delete(f"/api/users/{admin.pk}", **bearer(member_token))

    assert response.status_code == 403
    assert User.objects.filter(pk=admin.pk).exists()
