from datetime import UTC, datetime
from decimal import Decimal

import factory

from accounts.models import User
from catalog.models import CatalogItem, Spot

TEST_PASSWORD = "correct-horse-battery-staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda number: f"member{number}")
    name = factory.Faker("first_name")
    role = User.Role.USER
    password = factory.PostGenerationMethodCall("set_password", TEST_PASSWORD)

    @factory.post_generation
    def save_password(user, create, extracted, **kwargs):
        if create:
            user.save()


class CatalogItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CatalogItem

    id = factory.Sequence(lambda number: f"item-{number}")
    category = CatalogItem.Category.DRINKS
    name = factory.Sequence(lambda number: f"Item {number}")
    price = Decimal("100")


class SpotFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Spot

    id = factory.Sequence(lambda number: f"spot-{number}")
    location = factory.Sequence(lambda number: f"Location {number}")
    date = datetime(2025, 7, 26, 10, 0, tzinfo=UTC)
    host = factory.SubFactory(UserFactory)
