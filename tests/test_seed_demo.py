import pytest
from django.core.management import CommandError, call_command

from accounts.models import User
from catalog.models import CatalogItem, Spot
from orders.models import Order, OrderLine

pytestmark = pytest.mark.django_db


def test_seed_rejected_without_debug(settings):
    settings.DEBUG = False

    with pytest.raises(CommandError, match="DEBUG"):
        call_command("seed_demo", verbosity=0)

    assert not User.objects.exists()


def test_seed_with_force_without_debug(settings):
    settings.DEBUG = False

    call_command("seed_demo", "--force", verbosity=0)

    assert User.objects.filter(username="brocode").exists()


def test_seed_is_idempotent(settings):
    settings.DEBUG = True

    call_command("seed_demo", verbosity=0)
    call_command("seed_demo", verbosity=0)

    assert User.objects.count() == 2
    assert CatalogItem.objects.count() == 6
    assert Spot.objects.count() == 1
    assert Order.objects.count() == 1
    assert OrderLine.objects.count() == 1


def test_seed_demo_order(settings):
    settings.DEBUG = True

    call_command("seed_demo", verbosity=0)

    order = Order.objects.get(id="ord-1")
    line = order.lines.get()
    assert order.user.username == "dhanush"
    assert order.spot_id == "spot-2025-07-26"
    assert order.total == 360
    assert (line.product_id, line.quantity, line.unit_price) == ("d-1", 2, 180)


def test_seed_users_and_roles(settings):
    settings.DEBUG = True

    call_command("seed_demo", verbosity=0)

    admin = User.objects.get(username="brocode")
    member = User.objects.get(username="dhanush")
    assert (admin.name, admin.role) == ("Ram", "admin")
    assert admin.is_staff
    assert admin.is_superuser
    assert admin.check_password("changeme")
    assert (member.name, member.role) == ("Dhanush", "user")
    assert not member.is_staff
    assert member.check_password("changeme")
    assert Spot.objects.get(id="spot-2025-07-26").host == admin


def test_demo_admin_logs_into_admin_site(client, settings):
    settings.DEBUG = True
    call_command("seed_demo", verbosity=0)

    response = client.post(
        "/admin/login/?next=/admin/",
        {"username": "brocode", "password": "changeme", "next": "/admin/"},
    )

    assert response.status_code == 302
    assert response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


@pytest.mark.parametrize(
    "path",
    [
        "/admin/catalog/catalogitem/",
        "/admin/catalog/catalogitem/?category__exact=food&q=Parotta",
        "/admin/catalog/spot/",
        "/admin/catalog/spot/?q=Attibele",
        "/admin/accounts/user/",
        "/admin/accounts/user/?role__exact=admin",
    ],
)
def test_admin_lists_load(admin_client, settings, path):
    settings.DEBUG = True
    call_command("seed_demo", verbosity=0)

    response = admin_client.get(path)

    assert response.status_code == 200
