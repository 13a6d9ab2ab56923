"""`make bench-registration`: 2,400 council members register through the real web server.

For each database, SQLite first and then PostgreSQL where one answers, in a fresh
temporary directory:

1. a database of its own (a SQLite file; on PostgreSQL a database created on the
   server and dropped at the end), migrated, holding the ØA26 demo round (its 2,440
   made-up council members, two sessions of 1,000 seats) and a personal link for
   every member;
2. gunicorn with two sync workers (as README's production command runs it;
   BENCH_WORKER_CLASS=gthread BENCH_THREADS=4 for threads) and production settings
   (DEBUG=0, no demo mode, secure cookies; see "Settings" below) on a free
   127.0.0.1 port, with SAMRAAD_BENCH=1 for the floor endpoint;
3. saturation: 50 clients at once run every member's journey as fast as the server
   answers: open the personal page (GET), then register for a session (POST with
   the CSRF cookie and the form's token). Half the members choose each session, so
   each session gets 1,220 wishes for 1,000 seats and 220 members are told it is
   full. Under the same 50 clients and the same connection pattern the floor
   endpoint answers as many requests (one personal-link SELECT and one INSERT
   each); journeys and floor take turns in four blocks, so that other load on the
   machine weighs on both alike. `throughput_rps` and `floor_rps` are requests per
   second;
4. latency: a fresh round (the demo round copied), then an open loop starting 40
   journeys a second whatever the server does; `p50_ms`, `p95_ms`, `p99_ms` are over
   the individual requests, each measured from its start (the first request of a
   journey from the moment the journey was due, connecting included);
5. after each phase the database is checked: `overbooked` counts confirmed seats
   beyond a session's capacity, `lost` the journeys answered "registered" (302)
   without a confirmed registration. `errors` counts requests that failed or got
   an answer other than the page, the redirect after registering or the "full"
   page, and "full" answers for a session that ended with a free seat.

Settings: production's CSRF_COOKIE_SECURE and SESSION_COOKIE_SECURE stay on. The
client is not a browser and sends cookies back over plain HTTP on loopback, as a
TLS-terminating proxy's backend would receive them; only SECURE_SSL_REDIRECT=0 is
set, since nothing here speaks TLS. Static files come from the finders
(WHITENOISE_USE_FINDERS=1) instead of a collectstatic run; no page request here
asks for one.

One JSON object per database is printed on its own line, and the last line is a JSON
list of them. The exit status is 1 when a request failed, a seat was overbooked, a
registration was lost or the run failed; the performance bar (ratio_to_floor ≥ 0.5,
p99_ms ≤ 300) is reported in the log. Every process started here is stopped on the way
out, also on Ctrl-C; all traffic stays on 127.0.0.1.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import contextlib
import json
import math
import os
import random
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit, urlunsplit

PROJECT_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_DIR))

from bench.common import (  # noqa: E402  (after the path is set)
    BenchError,
    Children,
    create_database,
    tear_down,
)

HOST = "127.0.0.1"
DEFAULT_PG_NAME = "samraad_bench_registration"
DEFAULT_POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/postgres"
WORKERS = 2
REQUEST_TIMEOUT = 30.0
QUESTION = "Hvordan sikrer vi ældreplejen i de små kommuner?"
BAR_RATIO, BAR_P99_MS = 0.5, 300.0
BLOCKS = 4  # the saturation phase alternates floor and journeys in this many blocks

_FORM_TOKEN = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')
# Only the "session is full" notice on the member's page has a waitlist button.
_FULL = b'name="action" value="waitlist"'


_BEGAN = time.monotonic()


def log(text: str) -> None:
    print(f"[bench-registration {time.monotonic() - _BEGAN:7.1f}s] {text}", flush=True)


# --- Inside Django (run as `python bench/registration.py --prepare/--check`) -------------


def _django() -> None:
    import django

    django.setup()


def prepare_round(out: Path) -> None:
    """Write {round, sessions, members} for a fresh round with a personal link per member.

    The first call loads the ØA26 demo (people, round, meeting, two sessions of 1,000
    seats); every call copies the newest round with the same dates, so every phase
    starts with no registration.
    """
    _django()
    from django.db import transaction
    from django.utils import timezone

    from samraad.accounts.models import AccessPurpose
    from samraad.accounts.services import access_link_create
    from samraad.demo.scenario import CODE, demo_load
    from samraad.directory.models import Person, RoleKind
    from samraad.rounds.models import Round
    from samraad.rounds.services import round_copy

    if not Round.objects.filter(code=CODE).exists():
        demo_load(today=timezone.localdate())
    # A copy of the newest round, with the same dates: the demo's own round comes with
    # registrations and input already made, and each phase wants none.
    round_ = round_copy(source=Round.objects.order_by("-year", "-id").first(), weeks=0)
    sessions = list(round_.meeting.sessions.order_by("starts_at"))
    people = Person.objects.with_role(RoleKind.COUNCIL_MEMBER).order_by("id").distinct()
    with transaction.atomic():
        members = [
            (
                person.pk,
                access_link_create(round=round_, person=person, purpose=AccessPurpose.MEMBER),
            )
            for person in people
        ]
    out.write_text(
        json.dumps(
            {
                "round": round_.code,
                "sessions": [(s.pk, s.capacity) for s in sessions],
                "members": members,
            }
        )
    )


def check_round(code: str, registered_path: Path) -> None:
    """Print what the database holds for round `code`, against the members answered 302."""
    _django()
    from samraad.meetings.models import Registration, RegistrationStatus, Session

    registered = set(json.loads(registered_path.read_text()))
    sessions = Session.objects.filter(meeting__round__code=code)
    rows = Registration.objects.filter(meeting__round__code=code)
    confirmed = rows.filter(status=RegistrationStatus.CONFIRMED)
    per_session = collections.Counter(confirmed.values_list("session_id", flat=True))
    confirmed_people = set(confirmed.values_list("person_id", flat=True))
    print(
        json.dumps(
            {
                "overbooked": sum(max(per_session[s.pk] - s.capacity, 0) for s in sessions),
                "lost": len(registered - confirmed_people),
                "confirmed": {str(s.pk): per_session[s.pk] for s in sessions},
                "capacity": {str(s.pk): s.capacity for s in sessions},
                "registrations": rows.count(),
            }
        )
    )


# --- The client ---------------------------------------------------------------------------


@dataclass
class Answer:
    status: int
    headers: list[tuple[str, str]]
    body: bytes
    close: bool

    def header(self, name: str) -> str:
        return next((value for key, value in self.headers if key == name), "")

    def cookie(self, suffix: str) -> tuple[str, str]:
        """(name, value) of the first cookie set whose name ends with `suffix` (production
        names its cookies `__Host-…`)."""
        for key, value in self.headers:
            name, _, rest = value.partition("=")
            if key == "set-cookie" and name.endswith(suffix):
                return name, rest.split(";", 1)[0]
        return "", ""


class Connection:
    """One HTTP/1.1 keep-alive connection on asyncio streams: what a browser tab keeps open."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.host_header = f"{HOST}:{port}"
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            with contextlib.suppress(OSError):
                await self.writer.wait_closed()
        self.reader = self.writer = None

    async def request(
        self, method: str, path: str, *, cookie: str = "", body: bytes | None = None
    ) -> Answer:
        lines = [f"{method} {path} HTTP/1.1", f"Host: {self.host_header}", "Accept-Language: da"]
        if cookie:
            lines.append(f"Cookie: {cookie}")
        if body is not None:
            lines.append("Content-Type: application/x-www-form-urlencoded")
            lines.append(f"Content-Length: {len(body)}")
        data = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + (body or b"")
        reused = self.writer is not None
        try:
            return await self._exchange(data)
        except (asyncio.IncompleteReadError, ConnectionError) as error:
            # The server may close an idle keep-alive connection just as a request goes
            # out; like a browser, send it once more on a new one if nothing came back.
            if not reused or (isinstance(error, asyncio.IncompleteReadError) and error.partial):
                raise
            await self.close()
            return await self._exchange(data)

    async def _exchange(self, data: bytes) -> Answer:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(HOST, self.port)
        self.writer.write(data)
        answer = await self._read(self.reader)
        if answer.close:
            await self.close()
        return answer

    @staticmethod
    async def _read(reader: asyncio.StreamReader) -> Answer:
        head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
        version, status = head[0].split(" ", 2)[:2]
        headers = []
        for line in head[1:]:
            if line:
                name, _, value = line.partition(":")
                headers.append((name.strip().lower(), value.strip()))
        fields = dict(headers)
        close = fields.get("connection", "").lower() == "close" or version == "HTTP/1.0"
        if status in {"204", "304"} or status.startswith("1"):  # no body, by definition
            body = b""
        elif fields.get("transfer-encoding", "").lower() == "chunked":
            chunks = []
            while size := int((await reader.readuntil(b"\r\n")).split(b";")[0], 16):
                chunks.append(await reader.readexactly(size + 2))
            await reader.readuntil(b"\r\n")
            body = b"".join(chunk[:-2] for chunk in chunks)
        elif "content-length" in fields:
            body = await reader.readexactly(int(fields["content-length"]))
        else:
            body, close = await reader.read(), True
        return Answer(int(status), headers, body, close)


@dataclass(frozen=True)
class Member:
    person_id: int
    path: str
    session_id: int


@dataclass
class Tally:
    """What one phase's requests met."""

    latencies_ms: list[float] = field(default_factory=list)
    errors: collections.Counter[str] = field(default_factory=collections.Counter)
    registered: list[int] = field(default_factory=list)  # person ids answered 302
    full: collections.Counter[int] = field(default_factory=collections.Counter)  # by session

    @property
    def requests(self) -> int:
        return len(self.latencies_ms) + self.errors.total()


async def journey(port: int, member: Member, tally: Tally, due: float | None = None) -> None:
    """Open the personal page, then register: the two requests of one member."""
    loop = asyncio.get_running_loop()
    connection = Connection(port)
    try:
        started = due if due is not None else loop.time()
        page = await asyncio.wait_for(connection.request("GET", member.path), REQUEST_TIMEOUT)
        tally.latencies_ms.append((loop.time() - started) * 1000)
        token = _FORM_TOKEN.search(page.body)
        cookie_name, cookie = page.cookie("csrftoken")
        if page.status != 200 or token is None or not cookie:
            tally.errors[f"open: {page.status}{'' if token and cookie else ', no CSRF token'}"] += 1
            return
        form = {
            "csrfmiddlewaretoken": token.group(1).decode(),
            "session": member.session_id,
            "question": QUESTION,
            "action": "register",
        }
        started = loop.time()
        answer = await asyncio.wait_for(
            connection.request(
                "POST", member.path, cookie=f"{cookie_name}={cookie}", body=urlencode(form).encode()
            ),
            REQUEST_TIMEOUT,
        )
        tally.latencies_ms.append((loop.time() - started) * 1000)
        if answer.status == 302 and answer.header("location") == member.path:
            tally.registered.append(member.person_id)
        elif answer.status == 200 and _FULL in answer.body:
            tally.full[member.session_id] += 1
        else:
            tally.errors[f"register: {answer.status}"] += 1
    except (OSError, EOFError, ValueError, TimeoutError, asyncio.IncompleteReadError) as error:
        tally.errors[f"{type(error).__name__}: {error}"[:120]] += 1
    finally:
        await connection.close()


async def floor_pair(port: int, member: Member, tally: Tally) -> None:
    """Two floor requests on one connection: the journey's connection pattern, floor work."""
    loop = asyncio.get_running_loop()
    connection = Connection(port)
    path = member.path.replace("/m/", "/bench/floor/", 1)
    try:
        for _ in range(2):
            started = loop.time()
            answer = await asyncio.wait_for(
                connection.request("POST", path, body=b""), REQUEST_TIMEOUT
            )
            tally.latencies_ms.append((loop.time() - started) * 1000)
            if answer.status != 204:
                tally.errors[f"floor: {answer.status}"] += 1
    except (OSError, EOFError, ValueError, TimeoutError, asyncio.IncompleteReadError) as error:
        tally.errors[f"{type(error).__name__}: {error}"[:120]] += 1
    finally:
        await connection.close()


async def closed_loop(port: int, members: list[Member], concurrency: int, work) -> float:
    """`concurrency` clients take the next member as soon as their last one is done."""
    pending = iter(members)

    async def client() -> None:
        for member in pending:
            await work(port, member)

    started = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(concurrency)))
    return time.perf_counter() - started


async def open_loop(port: int, members: list[Member], rate: float, tally: Tally) -> float:
    """Start one journey every 1/rate seconds whatever the server does; return the start rate."""
    loop = asyncio.get_running_loop()
    first = loop.time() + 0.2
    tasks = []
    for number, member in enumerate(members):
        due = first + number / rate
        if (wait := due - loop.time()) > 0:
            await asyncio.sleep(wait)
        tasks.append(asyncio.create_task(journey(port, member, tally, due=due)))
    last_start = loop.time()
    await asyncio.gather(*tasks)
    return (len(members) - 1) / max(last_start - first, 1e-9)


def percentile(values: list[float], q: float) -> float:
    """The nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(math.ceil(q / 100 * len(ordered)) - 1, 0)] if ordered else float("nan")


# --- The server and the database ----------------------------------------------------------


def cpu_seconds(pids: list[int]) -> float:
    """User and system CPU time the processes `pids` have used (Linux /proc; else 0)."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def postgres_pids() -> list[int]:
    """The PostgreSQL server's processes on this machine, if it runs here."""
    pids = []
    for entry in Path("/proc").glob("[0-9]*/comm"):
        with contextlib.suppress(OSError):
            if entry.read_text().strip() == "postgres":
                pids.append(int(entry.parent.name))
    return pids


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


class Server:
    """gunicorn with its workers, on a free loopback port."""

    def __init__(self, children: Children, env: dict[str, str], log_path: Path) -> None:
        self.port = free_port()
        self.log_path = log_path
        worker_class = os.environ.get("BENCH_WORKER_CLASS", "sync")
        argv = [
            str(Path(sys.executable).parent / "gunicorn"),
            "samraad.wsgi",
            "--workers", str(WORKERS),
            "--worker-class", worker_class,
            "--bind", f"{HOST}:{self.port}",
            "--backlog", "2048",
            "--error-logfile", "-",
        ]  # fmt: skip
        if worker_class == "gthread":
            argv += ["--threads", os.environ.get("BENCH_THREADS", "4")]
        self.description = f"gunicorn, {WORKERS} {worker_class} workers"
        # Personal links in the mail that registrations queue point at this server.
        env = {**env, "SAMRAAD_BASE_URL": f"http://{HOST}:{self.port}"}
        with log_path.open("ab") as log_file:
            self.process = children.start(
                argv, stdout=log_file, stderr=subprocess.STDOUT, env=env, cwd=PROJECT_DIR
            )

    def wait_ready(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise BenchError(f"gunicorn exited ({self.process.returncode}):\n{self.log_tail()}")
            with contextlib.suppress(OSError), socket.create_connection((HOST, self.port), 1) as s:
                s.sendall(
                    f"GET /healthz HTTP/1.1\r\nHost: {HOST}\r\nConnection: close\r\n\r\n".encode()
                )
                if s.recv(64).startswith(b"HTTP/1.1 200"):
                    return
            time.sleep(0.2)
        raise BenchError(f"gunicorn did not answer /healthz in {timeout:.0f} s:\n{self.log_tail()}")

    def pids(self) -> list[int]:
        """gunicorn's master and its workers."""
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        with contextlib.suppress(OSError):
            return [self.process.pid, *map(int, children.read_text().split())]
        return [self.process.pid]

    def log_tail(self, lines: int = 30) -> str:
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    def stop(self) -> None:
        Children.stop(self.process)


def postgres_server(url: str) -> str | None:
    """The admin URL of the PostgreSQL server at `url` if it answers, else None (logged)."""
    if not url or url.lower() in {"0", "none", "off"}:
        return None
    parts = urlsplit(url)
    if parts.scheme not in {"postgres", "postgresql", "pgsql"}:
        raise BenchError(f"the PostgreSQL URL must be postgres://…, not {parts.scheme}://…")
    admin = urlunsplit(parts._replace(scheme="postgresql"))
    try:
        import psycopg

        with psycopg.connect(admin, connect_timeout=3):
            return admin
    except Exception as error:
        log(f"skipping PostgreSQL: no server at {url} ({str(error).strip().splitlines()[0]})")
        return None


def django_run(args: list[str], env: dict[str, str], what: str) -> str:
    """Run a helper in its own interpreter (its own Django settings); its stdout."""
    done = subprocess.run(  # noqa: S603  (our own interpreter, fixed arguments)
        [sys.executable, *args],
        env=env,
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode:
        raise BenchError(f"{what} failed:\n{done.stdout}{done.stderr}")
    return done.stdout


def new_round(env: dict[str, str], workdir: Path, rng: random.Random) -> tuple[str, list, list]:
    """A fresh round: (code, [(session id, capacity)], members in a shuffled order)."""
    out = workdir / "round.json"
    django_run([__file__, "--prepare", str(out)], env, "preparing a round")
    data = json.loads(out.read_text())
    sessions = data["sessions"]
    members = [
        Member(person_id, f"/m/{token}/", sessions[index % len(sessions)][0])
        for index, (person_id, token) in enumerate(data["members"])
    ]
    rng.shuffle(members)
    return data["round"], sessions, members


def check(env: dict[str, str], workdir: Path, code: str, tally: Tally) -> dict[str, Any]:
    """The database's view of the phase; "full" answers for a session left with free seats
    are added to the tally's errors."""
    registered = workdir / "registered.json"
    registered.write_text(json.dumps(tally.registered))
    found = json.loads(django_run([__file__, "--check", code, str(registered)], env, "checking"))
    for session_id, told_full in tally.full.items():
        free = found["capacity"][str(session_id)] - found["confirmed"][str(session_id)]
        if free > 0:
            tally.errors[f"'full' for session {session_id} that has {free} free seats"] += told_full
    return found


def show_errors(tally: Tally) -> None:
    for kind, count in tally.errors.most_common(8):
        log(f"  error ×{count}: {kind}")


def bench_database(
    label: str, database_url: str, workdir: Path, children: Children, args: argparse.Namespace
) -> dict[str, Any]:
    rng = random.Random(args.seed)  # noqa: S311  (the members' order, not a secret)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "samraad.settings",
        "DATABASE_URL": database_url,
        "SECRET_KEY": f"bench-registration-{random.SystemRandom().getrandbits(128):x}",
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
    log(f"{label}: migrated; loading the ØA26 demo and a personal link per member")
    code, sessions, members = new_round(env, workdir, rng)
    seats = sum(capacity for _, capacity in sessions)
    log(f"{label}: round {code}, {len(members)} members, {len(sessions)} sessions, {seats} seats")

    server = Server(children, env, workdir / "server.log")
    try:
        server.wait_ready()
        log(f"{label}: {server.description} on {HOST}:{server.port} (pid {server.process.pid})")
        port = server.port

        # Warm-up (not measured): every worker imports, compiles templates, connects.
        warm = Tally()
        asyncio.run(closed_loop(port, members[:100], 10, lambda p, m: floor_pair(p, m, warm)))
        asyncio.run(closed_loop(port, members[:200], 10, lambda p, m: _open_only(p, m, warm)))
        if warm.errors:
            show_errors(warm)
            raise BenchError(
                "the warm-up requests failed; see the server log:\n" + server.log_tail()
            )

        # The journeys and the floor take turns in blocks, so that whatever else the
        # machine does at the time weighs on both alike.
        floor, saturation = Tally(), Tally()
        floor_seconds = seconds = 0.0
        client_cpu = {"floor": 0.0, "journeys": 0.0}  # this process: the client's own cost
        # Where the server's time goes, per request: the web workers and the database.
        web_cpu = {"floor": 0.0, "journeys": 0.0}
        db_cpu = {"floor": 0.0, "journeys": 0.0}
        web_pids, db_pids = server.pids(), postgres_pids()
        for block in range(BLOCKS):
            part = members[block::BLOCKS]
            runs = [
                ("floor", lambda p, m: floor_pair(p, m, floor)),
                ("journeys", lambda p, m: journey(p, m, saturation)),
            ]
            for what, work in runs if block % 2 == 0 else reversed(runs):
                cpu = time.process_time()
                web, db = cpu_seconds(web_pids), cpu_seconds(db_pids)
                took = asyncio.run(closed_loop(port, part, args.concurrency, work))
                client_cpu[what] += time.process_time() - cpu
                web_cpu[what] += cpu_seconds(web_pids) - web
                db_cpu[what] += cpu_seconds(db_pids) - db
                if what == "floor":
                    floor_seconds += took
                else:
                    seconds += took
        floor_rps = floor.requests / floor_seconds
        log(
            f"{label}: floor {floor.requests} requests in {floor_seconds:.2f} s, "
            f"{floor_rps:.0f}/s (client CPU {client_cpu['floor'] / floor_seconds:.0%} of a core; "
            f"during the journeys {client_cpu['journeys'] / seconds:.0%})"
        )
        throughput = saturation.requests / seconds
        log(
            f"{label}: CPU per request: floor {web_cpu['floor'] / floor.requests * 1000:.2f} ms "
            f"web + {db_cpu['floor'] / floor.requests * 1000:.2f} ms database; journeys "
            f"{web_cpu['journeys'] / saturation.requests * 1000:.2f} ms web + "
            f"{db_cpu['journeys'] / saturation.requests * 1000:.2f} ms database"
            + ("" if db_pids else " (the database runs elsewhere)")
        )
        found = check(env, workdir, code, saturation)
        log(
            f"{label}: saturation {len(members)} journeys ({saturation.requests} requests) in "
            f"{seconds:.2f} s, {throughput:.0f}/s; registered {len(saturation.registered)}, "
            f"told full {saturation.full.total()}, errors {saturation.errors.total()}; "
            f"database: confirmed {found['confirmed']}, overbooked {found['overbooked']}, "
            f"lost {found['lost']}"
        )
        show_errors(floor)
        show_errors(saturation)

        code, sessions, members = new_round(env, workdir, rng)
        log(f"{label}: fresh round {code}; latency: {args.rate:g} journeys/s, open loop")
        latency = Tally()
        rate = asyncio.run(open_loop(port, members, args.rate, latency))
        found_latency = check(env, workdir, code, latency)
        p50, p95, p99 = (percentile(latency.latencies_ms, q) for q in (50, 95, 99))
        log(
            f"{label}: latency p50 {p50:.1f} ms, p95 {p95:.1f} ms, p99 {p99:.1f} ms, max "
            f"{max(latency.latencies_ms, default=0):.1f} ms over {len(latency.latencies_ms)} "
            f"requests; registered {len(latency.registered)}, told full {latency.full.total()}, "
            f"errors {latency.errors.total()}; database: confirmed {found_latency['confirmed']}, "
            f"overbooked {found_latency['overbooked']}, lost {found_latency['lost']}"
        )
        show_errors(latency)
    finally:
        server.stop()
    return {
        "database": label,
        "members": len(members),
        "concurrency": args.concurrency,
        "throughput_rps": round(throughput, 1),
        "floor_rps": round(floor_rps, 1),
        "ratio_to_floor": round(throughput / floor_rps, 3),
        "rate_members_per_s": round(rate, 1),
        "p50_ms": round(p50, 1),
        "p95_ms": round(p95, 1),
        "p99_ms": round(p99, 1),
        "errors": floor.errors.total() + saturation.errors.total() + latency.errors.total(),
        "overbooked": found["overbooked"] + found_latency["overbooked"],
        "lost": found["lost"] + found_latency["lost"],
    }


async def _open_only(port: int, member: Member, tally: Tally) -> None:
    connection = Connection(port)
    try:
        answer = await asyncio.wait_for(connection.request("GET", member.path), REQUEST_TIMEOUT)
        if answer.status != 200:
            tally.errors[f"open: {answer.status}"] += 1
    finally:
        await connection.close()


def bar_misses(result: dict[str, Any]) -> list[str]:
    misses = []
    if result["ratio_to_floor"] < BAR_RATIO:
        misses.append(f"ratio_to_floor {result['ratio_to_floor']} < {BAR_RATIO}")
    if result["p99_ms"] > BAR_P99_MS:
        misses.append(f"p99_ms {result['p99_ms']} > {BAR_P99_MS:g}")
    misses += [f"{key} {result[key]}" for key in ("errors", "overbooked", "lost") if result[key]]
    return misses


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--prepare", metavar="OUT", help=argparse.SUPPRESS)
    parser.add_argument("--check", nargs=2, metavar=("ROUND", "REGISTERED"), help=argparse.SUPPRESS)
    given = os.environ.get("DATABASE_URL", "")
    parser.add_argument(
        "--postgres",
        default=os.environ.get("BENCH_POSTGRES_URL")
        or (given if given.startswith("postgres") else "")
        or os.environ.get("TEST_POSTGRES_URL")
        or DEFAULT_POSTGRES_URL,
        help="the PostgreSQL server to use (its own database is created there); 'none' skips it",
    )
    parser.add_argument("--concurrency", type=int, default=int(os.environ.get("CONCURRENCY") or 50))
    parser.add_argument("--rate", type=float, default=float(os.environ.get("RATE") or 40))
    parser.add_argument("--seed", type=int, default=int(os.environ.get("SEED") or 2026))
    parser.add_argument("--no-sqlite", action="store_true", help="only PostgreSQL")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    args = parser.parse_args(argv)
    if args.prepare:
        prepare_round(Path(args.prepare))
        return 0
    if args.check:
        check_round(args.check[0], Path(args.check[1]))
        return 0

    def terminate(signum: int, frame: Any) -> None:
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, terminate)
    signal.signal(signal.SIGHUP, terminate)
    workdir = Path(tempfile.mkdtemp(prefix="samraad-bench-registration-"))
    children = Children()
    results: list[dict[str, Any]] = []
    status = 1
    admin = db_name = None
    try:
        log(f"working in {workdir}; {args.concurrency} clients, {args.rate:g} members/s")
        if not args.no_sqlite:
            sqlite_dir = workdir / "sqlite"
            sqlite_dir.mkdir()
            sqlite_url = f"sqlite:///{sqlite_dir / 'bench.sqlite3'}"
            results.append(bench_database("SQLite", sqlite_url, sqlite_dir, children, args))
            print(json.dumps(results[-1]), flush=True)
        admin = postgres_server(args.postgres)
        if admin is None and os.environ.get("REQUIRE_POSTGRES") == "1":
            raise BenchError("no PostgreSQL answers, and REQUIRE_POSTGRES=1")
        if admin is not None:
            db_name = os.environ.get("BENCH_DB_NAME", DEFAULT_PG_NAME)
            url = create_database(admin, db_name)
            pg_dir = workdir / "postgresql"
            pg_dir.mkdir()
            log(f"PostgreSQL: database {db_name} on {urlsplit(admin).hostname}")
            results.append(bench_database("PostgreSQL", url, pg_dir, children, args))
            print(json.dumps(results[-1]), flush=True)
        misses = {r["database"]: bar_misses(r) for r in results}
        for database, missed in misses.items():
            log(f"{database}: the bar is {'NOT met: ' + '; '.join(missed) if missed else 'met'}")
        status = 1 if any(r["errors"] or r["overbooked"] or r["lost"] for r in results) else 0
    except BenchError as error:
        log(f"failed: {error}")
    except KeyboardInterrupt:
        log("interrupted")
        status = 130
    finally:
        tear_down(children, admin=admin, db_name=db_name, workdir=workdir, keep=args.keep)
    print(json.dumps(results), flush=True)
    return status


if __name__ == "__main__":
    sys.exit(main())
