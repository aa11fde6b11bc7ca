"""Admin writes of catalog items and spots, and invalidation of the reads."""

from decimal import Decimal

import pytest

from accounts import services as account_services
from accounts.models import User
from catalog.models import CatalogItem, Spot
from tests.conftest import bearer
from tests.factories import CatalogItemFactory, SpotFactory, UserFactory

# Invalidation runs on transaction commit, so these tests commit for real.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def admin_auth(cache_backend):
    admin = UserFactory(username="boss", role=User.Role.ADMIN)
    token, _ = account_services.start_session(admin, "127.0.0.1", "tests")
    return bearer(token)


@pytest.fixture
def member_auth(cache_backend):
    member = UserFactory(username="member")
    token, _ = account_services.start_session(member, "127.0.0.1", "tests")
    return bearer(token)


def send(client, method, path, auth, body=None):
    return getattr(client, method)(
        path, body if body is not None else {}, content_type="application/json", **auth
    )


ITEM = {"id": "d-9", "category": "drinks", "name": "Old Monk", "price": 30.5}
SPOT = {"location": "Nandi Hills", "date": "2025-08-15T05:30:00Z"}


# Catalog items


def test_create_item(client, admin_auth):
    response = send(client, "post", "/api/catalog/items", admin_auth, ITEM)

    assert response.status_code == 201
    assert response.json() == ITEM
    assert CatalogItem.objects.get(id="d-9").price == Decimal("30.50")


def test_create_item_generates_id(client, admin_auth):
    body = {key: value for key, value in ITEM.items() if key != "id"}

    response = send(client, "post", "/api/catalog/items", admin_auth, body)

    assert response.status_code == 201
    assert CatalogItem.objects.filter(id=response.json()["id"]).exists()


def test_create_item_shows_in_cached_read(client, admin_auth):
    assert client.get("/api/catalog/drinks").json() == []

    send(client, "post", "/api/catalog/items", admin_auth, ITEM)

    assert client.get("/api/catalog/drinks").json() == [
        {"id": "d-9", "name": "Old Monk", "price": 30.5}
    ]
    assert client.get("/api/catalog").json()["drinks"][0]["id"] == "d-9"


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"price": -1}, "price"),
        ({"price": 100_000_000}, "price"),
        ({"price": 1.234}, "price"),
        ({"price": "abc"}, "price"),
        ({"price": None}, "price"),
        ({"category": "snacks"}, "category"),
        ({"name": ""}, "name"),
        ({"name": "n" * 201}, "name"),
        ({"name": 5}, "name"),
        ({"id": "has space"}, "id"),
        ({"id": "x" * 65}, "id"),
    ],
)
def test_create_item_invalid_is_400(client, admin_auth, changes, field):
    response = send(
        client, "post", "/api/catalog/items", admin_auth, {**ITEM, **changes}
    )

    assert response.status_code == 400
    assert field in response.json()["fields"]
    assert not CatalogItem.objects.exists()


def test_create_item_missing_fields_is_400(client, admin_auth):
    response = send(client, "post", "/api/catalog/items", admin_auth, {})

    assert response.status_code == 400
    assert set(response.json()["fields"]) == {"category", "name", "price"}


def test_create_item_taken_id_is_409(client, admin_auth):
    CatalogItemFactory(id="d-9")

    response = send(client, "post", "/api/catalog/items", admin_auth, ITEM)

    assert response.status_code == 409
    assert response.json()["code"] == "id_taken"


def test_item_writes_need_admin(client, member_auth):
    CatalogItemFactory(id="d-1")

    assert (
        send(client, "post", "/api/catalog/items", member_auth, ITEM).status_code == 403
    )
    assert (
        send(client, "patch", "/api/catalog/items/d-1", member_auth).status_code == 403
    )
    assert (
        send(client, "delete", "/api/catalog/items/d-1", member_auth).status_code == 403
    )
    assert (
        client.post(
            "/api/catalog/items", ITEM, content_type="application/json"
        ).status_code
        == 401
    )


def test_patch_item(client, admin_auth):
    CatalogItemFactory(id="d-1", name="Beer", price=Decimal("180"))
    client.get("/api/catalog/drinks")

    response = send(
        client, "patch", "/api/catalog/items/d-1", admin_auth, {"price": 199}
    )

    assert response.status_code == 200
    assert response.json() == {
        "id": "d-1",
        "category": "drinks",
        "name": "Beer",
        "price": 199,
    }
    assert client.get("/api/catalog/drinks").json()[0]["price"] == 199


def test_patch_item_category_moves_it(client, admin_auth):
    CatalogItemFactory(id="d-1")
    client.get("/api/catalog/food")

    send(client, "patch", "/api/catalog/items/d-1", admin_auth, {"category": "food"})

    assert [item["id"] for item in client.get("/api/catalog/food").json()] == ["d-1"]
    assert client.get("/api/catalog/drinks").json() == []


@pytest.mark.parametrize(
    "body, field",
    [({"price": -5}, "price"), ({"category": "x"}, "category"), ({"id": "d-2"}, "id")],
)
def test_patch_item_invalid_is_400(client, admin_auth, body, field):
    CatalogItemFactory(id="d-1", price=Decimal("180"))

    response = send(client, "patch", "/api/catalog/items/d-1", admin_auth, body)

    assert response.status_code == 400
    assert field in response.json()["fields"]
    assert CatalogItem.objects.get(id="d-1").price == Decimal("180")


def test_unknown_item_is_404(client, admin_auth):
    assert (
        send(client, "patch", "/api/catalog/items/nope", admin_auth).status_code == 404
    )
    assert (
        send(client, "delete", "/api/catalog/items/nope", admin_auth).status_code == 404
    )


def test_delete_item(client, admin_auth):
    CatalogItemFactory(id="d-1")
    client.get("/api/catalog")

    response = send(client, "delete", "/api/catalog/items/d-1", admin_auth)

    assert response.status_code == 204
    assert client.get("/api/catalog").json()["drinks"] == []


# Spots


def test_create_spot_hosted_by_caller(client, admin_auth):
    response = send(
        client, "post", "/api/spots", admin_auth, {**SPOT, "id": "spot-nandi"}
    )

    assert response.status_code == 201
    body = response.json()
    assert body["id"] == "spot-nandi"
    assert body["location"] == "Nandi Hills"
    assert body["date"] == "2025-08-15T05:30:00Z"
    assert body["hostUserId"] == str(User.objects.get(username="boss").pk)
    assert body["description"] == ""
    assert client.get("/api/spots").json()[0]["id"] == "spot-nandi"


def test_create_spot_for_other_host(client, admin_auth):
    host = UserFactory(username="host")

    response = send(
        client, "post", "/api/spots", admin_auth, {**SPOT, "hostUserId": str(host.pk)}
    )

    assert response.status_code == 201
    assert response.json()["hostUserId"] == str(host.pk)


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"date": "next friday"}, "date"),
        ({"date": "2025-02-30T10:00:00Z"}, "date"),
        ({"date": None}, "date"),
        ({"location": ""}, "location"),
        ({"location": None}, "location"),
        ({"hostUserId": "999999"}, "hostUserId"),
        ({"hostUserId": "abc"}, "hostUserId"),
        ({"hostUserId": 1}, "hostUserId"),
        ({"id": "bad id"}, "id"),
    ],
)
def test_create_spot_invalid_is_400(client, admin_auth, changes, field):
    response = send(client, "post", "/api/spots", admin_auth, {**SPOT, **changes})

    assert response.status_code == 400
    assert field in response.json()["fields"]
    assert not Spot.objects.exists()


def test_create_spot_taken_id_is_409(client, admin_auth):
    SpotFactory(id="spot-1")

    response = send(client, "post", "/api/spots", admin_auth, {**SPOT, "id": "spot-1"})

    assert response.status_code == 409


def test_patch_spot(client, admin_auth):
    SpotFactory(id="spot-1", location="Old")
    client.get("/api/spots")

    response = send(
        client,
        "patch",
        "/api/spots/spot-1",
        admin_auth,
        {"location": "New", "description": "BYOB"},
    )

    assert response.status_code == 200
    assert response.json()["location"] == "New"
    assert client.get("/api/spots").json()[0]["description"] == "BYOB"


def test_delete_spot_removes_its_orders(client, admin_auth):
    from orders.models import Order

    spot = SpotFactory(id="spot-1")
    Order.objects.create(spot=spot, user=spot.host, total=1, created_at=spot.date)
    client.get("/api/spots")

    response = send(client, "delete", "/api/spots/spot-1", admin_auth)

    assert response.status_code == 204
    assert client.get("/api/spots").json() == []
    assert not Order.objects.exists()


def test_spot_writes_need_admin(client, member_auth):
    SpotFactory(id="spot-1")

    assert send(client, "post", "/api/spots", member_auth, SPOT).status_code == 403
    assert send(client, "patch", "/api/spots/spot-1", member_auth).status_code == 403
    assert send(client, "delete", "/api/spots/spot-1", member_auth).status_code == 403
    assert client.get("/api/spots").status_code == 200


def test_unknown_spot_is_404(client, admin_auth):
    assert send(client, "patch", "/api/spots/nope", admin_auth).status_code == 404
    assert send(client, "delete", "/api/spots/nope", admin_auth).status_code == 404


# Invalidation by every kind of change


@pytest.mark.parametrize(
    "change",
    [
        lambda: CatalogItem.objects.filter(id="d-1").update(name="Updated"),
        lambda: CatalogItem.objects.bulk_create(
            [CatalogItem(id="d-2", category="drinks", name="Bulk", price=1)]
        ),
        lambda: CatalogItem.objects.bulk_update(
            [CatalogItem(id="d-1", category="drinks", name="Bulk updated", price=1)],
            ["name"],
        ),
        lambda: CatalogItem.objects.filter(id="d-1").delete(),
        lambda: CatalogItem.objects.get(id="d-1").delete(),
    ],
    ids=["update", "bulk_create", "bulk_update", "queryset_delete", "delete"],
)
def test_orm_changes_invalidate(client, cache_backend, change):
    CatalogItemFactory(id="d-1", name="Original")
    before = client.get("/api/catalog/drinks").json()

    change()

    after = client.get("/api/catalog/drinks").json()
    assert after != before


def test_admin_change_invalidates(client, admin_client, cache_backend):
    CatalogItemFactory(id="d-1", name="Original", price=Decimal("10"))
    client.get("/api/catalog/drinks")

    response = admin_client.post(
        "/admin/catalog/catalogitem/d-1/change/",
        {"id": "d-1", "category": "drinks", "name": "Via admin", "price": "12.50"},
    )

    assert response.status_code == 302
    assert client.get("/api/catalog/drinks").json()[0] == {
        "id": "d-1",
        "name": "Via admin",
        "price": 12.5,
    }


def test_user_deletion_invalidates_spots(client, cache_backend):
    spot = SpotFactory(id="spot-1")
    assert len(client.get("/api/spots").json()) == 1

    spot.host.delete()

    assert client.get("/api/spots").json() == []


def test_rolled_back_change_keeps_cache(client, cache_backend):
    from django.db import transaction

    from catalog import caching

    CatalogItemFactory(id="d-1")
    client.get("/api/catalog/drinks")
    generation = caching.current_generation()

    with pytest.raises(RuntimeError), transaction.atomic():
        CatalogItem.objects.filter(id="d-1").update(name="Never")
        raise RuntimeError("roll back")

    assert caching.current_generation() == generation


def test_invalidation_leaves_other_keys(client, cache_backend, admin_auth):
    from django.core.cache import cache

    cache.set("auth:session:probe", "kept", 60)
    cache.set("unrelated:probe", "kept", 60)
    client.get("/api/catalog")

    send(client, "post", "/api/catalog/items", admin_auth, ITEM)

    assert cache.get("auth:session:probe") == "kept"
    assert cache.get("unrelated:probe") == "kept"
    assert client.get("/api/auth/me", **admin_auth).status_code == 200
