"""Settings of the BroCode Spot API.

Every value comes from the environment or the ``.env`` file through
django-environ, read in this module only. ``.env.example`` lists each
variable with its default and meaning.
"""

import re
import warnings

from django.core.exceptions import ImproperlyConfigured

from .caches import PAGE_CACHE_ALIAS, build_caches
from .environment import BASE_DIR, ENV_FILE, env  # noqa: F401 - ENV_FILE for tests

# Core
DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set and DEBUG is off. Set SECRET_KEY to a long "
            "random string in the environment or in .env, or set DEBUG=true "
            "for local development."
        )
    SECRET_KEY = "insecure-development-key-used-only-with-debug-on"  # noqa: S105
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
# Origins, like https://api.example.com, from which the Django admin's forms
# may be posted; needed when the admin is reached over HTTPS through a proxy.
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "corsheaders",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "brocode_site.apps.SiteConfig",
    "accounts",
    "catalog",
    "orders",
    "realtime",
]

MIDDLEWARE = [
    # CORS first, so that errors built by ApiErrorMiddleware, such as 413,
    # carry the CORS headers too.
    "corsheaders.middleware.CorsMiddleware",
    "brocode_site.middleware.ApiErrorMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.http.ConditionalGetMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "brocode_site.urls"
WSGI_APPLICATION = "brocode_site.wsgi.application"
AUTH_USER_MODEL = "accounts.User"
# The API paths of the web client have no trailing slash. Redirecting would
# turn a POST into an error, so a path with a stray slash is a plain 404.
APPEND_SLASH = False

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# Database
# An empty DATABASE_URL, as in a copied .env.example, means the default.
DATABASE_URL = env.str("DATABASE_URL", default="") or (
    f"sqlite:///{BASE_DIR / 'db.sqlite3'}"
)
DATABASES = {"default": env.db_url_config(DATABASE_URL)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Concurrent writers wait up to 20 seconds for SQLite's lock instead of
    # failing at once. A transaction takes the write lock when it begins, so
    # it does not fail with "database is locked" when it starts writing.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "transaction_mode": "IMMEDIATE"}
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Cache
REDIS_URL = env.str("REDIS_URL", default="") or None
REDIS_KEY_PREFIX = env.str("REDIS_KEY_PREFIX", default="brocode")
CACHE_BACKEND_NAME = "redis" if REDIS_URL else "locmem"
CACHE_CONNECT_TIMEOUT_SECONDS = env.float("CACHE_CONNECT_TIMEOUT_SECONDS", default=0.25)
CACHE_SOCKET_TIMEOUT_SECONDS = env.float("CACHE_SOCKET_TIMEOUT_SECONDS", default=0.25)
CACHES = build_caches(
    REDIS_URL,
    REDIS_KEY_PREFIX,
    connect_timeout=CACHE_CONNECT_TIMEOUT_SECONDS,
    socket_timeout=CACHE_SOCKET_TIMEOUT_SECONDS,
)
CACHE_DEFAULT_TTL_SECONDS = env.int("CACHE_DEFAULT_TTL_SECONDS", default=60)
# After a Redis failure, commands fail at once for this many seconds instead
# of each waiting for a timeout.
CACHE_BREAKER_SECONDS = env.float("CACHE_BREAKER_SECONDS", default=3.0)
# Page-cache keys of Django's cache_page get this prefix, after the cache's
# own KEY_PREFIX.
CACHE_MIDDLEWARE_KEY_PREFIX = "pages"
CACHE_MIDDLEWARE_ALIAS = PAGE_CACHE_ALIAS

# Accounts and throttling
SESSION_TTL_SECONDS = env.int("SESSION_TTL_SECONDS", default=7 * 24 * 3600)
LOGIN_FAILURE_WINDOW_SECONDS = env.int("LOGIN_FAILURE_WINDOW_SECONDS", default=900)
LOGIN_MAX_FAILURES_PER_PAIR = env.int("LOGIN_MAX_FAILURES_PER_PAIR", default=5)
LOGIN_MAX_FAILURES_PER_IP = env.int("LOGIN_MAX_FAILURES_PER_IP", default=20)
LOGIN_MAX_FAILURES_PER_USERNAME = env.int(
    "LOGIN_MAX_FAILURES_PER_USERNAME", default=100
)
LOGIN_BLOCK_SECONDS = env.int("LOGIN_BLOCK_SECONDS", default=900)
API_RATE_ANON = env.str("API_RATE_ANON", default="60/min")
API_RATE_USER = env.str("API_RATE_USER", default="600/min")
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
# Worker processes per server (gunicorn reads the same variable). While Redis
# is unreachable, each process enforces 1/WEB_CONCURRENCY of the limits.
WEB_CONCURRENCY = max(1, int(env.str("WEB_CONCURRENCY", default="") or 1))
for _name in ("API_RATE_ANON", "API_RATE_USER"):
    if not re.fullmatch(
        r"\d+/(s|sec|second|m|min|minute|h|hour|d|day)", globals()[_name]
    ):
        raise ImproperlyConfigured(
            f"{_name}={globals()[_name]!r} is invalid: use <count>/<period>, "
            "with period sec, min, hour or day, for example 60/min."
        )

# Realtime
PRESENCE_TTL_SECONDS = env.int("PRESENCE_TTL_SECONDS", default=60)
EVENT_STATE_DEFAULT_TTL_SECONDS = env.int(
    "EVENT_STATE_DEFAULT_TTL_SECONDS", default=120
)
EVENT_STATE_MAX_TTL_SECONDS = env.int("EVENT_STATE_MAX_TTL_SECONDS", default=86400)
EVENT_STATE_MAX_BYTES = env.int("EVENT_STATE_MAX_BYTES", default=16384)

# Requests
# A JSON body larger than this gets 413 before it is parsed.
MAX_REQUEST_BODY_BYTES = env.int("MAX_REQUEST_BODY_BYTES", default=262_144)
DATA_UPLOAD_MAX_MEMORY_SIZE = MAX_REQUEST_BODY_BYTES

# CORS (django-cors-headers)
CORS_ALLOWED_ORIGINS = env.list("CORS_ALLOWED_ORIGINS", default=[])
CORS_URLS_REGEX = r"^/api/.*$"
CORS_ALLOW_METHODS = ["DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT"]
CORS_ALLOW_HEADERS = [
    "authorization",
    "content-type",
    "if-match",
    "if-none-match",
    "idempotency-key",
]
CORS_EXPOSE_HEADERS = ["ETag", "Retry-After", "X-Total-Count"]

# Django REST framework
REST_FRAMEWORK = {
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["brocode_site.parsers.StrictJSONParser"],
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": (
        "brocode_site.negotiation.JSONOnlyContentNegotiation"
    ),
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.authentication.BearerTokenAuthentication"
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_THROTTLE_CLASSES": [
        "accounts.throttling.AnonRateThrottle",
        "accounts.throttling.UserRateThrottle",
    ],
    "EXCEPTION_HANDLER": "brocode_site.exceptions.api_exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # Escape non-ASCII characters in responses, so that a lone surrogate
    # echoed from a request, as in "not a valid choice", cannot break the
    # UTF-8 encoding of the body.
    "UNICODE_JSON": False,
}

# OpenAPI schema and Swagger UI (drf-spectacular), served from the installed
# drf-spectacular-sidecar package, so the UI needs no other host.
SPECTACULAR_SETTINGS = {
    "TITLE": "BroCode Spot API",
    "DESCRIPTION": (
        "Backend of the BroCode Spot party-planning app: accounts, catalog, "
        "spots, orders, bills, presence and event state. Errors are "
        '`{"error", "code", "fields"?}`.'
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": "/api",
    "ENUM_NAME_OVERRIDES": {
        "RoleEnum": "accounts.models.User.Role",
        "CategoryEnum": "catalog.models.CatalogItem.Category",
        "PresenceStatusEnum": "realtime.presence.STATUSES",
        "HealthStatusEnum": ["ok", "degraded"],
    },
}

# Passwords
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation."
        "UserAttributeSimilarityValidator"
    },
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Internationalization
LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
# WhiteNoise serves the admin's and Swagger UI's files from the installed
# apps, also under gunicorn, without a collectstatic step.
WHITENOISE_USE_FINDERS = True
# STATIC_ROOT exists only after collectstatic, which this setup does not need.
warnings.filterwarnings("ignore", message="No directory at", module="whitenoise.base")

LOG_LEVEL = env.str("LOG_LEVEL", default="INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain"},
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
}
