"""Cache wiring shared by the apps: error classes, a circuit breaker for
Redis connections, and a serializer that reads garbage as a miss."""

import logging
import pickle
import threading
import time

import redis
from django.conf import settings
from django_redis.exceptions import ConnectionInterrupted
from django_redis.serializers.pickle import PickleSerializer

logger = logging.getLogger(__name__)

# Errors that the configured cache raises when Redis cannot be reached,
# replies too slowly, or replies with an error (a key of the wrong type, for
# example). LocMem never raises them.
CACHE_ERRORS = (
    ConnectionInterrupted,
    redis.exceptions.ConnectionError,
    redis.exceptions.TimeoutError,
    redis.exceptions.ResponseError,
)


class CircuitBreaker:
    """Stop trying Redis for ``CACHE_BREAKER_SECONDS`` after a failure.

    While open, every command fails at once instead of waiting for the
    connect or socket timeout; the first command after the pause tries Redis
    again. One breaker serves the whole process.
    """

    def __init__(self):
        self.open_until = 0.0
        self.lock = threading.Lock()
        # Threads that set ``bypass.active`` try Redis even while open.
        self.bypass = threading.local()

    def check(self) -> None:
        if getattr(self.bypass, "active", False):
            return
        if time.monotonic() < self.open_until:
            raise redis.exceptions.ConnectionError(
                "Redis is treated as unreachable for a few seconds after a failure."
            )

    def trip(self, error: Exception) -> None:
        with self.lock:
            was_closed = self.open_until == 0.0
            self.open_until = time.monotonic() + settings.CACHE_BREAKER_SECONDS
        if was_closed:
            logger.error(
                "Redis failed (%s); not trying it again for %s seconds. Serving "
                "from the database, with per-process login limits.",
                error,
                settings.CACHE_BREAKER_SECONDS,
            )

    def reset(self) -> None:
        if self.open_until == 0.0:
            return
        with self.lock:
            self.open_until = 0.0
        logger.warning("Redis is reachable again; using the shared cache.")


breaker = CircuitBreaker()

# The same outage warning is logged at most once per this many seconds.
WARNING_INTERVAL_SECONDS = 30
_last_warnings: dict[tuple[str, str], float] = {}


def warn_unreachable(log: logging.Logger, action: str, error: Exception) -> None:
    """Log that the cache failed during ``action``, at most once per interval.

    During an outage every request fails the same way, so one line per
    interval per action tells the operator as much as one per request.
    """
    now = time.monotonic()
    key = (log.name, action)
    if (
        now - _last_warnings.get(key, -WARNING_INTERVAL_SECONDS)
        >= WARNING_INTERVAL_SECONDS
    ):
        _last_warnings[key] = now
        log.warning("Cache unreachable while %s (%s).", action, error)


class BreakerConnection(redis.connection.Connection):
    """A redis-py connection that reports failures to the circuit breaker."""

    def connect(self):
        breaker.check()
        try:
            super().connect()
        except (
            redis.exceptions.ConnectionError,
            redis.exceptions.TimeoutError,
        ) as error:
            breaker.trip(error)
            raise

    def send_packed_command(self, command, check_health=True):
        try:
            breaker.check()
        except redis.exceptions.ConnectionError:
            self.disconnect()
            raise
        try:
            return super().send_packed_command(command, check_health)
        except (
            redis.exceptions.ConnectionError,
            redis.exceptions.TimeoutError,
        ) as error:
            breaker.trip(error)
            raise

    def read_response(self, *args, **kwargs):
        try:
            response = super().read_response(*args, **kwargs)
        except (
            redis.exceptions.ConnectionError,
            redis.exceptions.TimeoutError,
        ) as error:
            breaker.trip(error)
            raise
        breaker.reset()
        return response


class BreakerConnectionPool(redis.ConnectionPool):
    """The connection pool of the default cache: ``BreakerConnection`` unless
    the configuration names another connection class."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("connection_class", BreakerConnection)
        super().__init__(*args, **kwargs)


class SafePickleSerializer(PickleSerializer):
    """django-redis's pickle serializer, reading undecodable bytes as a miss."""

    def loads(self, value: bytes):
        try:
            return super().loads(value)
        except (
            pickle.UnpicklingError,
            EOFError,
            ValueError,
            TypeError,
            AttributeError,
            ImportError,
            IndexError,
        ) as error:
            logger.warning(
                "Ignoring an undecodable cache value (%s); treating it as a miss.",
                error,
            )
            return None


class PendingWrites:
    """Cache writes that failed during an outage, retried until Redis takes them.

    Invalidations (revoked sessions, changed users, a new catalog generation)
    must reach Redis once it is back, or other processes would trust stale
    entries. A daemon thread retries them every ``RETRY_INTERVAL_SECONDS``,
    past the circuit breaker, and stops once none are left.
    """

    RETRY_INTERVAL_SECONDS = 0.5

    def __init__(self):
        self.writes = {}
        self.lock = threading.Lock()
        self.thread = None

    def add(self, name: str, write) -> None:
        """Keep ``write`` (a callable) to retry; a later write of the same name wins."""
        with self.lock:
            self.writes[name] = write
            if self.thread is None:
                self.thread = threading.Thread(
                    target=self._retry, name="cache-pending-writes", daemon=True
                )
                self.thread.start()

    def retry_now(self) -> int:
        """Try every pending write once; return how many are still pending."""
        with self.lock:
            pending = list(self.writes.items())
        breaker.bypass.active = True
        try:
            for name, write in pending:
                try:
                    write()
                except CACHE_ERRORS:
                    break
                with self.lock:
                    if self.writes.get(name) is write:
                        del self.writes[name]
                logger.warning("Pending cache write %s applied after an outage.", name)
        finally:
            breaker.bypass.active = False
        with self.lock:
            return len(self.writes)

    def _retry(self) -> None:
        while True:
            time.sleep(self.RETRY_INTERVAL_SECONDS)
            if self.retry_now() == 0:
                with self.lock:
                    if not self.writes:
                        self.thread = None
                        return


pending_writes = PendingWrites()
