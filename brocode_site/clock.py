"""The one clock of the project, so tests can move time instead of sleeping."""

from datetime import UTC, datetime

from django.utils import timezone


def now() -> datetime:
    """Return the current time as an aware UTC datetime."""
    return timezone.now()


def isoformat(moment: datetime) -> str:
    """Format an aware datetime as ISO 8601 in UTC with a ``Z`` suffix."""
    utc = moment.astimezone(UTC)
    return utc.isoformat().replace("+00:00", "Z")


def timestamp() -> float:
    """Return the current time as seconds since the epoch, from ``now()``."""
    return now().timestamp()


def isoformat_ms(milliseconds: int) -> str:
    """Format milliseconds since the epoch as ISO 8601 in UTC."""
    return isoformat(datetime.fromtimestamp(milliseconds / 1000, UTC))
