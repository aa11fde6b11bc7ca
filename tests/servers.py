"""Servers that tests start themselves: free ports and redis-server."""

import shutil
import socket
import subprocess
import time

import pytest

from tests.conftest import REQUIRE_REAL_SERVICES


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for_port(port: int, seconds: float = 15) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    pytest.fail(f"nothing listens on port {port} after {seconds} seconds")


def require_redis_server() -> None:
    """Skip without the redis-server program, or fail when CI requires it."""
    if shutil.which("redis-server") is None:
        if REQUIRE_REAL_SERVICES:
            pytest.fail("redis-server is not installed")
        pytest.skip("redis-server is not installed")


class RedisServer:
    """A redis-server of the test's own on 127.0.0.1, which it may stop."""

    def __init__(self, port: int | None = None):
        self.port = port or free_port()

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        subprocess.run(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--daemonize",
                "yes",
            ],
            check=True,
            capture_output=True,
        )
        wait_for_port(self.port)

    def stop(self) -> None:
        subprocess.run(
            ["redis-cli", "-p", str(self.port), "shutdown", "nosave"],
            capture_output=True,
        )
