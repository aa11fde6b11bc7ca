"""Reading of the process environment and the optional ``.env`` file.

The ``.env`` file is loaded into ``os.environ`` before any setting is read, so
a variable set only there reaches every module that reads the environment.
Variables already set in the environment win over the file.
"""

import os
from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def load_env_file() -> Path:
    """Load ``ENV_FILE`` (default ``<project>/.env``) into ``os.environ``."""
    env_file = Path(os.environ.get("ENV_FILE", BASE_DIR / ".env"))
    if env_file.is_file():
        environ.Env.read_env(env_file, overwrite=False)
    return env_file


ENV_FILE = load_env_file()

env = environ.Env()
