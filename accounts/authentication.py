"""DRF authentication by ``Authorization: Bearer <token>``."""

import hmac
import logging
from dataclasses import dataclass
from datetime import timedelta

from rest_framework import authentication, exceptions

from brocode_site import clock
from brocode_site.cache import CACHE_ERRORS

from . import cache as session_cache
from . import tokens
from .models import Session, User

logger = logging.getLogger(__name__)

SESSION_ENTRY_FIELDS = {"sid", "uid", "exp", "created"}
USER_ENTRY_FIELDS = {"gen", *session_cache.USER_FIELDS}


@dataclass(frozen=True)
class SessionInfo:
    """The ``request.auth`` of a bearer-token request."""

    session_id: int
    token_hash: str


class InvalidToken(exceptions.AuthenticationFailed):
    default_detail = "The bearer token is invalid, expired or revoked."
    default_code = "invalid_token"


class BearerTokenAuthentication(authentication.BaseAuthentication):
    """Authenticate ``Authorization: Bearer <token>`` against token sessions.

    ``request.user`` becomes the token's user and ``request.auth`` a
    ``SessionInfo``. With a shared cache, a warm request makes no database
    query. A cache miss, an unreachable cache or a LocMem cache falls back to
    the database, which is always right.
    """

    keyword = "bearer"

    def authenticate(self, request):
        header = request.META.get("HTTP_AUTHORIZATION", "")
        if not header:
            return None
        scheme, _, token = header.strip().partition(" ")
        if scheme.lower() != self.keyword:
            return None
        token = token.strip()
        if not tokens.is_well_formed(token):
            raise exceptions.AuthenticationFailed(
                "Malformed bearer token: expected 'Authorization: Bearer <token>' "
                "with the token returned by login.",
                code="invalid_token",
            )
        return authenticate_token(tokens.token_hash(token))

    def authenticate_header(self, request):
        return "Bearer"


def authenticate_token(token_hash: str) -> tuple[User, SessionInfo]:
    """Return the user and session of a token hash, or raise ``InvalidToken``."""
    if not session_cache.is_shared():
        return _authenticate_from_database(token_hash)
    try:
        return _authenticate_through_cache(token_hash)
    except CACHE_ERRORS as error:
        session_cache.warn_unreachable("checking a session", error)
        return _authenticate_from_database(token_hash)


def _authenticate_through_cache(token_hash: str) -> tuple[User, SessionInfo]:
    entry = session_cache.get_session_entry(token_hash)
    if entry == session_cache.REVOKED:
        raise InvalidToken()

    generation = seen = None
    # An entry of another shape, left by an older release, is a miss.
    if (
        isinstance(entry, dict)
        and entry.keys() >= SESSION_ENTRY_FIELDS
        and entry["exp"] > clock.timestamp()
    ):
        session_id, user_id, created = entry["sid"], entry["uid"], entry["created"]
        generation, user_entry, seen = session_cache.get_user_state(
            user_id, session_id, created
        )
        if (
            isinstance(user_entry, dict)
            and user_entry.keys() >= USER_ENTRY_FIELDS
            and user_entry["gen"] == generation
        ):
            if not user_entry["is_active"]:
                raise InvalidToken()
            _touch_last_seen(session_id, created, seen)
            user = _user_from_entry(user_id, user_entry)
            return user, SessionInfo(session_id, token_hash)
    else:
        session = _load_active_session(token_hash)
        session_id, user_id = session.pk, session.user_id
        created = session.created_at.timestamp()
        session_cache.store_session(token_hash, session)

    if generation is None:
        # Read before the user row: a change committed after this read moves
        # the generation on, so the copy stored below is then ignored.
        generation = session_cache.current_generation(user_id)
    user = User.objects.filter(pk=user_id).first()
    if user is None or not user.is_active:
        raise InvalidToken()
    session_cache.store_user(user, generation)
    _touch_last_seen(session_id, created, seen)
    return user, SessionInfo(session_id, token_hash)


def _authenticate_from_database(token_hash: str) -> tuple[User, SessionInfo]:
    session = _load_active_session(token_hash, with_user=True)
    if not session.user.is_active:
        raise InvalidToken()
    stale_before = clock.now() - timedelta(
        seconds=session_cache.LAST_SEEN_INTERVAL_SECONDS
    )
    if session.last_seen_at <= stale_before:
        _write_last_seen(session.pk)
    return session.user, SessionInfo(session.pk, token_hash)


def _load_active_session(token_hash: str, with_user: bool = False) -> Session:
    sessions = Session.objects.filter(token_hash=token_hash)
    if with_user:
        sessions = sessions.select_related("user")
    session = sessions.first()
    if (
        session is None
        or not hmac.compare_digest(session.token_hash, token_hash)
        or session.revoked_at is not None
        or session.expires_at <= clock.now()
    ):
        raise InvalidToken()
    return session


def _touch_last_seen(session_id: int, created: float, seen) -> None:
    """Write last seen unless another request did within the interval."""
    if seen is None and session_cache.mark_seen(session_id, created):
        _write_last_seen(session_id)


def _write_last_seen(session_id: int) -> None:
    now = clock.now()
    stale_before = now - timedelta(seconds=session_cache.LAST_SEEN_INTERVAL_SECONDS)
    Session.objects.filter(pk=session_id, last_seen_at__lte=stale_before).update(
        last_seen_at=now
    )


def _user_from_entry(user_id: int, entry: dict) -> User:
    fields = {field: entry[field] for field in session_cache.USER_FIELDS}
    user = User(pk=user_id, **fields)
    user._state.adding = False
    user._state.db = "default"
    return user
