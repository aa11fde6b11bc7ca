"""SQL queries of the order listing and the bill at 10 and 10,000 orders.

The script migrates a temporary SQLite file with ``manage.py migrate``,
loads the demo data with ``manage.py seed_demo --force`` and, in this
process, adds orders of two lines each at the demo spot with
``bulk_create``. It then sends ``GET /api/orders?limit=100`` and
``GET /api/bills/<spot>`` as the demo admin through Django's test client,
with Redis (a server of its own) as the cache, and counts the SQL queries
of one warm request with ``CaptureQueriesContext``. The time is the median
of repeated requests in this process, not over HTTP.

A ratio of 1.00 between the query counts at 10,000 and at 10 orders means
the count does not grow with the number of orders.
"""

import argparse
import statistics
import time
from datetime import UTC, datetime, timedelta

from .common import (
    RedisServer,
    RoundTripCounter,
    benchmark_folder,
    prepare_database,
    print_table,
    ratio,
    service_environment,
    setup_django,
    wait_until_idle,
)

SIZES = (10, 10_000)
ADMIN_USERNAME = "brocode"
DEMO_PASSWORD = "changeme"  # noqa: S105 - the public demo login of seed_demo
LINES_PER_ORDER = 2
BATCH_SIZE = 1000
# Requests timed per endpoint and size, or fewer when MAX_SECONDS run out.
REPETITIONS = 20
MAX_SECONDS = 20
# Before each size, wait at most this long for other processes to leave the
# CPUs mostly idle.
IDLE_WAIT_SECONDS = 60


def add_orders(count: int, first_index: int) -> None:
    """Insert ``count`` orders of two lines each at the demo spot."""
    from django.db import transaction

    from accounts.models import User
    from brocode_site.management.commands.seed_demo import DEMO_SPOT_ID
    from catalog.models import CatalogItem, Spot
    from orders.models import Order, OrderLine

    spot = Spot.objects.get(pk=DEMO_SPOT_ID)
    users = list(User.objects.order_by("pk"))
    items = list(CatalogItem.objects.order_by("pk")[:LINES_PER_ORDER])
    start = datetime(2025, 7, 26, 11, 0, tzinfo=UTC)
    orders, lines = [], []
    for index in range(first_index, first_index + count):
        user = users[index % len(users)]
        order = Order(
            id=f"bench-{index:06d}",
            spot=spot,
            user=user,
            created_by=user,
            total=sum(item.price for item in items),
            created_at=start + timedelta(seconds=index),
        )
        orders.append(order)
        for position, item in enumerate(items):
            lines.append(
                OrderLine(
                    order=order,
                    position=position,
                    product_id=item.pk,
                    name=item.name,
                    unit_price=item.price,
                    quantity=1,
                    line_total=item.price,
                )
            )
    with transaction.atomic():
        Order.objects.bulk_create(orders, batch_size=BATCH_SIZE)
        OrderLine.objects.bulk_create(lines, batch_size=BATCH_SIZE)


def login(client) -> str:
    response = client.post(
        "/api/auth/login",
        {"username": ADMIN_USERNAME, "password": DEMO_PASSWORD},
        content_type="application/json",
    )
    if response.status_code != 200:
        raise RuntimeError(f"Login as {ADMIN_USERNAME} failed: {response.content!r}")
    return response.json()["token"]


def summary(path: str, response) -> str:
    """Describe the response body, to show that it is complete."""
    body = response.json()
    if path.startswith("/api/orders"):
        total = response.headers.get("X-Total-Count")
        return f"{len(body)} orders of {total}"
    return f"orderCount {body['orderCount']}, total {body['total']}"


def measure(client, headers: dict, path: str, counter, repetitions: int) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(path, headers=headers)
    counter.count = 0
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path, headers=headers)
    # captured_queries reads the connection's log when accessed, and the next
    # request clears that log, so copy it now.
    captured = [query["sql"] for query in queries.captured_queries]
    if response.status_code != 200:
        raise RuntimeError(f"{path} returned {response.status_code}")
    round_trips = counter.count

    samples = []
    deadline = time.monotonic() + MAX_SECONDS
    while len(samples) < repetitions and time.monotonic() < deadline:
        started = time.perf_counter()
        client.get(path, headers=headers)
        samples.append(time.perf_counter() - started)
    return {
        "queries": captured,
        "round_trips": round_trips,
        "median_ms": statistics.median(samples) * 1000,
        "summary": summary(path, response),
        "requests": len(samples),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--show-sql",
        action="store_true",
        help="print each captured SQL statement, cut to 160 characters",
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="time 3 requests per endpoint and size, without waiting for idle CPUs",
    )
    args = parser.parse_args()
    repetitions = 3 if args.quick else REPETITIONS
    idle_wait = 0 if args.quick else IDLE_WAIT_SECONDS

    with benchmark_folder() as folder, RedisServer(folder) as redis_server:
        env = service_environment(folder, redis_server.url)
        prepare_database(env)
        setup_django(env)
        from django.core.cache import caches
        from django.test import Client

        from brocode_site.management.commands.seed_demo import DEMO_SPOT_ID
        from orders.models import Order

        counter = RoundTripCounter(caches["default"].client.get_client(write=True))
        client = Client()
        headers = {"Authorization": f"Bearer {login(client)}"}
        paths = ["/api/orders?limit=100", f"/api/bills/{DEMO_SPOT_ID}"]

        results = {}
        for size in SIZES:
            existing = Order.objects.count()
            started = time.perf_counter()
            add_orders(size - existing, first_index=existing)
            print(
                f"  {size - existing:,} orders added in "
                f"{time.perf_counter() - started:.1f} s; {Order.objects.count():,} "
                "in all",
                flush=True,
            )
            busy = wait_until_idle(idle_wait)
            print(f"  CPU {busy:.0%} busy before measuring", flush=True)
            for path in paths:
                results[(size, path)] = measure(
                    client, headers, path, counter, repetitions
                )

    rows = [
        [
            f"{size:,}",
            f"GET {path}",
            str(len(result["queries"])),
            str(result["round_trips"]),
            f"{result['median_ms']:.1f}",
            result["summary"],
        ]
        for (size, path), result in results.items()
    ]
    print_table(
        "One warm request as the demo admin (Django test client, SQLite file)",
        ["orders", "request", "SQL queries", "Redis round trips", "median ms", "body"],
        rows,
    )
    if args.show_sql:
        for (size, path), result in results.items():
            print(f"\nSQL of GET {path} at {size:,} orders:")
            for sql in result["queries"]:
                print(f"  {sql[:160]}")

    small, large = SIZES
    ratio_rows = [
        [
            f"GET {path}",
            ratio(
                len(results[(large, path)]["queries"]),
                len(results[(small, path)]["queries"]),
            ),
            ratio(
                results[(large, path)]["median_ms"], results[(small, path)]["median_ms"]
            ),
        ]
        for path in paths
    ]
    print_table(
        f"Ratios of {large:,} orders to {small:,} orders",
        ["request", "SQL queries", "median time"],
        ratio_rows,
    )


if __name__ == "__main__":
    main()
