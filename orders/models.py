from django.conf import settings
from django.db import models

from catalog.models import Spot, new_id

# Orders hold up to 50 lines of up to 99 units at up to 99,999,999.99 each,
# so totals get 14 digits.
TOTAL_MAX_DIGITS = 14


class Order(models.Model):
    """An order placed at a spot for one user, with its lines."""

    id = models.CharField(primary_key=True, max_length=64, default=new_id)
    spot = models.ForeignKey(Spot, on_delete=models.CASCADE, related_name="orders")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="orders"
    )
    total = models.DecimalField(max_digits=TOTAL_MAX_DIGITS, decimal_places=2)
    created_at = models.DateTimeField()
    # Who placed it, which differs from ``user`` when an admin orders for
    # someone. Idempotency keys are unique per caller.
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # NULL, not "", means no key, so the unique constraint skips such rows.
    idempotency_key = models.CharField(max_length=255, null=True, blank=True)  # noqa: DJ001
    request_fingerprint = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["created_at", "id"]),
            models.Index(fields=["spot", "created_at"]),
            models.Index(fields=["user", "created_at"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["created_by", "idempotency_key"],
                condition=models.Q(idempotency_key__isnull=False),
                name="orders_order_idempotency_key_per_caller",
            ),
        ]

    def __str__(self):
        return f"Order {self.id}"


class OrderLine(models.Model):
    """One catalog item in an order, with its name and price at order time."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveSmallIntegerField()
    # A copy of the catalog item's ID, kept when the item is later deleted.
    product_id = models.CharField(max_length=64)
    name = models.CharField(max_length=200)
    unit_price = models.DecimalField(max_digits=10, decimal_places=2)
    quantity = models.PositiveSmallIntegerField()
    line_total = models.DecimalField(max_digits=TOTAL_MAX_DIGITS, decimal_places=2)

    class Meta:
        ordering = ["order", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["order", "product_id"], name="orders_line_product_once"
            ),
        ]

    def __str__(self):
        return f"{self.quantity} x {self.name}"
