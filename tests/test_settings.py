"""Settings come from the environment and the .env file, read at start-up.

Each case starts a fresh Python process, because settings are read once.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT_DIR = Path(__file__).resolve().parent.parent

PRINT_SETTINGS = (
    "import json, django; django.setup(); from django.conf import settings; "
    "print(json.dumps({'backend': settings.CACHES['default']['BACKEND'], "
    "'location': settings.CACHES['default'].get('LOCATION'), "
    "'options': settings.CACHES['default'].get('OPTIONS', {}), "
    "'name': settings.CACHE_BACKEND_NAME, "
    "'database': settings.DATABASES['default']['ENGINE'], "
    "'ttl': settings.SESSION_TTL_SECONDS}, default=str))"
)


def run_settings(tmp_path, env_file_text=None, **variables):
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"REDIS_URL", "DATABASE_URL", "SECRET_KEY", "DEBUG"}
    }
    env_file = tmp_path / ".env"
    if env_file_text is not None:
        env_file.write_text(env_file_text)
    env.update(
        DJANGO_SETTINGS_MODULE="brocode_site.settings",
        ENV_FILE=str(env_file),
        **variables,
    )
    return subprocess.run(
        [sys.executable, "-c", PRINT_SETTINGS],
        cwd=PROJECT_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def loaded(result) -> dict:
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_no_redis_url_gives_locmem(tmp_path):
    result = run_settings(tmp_path, SECRET_KEY="k" * 50)

    settings = loaded(result)
    assert settings["backend"].endswith("LocMemCache")
    assert settings["name"] == "locmem"
    assert settings["options"]["MAX_ENTRIES"] >= 100_000
    assert "serves a single process only" in result.stderr


def test_redis_url_from_environment(tmp_path):
    result = run_settings(
        tmp_path, SECRET_KEY="k" * 50, REDIS_URL="redis://127.0.0.1:6399/3"
    )

    settings = loaded(result)
    assert settings["backend"] == "django_redis.cache.RedisCache"
    assert settings["location"] == "redis://127.0.0.1:6399/3"
    assert settings["name"] == "redis"
    assert settings["options"]["SOCKET_CONNECT_TIMEOUT"] <= 1
    assert settings["options"]["SOCKET_TIMEOUT"] <= 1
    assert "Cache backend: Redis" in result.stderr


def test_redis_url_from_env_file(tmp_path):
    result = run_settings(
        tmp_path,
        env_file_text="REDIS_URL=redis://127.0.0.1:6399/4\nSESSION_TTL_SECONDS=60\n",
        SECRET_KEY="k" * 50,
    )

    settings = loaded(result)
    assert settings["backend"] == "django_redis.cache.RedisCache"
    assert settings["location"] == "redis://127.0.0.1:6399/4"
    assert settings["ttl"] == 60


def test_environment_wins_over_env_file(tmp_path):
    result = run_settings(
        tmp_path,
        env_file_text="SESSION_TTL_SECONDS=60\n",
        SECRET_KEY="k" * 50,
        SESSION_TTL_SECONDS="120",
    )

    assert loaded(result)["ttl"] == 120


def test_database_url_selects_postgresql(tmp_path):
    result = run_settings(
        tmp_path,
        SECRET_KEY="k" * 50,
        DATABASE_URL="postgres://app@127.0.0.1:5432/brocode",
    )

    assert loaded(result)["database"] == "django.db.backends.postgresql"


def test_default_database_is_sqlite(tmp_path):
    result = run_settings(tmp_path, SECRET_KEY="k" * 50)

    assert loaded(result)["database"] == "django.db.backends.sqlite3"


def test_missing_secret_key_without_debug_fails(tmp_path):
    result = run_settings(tmp_path, DEBUG="false")

    assert result.returncode != 0
    assert "SECRET_KEY is not set and DEBUG is off" in result.stderr


@pytest.mark.parametrize("debug", ["true", "1"])
def test_debug_runs_without_secret_key(tmp_path, debug):
    result = run_settings(tmp_path, DEBUG=debug)

    assert loaded(result)["name"] == "locmem"


def test_copied_env_example_loads(tmp_path):
    example = (PROJECT_DIR / ".env.example").read_text()

    result = run_settings(tmp_path, env_file_text=example, DEBUG="true")

    settings = loaded(result)
    assert settings["database"] == "django.db.backends.sqlite3"
    assert settings["name"] == "locmem"
    assert settings["ttl"] == 604800
