"""Recording a failed login: the project's counters against DRF's history lists.

Both designs count one failed login on the three keys of the login throttle
(username and IP pair, IP, username) in a Redis server of this script's own,
through the same django-redis connection:

- project: ``RedisCounterStore.reserve_login()`` before the password check
  and ``record_login_failure()`` after it. Each is one Lua script, so two
  round trips, and each is atomic.
- DRF: one ``rest_framework.throttling.SimpleRateThrottle`` per key over the
  default django-redis cache. ``allow_request()`` reads the key's list of
  timestamps (``GET``), drops the expired ones, inserts the new one and
  writes the list back (``SET``): six round trips. The read and the write
  are separate commands, so two concurrent attempts can read the same list
  and one of them is lost. This script does not measure that loss.

Two states are measured, each on keys that no other operation touches:

- first failure: no earlier count and empty lists;
- last failure before a block: counts at the limit minus one and lists of
  that many timestamps. The project's failure script then sets the block
  keys; DRF's lists reach the limit. Filling in the state is not timed.

Limits are the project's defaults (5 per pair, 20 per IP, 100 per
username) unless the environment sets ``LOGIN_MAX_FAILURES_*``.
"""

import argparse
import statistics
import time

from .common import (
    RedisServer,
    RoundTripCounter,
    benchmark_folder,
    print_table,
    ratio,
    service_environment,
    setup_django,
    wait_until_idle,
)

STATES = ("first failure", "last failure before a block")
# Operations are numbered into distinct IPs of the form 10.<state>.<a>.<b>.
MAX_OPERATIONS = 65_536
# Before each state, wait at most this long for other processes to leave the
# CPUs mostly idle.
IDLE_WAIT_SECONDS = 60


def history_throttle_class():
    """Return DRF's ``SimpleRateThrottle`` bound to one fixed cache key.

    It is built after Django is configured, because DRF reads its settings
    when ``rest_framework.throttling`` is imported.
    """
    from django.core.cache import caches
    from rest_framework.throttling import SimpleRateThrottle

    class HistoryThrottle(SimpleRateThrottle):
        cache = caches["default"]

        def __init__(self, cache_key: str, limit: int, window_seconds: int):
            # The same attributes that SimpleRateThrottle.__init__ sets from
            # a rate string, which cannot express a 900-second window.
            self.rate = f"{limit}/{window_seconds}s"
            self.num_requests = limit
            self.duration = window_seconds
            self.cache_key = cache_key

        def get_cache_key(self, request, view):
            return self.cache_key

    return HistoryThrottle


class ProjectDesign:
    name = "project: RedisCounterStore"
    commands = ("evalsha", "eval")

    def __init__(self, connection, settings):
        from accounts.counters import RedisCounterStore

        self.connection = connection
        self.store = RedisCounterStore(connection)
        self.window = settings.LOGIN_FAILURE_WINDOW_SECONDS
        self.block = settings.LOGIN_BLOCK_SECONDS

    def prepare(self, attempt, state: str) -> None:
        from accounts.counters import login_redis_keys

        if state == STATES[0]:
            return
        for key in attempt.keys:
            count_key = login_redis_keys(key)[0]
            self.connection.set(count_key, key.limit - 1, px=self.window * 1000)

    def run(self, attempt) -> int:
        """Count one failure and return how many keys it blocked."""
        reservation = self.store.reserve_login(attempt.keys, self.window)
        if not reservation.allowed:
            raise RuntimeError(f"Login reservation rejected: {reservation}")
        return len(self.store.record_login_failure(attempt.keys, self.block))


class DrfDesign:
    name = "DRF: SimpleRateThrottle history"
    commands = ("get", "set")

    def __init__(self, settings):
        from django.core.cache import caches

        self.cache = caches["default"]
        self.throttle_class = history_throttle_class()
        self.window = settings.LOGIN_FAILURE_WINDOW_SECONDS

    def history_key(self, key) -> str:
        return f"login-history:{key.kind}:{key.digest}"

    def prepare(self, attempt, state: str) -> None:
        if state == STATES[0]:
            return
        now = time.time()
        for key in attempt.keys:
            history = [now - index * 0.001 for index in range(key.limit - 1)]
            self.cache.set(self.history_key(key), history, self.window)

    def run(self, attempt) -> int:
        """Count one attempt and return how many keys reached their limit."""
        full = 0
        for key in attempt.keys:
            throttle = self.throttle_class(
                self.history_key(key), key.limit, self.window
            )
            if not throttle.allow_request(None, None):
                raise RuntimeError(f"DRF throttle rejected the {key.kind} key")
            full += len(throttle.history) >= key.limit
        return full


def server_usec(connection, commands: tuple[str, ...]) -> int:
    stats = connection.info("commandstats")
    return sum(stats.get(f"cmdstat_{name}", {}).get("usec", 0) for name in commands)


def measure(
    designs, connection, counter, operations: int, budget: float, idle_wait: float
) -> dict:
    """Run ``operations`` failures per design and state, designs in turn."""
    from accounts.throttling import LoginAttempt

    results = {}
    for state_index, state in enumerate(STATES):
        busy = wait_until_idle(idle_wait)
        samples = {design.name: [] for design in designs}
        trips = dict.fromkeys(samples, 0)
        blocked = dict.fromkeys(samples, 0)
        server_time = dict.fromkeys(samples, 0)
        spent = dict.fromkeys(samples, 0.0)
        for index in range(operations):
            ip = f"10.{state_index}.{index >> 8}.{index & 255}"
            for design in designs:
                if spent[design.name] >= budget:
                    continue
                attempt = LoginAttempt(f"bench-{design.name}-{index}", ip)
                design.prepare(attempt, state)
                before = server_usec(connection, design.commands)
                counter.count = 0
                started = time.perf_counter()
                blocked[design.name] += design.run(attempt)
                elapsed = time.perf_counter() - started
                trips[design.name] = counter.count
                server_time[design.name] += (
                    server_usec(connection, design.commands) - before
                )
                samples[design.name].append(elapsed)
                spent[design.name] += elapsed
        for design in designs:
            runs = samples[design.name]
            results[(state, design.name)] = {
                "round_trips": trips[design.name],
                "median_us": statistics.median(runs) * 1e6,
                "mean_us": statistics.fmean(runs) * 1e6,
                "busy_us": server_time[design.name] / len(runs),
                "limit_reached": blocked[design.name] / len(runs),
                "operations": len(runs),
            }
        print(f"  {state} measured; CPU {busy:.0%} busy before", flush=True)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--operations",
        type=int,
        default=2000,
        help=f"failures per design and state, at most {MAX_OPERATIONS:,}",
    )
    parser.add_argument(
        "--max-seconds",
        type=float,
        default=30,
        help="time budget of each design in each state, in seconds",
    )
    parser.add_argument(
        "--quick", action="store_true", help="100 failures per design and state"
    )
    args = parser.parse_args()
    operations = 100 if args.quick else min(args.operations, MAX_OPERATIONS)

    with benchmark_folder() as folder, RedisServer(folder) as redis_server:
        setup_django(service_environment(folder, redis_server.url))
        from django.conf import settings
        from django_redis import get_redis_connection

        connection = get_redis_connection("default")
        counter = RoundTripCounter(connection)
        designs = [ProjectDesign(connection, settings), DrfDesign(settings)]
        print(
            f"Redis {redis_server.version()} on 127.0.0.1:{redis_server.port}; "
            f"limits {settings.LOGIN_MAX_FAILURES_PER_PAIR} per pair, "
            f"{settings.LOGIN_MAX_FAILURES_PER_IP} per IP, "
            f"{settings.LOGIN_MAX_FAILURES_PER_USERNAME} per username"
        )
        idle_wait = 0 if args.quick else IDLE_WAIT_SECONDS
        results = measure(
            designs, connection, counter, operations, args.max_seconds, idle_wait
        )

    rows = [
        [
            state,
            name,
            str(result["round_trips"]),
            f"{result['median_us']:.0f}",
            f"{result['mean_us']:.0f}",
            f"{result['busy_us']:.1f}",
            f"{result['limit_reached']:.0f}",
            f"{result['operations']:,}",
        ]
        for (state, name), result in results.items()
    ]
    print_table(
        "One failed login recorded on three keys",
        [
            "state",
            "design",
            "round trips",
            "median µs",
            "mean µs",
            "Redis busy µs",
            "keys reaching limit",
            "operations",
        ],
        rows,
    )
    ratio_rows = []
    for state in STATES:
        project = results[(state, ProjectDesign.name)]
        drf = results[(state, DrfDesign.name)]
        ratio_rows.append(
            [
                state,
                ratio(drf["median_us"], project["median_us"]),
                ratio(drf["round_trips"], project["round_trips"], digits=0),
            ]
        )
    print_table(
        "Ratios (greater than 1: the project's counters are faster or use fewer)",
        ["state", "DRF median time / project", "DRF round trips / project"],
        ratio_rows,
    )


if __name__ == "__main__":
    main()
