"""Run the five benchmarks one after another and print the machine first.

Run from the project directory: ``.venv/bin/python -m bench.run_all``.
``--quick`` passes ``--quick`` to every benchmark, for a short check that
they run. The exit status is 1 when any benchmark failed.
"""

import argparse
import os
import platform
import shutil
import subprocess
import sys
import time
from datetime import UTC, datetime

from .common import PROJECT_DIR, wait_until_idle

# Before each benchmark, wait at most this long for other processes to leave
# the CPUs mostly idle.
IDLE_WAIT_SECONDS = 120
BENCHMARKS = [
    "bench.catalog_throughput",
    "bench.auth_throughput",
    "bench.presence_listing",
    "bench.login_failure",
    "bench.order_queries",
]


def command_output(*command: str) -> str:
    if shutil.which(command[0]) is None:
        return f"{command[0]} not found"
    result = subprocess.run(command, capture_output=True, text=True)
    return (result.stdout or result.stderr).strip().splitlines()[0]


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def memory_line() -> str:
    """Return the ``Mem:`` line of ``free -h``."""
    if shutil.which("free") is None:
        return "free not found"
    output = subprocess.run(["free", "-h"], capture_output=True, text=True).stdout
    for line in output.splitlines():
        if line.startswith("Mem:"):
            return " ".join(line.split())
    return "unknown"


def print_machine() -> None:
    commit = command_output("git", "-C", str(PROJECT_DIR), "rev-parse", "HEAD")
    changes = subprocess.run(
        [
            "git",
            "-C",
            str(PROJECT_DIR),
            "status",
            "--porcelain",
            "--untracked-files=no",
        ],
        capture_output=True,
        text=True,
    ).stdout
    if changes.strip():
        commit += " plus uncommitted changes to tracked files"
    lines = [
        f"date (UTC): {datetime.now(UTC):%Y-%m-%d %H:%M:%S}",
        f"CPUs (os.cpu_count): {os.cpu_count()}",
        f"CPU model: {cpu_model()}",
        f"OS: {platform.platform()}",
        f"Python: {platform.python_version()}",
        f"Redis: {command_output('redis-server', '--version')}",
        f"wrk: {command_output('wrk', '--version')}",
        f"memory (free -h, total used free shared buff/cache available): "
        f"{memory_line()}",
        f"git commit: {commit}",
    ]
    print("\n".join(lines), flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--quick", action="store_true", help="pass --quick to every benchmark"
    )
    args = parser.parse_args()

    print_machine()
    failed = []
    for module in BENCHMARKS:
        command = [sys.executable, "-m", module]
        if args.quick:
            command.append("--quick")
        print(f"\n## {' '.join(['python', *command[1:]])}\n", flush=True)
        if not args.quick:
            busy = wait_until_idle(IDLE_WAIT_SECONDS)
            print(f"CPU {busy:.0%} busy before the start", flush=True)
        started = time.monotonic()
        result = subprocess.run(command, cwd=PROJECT_DIR)
        print(f"\n({module} took {time.monotonic() - started:.0f} s)", flush=True)
        if result.returncode != 0:
            failed.append(module)
    if failed:
        print(f"\nFailed: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
