import uuid

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models


def new_id() -> str:
    return uuid.uuid4().hex


class InvalidatingQuerySet(models.QuerySet):
    """A QuerySet whose bulk writes also invalidate the cached reads.

    ``save()`` and ``delete()`` send signals that the catalog app receives;
    ``update()``, ``bulk_create()`` and ``bulk_update()`` send none, so they
    invalidate here. Raw SQL is not seen.
    """

    def update(self, **kwargs):
        count = super().update(**kwargs)
        _invalidate_on_commit()
        return count

    def bulk_create(self, objs, *args, **kwargs):
        created = super().bulk_create(objs, *args, **kwargs)
        _invalidate_on_commit()
        return created


def _invalidate_on_commit() -> None:
    from django.db import transaction

    from .caching import bump_generation

    transaction.on_commit(bump_generation)


class CatalogItem(models.Model):
    """Something a member can order at a spot: a drink, a food or cigarettes."""

    class Category(models.TextChoices):
        DRINKS = "drinks", "Drinks"
        FOOD = "food", "Food"
        CIGARETTES = "cigarettes", "Cigarettes"

    id = models.CharField(primary_key=True, max_length=64, default=new_id)
    category = models.CharField(max_length=16, choices=Category.choices)
    name = models.CharField(max_length=200)
    # Rupees with paise; max_digits 10 allows up to 99,999,999.99.
    price = models.DecimalField(
        max_digits=10, decimal_places=2, validators=[MinValueValidator(0)]
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = InvalidatingQuerySet.as_manager()

    class Meta:
        ordering = ["category", "created_at", "id"]
        indexes = [models.Index(fields=["category", "created_at"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(price__gte=0),
                name="catalog_item_price_not_negative",
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.id})"


class Spot(models.Model):
    """An event where members meet, hosted by one user."""

    id = models.CharField(primary_key=True, max_length=64, default=new_id)
    location = models.CharField(max_length=200)
    date = models.DateTimeField()
    host = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="hosted_spots"
    )
    description = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = InvalidatingQuerySet.as_manager()

    class Meta:
        ordering = ["-date", "-created_at"]
        indexes = [models.Index(fields=["-date"])]

    def __str__(self):
        return f"{self.location} on {self.date:%Y-%m-%d} ({self.id})"
