"""Bearer tokens: generation, format check and the keyed hash stored for them."""

import re
import secrets

from django.utils.crypto import salted_hmac

# 32 random bytes (256 bits), URL-safe base64 without padding: 43 characters.
TOKEN_BYTES = 32
TOKEN_PATTERN = re.compile(r"[A-Za-z0-9_-]{43}")
HASH_SALT = "brocode.accounts.session-token"


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def is_well_formed(token: str) -> bool:
    return TOKEN_PATTERN.fullmatch(token) is not None


def token_hash(token: str) -> str:
    """Return the HMAC-SHA256 of the token, keyed by ``SECRET_KEY``, in hex.

    Changing ``SECRET_KEY`` therefore ends every session.
    """
    return salted_hmac(HASH_SALT, token, algorithm="sha256").hexdigest()
