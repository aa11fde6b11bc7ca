"""Throughput of GET /api/auth/me under three kinds of authentication.

One gunicorn server (the project's ``gunicorn.conf.py``, sync workers) with
Redis serves ``MeView``, which returns the caller's user, three ways:

- the project's bearer-token sessions (``BearerTokenAuthentication``): with
  a warm cache, an HMAC of the token, then the session entry and the user
  entry from Redis in two round trips, and no SQL;
- DRF's stock ``TokenAuthentication``: one SQL query per request for the
  token and its user, from an SQLite file on local disk;
- no authentication, returning a fixed user built in memory.

Each variant also runs the project's default rate throttle, one Lua script
in Redis. Ratios are of median requests per second: ``bearer / none`` is
the share of the unauthenticated throughput that the bearer check keeps.
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

DEMO_USERNAME = "dhanush"
DEMO_PASSWORD = "changeme"  # noqa: S105 - the public demo login of seed_demo


def drf_token_key(username: str) -> str:
    """Return the ``rest_framework.authtoken`` key of a user, creating it."""
    from rest_framework.authtoken.models import Token

    from accounts.models import User

    token, _ = Token.objects.get_or_create(user=User.objects.get(username=username))
    return token.key


def bearer_token(base_url: str) -> str:
    status, body = call(
        base_url + "/api/auth/login",
        "POST",
        {"username": DEMO_USERNAME, "password": DEMO_PASSWORD},
    )
    if status != 200:
        raise RuntimeError(f"Login as {DEMO_USERNAME} failed with {status}: {body}")
    return body["token"]


def main() -> None:
    args = parse_http_arguments(http_arguments(__doc__.splitlines()[0]))
    with http_stack(args.workers) as (_env, server):
        bearer = Target(
            "/api/auth/me, project bearer token",
            "/api/auth/me",
            {"Authorization": f"Bearer {bearer_token(server.base_url)}"},
        )
        drf_token = Target(
            "same view, DRF TokenAuthentication",
            "/api/bench/me/drf-token",
            {"Authorization": f"Token {drf_token_key(DEMO_USERNAME)}"},
        )
        no_auth = Target("same view, no authentication", "/api/bench/me/no-auth")
        targets = [bearer, drf_token, no_auth]
        for target in targets:
            status, body = call(server.base_url + target.path, headers=target.headers)
            if status != 200:
                raise RuntimeError(f"{target.path} returned {status}: {body}")
        print(f"gunicorn: {args.workers} workers at {server.base_url}")
        results = measure_throughput(server.base_url, targets, args)
        costs = per_request_costs(targets)

    print_table(
        "Throughput (requests per second over each run)",
        THROUGHPUT_HEADERS,
        throughput_rows(targets, results),
    )
    print_table(
        "One warm request of each target, in this process (Django test client)",
        COST_HEADERS,
        costs,
    )
    rates = {target.label: median_rate(results[target.label]) for target in targets}
    ratios = [
        [
            "bearer / no authentication",
            ratio(rates[bearer.label], rates[no_auth.label]),
        ],
        [
            "DRF TokenAuthentication / no authentication",
            ratio(rates[drf_token.label], rates[no_auth.label]),
        ],
        [
            "bearer / DRF TokenAuthentication",
            ratio(rates[bearer.label], rates[drf_token.label]),
        ],
    ]
    print_table("Ratios of median requests per second", ["ratio", "value"], ratios)


if __name__ == "__main__":
    main()
