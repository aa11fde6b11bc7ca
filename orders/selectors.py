"""Reads of the orders app. Each runs a fixed number of queries."""

from django.db.models import Count, Prefetch, Sum

from brocode_site.ids import parse_numeric_id
from catalog.models import Spot

from .models import Order, OrderLine


def orders_page(filters: dict, limit: int, offset: int, ascending: bool):
    """Return ``(orders, total count)`` for the filters, newest first by default.

    Three queries whatever the number of orders: the count, the page, and
    the lines of the page.
    """
    orders = Order.objects.all()
    user_id = filters.get("user_id")
    if user_id is not None and parse_numeric_id(user_id) is None:
        return [], 0  # User IDs are numbers, so no order can match.
    if "spot_id" in filters:
        orders = orders.filter(spot_id=filters["spot_id"])
    if "user_id" in filters:
        orders = orders.filter(user_id=filters["user_id"])
    if "from" in filters:
        orders = orders.filter(created_at__gte=filters["from"])
    if "to" in filters:
        orders = orders.filter(created_at__lte=filters["to"])

    total = orders.count()
    ordering = ["created_at", "id"] if ascending else ["-created_at", "-id"]
    page = orders.order_by(*ordering).prefetch_related(
        Prefetch("lines", queryset=OrderLine.objects.order_by("position"))
    )[offset : offset + limit]
    return list(page), total


def order_with_lines(order_id: str) -> Order | None:
    return Order.objects.prefetch_related("lines").filter(pk=order_id).first()


def spot_bill(spot: Spot) -> dict:
    """Return the bill of a spot, summed by the database in two queries."""
    orders = Order.objects.filter(spot=spot)
    overall = orders.aggregate(total=Sum("total"), count=Count("id"))
    per_user = (
        orders.values("user_id").annotate(amount=Sum("total")).order_by("user_id")
    )
    return {
        "total": overall["total"] or 0,
        "order_count": overall["count"],
        "user_totals": {str(row["user_id"]): row["amount"] for row in per_user},
    }
