"""Load the demo data: two users, a spot, a small catalog and one order."""

from datetime import UTC, datetime
from decimal import Decimal

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts.models import User, username_key
from catalog.models import CatalogItem, Spot
from orders.models import Order, OrderLine

DEMO_PASSWORD = "changeme"  # noqa: S105 - documented demo login

DEMO_USERS = [
    {"username": "brocode", "name": "Ram", "role": User.Role.ADMIN, "staff": True},
    {"username": "dhanush", "name": "Dhanush", "role": User.Role.USER, "staff": False},
]

DEMO_ITEMS = [
    ("d-1", CatalogItem.Category.DRINKS, "Brocode Beer", "180"),
    ("d-2", CatalogItem.Category.DRINKS, "Kingfisher Beer", "170"),
    ("f-1", CatalogItem.Category.FOOD, "Beef Biriyani", "220"),
    ("f-2", CatalogItem.Category.FOOD, "Parotta", "30"),
    ("c-1", CatalogItem.Category.CIGARETTES, "Marlboro", "25"),
    ("c-2", CatalogItem.Category.CIGARETTES, "Classic", "20"),
]

DEMO_SPOT_ID = "spot-2025-07-26"
DEMO_ORDER_ID = "ord-1"


class Command(BaseCommand):
    help = (
        "Load the demo users, spot, catalog and order. Safe to run again: existing "
        "demo rows are reset to their demo values. Runs only with DEBUG on or "
        "with --force, because the demo passwords are public."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--force",
            action="store_true",
            help="Load the demo data even with DEBUG off.",
        )

    def handle(self, *args, force=False, **options):
        if not (settings.DEBUG or force):
            raise CommandError(
                "Demo data not loaded: DEBUG is off and the demo passwords are "
                "public. Set DEBUG=true or pass --force."
            )

        with transaction.atomic():
            users = {spec["username"]: self._seed_user(spec) for spec in DEMO_USERS}
            self._seed_catalog()
            spot = self._seed_spot(host=users["brocode"])
            self._seed_order(spot=spot, customer=users["dhanush"])

        self.stdout.write(
            self.style.SUCCESS(
                "Demo data loaded: users brocode and dhanush (password "
                f"{DEMO_PASSWORD!r}), spot {DEMO_SPOT_ID}, {len(DEMO_ITEMS)} "
                f"catalog items, order {DEMO_ORDER_ID}."
            )
        )

    def _seed_user(self, spec) -> User:
        user = User.objects.filter(username_key=username_key(spec["username"])).first()
        if user is None:
            user = User(username=spec["username"])
        user.name = spec["name"]
        user.role = spec["role"]
        user.is_staff = spec["staff"]
        user.is_superuser = spec["staff"]
        user.is_active = True
        user.set_password(DEMO_PASSWORD)
        user.save()
        return user

    def _seed_catalog(self) -> None:
        for item_id, category, name, price in DEMO_ITEMS:
            CatalogItem.objects.update_or_create(
                id=item_id,
                defaults={"category": category, "name": name, "price": Decimal(price)},
            )

    def _seed_spot(self, host: User) -> Spot:
        spot, _ = Spot.objects.update_or_create(
            id=DEMO_SPOT_ID,
            defaults={
                "location": "Attibele Toll Plaza",
                "date": datetime(2025, 7, 26, 10, 0, tzinfo=UTC),
                "host": host,
                "description": "",
            },
        )
        return spot

    def _seed_order(self, spot: Spot, customer: User) -> None:
        """Seed order ord-1: two Brocode Beers for dhanush, 360 in all."""
        beer = CatalogItem.objects.get(id="d-1")
        order, _ = Order.objects.update_or_create(
            id=DEMO_ORDER_ID,
            defaults={
                "spot": spot,
                "user": customer,
                "created_by": customer,
                "total": beer.price * 2,
                "created_at": datetime(2025, 7, 26, 10, 30, tzinfo=UTC),
            },
        )
        order.lines.all().delete()
        OrderLine.objects.create(
            order=order,
            position=0,
            product_id=beer.id,
            name=beer.name,
            unit_price=beer.price,
            quantity=2,
            line_total=beer.price * 2,
        )
