"""Writes of the accounts app: logins, revocations and user management."""

import ipaddress
import logging
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction

from brocode_site import clock
from brocode_site.cache import CACHE_ERRORS
from brocode_site.exceptions import Conflict
from brocode_site.ids import parse_numeric_id

from . import cache as session_cache
from . import tokens
from .models import Session, User, username_key

logger = logging.getLogger(__name__)

USER_AGENT_MAX_LENGTH = 512
USERNAME_MAX_LENGTH = 150


class UsernameTaken(Conflict):
    default_detail = "A user with that username already exists."
    default_code = "username_taken"


def check_credentials(username: str, password: str) -> User | None:
    """Return the active user with this username (any case) and password.

    An unknown user still costs one password hash, so timing does not tell
    which usernames exist.
    """
    user = None
    if len(username) <= USERNAME_MAX_LENGTH and "\0" not in username:
        user = User.objects.filter(username_key=username_key(username)).first()
    if user is None:
        User().set_password(password)
        return None
    if not user.check_password(password) or not user.is_active:
        return None
    return user


def start_session(user: User, ip: str, user_agent: str) -> tuple[str, Session]:
    """Create a session for the user and return its token and row."""
    token = tokens.new_token()
    now = clock.now()
    session = Session.objects.create(
        user=user,
        token_hash=tokens.token_hash(token),
        created_at=now,
        last_seen_at=now,
        expires_at=now + timedelta(seconds=settings.SESSION_TTL_SECONDS),
        ip=_valid_ip(ip),
        user_agent=user_agent[:USER_AGENT_MAX_LENGTH],
    )
    User.objects.filter(pk=user.pk).update(last_login=now)
    if session_cache.is_shared():
        try:
            session_cache.mark_seen(session.pk, now.timestamp())
        except CACHE_ERRORS as error:
            session_cache.warn_unreachable("starting a session", error)
    logger.info("User %s logged in; session %s started.", user.pk, session.pk)
    return token, session


def revoke_sessions(sessions) -> int:
    """Revoke the sessions of a queryset; return how many were revoked."""
    return sessions.revoke()


def logout(session_id: int) -> None:
    revoke_sessions(Session.objects.filter(pk=session_id))


def logout_all(user: User) -> int:
    count = revoke_sessions(Session.objects.filter(user=user))
    logger.info("User %s logged out of all %d session(s).", user.pk, count)
    return count


def revoke_own_session(user: User, session_id: str) -> bool:
    """Revoke one active session of the user; False if there is none such."""
    pk = parse_numeric_id(session_id)
    if pk is None:
        return False
    sessions = Session.objects.active(clock.now()).filter(pk=pk, user=user)
    return revoke_sessions(sessions) == 1


def create_user(username: str, password: str, name: str, role: str) -> User:
    if User.objects.filter(username_key=username_key(username)).exists():
        raise UsernameTaken()
    user = User(username=username, name=name, role=role)
    user.set_password(password)
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError as error:
        # A concurrent request took the name between the check and the insert.
        raise UsernameTaken() from error
    logger.info("User %s (%s) created with role %s.", user.pk, username, role)
    return user


def delete_user(user: User) -> None:
    """Delete the user and everything of theirs, revoking their sessions."""
    with transaction.atomic():
        user_id = user.pk
        user.delete()
    logger.info("User %s deleted with their sessions.", user_id)


def _valid_ip(ip: str) -> str | None:
    try:
        return str(ipaddress.ip_address(ip))
    except ValueError:
        return None
