"""`make bench-dashboard`: the coverage dashboard at 100 and at 10,000 registrations.

In a fresh temporary directory (a SQLite file; with a PostgreSQL DATABASE_URL, a
database of its own on that server, dropped at the end):

1. migrate; two rounds, each with council input from half the municipalities,
   every KKR record approved and speaker requests from a third: the small round
   with 100 invited, registered council members, the large one with 10,000 (half
   of them in the attendance report), written with bulk_create (on PostgreSQL then
   ANALYZE, as autovacuum soon would); a staff user with a session that passed
   two-factor login;
2. query counts: each round's dashboard is requested once to warm up and once
   more under Django's CaptureQueriesContext, through Django's test client in a
   process of its own with the same settings (the page, its session, the user:
   everything the request does);
3. timing: gunicorn with two sync workers and production settings (DEBUG=0, no
   demo mode; SAMRAAD_BENCH=1, SECURE_SSL_REDIRECT=0 as in bench-registration)
   on a free 127.0.0.1 port; one client, after five warm-up requests of each
   page, requests the small dashboard, the large dashboard and a trivial page of
   the same server (/healthz: one `SELECT 1`) 50 times each in a row, each
   request on a new connection and timed from connect to the last byte.

The last line is one JSON object:
`{"queries_small", "queries_large", "p95_ms_large", "p95_ms_trivial"}`; the lines
before it give the other percentiles. The bar: equal query counts and
p95_ms_large ≤ 300. The exit status is 1 when a request failed, the query counts
differ or the run failed; the latency bar is reported in the log (it depends on
the machine).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import signal
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

PROJECT_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_DIR))

from bench.common import (  # noqa: E402  (after the path is set)
    BenchError,
    Children,
    create_database,
    tear_down,
)
from bench.registration import (  # noqa: E402
    HOST,
    Server,
    django_run,
    percentile,
    postgres_server,
)

DEFAULT_PG_NAME = "samraad_bench_dashboard"
SMALL, LARGE = 100, 10_000
REQUESTS, WARM_UP = 50, 5
BAR_P95_MS = 300.0
MARKER = b'data-testid="coverage"'  # the dashboard's table: the page really rendered

_BEGAN = time.monotonic()


def log(text: str) -> None:
    print(f"[bench-dashboard {time.monotonic() - _BEGAN:7.1f}s] {text}", flush=True)


# --- Inside Django (run as `python bench/dashboard.py --prepare/--count`) -------------------


def _django() -> None:
    import django

    django.setup()


def _staff_client():
    from django.test import Client

    from samraad.accounts.models import User
    from samraad.tests_support.login import log_in_verified

    user, _ = User.objects.get_or_create(
        username="bench-staff@kl.example",
        defaults={"email": "bench-staff@kl.example", "is_staff": True},
    )
    return log_in_verified(Client(HTTP_HOST=HOST), user)


def prepare(out: Path) -> None:
    """Build both rounds and a verified staff session; write the paths and the cookie."""
    _django()
    import datetime

    from django.conf import settings
    from django.db import connection
    from django.urls import reverse

    from samraad.insights.tests.scenario import coverage_bulk_add, coverage_tracks_fill
    from samraad.rounds.models import Round

    paths = {}
    for label, count in (("small", SMALL), ("large", LARGE)):
        round_ = Round.objects.create(
            code=f"BENCH-{label}",
            slug=f"bench-{label}",
            year=2030 if label == "small" else 2031,
            title=f"Benchmark {label}",
            starts_on=datetime.date(2030, 2, 7),
            ends_on=datetime.date(2030, 6, 30),
        )
        coverage_tracks_fill(round=round_)
        coverage_bulk_add(round=round_, count=count, prefix=label)
        paths[label] = reverse("insights:coverage", args=[round_.slug])
    client = _staff_client()
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    if connection.vendor == "postgresql":
        # Fresh planner statistics, as autovacuum gives a table soon after a bulk load;
        # without them PostgreSQL plans for tables it still thinks are empty.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    out.write_text(
        json.dumps({**paths, "cookie": f"{settings.SESSION_COOKIE_NAME}={cookie.value}"})
    )


def count_queries(paths: list[str]) -> None:
    """Print the number of queries each page's request makes (after one warm-up request)."""
    _django()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = _staff_client()
    counts = []
    for path in paths:
        if client.get(path).status_code != 200:
            raise SystemExit(f"{path} did not answer 200")
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path)
        if response.status_code != 200 or MARKER not in response.content:
            raise SystemExit(f"{path} did not answer the dashboard")
        counts.append(len(queries))
    print(json.dumps(counts))


# --- The client ------------------------------------------------------------------------------


def fetch(port: int, path: str, cookie: str) -> tuple[int, bytes, float]:
    """One GET on a new connection: status, body and milliseconds from connect to last byte."""
    started = time.perf_counter()
    connection = http.client.HTTPConnection(HOST, port, timeout=60)
    try:
        headers = {"Accept-Language": "da"}
        if cookie:
            headers["Cookie"] = cookie
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        body = response.read()
    finally:
        connection.close()
    return response.status, body, (time.perf_counter() - started) * 1000


def series(port: int, path: str, cookie: str, marker: bytes, count: int) -> tuple[list, int]:
    """`count` requests in a row; their latencies and the number that failed."""
    latencies, errors = [], 0
    for _ in range(count):
        status, body, ms = fetch(port, path, cookie)
        latencies.append(ms)
        errors += status != 200 or marker not in body
    return latencies, errors


def bench(database_url: str, workdir: Path, children: Children) -> dict[str, Any]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "samraad.settings",
        "DATABASE_URL": database_url,
        "SECRET_KEY": f"bench-dashboard-{random.SystemRandom().getrandbits(128):x}",
        "DEBUG": "0",
        "SAMRAAD_DEMO": "0",
        "SAMRAAD_BENCH": "1",
        "ALLOWED_HOSTS": HOST,
        "SECURE_SSL_REDIRECT": "0",
        "WHITENOISE_USE_FINDERS": "1",
        "SAMRAAD_VAR_DIR": str(workdir),
        "LOG_LEVEL": "WARNING",
        "PYTHONUNBUFFERED": "1",
    }
    django_run(["-m", "samraad.cli", "migrate", "--no-input"], env, "migrate")
    log(f"migrated; building rounds with {SMALL} and {LARGE:,} registrations")
    out = workdir / "prepared.json"
    django_run([__file__, "--prepare", str(out)], env, "preparing the rounds")
    prepared = json.loads(out.read_text())
    small, large, cookie = prepared["small"], prepared["large"], prepared["cookie"]

    counted = django_run([__file__, "--count", small, large], env, "counting queries")
    queries_small, queries_large = json.loads(counted.strip().splitlines()[-1])
    log(f"queries per dashboard request: {queries_small} at {SMALL}, {queries_large} at {LARGE:,}")

    server = Server(children, env, workdir / "server.log")
    try:
        server.wait_ready()
        log(f"{server.description} on {HOST}:{server.port} (pid {server.process.pid})")
        pages = {
            "small": (small, cookie, MARKER),
            "large": (large, cookie, MARKER),
            "trivial": ("/healthz", "", b"ok"),
        }
        for name, (path, page_cookie, marker) in pages.items():
            _, errors = series(server.port, path, page_cookie, marker, WARM_UP)
            if errors:
                raise BenchError(
                    f"the warm-up requests of {name} ({path}) failed:\n{server.log_tail()}"
                )
        results = {}
        for name, (path, page_cookie, marker) in pages.items():
            latencies, errors = series(server.port, path, page_cookie, marker, REQUESTS)
            results[name] = {
                "p50": percentile(latencies, 50),
                "p95": percentile(latencies, 95),
                "max": max(latencies),
                "errors": errors,
            }
            log(
                f"{name} ({path}): {REQUESTS} requests, p50 {results[name]['p50']:.1f} ms, "
                f"p95 {results[name]['p95']:.1f} ms, max {results[name]['max']:.1f} ms, "
                f"errors {errors}"
            )
    finally:
        server.stop()
    return {
        "queries_small": queries_small,
        "queries_large": queries_large,
        "p95_ms_small": round(results["small"]["p95"], 1),
        "p95_ms_large": round(results["large"]["p95"], 1),
        "p95_ms_trivial": round(results["trivial"]["p95"], 1),
        "errors": sum(r["errors"] for r in results.values()),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--prepare", metavar="OUT", help=argparse.SUPPRESS)
    parser.add_argument("--count", nargs="+", metavar="PATH", help=argparse.SUPPRESS)
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    args = parser.parse_args(argv)
    if args.prepare:
        prepare(Path(args.prepare))
        return 0
    if args.count:
        count_queries(args.count)
        return 0

    def terminate(signum: int, frame: Any) -> None:
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, terminate)
    signal.signal(signal.SIGHUP, terminate)
    workdir = Path(tempfile.mkdtemp(prefix="samraad-bench-dashboard-"))
    children = Children()
    summary: dict[str, Any] = {}
    status = 1
    admin = db_name = None
    try:
        given = os.environ.get("DATABASE_URL", "")
        if given.startswith("postgres"):
            admin = postgres_server(given)
            if admin is None:
                raise BenchError(f"no PostgreSQL answers at {given}")
            db_name = os.environ.get("BENCH_DB_NAME", DEFAULT_PG_NAME)
            url = create_database(admin, db_name)
            host = urlsplit(admin).hostname
            log(f"working in {workdir}; PostgreSQL database {db_name} on {host}")
        else:
            url = f"sqlite:///{workdir / 'bench.sqlite3'}"
            log(f"working in {workdir}; SQLite")
        result = bench(url, workdir, children)
        equal = result["queries_small"] == result["queries_large"]
        fast = result["p95_ms_large"] <= BAR_P95_MS
        log(
            f"the bar (equal query counts, p95_ms_large ≤ {BAR_P95_MS:g}) is "
            + (
                "met"
                if equal and fast
                else "NOT met: "
                + "; ".join(
                    ([] if equal else ["the query counts differ"])
                    + ([] if fast else [f"p95_ms_large {result['p95_ms_large']}"])
                )
            )
            + f"; small dashboard p95 {result['p95_ms_small']} ms, errors {result['errors']}"
        )
        summary = {
            key: result[key]
            for key in ("queries_small", "queries_large", "p95_ms_large", "p95_ms_trivial")
        }
        status = 0 if equal and not result["errors"] else 1
    except BenchError as error:
        log(f"failed: {error}")
    except KeyboardInterrupt:
        log("interrupted")
        status = 130
    finally:
        tear_down(children, admin=admin, db_name=db_name, workdir=workdir, keep=args.keep)
    print(json.dumps(summary), flush=True)
    return status


if __name__ == "__main__":
    sys.exit(main())
