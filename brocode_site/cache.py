"""Cache wiring shared by the apps: which errors mean "the cache is down"."""

import redis
from django_redis.exceptions import ConnectionInterrupted

# Errors that the configured cache raises when Redis cannot be reached or
# replies too slowly. LocMem never raises them.
CACHE_ERRORS = (
    ConnectionInterrupted,
    redis.exceptions.ConnectionError,
    redis.exceptions.TimeoutError,
)
