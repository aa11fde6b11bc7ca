"""Throughput of the cached GET /api/catalog against trivial JSON views.

One gunicorn server (the project's ``gunicorn.conf.py``, sync workers)
serves five targets:

- ``GET /api/catalog``, a page-cache hit: DRF dispatch, the anonymous rate
  throttle (one Lua script in Redis), the catalog generation and the cached
  page (three ``GET`` commands), no SQL.
- ``GET /api/catalog?uncached=1``: a query string skips the page cache, so
  the catalog is read from SQLite and serialized on every request.
- a DRF view returning ``{"ok": true}`` with no authentication, permission
  or throttle: the floor of a DRF view behind the project's middleware.
- the same DRF view with the project's default rate throttles, which every
  API request runs: the floor plus one Lua script in Redis.
- a plain Django view returning the same body: the floor without DRF.

Ratios are of median requests per second. ``cached / DRF floor`` near 1
means the cached read costs little more than the least a DRF view costs.
"""

from .common import (
    COST_HEADERS,
    THROUGHPUT_HEADERS,
    Target,
    call,
    http_arguments,
    http_stack,
    measure_throughput,
    median_rate,
    parse_http_arguments,
    per_request_costs,
    print_table,
    ratio,
    throughput_rows,
)

CACHED = Target("GET /api/catalog (page cache hit)", "/api/catalog")
UNCACHED = Target("GET /api/catalog?uncached=1 (database)", "/api/catalog?uncached=1")
DRF_FLOOR = Target("DRF view, tiny JSON, no auth/throttle", "/api/bench/json/drf")
DRF_THROTTLED = Target(
    "same DRF view with the rate throttle", "/api/bench/json/drf-throttled"
)
DJANGO_FLOOR = Target("plain Django view, tiny JSON", "/api/bench/json/django")
TARGETS = [CACHED, UNCACHED, DRF_FLOOR, DRF_THROTTLED, DJANGO_FLOOR]


def main() -> None:
    args = parse_http_arguments(http_arguments(__doc__.splitlines()[0]))
    with http_stack(args.workers) as (_env, server):
        for target in TARGETS:
            status, body = call(server.base_url + target.path)
            if status != 200:
                raise RuntimeError(f"{target.path} returned {status}: {body}")
        print(f"gunicorn: {args.workers} workers at {server.base_url}")
        results = measure_throughput(server.base_url, TARGETS, args)
        costs = per_request_costs(TARGETS)

    print_table(
        "Throughput (requests per second over each run)",
        THROUGHPUT_HEADERS,
        throughput_rows(TARGETS, results),
    )
    print_table(
        "One warm request of each target, in this process (Django test client)",
        COST_HEADERS,
        costs,
    )
    cached = median_rate(results[CACHED.label])
    ratios = [
        [
            "cached catalog / DRF floor",
            ratio(cached, median_rate(results[DRF_FLOOR.label])),
        ],
        [
            "cached catalog / DRF floor with the rate throttle",
            ratio(cached, median_rate(results[DRF_THROTTLED.label])),
        ],
        [
            "cached catalog / plain Django floor",
            ratio(cached, median_rate(results[DJANGO_FLOOR.label])),
        ],
        [
            "cached catalog / uncached catalog",
            ratio(cached, median_rate(results[UNCACHED.label])),
        ],
    ]
    print_table("Ratios of median requests per second", ["ratio", "value"], ratios)


if __name__ == "__main__":
    main()
