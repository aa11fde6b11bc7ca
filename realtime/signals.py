"""Drop a user's presence when they log out or are deleted."""

import logging

from django.contrib.auth.signals import user_logged_out
from django.db import transaction
from django.db.models.signals import post_delete
from django.dispatch import receiver

from accounts.models import User
from brocode_site.cache import CACHE_ERRORS

from .presence import presence_store

logger = logging.getLogger(__name__)


def drop_presence(user_id) -> None:
    try:
        presence_store().leave(str(user_id))
    except CACHE_ERRORS as error:
        logger.warning(
            "Could not drop the presence of user %s: the cache is unreachable "
            "(%s). It expires on its own within PRESENCE_TTL_SECONDS.",
            user_id,
            error,
        )


@receiver(user_logged_out)
def logged_out(sender, request, user, **kwargs):
    if user is not None:
        drop_presence(user.pk)


@receiver(post_delete, sender=User)
def user_deleted(sender, instance, **kwargs):
    user_id = instance.pk
    transaction.on_commit(lambda: drop_presence(user_id))
