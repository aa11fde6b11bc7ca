"""Presence listing at 100, 1,000 and 10,000 members against naive designs.

Three designs list the members present at one spot, each holding the same
entries (user, status, spot, updated and expiry times) in a Redis server of
this script's own:

- project: ``RedisPresenceStore.active()``, one Lua script that prunes the
  spot's sorted set and reads every member's hash inside Redis: one round
  trip.
- naive: a Redis set of user IDs (``SMEMBERS``), then one ``GET`` of each
  member's JSON string: 1 + N round trips.
- set + MGET: the naive data, with every entry fetched by one ``MGET``: two
  round trips. It shows how much of the difference is round trips.

Round trips are counted by wrapping the redis-py client's
``execute_command``. Time is the median wall time of one listing, decoding
included, with the designs taking turns. "Redis busy" is the server time of
the listing's commands from ``INFO commandstats``: while one command or Lua
script runs, Redis serves no other client.
"""

import argparse
import json
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

SIZES = (100, 1_000, 10_000)
# Listings per design and size, or fewer when --max-seconds run out.
REPETITIONS = {100: 200, 1_000: 50, 10_000: 10}
# Before each size, wait at most this long for other processes to leave the
# CPUs mostly idle.
IDLE_WAIT_SECONDS = 60
# Long enough that no entry expires while the script runs.
TTL_SECONDS = 3600


class NaivePresenceStore:
    """A Redis set of user IDs per spot and a JSON string per member."""

    def __init__(self, connection, prefix: str):
        self.connection = connection
        self.prefix = prefix

    def spot_key(self, spot_id: str) -> str:
        return f"{self.prefix}:naive-presence:spot:{spot_id}"

    def user_key(self, user_id: str) -> str:
        return f"{self.prefix}:naive-presence:user:{user_id}"

    def load(self, entries: list[dict], spot_id: str) -> None:
        """Write the entries with a pipeline. Loading is not timed."""
        pipeline = self.connection.pipeline(transaction=False)
        for entry in entries:
            user_id = entry["user"]["userId"]
            pipeline.sadd(self.spot_key(spot_id), user_id)
            pipeline.set(self.user_key(user_id), json.dumps(entry), ex=TTL_SECONDS)
        pipeline.expire(self.spot_key(spot_id), TTL_SECONDS)
        pipeline.execute()

    def active_one_get_each(self, spot_id: str) -> list:
        members = self.connection.smembers(self.spot_key(spot_id))
        values = [
            self.connection.get(self.user_key(member.decode())) for member in members
        ]
        return self._entries(values)

    def active_mget(self, spot_id: str) -> list:
        members = self.connection.smembers(self.spot_key(spot_id))
        if not members:
            return []
        keys = [self.user_key(member.decode()) for member in members]
        return self._entries(self.connection.mget(keys))

    @staticmethod
    def _entries(values: list) -> list:
        from realtime.presence import PresenceEntry

        now_ms = int(time.time() * 1000)
        entries = []
        for value in values:
            if value is None:
                continue
            data = json.loads(value)
            if data["expires"] <= now_ms:
                continue
            entries.append(
                PresenceEntry(
                    user=data["user"],
                    spot_id=data["spot"],
                    status=data["status"],
                    updated_ms=data["updated"],
                    expires_ms=data["expires"],
                )
            )
        return sorted(entries, key=lambda entry: entry.updated_ms, reverse=True)


def member(size: int, index: int) -> dict:
    return {
        "userId": f"{size}-{index}",
        "username": f"member{index}",
        "name": f"Member {index}",
        "role": "user",
    }


def populate(project_store, naive_store, size: int, spot_id: str) -> None:
    naive_entries = []
    for index in range(size):
        entry = project_store.heartbeat(member(size, index), spot_id, "online")
        naive_entries.append(
            {
                "user": entry.user,
                "status": entry.status,
                "spot": spot_id,
                "updated": entry.updated_ms,
                "expires": entry.expires_ms,
            }
        )
    naive_store.load(naive_entries, spot_id)


def server_usec(connection, commands: tuple[str, ...]) -> int:
    """Return the total server time so far of ``commands``, in microseconds."""
    stats = connection.info("commandstats")
    return sum(stats.get(f"cmdstat_{name}", {}).get("usec", 0) for name in commands)


def measure(designs: dict, size: int, spot_id: str, connection, counter, budget):
    """List the spot with each design in turn and return the results by design."""
    samples = {name: [] for name in designs}
    busy = {name: 0 for name in designs}
    trips = {name: 0 for name in designs}
    counts = {name: 0 for name in designs}
    spent = {name: 0.0 for name in designs}
    for _ in range(REPETITIONS[size]):
        for name, (listing, commands) in designs.items():
            if spent[name] >= budget:
                continue
            before = server_usec(connection, commands)
            counter.count = 0
            started = time.perf_counter()
            entries = listing(spot_id)
            elapsed = time.perf_counter() - started
            trips[name] = counter.count
            busy[name] += server_usec(connection, commands) - before
            samples[name].append(elapsed)
            spent[name] += elapsed
            counts[name] = len(entries)
    return {
        name: {
            "round_trips": trips[name],
            "median_ms": statistics.median(samples[name]) * 1000,
            "busy_ms": busy[name] / len(samples[name]) / 1000,
            "entries": counts[name],
            "listings": len(samples[name]),
        }
        for name in designs
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--max-seconds",
        type=float,
        default=30,
        help="time budget of each design at each size, in seconds",
    )
    parser.add_argument(
        "--quick", action="store_true", help="three listings per design and size"
    )
    args = parser.parse_args()
    if args.quick:
        REPETITIONS.update(dict.fromkeys(SIZES, 3))

    with benchmark_folder() as folder, RedisServer(folder) as redis_server:
        env = service_environment(folder, redis_server.url)
        env["PRESENCE_TTL_SECONDS"] = str(TTL_SECONDS)
        setup_django(env)
        from django.conf import settings
        from django_redis import get_redis_connection

        from realtime.presence import RedisPresenceStore

        connection = get_redis_connection("default")
        project_store = RedisPresenceStore(connection)
        naive_store = NaivePresenceStore(connection, settings.REDIS_KEY_PREFIX)
        counter = RoundTripCounter(connection)
        designs = {
            "project: Lua script": (project_store.active, ("evalsha", "eval")),
            "naive: set + GET each": (
                naive_store.active_one_get_each,
                ("smembers", "get"),
            ),
            "set + one MGET": (naive_store.active_mget, ("smembers", "mget")),
        }
        print(f"Redis {redis_server.version()} on 127.0.0.1:{redis_server.port}")

        results = {}
        for size in SIZES:
            spot_id = f"bench-spot-{size}"
            populate(project_store, naive_store, size, spot_id)
            busy = wait_until_idle(0 if args.quick else IDLE_WAIT_SECONDS)
            results[size] = measure(
                designs, size, spot_id, connection, counter, args.max_seconds
            )
            print(
                f"  {size:,} members measured; CPU {busy:.0%} busy before",
                flush=True,
            )

    rows = []
    for size, by_design in results.items():
        for name, result in by_design.items():
            rows.append(
                [
                    f"{size:,}",
                    name,
                    f"{result['round_trips']:,}",
                    f"{result['median_ms']:.2f}",
                    f"{result['busy_ms']:.2f}",
                    f"{result['entries']:,}",
                    str(result["listings"]),
                ]
            )
    print_table(
        "One presence listing per design",
        [
            "members",
            "design",
            "round trips",
            "median ms",
            "Redis busy ms",
            "entries",
            "listings",
        ],
        rows,
    )

    ratio_rows = []
    for size, by_design in results.items():
        project = by_design["project: Lua script"]
        naive = by_design["naive: set + GET each"]
        mget = by_design["set + one MGET"]
        ratio_rows.append(
            [
                f"{size:,}",
                ratio(naive["median_ms"], project["median_ms"]),
                ratio(naive["round_trips"], project["round_trips"], digits=0),
                ratio(mget["median_ms"], project["median_ms"]),
            ]
        )
    print_table(
        "Ratios (greater than 1: the project's Lua script is faster or uses fewer)",
        [
            "members",
            "naive time / project time",
            "naive round trips / project",
            "set + MGET time / project time",
        ],
        ratio_rows,
    )


if __name__ == "__main__":
    main()
