"""Writes of the orders app: placing orders, idempotently."""

import hashlib
import json
import logging
from dataclasses import dataclass
from datetime import timedelta

from django.db import IntegrityError, transaction
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError

from accounts.models import User
from brocode_site import clock
from brocode_site.exceptions import Conflict
from brocode_site.ids import parse_numeric_id
from catalog.models import CatalogItem, Spot

from .models import Order, OrderLine

logger = logging.getLogger(__name__)

IDEMPOTENCY_WINDOW = timedelta(hours=24)


class IdempotencyKeyReused(Conflict):
    default_detail = (
        "This Idempotency-Key was already used with a different request body. "
        "Use a new key for a new order."
    )
    default_code = "idempotency_key_reused"


@dataclass(frozen=True)
class OrderRequest:
    spot_id: str
    user_id: str
    items: tuple[tuple[str, int], ...]

    def fingerprint(self) -> str:
        canonical = json.dumps(
            [self.spot_id, self.user_id, sorted(self.items)], separators=(",", ":")
        )
        return hashlib.sha256(canonical.encode()).hexdigest()


def place_order(
    actor: User, request: OrderRequest, idempotency_key: str | None
) -> tuple[Order, bool]:
    """Create the order, or return the first one for a retried key.

    Returns the order and whether it was created now. The order and its lines
    are written in one transaction; the unique constraint on (caller, key)
    decides between concurrent retries.
    """
    if request.user_id != str(actor.pk) and not actor.is_admin:
        raise PermissionDenied("Only an admin can order for another user.")

    fingerprint = request.fingerprint()
    if idempotency_key:
        replay = _replay(actor, idempotency_key, fingerprint)
        if replay is not None:
            return replay, False

    spot = Spot.objects.filter(pk=request.spot_id).only("id").first()
    if spot is None:
        raise NotFound(f"No spot {request.spot_id!r}.")
    user = _user(request.user_id)
    catalog = CatalogItem.objects.in_bulk([product for product, _ in request.items])
    unknown = {
        f"items[{index}].productId": [f"No catalog item {product!r}."]
        for index, (product, _) in enumerate(request.items)
        if product not in catalog
    }
    if unknown:
        raise ValidationError(unknown)

    try:
        with transaction.atomic():
            order = _insert(
                actor, spot, user, request, catalog, idempotency_key, fingerprint
            )
    except IntegrityError:
        if not idempotency_key:
            raise
        # A concurrent request with the same key committed first.
        replay = _replay(actor, idempotency_key, fingerprint)
        if replay is None:
            raise
        return replay, False
    logger.info(
        "Order %s placed by user %s for user %s at spot %s, total %s.",
        order.pk,
        actor.pk,
        user.pk,
        spot.pk,
        order.total,
    )
    return order, True


def _user(user_id: str) -> User:
    pk = parse_numeric_id(user_id)
    user = User.objects.filter(pk=pk).first() if pk is not None else None
    if user is None:
        raise NotFound(f"No user {user_id!r}.")
    return user


def _replay(actor: User, key: str, fingerprint: str) -> Order | None:
    """Return the order first placed with this key, or None if there is none.

    A key older than the idempotency window is released for reuse.
    """
    order = Order.objects.filter(created_by=actor, idempotency_key=key).first()
    if order is None:
        return None
    if order.created_at < clock.now() - IDEMPOTENCY_WINDOW:
        Order.objects.filter(pk=order.pk).update(idempotency_key=None)
        return None
    if order.request_fingerprint != fingerprint:
        raise IdempotencyKeyReused()
    return order


def _insert(actor, spot, user, request, catalog, idempotency_key, fingerprint):
    lines = []
    for position, (product_id, quantity) in enumerate(request.items):
        item = catalog[product_id]
        lines.append(
            OrderLine(
                position=position,
                product_id=item.pk,
                name=item.name,
                unit_price=item.price,
                quantity=quantity,
                line_total=item.price * quantity,
            )
        )
    order = Order.objects.create(
        spot=spot,
        user=user,
        total=sum((line.line_total for line in lines), start=0),
        created_at=clock.now(),
        created_by=actor,
        idempotency_key=idempotency_key or None,
        request_fingerprint=fingerprint,
    )
    for line in lines:
        line.order = order
    OrderLine.objects.bulk_create(lines)
    return order
