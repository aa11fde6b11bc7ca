"""Keep cached sessions and users in step with every change to a user."""

from django.db import transaction
from django.db.models.signals import post_delete, post_save, pre_delete
from django.dispatch import receiver

from . import cache as session_cache
from .models import Session, User, revoke_sessions_of


@receiver(post_save, sender=User)
def user_saved(sender, instance, created, **kwargs):
    if created:
        return
    if not instance.is_active:
        # Deactivation revokes every session, so reactivating the user does
        # not bring old tokens back.
        revoke_sessions_of([instance.pk])
    user_id = instance.pk
    transaction.on_commit(lambda: session_cache.invalidate_user(user_id))


@receiver(pre_delete, sender=User)
def user_deleted(sender, instance, **kwargs):
    token_hashes = list(
        Session.objects.filter(
            user_id=instance.pk, revoked_at__isnull=True
        ).values_list("token_hash", flat=True)
    )
    user_id = instance.pk

    def forget():
        session_cache.mark_revoked(token_hashes)
        session_cache.invalidate_user(user_id)

    transaction.on_commit(forget)


@receiver(post_delete, sender=Session)
def session_deleted(sender, instance, **kwargs):
    token_hash = instance.token_hash
    transaction.on_commit(lambda: session_cache.mark_revoked([token_hash]))
