"""DRF throttles: login brute-force protection and API request rates.

Login failures are counted per (username, client IP) pair, per client IP and
per username, each in a window that starts at the first failure. A login
attempt reserves a count on every key before its password is checked, so a
burst of concurrent attempts gets at most the limit of password checks per
key. A success clears the pair counter and releases the other reservations.

While Redis is unreachable, counting falls back to a per-process store whose
limits are divided by ``WEB_CONCURRENCY``, so protection stays about as
strict across all workers.
"""

import hashlib
import ipaddress
import logging
import math

from django.conf import settings
from rest_framework import exceptions
from rest_framework.throttling import BaseThrottle

from brocode_site.cache import CACHE_ERRORS, warn_unreachable

from .counters import LoginKey, counter_store, outage_store

logger = logging.getLogger(__name__)

RATE_PERIODS = {
    "s": 1,
    "sec": 1,
    "second": 1,
    "m": 60,
    "min": 60,
    "minute": 60,
    "h": 3600,
    "hour": 3600,
    "d": 86400,
    "day": 86400,
}


class LoginBlocked(exceptions.Throttled):
    default_code = "login_blocked"
    throttle_code = "login_blocked"


def client_ip(request) -> str:
    """Return the client IP: ``REMOTE_ADDR``, or the address that the nearest
    of ``TRUSTED_PROXY_COUNT`` trusted proxies appended to
    ``X-Forwarded-For``.

    With N trusted proxies, the client is the N-th address from the right.
    A shorter or malformed header falls back to ``REMOTE_ADDR``, so a client
    cannot choose its own address.
    """
    remote_addr = request.META.get("REMOTE_ADDR", "") or "unknown"
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies <= 0:
        return remote_addr
    forwarded = [
        part.strip()
        for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        if part.strip()
    ]
    if len(forwarded) < proxies:
        return remote_addr
    candidate = forwarded[-proxies]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        logger.warning(
            "Ignoring malformed X-Forwarded-For entry from %s; using REMOTE_ADDR.",
            remote_addr,
        )
        return remote_addr


def key_digest(kind: str, value: str) -> str:
    """Hash any string, however long or odd, into a short cache-safe key."""
    data = f"{kind}\0{value}".encode("utf-8", "surrogatepass")
    return hashlib.sha256(data).hexdigest()[:32]


def normalize_username(username: str) -> str:
    return username.strip().casefold()


class LoginAttempt:
    """The throttle keys of one login attempt and its reserved counts."""

    def __init__(self, username: str, ip: str, divisor: int = 1):
        name = normalize_username(username)
        self.pair = LoginKey(
            "pair",
            key_digest("pair", f"{name}\0{ip}"),
            _divided(settings.LOGIN_MAX_FAILURES_PER_PAIR, divisor),
        )
        self.ip = LoginKey(
            "ip",
            key_digest("ip", ip),
            _divided(settings.LOGIN_MAX_FAILURES_PER_IP, divisor),
        )
        self.username = LoginKey(
            "username",
            key_digest("username", name),
            _divided(settings.LOGIN_MAX_FAILURES_PER_USERNAME, divisor),
        )
        self.store = None

    @property
    def keys(self) -> list[LoginKey]:
        return [self.pair, self.ip, self.username]

    def record_failure(self) -> None:
        for key in self._call(
            "record_login_failure", self.keys, settings.LOGIN_BLOCK_SECONDS
        ):
            logger.info(
                "Login blocked: %s key %s reached %d failures; blocked for %d seconds.",
                key.kind,
                key.digest[:12],
                key.limit,
                settings.LOGIN_BLOCK_SECONDS,
            )

    def record_success(self) -> None:
        self._call("record_login_success", self.pair, [self.ip, self.username])

    def _call(self, operation: str, *args):
        try:
            return getattr(self.store, operation)(*args)
        except CACHE_ERRORS as error:
            warn_unreachable(logger, "recording a login outcome", error)
            return []


def _divided(limit: int, divisor: int) -> int:
    return max(1, limit // divisor)


class LoginThrottle(BaseThrottle):
    """Reserve a login attempt on every key, or refuse it while blocked.

    The reservation is stored on the request as ``login_attempt``; the login
    view records the outcome on it.
    """

    def __init__(self):
        self.retry_after = None

    def allow_request(self, request, view):
        from .serializers import LoginSerializer

        serializer = LoginSerializer(data=request.data)
        if not serializer.is_valid():
            return True  # The view returns 400 without checking a password.

        username = serializer.validated_data["username"]
        ip = client_ip(request)
        attempt = LoginAttempt(username, ip)
        try:
            store = counter_store()
            reservation = store.reserve_login(
                attempt.keys, settings.LOGIN_FAILURE_WINDOW_SECONDS
            )
        except CACHE_ERRORS as error:
            warn_unreachable(
                logger,
                "counting a login attempt; counting in this process only, with "
                f"limits divided by WEB_CONCURRENCY={settings.WEB_CONCURRENCY}",
                error,
            )
            attempt = LoginAttempt(username, ip, divisor=settings.WEB_CONCURRENCY)
            store = outage_store()
            reservation = store.reserve_login(
                attempt.keys, settings.LOGIN_FAILURE_WINDOW_SECONDS
            )

        for key in reservation.unblocked:
            logger.info(
                "Login unblocked: %s key %s, its block ended.",
                key.kind,
                key.digest[:12],
            )
        if not reservation.allowed:
            self.retry_after = reservation.retry_after_seconds
            return False
        attempt.store = store
        request.login_attempt = attempt
        return True

    def wait(self):
        return self.retry_after


def parse_rate(rate: str) -> tuple[int, int]:
    """Parse ``"60/min"`` into ``(60, 60)``: requests and window seconds."""
    count, _, period = rate.partition("/")
    return int(count), RATE_PERIODS[period.strip().lower()]


class ApiRateThrottle(BaseThrottle):
    """Fixed-window request rate per user, or per client IP when anonymous."""

    scope = "anon"

    def __init__(self):
        self.retry_after = None

    def get_rate(self) -> str:
        raise NotImplementedError

    def get_ident(self, request) -> str | None:
        raise NotImplementedError

    def allow_request(self, request, view):
        ident = self.get_ident(request)
        if ident is None:
            return True
        limit, window = parse_rate(self.get_rate())
        name = f"{self.scope}:{key_digest(self.scope, ident)}"
        try:
            count, ttl_ms = counter_store().hit(name, window)
        except CACHE_ERRORS as error:
            warn_unreachable(
                logger, "counting the API rate; counting in this process", error
            )
            count, ttl_ms = outage_store().hit(name, window)
            limit = _divided(limit, settings.WEB_CONCURRENCY)
        if count <= limit:
            return True
        self.retry_after = max(1, math.ceil(ttl_ms / 1000))
        return False

    def wait(self):
        return self.retry_after


class AnonRateThrottle(ApiRateThrottle):
    scope = "anon"

    def get_rate(self) -> str:
        return settings.API_RATE_ANON

    def get_ident(self, request):
        if request.user and request.user.is_authenticated:
            return None
        return client_ip(request)


class UserRateThrottle(ApiRateThrottle):
    scope = "user"

    def get_rate(self) -> str:
        return settings.API_RATE_USER

    def get_ident(self, request):
        if request.user and request.user.is_authenticated:
            return str(request.user.pk)
        return None
