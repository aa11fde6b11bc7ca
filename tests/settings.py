"""The project's settings, with a test-only SECRET_KEY when none is set."""

import os

os.environ.setdefault("SECRET_KEY", "test-only-secret-key-not-for-deployment")

from brocode_site.settings import *  # noqa: E402, F403

# Password hashing is deliberately slow. Tests hash many passwords, so they
# use a fast hasher instead.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    # A file, unlike SQLite's shared in-memory database, lets threads of the
    # concurrency tests wait for the write lock instead of failing at once.
    import tempfile

    DATABASES["default"]["TEST"] = {  # noqa: F405
        "NAME": os.path.join(
            tempfile.gettempdir(), f"brocode-test-{os.getpid()}.sqlite3"
        )
    }
