"""Every cache key of the realtime app, built from ``REDIS_KEY_PREFIX``."""

from django.conf import settings


def realtime_key(*parts: str) -> str:
    return ":".join((settings.REDIS_KEY_PREFIX, "realtime", *parts))


def presence_all_key() -> str:
    """Return the key of the sorted set of every present user."""
    return realtime_key("presence", "all")


def presence_spot_prefix() -> str:
    return realtime_key("presence", "spot", "")


def presence_spot_key(spot_id: str) -> str:
    """Return the key of the sorted set of the users present at one spot."""
    return presence_spot_prefix() + spot_id


def presence_user_prefix() -> str:
    return realtime_key("presence", "user", "")


def presence_user_key(user_id: str) -> str:
    """Return the key of the hash with one user's presence entry."""
    return presence_user_prefix() + user_id


def event_state_key(event_key: str) -> str:
    return realtime_key("event", event_key)
