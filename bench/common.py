"""Shared parts of the benchmarks: servers on 127.0.0.1, load and tables.

Each benchmark starts its own ``redis-server`` and, when it needs one, its
own gunicorn, both on free ports of 127.0.0.1, with an SQLite file in a
temporary folder. Nothing else is contacted, and everything started is
stopped on exit.
"""

import argparse
import http.client
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import warnings
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
# High enough that the API rate throttles never reject a benchmark request.
UNLIMITED_RATE = "100000000/min"
SECRET_KEY = "benchmark-only-secret-key-" + "x" * 32  # noqa: S105
REDIS_KEY_PREFIX = "bench"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for_port(port: int, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise RuntimeError(f"Nothing listens on 127.0.0.1:{port} after {seconds} s.")


class RedisServer:
    """A ``redis-server`` of the benchmark's own, without persistence.

    Its pid file, log and working directory are in ``folder``. It is stopped
    with ``SHUTDOWN NOSAVE``, so nothing is written to disk.
    """

    def __init__(self, folder: Path):
        self.folder = folder
        self.port = free_port()

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def __enter__(self):
        if shutil.which("redis-server") is None:
            raise RuntimeError("redis-server is not on the PATH; install Redis.")
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
                "--dir",
                str(self.folder),
                "--pidfile",
                str(self.folder / "redis.pid"),
                "--logfile",
                str(self.folder / "redis.log"),
            ],
            check=True,
            capture_output=True,
        )
        wait_for_port(self.port)
        return self

    def __exit__(self, *exc_info):
        subprocess.run(
            ["redis-cli", "-p", str(self.port), "shutdown", "nosave"],
            capture_output=True,
        )

    def version(self) -> str:
        info = subprocess.run(
            ["redis-cli", "-p", str(self.port), "info", "server"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        return re.search(r"redis_version:(\S+)", info).group(1)


def service_environment(folder: Path, redis_url: str, workers: int = 1) -> dict:
    """Return the environment of the benchmark's Django processes.

    ``ENV_FILE`` names a missing file, so a developer's ``.env`` is not read.
    """
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "ENV_FILE": str(folder / "none.env"),
        "SECRET_KEY": SECRET_KEY,
        "DEBUG": "false",
        "ALLOWED_HOSTS": "127.0.0.1,testserver",
        "DATABASE_URL": f"sqlite:///{folder / 'db.sqlite3'}",
        "REDIS_URL": redis_url,
        "REDIS_KEY_PREFIX": REDIS_KEY_PREFIX,
        "API_RATE_ANON": UNLIMITED_RATE,
        "API_RATE_USER": UNLIMITED_RATE,
        "WEB_CONCURRENCY": str(workers),
        "LOG_LEVEL": "WARNING",
    }


def manage(env: dict, *arguments: str) -> str:
    """Run ``manage.py`` with ``env`` and return its output."""
    result = subprocess.run(
        [sys.executable, "manage.py", *arguments],
        cwd=PROJECT_DIR,
        env=env,
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        raise RuntimeError(
            f"manage.py {' '.join(arguments)} failed:\n{result.stderr[-2000:]}"
        )
    return result.stdout


def prepare_database(env: dict) -> None:
    """Migrate the SQLite file named by ``env`` and load the demo data."""
    manage(env, "migrate", "--noinput")
    manage(env, "seed_demo", "--force")


def setup_django(env: dict) -> None:
    """Configure Django in this process with the benchmark's environment."""
    os.environ.update(env)
    if str(PROJECT_DIR) not in sys.path:
        sys.path.insert(0, str(PROJECT_DIR))
    import django

    # WhiteNoise warns that STATIC_ROOT does not exist: the benchmarks
    # request no static files, so no collectstatic is run.
    warnings.filterwarnings("ignore", message="No directory at", category=UserWarning)
    django.setup()


class GunicornServer:
    """gunicorn with the project's ``gunicorn.conf.py`` on a free port.

    ``--max-requests 0`` turns off the configured worker restarts (every
    5,000 requests or so), so that no run includes a worker starting up. The
    access log goes to ``folder/gunicorn.log``.
    """

    def __init__(self, env: dict, folder: Path, workers: int):
        self.env = env
        self.log_path = folder / "gunicorn.log"
        self.workers = workers
        self.port = free_port()
        self.process = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self):
        self.log = open(self.log_path, "wb")  # noqa: SIM115 - closed in __exit__
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "-c",
                "gunicorn.conf.py",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                str(self.workers),
                "--max-requests",
                "0",
                "brocode_site.wsgi",
            ],
            cwd=PROJECT_DIR,
            env=self.env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        try:
            wait_for_port(self.port)
        except RuntimeError:
            self.__exit__()
            raise
        return self

    def __exit__(self, *exc_info):
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()


def call(url: str, method="GET", body=None, headers=None) -> tuple[int, object]:
    """Send one request and return its status and decoded JSON body."""
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method)
    request.add_header("Content-Type", "application/json")
    for name, value in (headers or {}).items():
        request.add_header(name, value)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


@dataclass
class Target:
    """One URL path to load, with its request headers."""

    label: str
    path: str
    headers: dict = field(default_factory=dict)


@dataclass
class LoadResult:
    requests: int
    failures: int
    seconds: float
    # Share of all CPU time that was busy just before the run, while this
    # benchmark's own servers were idle: load from other processes.
    busy_before: float = 0.0

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


# wrk stops each of its threads after this many responses, so a run is
# bounded in count as well as by ``-d``. NOTE: wrk still divides by the whole
# ``-d`` duration, so a run that stops at the count reports too low a rate.
# measure_throughput() prints a warning for such runs.
WRK_STOP_SCRIPT = """
local limit = tonumber(os.getenv("BENCH_MAX_REQUESTS_PER_THREAD") or "0")
local done = 0
function response(status, headers, body)
  done = done + 1
  if limit > 0 and done >= limit then
    wrk.thread:stop()
  end
end
"""


def run_wrk(
    url: str, headers: dict, seconds: float, max_requests: int, connections: int
) -> LoadResult:
    """Load ``url`` with wrk (one thread) and return what it counted."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua") as script:
        script.write(WRK_STOP_SCRIPT)
        script.flush()
        command = [
            "wrk",
            "--threads",
            "1",
            "--connections",
            str(connections),
            "--duration",
            f"{max(1, round(seconds))}s",
            "--timeout",
            "10s",
            "--script",
            script.name,
        ]
        for name, value in headers.items():
            command += ["--header", f"{name}: {value}"]
        env = {**os.environ, "BENCH_MAX_REQUESTS_PER_THREAD": str(max_requests)}
        output = subprocess.run(
            [*command, url],
            capture_output=True,
            text=True,
            check=True,
            env=env,
            timeout=seconds + 60,
        ).stdout
    requests = int(re.search(r"(\d+) requests in", output).group(1))
    per_second = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    failures = 0
    non_success = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    if non_success:
        failures += int(non_success.group(1))
    socket_errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)",
        output,
    )
    if socket_errors:
        failures += sum(int(count) for count in socket_errors.groups())
    # wrk's Requests/sec is requests over the measured time, which gives
    # that time back more precisely than its rounded "in 5.00s".
    return LoadResult(requests, failures, requests / per_second if per_second else 0)


def run_threads(
    url: str, headers: dict, seconds: float, max_requests: int, connections: int
) -> LoadResult:
    """Load ``url`` from ``connections`` threads, one connection per request.

    gunicorn's sync workers close the connection after each response, so a
    new connection per request is what any client gets from them.
    """
    parsed = urllib.parse.urlsplit(url)
    path = parsed.path + (f"?{parsed.query}" if parsed.query else "")
    deadline = time.monotonic() + seconds
    lock = threading.Lock()
    counts = {"issued": 0, "done": 0, "failures": 0}

    def worker():
        while time.monotonic() < deadline:
            with lock:
                if counts["issued"] >= max_requests:
                    return
                counts["issued"] += 1
            ok = False
            try:
                connection = http.client.HTTPConnection(
                    parsed.hostname, parsed.port, timeout=10
                )
                connection.request("GET", path, headers=headers)
                response = connection.getresponse()
                response.read()
                ok = response.status == 200
                connection.close()
            except OSError:
                pass
            with lock:
                counts["done"] += 1
                counts["failures"] += 0 if ok else 1

    threads = [threading.Thread(target=worker) for _ in range(connections)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    return LoadResult(counts["done"], counts["failures"], elapsed)


def cpu_busy_fraction(seconds: float = 0.5) -> float:
    """Return the share of CPU time, over all CPUs, spent not idle.

    It compares two samples of the first line of ``/proc/stat``, taken
    ``seconds`` apart, and counts idle and iowait time as idle.
    """

    def sample() -> tuple[int, int]:
        with open("/proc/stat") as stat:
            ticks = [int(value) for value in stat.readline().split()[1:]]
        return ticks[3] + ticks[4], sum(ticks)

    idle_before, total_before = sample()
    time.sleep(seconds)
    idle_after, total_after = sample()
    elapsed = total_after - total_before
    return 1 - (idle_after - idle_before) / elapsed if elapsed else 0.0


def wait_until_idle(budget_seconds: float, threshold: float = 0.15) -> float:
    """Wait until other processes leave the CPUs mostly idle.

    Returns the last busy fraction, after at most ``budget_seconds`` of
    waiting. Without ``/proc/stat`` it returns 0 at once.
    """
    if not os.path.exists("/proc/stat"):
        return 0.0
    deadline = time.monotonic() + budget_seconds
    busy = cpu_busy_fraction()
    while busy > threshold and time.monotonic() < deadline:
        time.sleep(1)
        busy = cpu_busy_fraction()
    return busy


def load_client(name: str):
    """Return the load function for ``--client``: wrk when found, else threads."""
    if name == "wrk" or (name == "auto" and shutil.which("wrk")):
        if shutil.which("wrk") is None:
            raise RuntimeError("--client wrk: wrk is not on the PATH.")
        return "wrk", run_wrk
    return "python threads", run_threads


def measure_throughput(base_url: str, targets: list[Target], args) -> dict:
    """Load each target for ``args.rounds`` rounds and return results by label.

    Every target is warmed up first. The targets take turns within each
    round, and the order rotates from round to round, so that drift on the
    machine is spread over all of them.
    """
    client_name, load = load_client(args.client)
    print(
        f"Load: {client_name}, {args.connections} connections, "
        f"{args.rounds} rounds of {args.seconds} s per target, "
        f"at most {args.max_requests} requests per run."
    )
    for target in targets:
        load(
            base_url + target.path,
            target.headers,
            args.warmup,
            args.max_requests,
            args.connections,
        )
    results = {target.label: [] for target in targets}
    for round_index in range(args.rounds):
        shift = round_index % len(targets)
        for target in targets[shift:] + targets[:shift]:
            busy = wait_until_idle(args.idle_wait)
            result = load(
                base_url + target.path,
                target.headers,
                args.seconds,
                args.max_requests,
                args.connections,
            )
            result.busy_before = busy
            results[target.label].append(result)
            if result.requests >= args.max_requests:
                print(
                    f"  WARNING: {target.label} reached --max-requests "
                    f"{args.max_requests} before its time ran out. With wrk, "
                    "its rate is then too low; raise --max-requests.",
                    flush=True,
                )
            print(
                f"  round {round_index + 1}: {target.label}: "
                f"{result.per_second:,.0f} requests/s, "
                f"{result.failures} failed, CPU {busy:.0%} busy before",
                flush=True,
            )
    return results


def median_rate(results: list[LoadResult]) -> float:
    return statistics.median(result.per_second for result in results)


def throughput_rows(targets: list[Target], results: dict) -> list[list[str]]:
    rows = []
    for target in targets:
        runs = results[target.label]
        rates = [result.per_second for result in runs]
        rows.append(
            [
                target.label,
                f"{median_rate(runs):,.0f}",
                f"{min(rates):,.0f} to {max(rates):,.0f}",
                f"{sum(result.requests for result in runs):,}",
                str(sum(result.failures for result in runs)),
                f"{max(result.busy_before for result in runs):.0%}",
            ]
        )
    return rows


THROUGHPUT_HEADERS = [
    "target",
    "requests/s (median)",
    "range over rounds",
    "requests",
    "failed",
    "max CPU busy before a run",
]


class RoundTripCounter:
    """Count the commands sent through redis-py clients.

    It wraps ``execute_command`` of each client instance. A Lua script call
    (``EVALSHA``) or an ``MGET`` is one command and one round trip. A
    pipeline does not go through ``execute_command``, so it is not counted.
    """

    def __init__(self, *clients):
        self.count = 0
        for client in {id(client): client for client in clients}.values():
            self._wrap(client)

    def _wrap(self, client):
        original = client.execute_command

        def counting(*args, **options):
            self.count += 1
            return original(*args, **options)

        client.execute_command = counting


@contextmanager
def benchmark_folder():
    """Yield a temporary folder that is deleted afterwards."""
    with tempfile.TemporaryDirectory(prefix="brocode-bench-") as folder:
        yield Path(folder)


@contextmanager
def http_stack(workers: int):
    """Start Redis, prepare an SQLite database and start gunicorn.

    Yields ``(env, server)``. This process is configured with the same
    environment, so it can read and write the same database and Redis.
    """
    with ExitStack() as stack:
        folder = stack.enter_context(benchmark_folder())
        redis_server = stack.enter_context(RedisServer(folder))
        env = service_environment(folder, redis_server.url, workers)
        prepare_database(env)
        setup_django(env)
        server = stack.enter_context(GunicornServer(env, folder, workers))
        yield env, server


def http_arguments(description: str) -> argparse.ArgumentParser:
    """Return the command-line options of the throughput benchmarks."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument(
        "--seconds", type=float, default=3, help="length of each run, in seconds"
    )
    parser.add_argument(
        "--rounds", type=int, default=5, help="runs per target (default 5)"
    )
    parser.add_argument(
        "--idle-wait",
        type=float,
        default=60,
        help="before each run, wait at most this many seconds for other "
        "processes to leave the CPUs below 15%% busy",
    )
    parser.add_argument(
        "--warmup", type=float, default=2, help="warm-up run per target, in seconds"
    )
    parser.add_argument(
        "--connections", type=int, default=8, help="concurrent connections"
    )
    parser.add_argument(
        "--workers", type=int, default=2, help="gunicorn worker processes"
    )
    parser.add_argument(
        "--max-requests",
        type=int,
        default=1_000_000,
        help="maximum requests per run; a run ends at this count or its time",
    )
    parser.add_argument(
        "--client",
        choices=["auto", "wrk", "python"],
        default="auto",
        help="load generator: wrk, Python threads, or wrk when installed (auto)",
    )
    parser.add_argument(
        "--quick", action="store_true", help="one short round, to check the script"
    )
    return parser


def parse_http_arguments(parser: argparse.ArgumentParser):
    args = parser.parse_args()
    if args.quick:
        args.seconds, args.rounds, args.warmup, args.idle_wait = 1, 1, 1, 0
    return args


def format_table(headers: list[str], rows: list[list[str]]) -> str:
    """Return a Markdown table with padded columns."""
    widths = [
        max(len(str(row[column])) for row in [headers, *rows])
        for column in range(len(headers))
    ]

    def line(cells):
        padded = (
            str(cell).ljust(width) for cell, width in zip(cells, widths, strict=True)
        )
        return "| " + " | ".join(padded) + " |"

    separator = "|" + "|".join("-" * (width + 2) for width in widths) + "|"
    return "\n".join([line(headers), separator, *(line(row) for row in rows)])


def print_table(title: str, headers: list[str], rows: list[list[str]]) -> None:
    print(f"\n{title}\n")
    print(format_table(headers, rows))


def per_request_costs(targets: list[Target]) -> list[list[str]]:
    """Return the status, Redis round trips and SQL queries of one warm request
    to each target, sent in this process through Django's test client.

    The test client runs the same middleware and views as gunicorn, without
    the HTTP server. Each target is requested once before the counted
    request, so caches are warm.
    """
    from django.core.cache import caches
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from brocode_site.settings.caches import PAGE_CACHE_ALIAS

    counter = RoundTripCounter(
        caches["default"].client.get_client(write=True),
        caches[PAGE_CACHE_ALIAS].client.get_client(write=True),
    )
    client = Client()
    rows = []
    for target in targets:
        client.get(target.path, headers=target.headers)
        counter.count = 0
        with CaptureQueriesContext(connection) as queries:
            response = client.get(target.path, headers=target.headers)
        rows.append(
            [
                target.label,
                str(response.status_code),
                str(counter.count),
                str(len(queries)),
            ]
        )
    return rows


COST_HEADERS = ["target", "status", "Redis round trips", "SQL queries"]


def ratio(numerator: float, denominator: float, digits: int = 2) -> str:
    if not denominator:
        return "n/a"
    return f"{numerator / denominator:,.{digits}f}"
