"""Writes of the catalog app. Cached reads are invalidated by signals."""

import logging

from django.db import IntegrityError, transaction

from brocode_site.exceptions import Conflict

from .models import CatalogItem, Spot

logger = logging.getLogger(__name__)


class IdTaken(Conflict):
    default_code = "id_taken"


def create_item(data: dict) -> CatalogItem:
    return _create(CatalogItem, data)


def update_item(item: CatalogItem, data: dict) -> CatalogItem:
    return _update(item, data)


def create_spot(data: dict) -> Spot:
    return _create(Spot, {_spot_field(name): value for name, value in data.items()})


def update_spot(spot: Spot, data: dict) -> Spot:
    return _update(spot, {_spot_field(name): value for name, value in data.items()})


def delete(row) -> None:
    """Delete a catalog item, or a spot with its orders."""
    with transaction.atomic():
        row.delete()
    logger.info("%s %s deleted.", row._meta.verbose_name.capitalize(), row.pk)


def _spot_field(name: str) -> str:
    return "host" if name == "hostUserId" else name


def _create(model, data: dict):
    row = model(**data)
    if "id" in data and model.objects.filter(pk=data["id"]).exists():
        raise IdTaken(f"A {model._meta.verbose_name} with id {data['id']!r} exists.")
    try:
        with transaction.atomic():
            row.save(force_insert=True)
    except IntegrityError as error:
        # Another request created the same id between the check and the insert.
        raise IdTaken(
            f"A {model._meta.verbose_name} with id {row.pk!r} exists."
        ) from error
    logger.info("%s %s created.", model._meta.verbose_name.capitalize(), row.pk)
    return row


def _update(row, data: dict):
    for name, value in data.items():
        setattr(row, name, value)
    with transaction.atomic():
        row.save(update_fields=list(data) or None)
    logger.info("%s %s updated.", row._meta.verbose_name.capitalize(), row.pk)
    return row
