from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from .caching import bump_generation
from .models import CatalogItem, Spot


@receiver(post_save, sender=CatalogItem)
@receiver(post_delete, sender=CatalogItem)
@receiver(post_save, sender=Spot)
@receiver(post_delete, sender=Spot)
def invalidate_cached_reads(**kwargs):
    transaction.on_commit(bump_generation)
