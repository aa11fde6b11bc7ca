"""Orders and bills: validation, money, roles, idempotency and query counts."""

import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client

from accounts import services as account_services
from accounts.models import User
from orders.models import Order, OrderLine
from tests.conftest import bearer
from tests.factories import CatalogItemFactory, SpotFactory, UserFactory

pytestmark = pytest.mark.django_db


def token_for(user) -> dict:
    token, _ = account_services.start_session(user, "127.0.0.1", "tests")
    return bearer(token)


@pytest.fixture
def world():
    """A host, a member, an admin, a spot and three catalog items."""
    host = UserFactory(username="host")
    member = UserFactory(username="member")
    admin = UserFactory(username="boss", role=User.Role.ADMIN)
    spot = SpotFactory(id="spot-1", host=host)
    beer = CatalogItemFactory(id="d-1", name="Brocode Beer", price=Decimal("180"))
    chai = CatalogItemFactory(
        id="f-9", category="food", name="Chai", price=Decimal("30.5")
    )
    smoke = CatalogItemFactory(
        id="c-1", category="cigarettes", name="Marlboro", price=Decimal("25")
    )
    return {
        "host": host,
        "member": member,
        "admin": admin,
        "spot": spot,
        "beer": beer,
        "chai": chai,
        "smoke": smoke,
    }


def post_order(client, auth, body, key=None):
    extra = dict(auth)
    if key is not None:
        extra["HTTP_IDEMPOTENCY_KEY"] = key
    return client.post("/api/orders", body, content_type="application/json", **extra)


def order_body(**changes):
    body = {"spotId": "spot-1", "items": [{"productId": "d-1", "quantity": 2}]}
    body.update(changes)
    return body


# Creating orders


def test_create_order_returns_201(client, world):
    auth = token_for(world["member"])

    response = post_order(
        client,
        auth,
        order_body(
            items=[
                {"productId": "d-1", "quantity": 2},
                {"productId": "f-9", "quantity": 3},
            ]
        ),
    )

    assert response.status_code == 201
    body = response.json()
    assert body["spotId"] == "spot-1"
    assert body["userId"] == str(world["member"].pk)
    assert body["items"] == [
        {
            "productId": "d-1",
            "name": "Brocode Beer",
            "quantity": 2,
            "unitPrice": 180,
            "total": 360,
        },
        {
            "productId": "f-9",
            "name": "Chai",
            "quantity": 3,
            "unitPrice": 30.5,
            "total": 91.5,
        },
    ]
    assert body["totalAmount"] == 451.5
    assert body["createdAt"].endswith("Z")
    assert isinstance(body["id"], str)
    assert Order.objects.get(pk=body["id"]).total == Decimal("451.50")


def test_totals_are_exact_decimals(client, world):
    CatalogItemFactory(id="x-1", price=Decimal("0.10"))
    CatalogItemFactory(id="x-2", price=Decimal("0.20"))
    auth = token_for(world["member"])

    response = post_order(
        client,
        auth,
        order_body(
            items=[
                {"productId": "x-1", "quantity": 1},
                {"productId": "x-2", "quantity": 1},
            ]
        ),
    )

    assert response.json()["totalAmount"] == 0.3
    assert b'"totalAmount":0.3,' in response.content


def test_price_change_keeps_order_price(client, world):
    auth = token_for(world["member"])
    order_id = post_order(client, auth, order_body()).json()["id"]

    world["beer"].price = Decimal("999")
    world["beer"].name = "Renamed"
    world["beer"].save()

    body = client.get(f"/api/orders/{order_id}", **auth).json()
    assert body["items"][0]["unitPrice"] == 180
    assert body["items"][0]["name"] == "Brocode Beer"
    assert body["totalAmount"] == 360


@pytest.mark.parametrize(
    "body, field",
    [
        ({"items": [{"productId": "d-1", "quantity": 1}]}, "spotId"),
        (order_body(spotId=""), "spotId"),
        (order_body(spotId=None), "spotId"),
        (order_body(items=[]), "items"),
        (order_body(items="d-1"), "items"),
        (order_body(items=None), "items"),
        ({"spotId": "spot-1"}, "items"),
        (
            order_body(items=[{"productId": "d-1", "quantity": i} for i in [1] * 51]),
            "items",
        ),
        (order_body(items=[{"productId": "d-1", "quantity": 0}]), "items[0].quantity"),
        (
            order_body(items=[{"productId": "d-1", "quantity": 100}]),
            "items[0].quantity",
        ),
        (order_body(items=[{"productId": "d-1", "quantity": -1}]), "items[0].quantity"),
        (
            order_body(items=[{"productId": "d-1", "quantity": 2.0}]),
            "items[0].quantity",
        ),
        (
            order_body(items=[{"productId": "d-1", "quantity": 1.5}]),
            "items[0].quantity",
        ),
        (
            order_body(items=[{"productId": "d-1", "quantity": "2"}]),
            "items[0].quantity",
        ),
        (
            order_body(items=[{"productId": "d-1", "quantity": True}]),
            "items[0].quantity",
        ),
        (
            order_body(items=[{"productId": "d-1", "quantity": None}]),
            "items[0].quantity",
        ),
        (order_body(items=[{"productId": "d-1"}]), "items[0].quantity"),
        (order_body(items=[{"quantity": 1}]), "items[0].productId"),
        (order_body(items=[{"productId": "", "quantity": 1}]), "items[0].productId"),
        (order_body(items=["d-1"]), "items[0]"),
        (
            order_body(items=[{"productId": "nope", "quantity": 1}]),
            "items[0].productId",
        ),
        (
            order_body(
                items=[{"productId": "d-1", "quantity": 1, "name": "Free beer"}]
            ),
            "items[0].name",
        ),
        (
            order_body(items=[{"productId": "d-1", "quantity": 1, "unitPrice": 1}]),
            "items[0].unitPrice",
        ),
        (
            order_body(items=[{"productId": "d-1", "quantity": 1, "total": 1}]),
            "items[0].total",
        ),
        (
            order_body(
                items=[
                    {"productId": "d-1", "quantity": 1},
                    {"productId": "d-1", "quantity": 2},
                ]
            ),
            "items",
        ),
    ],
)
def test_invalid_order_is_400(client, world, body, field):
    auth = token_for(world["member"])

    response = post_order(client, auth, body)

    assert response.status_code == 400
    assert response.json()["code"] == "validation_error"
    assert field in response.json()["fields"]
    assert not Order.objects.exists()
    assert not OrderLine.objects.exists()


def test_fifty_items_allowed(client, world):
    for number in range(50):
        CatalogItemFactory(id=f"bulk-{number}", price=Decimal("1.01"))
    items = [{"productId": f"bulk-{number}", "quantity": 99} for number in range(50)]
    auth = token_for(world["member"])

    response = post_order(client, auth, order_body(items=items))

    assert response.status_code == 201
    assert response.json()["totalAmount"] == 4999.5


@pytest.mark.parametrize("body", [b"[]", b'"x"', b"{", b"null"])
def test_order_body_not_object_is_400(client, world, body):
    auth = token_for(world["member"])

    response = client.post("/api/orders", body, content_type="application/json", **auth)

    assert response.status_code == 400


def test_unknown_spot_is_404(client, world):
    auth = token_for(world["member"])

    response = post_order(client, auth, order_body(spotId="spot-unknown"))

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_unknown_user_is_404_for_admin(client, world):
    auth = token_for(world["admin"])

    for user_id in ["999999", "someone"]:
        response = post_order(client, auth, order_body(userId=user_id))
        assert response.status_code == 404


def test_admin_orders_for_another_user(client, world):
    auth = token_for(world["admin"])

    response = post_order(client, auth, order_body(userId=str(world["member"].pk)))

    assert response.status_code == 201
    assert response.json()["userId"] == str(world["member"].pk)


def test_user_ordering_for_another_is_403(client, world):
    auth = token_for(world["member"])

    response = post_order(client, auth, order_body(userId=str(world["host"].pk)))

    assert response.status_code == 403
    assert not Order.objects.exists()


def test_user_may_name_themself(client, world):
    auth = token_for(world["member"])

    response = post_order(client, auth, order_body(userId=str(world["member"].pk)))

    assert response.status_code == 201


def test_order_needs_token(client, world):
    response = client.post("/api/orders", order_body(), content_type="application/json")

    assert response.status_code == 401


# Idempotency


def test_retry_with_key_returns_first_order(client, world):
    auth = token_for(world["member"])

    first = post_order(client, auth, order_body(), key="retry-1")
    second = post_order(client, auth, order_body(), key="retry-1")

    assert first.status_code == 201
    assert second.status_code == 201
    assert second.json() == first.json()
    assert Order.objects.count() == 1


def test_key_with_other_body_is_409(client, world):
    auth = token_for(world["member"])
    post_order(client, auth, order_body(), key="retry-2")

    response = post_order(
        client,
        auth,
        order_body(items=[{"productId": "d-1", "quantity": 3}]),
        key="retry-2",
    )

    assert response.status_code == 409
    assert response.json()["code"] == "idempotency_key_reused"
    assert Order.objects.count() == 1


def test_key_is_per_caller(client, world):
    post_order(client, token_for(world["member"]), order_body(), key="shared")

    response = post_order(client, token_for(world["host"]), order_body(), key="shared")

    assert response.status_code == 201
    assert Order.objects.count() == 2


def test_key_expires_after_a_day(client, world, fake_clock):
    auth = token_for(world["member"])
    first = post_order(client, auth, order_body(), key="daily").json()

    fake_clock.advance(24 * 3600 + 1)
    auth = token_for(world["member"])
    second = post_order(client, auth, order_body(), key="daily").json()

    assert second["id"] != first["id"]
    assert Order.objects.count() == 2


@pytest.mark.parametrize("key", ["", " ", "with space", "x" * 256, "ключ"])
def test_invalid_idempotency_key_is_400(client, world, key):
    auth = token_for(world["member"])

    response = post_order(client, auth, order_body(), key=key)

    assert response.status_code == 400
    assert "Idempotency-Key" in response.json()["fields"]


def run_parallel(count, make_request):
    barrier = threading.Barrier(count)

    def call(index):
        barrier.wait()
        try:
            return make_request(index)
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(call, range(count)))


@pytest.mark.django_db(transaction=True)
def test_parallel_orders_with_distinct_keys(world):
    auth = token_for(world["member"])

    responses = run_parallel(
        8, lambda index: post_order(Client(), auth, order_body(), key=f"key-{index}")
    )

    assert [response.status_code for response in responses] == [201] * 8
    assert Order.objects.count() == 8
    assert len({response.json()["id"] for response in responses}) == 8


@pytest.mark.django_db(transaction=True)
def test_parallel_orders_with_one_key(world):
    auth = token_for(world["member"])
    key = f"same-{uuid.uuid4().hex}"

    responses = run_parallel(
        8, lambda index: post_order(Client(), auth, order_body(), key=key)
    )

    assert [response.status_code for response in responses] == [201] * 8
    assert Order.objects.count() == 1
    assert OrderLine.objects.count() == 1
    assert len({response.json()["id"] for response in responses}) == 1


# Reading orders


@pytest.fixture
def placed(world):
    """Three orders: two by the member at different times, one by the host."""

    def place(user, when, order_id):
        order = Order.objects.create(
            id=order_id,
            spot=world["spot"],
            user=user,
            total=Decimal("180"),
            created_at=when,
        )
        OrderLine.objects.create(
            order=order,
            position=0,
            product_id="d-1",
            name="Brocode Beer",
            unit_price=Decimal("180"),
            quantity=1,
            line_total=Decimal("180"),
        )
        return order

    return [
        place(world["member"], datetime(2025, 7, 26, 10, 0, tzinfo=UTC), "o-1"),
        place(world["member"], datetime(2025, 7, 27, 10, 0, tzinfo=UTC), "o-2"),
        place(world["host"], datetime(2025, 7, 28, 10, 0, tzinfo=UTC), "o-3"),
    ]


def list_orders(client, auth, **params):
    return client.get("/api/orders", params, **auth)


def test_user_lists_own_orders_newest_first(client, world, placed):
    response = list_orders(client, token_for(world["member"]))

    assert response.status_code == 200
    assert [order["id"] for order in response.json()] == ["o-2", "o-1"]
    assert response["X-Total-Count"] == "2"


def test_admin_lists_all_orders(client, world, placed):
    response = list_orders(client, token_for(world["admin"]))

    assert [order["id"] for order in response.json()] == ["o-3", "o-2", "o-1"]
    assert response["X-Total-Count"] == "3"


def test_user_naming_another_user_is_403(client, world, placed):
    response = list_orders(client, token_for(world["member"]), userId=world["host"].pk)

    assert response.status_code == 403


def test_admin_filters_by_user_and_spot(client, world, placed):
    auth = token_for(world["admin"])

    by_user = list_orders(client, auth, userId=world["host"].pk).json()
    by_spot = list_orders(client, auth, spotId="spot-1").json()
    other_spot = list_orders(client, auth, spotId="spot-unknown")
    odd_user = list_orders(client, auth, userId="not-a-number")

    assert [order["id"] for order in by_user] == ["o-3"]
    assert len(by_spot) == 3
    assert other_spot.json() == []
    assert other_spot["X-Total-Count"] == "0"
    assert odd_user.json() == []


def test_filter_by_dates(client, world, placed):
    auth = token_for(world["admin"])

    by_day = list_orders(client, auth, **{"from": "2025-07-27", "to": "2025-07-27"})
    by_time = list_orders(client, auth, **{"from": "2025-07-26T12:00:00Z"})
    until = list_orders(client, auth, to="2025-07-27T10:00:00+00:00")

    assert [order["id"] for order in by_day.json()] == ["o-2"]
    assert [order["id"] for order in by_time.json()] == ["o-3", "o-2"]
    assert [order["id"] for order in until.json()] == ["o-2", "o-1"]


def test_sort_limit_offset(client, world, placed):
    auth = token_for(world["admin"])

    response = list_orders(client, auth, sort="asc", limit=1, offset=1)

    assert [order["id"] for order in response.json()] == ["o-2"]
    assert response["X-Total-Count"] == "3"


@pytest.mark.parametrize(
    "params, field",
    [
        ({"from": "yesterday"}, "from"),
        ({"to": "2025-13-45"}, "to"),
        ({"from": "2025-07-28", "to": "2025-07-26"}, "from"),
        ({"sort": "up"}, "sort"),
        ({"limit": "0"}, "limit"),
        ({"limit": "501"}, "limit"),
        ({"limit": "ten"}, "limit"),
        ({"limit": "1.5"}, "limit"),
        ({"offset": "-1"}, "offset"),
        ({"offset": "x"}, "offset"),
    ],
)
def test_invalid_list_params_are_400(client, world, placed, params, field):
    response = list_orders(client, token_for(world["admin"]), **params)

    assert response.status_code == 400
    assert field in response.json()["fields"]


def test_limit_defaults_to_100_max_500(client, world):
    orders = [
        Order(
            id=f"bulk-{number}",
            spot=world["spot"],
            user=world["member"],
            total=1,
            created_at=datetime(2025, 1, 1, tzinfo=UTC) + timedelta(minutes=number),
        )
        for number in range(501)
    ]
    Order.objects.bulk_create(orders)
    auth = token_for(world["admin"])

    assert len(list_orders(client, auth).json()) == 100
    assert len(list_orders(client, auth, limit=500).json()) == 500
    assert list_orders(client, auth)["X-Total-Count"] == "501"


def test_order_detail_for_owner_and_admin(client, world, placed):
    owner = client.get("/api/orders/o-1", **token_for(world["member"]))
    admin = client.get("/api/orders/o-1", **token_for(world["admin"]))

    assert owner.status_code == 200
    assert owner.json()["id"] == "o-1"
    assert admin.status_code == 200


def test_other_users_order_is_404(client, world, placed):
    response = client.get("/api/orders/o-3", **token_for(world["member"]))

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_unknown_order_is_404(client, world):
    response = client.get("/api/orders/nothing", **token_for(world["admin"]))

    assert response.status_code == 404


# Bills


def test_bill_sums_by_user(client, world):
    member_auth = token_for(world["member"])
    admin_auth = token_for(world["admin"])
    post_order(
        client, member_auth, order_body(items=[{"productId": "f-9", "quantity": 1}])
    )
    post_order(
        client, member_auth, order_body(items=[{"productId": "d-1", "quantity": 2}])
    )
    post_order(
        client, admin_auth, order_body(items=[{"productId": "c-1", "quantity": 3}])
    )

    response = client.get("/api/bills/spot-1", **token_for(world["host"]))

    assert response.status_code == 200
    assert response.json() == {
        "spotId": "spot-1",
        "total": 465.5,
        "userTotals": {str(world["member"].pk): 390.5, str(world["admin"].pk): 75},
        "orderCount": 3,
    }


def test_bill_of_empty_spot(client, world):
    response = client.get("/api/bills/spot-1", **token_for(world["admin"]))

    assert response.json() == {
        "spotId": "spot-1",
        "total": 0,
        "userTotals": {},
        "orderCount": 0,
    }


def test_bill_for_others_is_403(client, world):
    response = client.get("/api/bills/spot-1", **token_for(world["member"]))

    assert response.status_code == 403


def test_bill_of_unknown_spot_is_404(client, world):
    response = client.get("/api/bills/spot-nope", **token_for(world["member"]))

    assert response.status_code == 404


# Query counts do not grow with the data


def make_orders(world, count):
    base = datetime(2025, 1, 1, tzinfo=UTC)
    orders = Order.objects.bulk_create(
        Order(
            id=f"q-{count}-{number}",
            spot=world["spot"],
            user=world["member"],
            total=Decimal("360"),
            created_at=base + timedelta(seconds=number),
        )
        for number in range(count)
    )
    OrderLine.objects.bulk_create(
        OrderLine(
            order=order,
            position=position,
            product_id=product,
            name=product,
            unit_price=Decimal("180"),
            quantity=1,
            line_total=Decimal("180"),
        )
        for order in orders
        for position, product in enumerate(["d-1", "f-9"])
    )


@pytest.mark.parametrize("count", [10, 1000])
def test_listing_queries_do_not_grow(client, world, count, django_assert_num_queries):
    make_orders(world, count)
    auth = token_for(world["admin"])
    client.get("/api/auth/me", **auth)

    # Session check, count, page, lines.
    with django_assert_num_queries(4):
        response = list_orders(client, auth, limit=500)

    assert len(response.json()) == min(count, 500)
    assert len(response.json()[0]["items"]) == 2


@pytest.mark.parametrize("count", [10, 1000])
def test_bill_queries_do_not_grow(client, world, count, django_assert_num_queries):
    make_orders(world, count)
    auth = token_for(world["admin"])
    client.get("/api/auth/me", **auth)

    # Session check, spot, total and count, per-user sums.
    with django_assert_num_queries(4):
        response = client.get("/api/bills/spot-1", **auth)

    assert response.json()["orderCount"] == count
    assert response.json()["total"] == 360 * count


# Deleting a user


@pytest.mark.django_db(transaction=True)
def test_delete_user_removes_orders_and_spots(client, world):
    member_auth = token_for(world["member"])
    host_auth = token_for(world["host"])
    post_order(client, member_auth, order_body())
    SpotFactory(id="spot-2", host=world["member"])
    post_order(client, host_auth, order_body(spotId="spot-2"))
    remaining_id = post_order(client, host_auth, order_body()).json()["id"]

    response = client.delete(
        f"/api/users/{world['member'].pk}", **token_for(world["admin"])
    )

    assert response.status_code == 204
    assert list(Order.objects.values_list("id", flat=True)) == [remaining_id]
    assert not OrderLine.objects.exclude(order_id=remaining_id).exists()
    assert not world["spot"].__class__.objects.filter(id="spot-2").exists()
    assert client.get("/api/auth/me", **member_auth).status_code == 401


def test_delete_user_is_one_transaction(client, world):
    from django.db.models.signals import post_delete

    post_order(client, token_for(world["member"]), order_body())
    SpotFactory(id="spot-2", host=world["member"])
    admin_auth = token_for(world["admin"])

    def fail_midway(sender, **kwargs):
        raise RuntimeError("simulated failure after the orders were deleted")

    post_delete.connect(fail_midway, sender=Order)
    try:
        client.raise_request_exception = False
        response = client.delete(f"/api/users/{world['member'].pk}", **admin_auth)
    finally:
        post_delete.disconnect(fail_midway, sender=Order)

    assert response.status_code == 500
    assert User.objects.filter(pk=world["member"].pk).exists()
    assert Order.objects.filter(user=world["member"]).count() == 1
    assert world["spot"].__class__.objects.filter(id="spot-2").exists()


# Admin pages


@pytest.mark.parametrize(
    "path",
    [
        "/admin/orders/order/",
        "/admin/orders/order/?q=member",
        "/admin/orders/order/?spot__id__exact=spot-1",
        "/admin/orders/order/o-1/change/",
    ],
)
def test_order_admin_pages_load(admin_client, world, placed, path):
    response = admin_client.get(path)

    assert response.status_code == 200


def test_order_admin_shows_lines_and_total(admin_client, world, placed):
    response = admin_client.get("/admin/orders/order/o-1/change/")

    assert b"Brocode Beer" in response.content
    assert b"180" in response.content
