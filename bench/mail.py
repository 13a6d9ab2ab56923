"""`make bench-mail`: 10,000 messages through the outbox and `samraad worker` to a local sink.

In one run, in a fresh temporary directory:

1. a database of its own (a SQLite file; or, when DATABASE_URL names a PostgreSQL
   server, a dedicated database created there and dropped at the end), migrated;
2. an aiosmtpd sink in a separate process on a free 127.0.0.1 port, counting every
   message it receives by Message-ID;
3. 10,000 messages queued through `mail_queue`, each with a Danish subject and text, an
   HTML alternative and a small .ics attachment, to distinct recipients; `mail_queue`
   renders each message's bytes then, once (reported as `queue_seconds`, outside the
   comparison, since the raw loop sends those same bytes);
4. the raw baseline: one smtplib connection sends those prepared bytes to the sink;
5. the measured run: `samraad worker` is started against the sink, and the time from
   its start until every row is "sent" (polled in the database) is measured. With
   `--kill K` the worker is SIGKILLed K times at random moments spread over the sending
   and started again each time;
6. the sink's counts give `lost` (rows whose Message-ID never arrived) and
   `duplicates` (received minus distinct).

The last line printed is one JSON object. The exit status is 1 when a message was lost
(or the run failed), 0 otherwise. Every process started here is stopped on the way out,
also on Ctrl-C; all traffic stays on 127.0.0.1.
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import json
import os
import random
import re
import signal
import smtplib
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

PROJECT_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_DIR))

from bench.common import (  # noqa: E402  (after the path is set)
    BenchError,
    Children,
    create_database,
    tear_down,
)

HOST = "127.0.0.1"
DEFAULT_PG_NAME = "samraad_bench_mail"
# Settings of the worker shown in the output when they are set in the environment.
WORKER_SETTINGS = (
    "MAIL_BATCH_SIZE",
    "MAIL_POLL_SECONDS",
    "MAIL_STALE_SECONDS",
    "WORKER_HEARTBEAT_SECONDS",
)

# --- The sink (runs in its own process: `python bench/mail.py --sink`) ----------------

_MESSAGE_ID = re.compile(rb"^message-id:\s*(<[^>\r\n]*>)", re.IGNORECASE | re.MULTILINE)


def message_id_of(raw: bytes) -> str:
    """The Message-ID in the header section of `raw` ('' when it has none)."""
    end = raw.find(b"\r\n\r\n")
    head = raw if end < 0 else raw[:end]
    match = _MESSAGE_ID.search(head)
    return match.group(1).decode("ascii", "replace") if match else ""


def run_sink() -> None:
    """Accept every message on a free loopback port and count it by Message-ID.

    Prints `port N` once listening. Commands on stdin, one a line, each answered with
    one line: `dump PATH` writes {message_id: count} as JSON to PATH (answer `ok
    TOTAL`), `reset` forgets the counts (answer `ok`). End of stdin (the benchmark
    exited, however it exited) stops the sink.
    """
    import asyncio

    from aiosmtpd.smtp import SMTP

    counts: collections.Counter[str] = collections.Counter()

    class Counting:
        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
            counts[message_id_of(envelope.original_content or b"")] += 1
            return "250 OK"

    async def serve() -> None:
        loop = asyncio.get_running_loop()
        # IPPROTO_TCP explicitly: asyncio turns Nagle off (TCP_NODELAY) only on sockets whose
        # proto says TCP, and with Nagle on, aiosmtpd's line-by-line EHLO reply waits for the
        # client's delayed ACK: 40 ms on every new connection, which a real relay never costs.
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((HOST, 0))
        sock.listen(128)
        handler = Counting()
        server = await loop.create_server(
            lambda: SMTP(handler, hostname="bench-sink", loop=loop), sock=sock
        )
        print(f"port {sock.getsockname()[1]}", flush=True)
        reader = asyncio.StreamReader()
        await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
        while line := (await reader.readline()).decode().strip():
            command, _, argument = line.partition(" ")
            if command == "dump":
                Path(argument).write_text(json.dumps(counts))
                print(f"ok {sum(counts.values())}", flush=True)
            elif command == "reset":
                counts.clear()
                print("ok", flush=True)
            else:
                print(f"unknown command {command!r}", flush=True)
        server.close()

    asyncio.run(serve())


# --- The benchmark ------------------------------------------------------------------------


_BEGAN = time.monotonic()


def log(text: str) -> None:
    print(f"[bench-mail {time.monotonic() - _BEGAN:7.1f}s] {text}", flush=True)


class Sink:
    """The sink process and its command pipe."""

    def __init__(self, children: Children, env: dict[str, str]) -> None:
        self.process = children.start(
            [sys.executable, str(Path(__file__).resolve()), "--sink"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env=env,
        )
        first = self.process.stdout.readline().strip()
        if not first.startswith("port "):
            raise BenchError(f"the sink did not start (it said {first!r})")
        self.port = int(first.split()[1])

    def command(self, line: str) -> str:
        if self.process.poll() is not None:
            raise BenchError(f"the sink died (exit status {self.process.returncode})")
        self.process.stdin.write(line + "\n")
        self.process.stdin.flush()
        answer = self.process.stdout.readline().strip()
        if not answer.startswith("ok"):
            raise BenchError(f"the sink answered {answer!r} to {line!r}")
        return answer

    def counts(self, path: Path) -> collections.Counter[str]:
        self.command(f"dump {path}")
        return collections.Counter(json.loads(path.read_text()))

    def reset(self) -> None:
        self.command("reset")


# --- The database -------------------------------------------------------------------------


def prepare_database(workdir: Path) -> tuple[str, str | None, str | None]:
    """(DATABASE_URL for the run, admin URL, database name to drop at the end)."""
    given = os.environ.get("DATABASE_URL", "").strip()
    if not given or given.startswith("sqlite"):
        return f"sqlite:///{workdir / 'bench.sqlite3'}", None, None
    parts = urlsplit(given)
    if parts.scheme not in {"postgres", "postgresql", "pgsql"}:
        raise BenchError(f"DATABASE_URL must be sqlite:///… or postgres://…, not {parts.scheme}")
    name = os.environ.get("BENCH_DB_NAME", DEFAULT_PG_NAME)
    admin = urlunsplit(parts._replace(scheme="postgresql"))
    return create_database(admin, name), admin, name


# --- The messages -------------------------------------------------------------------------

FIRST_NAMES = [
    "Søren", "Mette", "Jørgen", "Birgitte", "Anders", "Lærke", "Bjørn", "Åse", "Niels",
    "Gitte", "Rasmus", "Ida", "Kåre", "Signe", "Frederik", "Maja", "Ørnulf", "Karen",
]  # fmt: skip
LAST_NAMES = [
    "Østergaard", "Jørgensen", "Mølgaard", "Sørensen", "Kjærgaard", "Ærtebjerg", "Hansen",
    "Bækgaard", "Nørgaard", "Pedersen", "Løvenskjold", "Skovgård", "Thomsen", "Dalsgård",
]  # fmt: skip
TOWNS = [
    "Aabenraa", "Ærø", "Fanø", "Frederiksberg", "Hjørring", "Høje-Taastrup", "Køge",
    "Læsø", "Næstved", "Odsherred", "Ringkøbing-Skjern", "Sønderborg", "Tårnby", "Aarhus",
]  # fmt: skip

SUBJECT = "Dit link til det virtuelle stormøde om ØA26 – mandag den 31. marts kl. 19.00"

TEXT = """Kære {name}

Tak for din tilmelding til KL's virtuelle stormøde om økonomiforhandlingerne for 2026 (ØA26),
som holdes på Microsoft Teams mandag den 31. marts 2025 kl. 19.00–20.30.

Her er dit personlige link til mødet:
https://teams.microsoft.com/l/meetup-join/19%3ameeting_{token}%40thread.v2/0

Linket er personligt og må ikke videresendes. Mødet åbner kl. 18.45, så der er tid til at
afprøve lyd og billede. Du kan stille spørgsmål i chatten undervejs; ordstyreren samler dem
op efter oplæggene fra KL's formandskab om kommunernes økonomi, beskæftigelse og ældreområdet.

I den vedhæftede kalenderfil (stormøde.ics) ligger mødet med linket, så du kan lægge det i
din kalender. Materialet til mødet bliver lagt på KL's hjemmeside senest fredag den 28. marts.

Har du spørgsmål, er du velkommen til at skrive til økonomisekretariatet på
oa26@kl.dk eller ringe på 33 70 33 70.

Venlig hilsen
KL – Kommunernes Landsforening
Weidekampsgade 10, 2300 København S
"""

HTML = """<!doctype html>
<html lang="da"><head><meta charset="utf-8"></head>
<body style="margin:0;padding:0;background:#f5f5f5;">
<div style="{box}">
<p style="font-weight:600;margin-top:0;">KL</p>
<p>Kære {name}</p>
<p>Tak for din tilmelding til KL's virtuelle stormøde om økonomiforhandlingerne for 2026
(ØA26), som holdes på Microsoft Teams <strong>mandag den 31. marts 2025 kl. 19.00–20.30</strong>.
</p>
<p><a style="{button}"
href="https://teams.microsoft.com/l/meetup-join/19%3ameeting_{token}%40thread.v2/0">
Deltag i stormødet</a></p>
<p>Linket er personligt og må ikke videresendes. Mødet åbner kl. 18.45, så der er tid til at
afprøve lyd og billede. Du kan stille spørgsmål i chatten undervejs.</p>
<p>I den vedhæftede kalenderfil ligger mødet med linket. Materialet bliver lagt på KL's
hjemmeside senest fredag den 28. marts.</p>
<p>Venlig hilsen<br>KL – Kommunernes Landsforening</p>
<hr style="border:0;border-top:1px solid #ccc;margin-top:32px;">
<p style="font-size:13px;color:#555;">Denne mail er sendt automatisk af Samråd.</p>
</div></body></html>
"""

# One long line each, as HTML mail has them (so the HTML part is quoted-printable).
HTML_STYLES = {
    "box": "max-width:640px;margin:0 auto;padding:24px;background:#ffffff;"
    "font-family:'IBM Plex Sans',Arial,sans-serif;font-size:16px;line-height:1.5;color:#1a1a1a;",
    "button": "display:inline-block;padding:12px 20px;background:#0059b3;color:#ffffff;"
    "text-decoration:none;",
}

ICS = """BEGIN:VCALENDAR\r
VERSION:2.0\r
PRODID:-//KL//Samråd//DA\r
METHOD:REQUEST\r
BEGIN:VEVENT\r
UID:oa26-stormoede-1-{number}@samraad.local\r
DTSTAMP:20250207T090000Z\r
DTSTART:20250331T170000Z\r
DTEND:20250331T183000Z\r
SUMMARY:Virtuelt stormøde om ØA26\r
LOCATION:Microsoft Teams\r
DESCRIPTION:Dit personlige link: https://teams.microsoft.com/l/meetup-join/19\r
 %3ameeting_{token}%40thread.v2/0\r
ORGANIZER;CN=KL:mailto:oa26@kl.dk\r
ATTENDEE;CN="{name}";RSVP=FALSE:mailto:{email}\r
END:VEVENT\r
END:VCALENDAR\r
"""


def queue_messages(count: int, rng: random.Random) -> list[int]:
    """Queue `count` messages through the outbox service; return their row ids."""
    from django.db import transaction

    from samraad.mail.services import Attachment, mail_queue

    ids: list[int] = []
    chunk = 500
    for start in range(0, count, chunk):
        with transaction.atomic():
            for number in range(start, min(start + chunk, count)):
                name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
                town = rng.choice(TOWNS)
                email = f"medlem{number:05d}@{_domain(town)}.dk"
                token = f"{rng.getrandbits(128):032x}"
                values = {"name": name, "token": token, "number": number, "email": email}
                message = mail_queue(
                    purpose="meeting_join_link",
                    to_email=email,
                    to_name=name,
                    subject=SUBJECT,
                    text=TEXT.format(**values),
                    html=HTML.format(**values, **HTML_STYLES),
                    about=f"bench:session:{number}",
                    attachments=[
                        Attachment(
                            filename="stormøde.ics",
                            content_type="text/calendar; charset=utf-8",
                            content=ICS.format(**values).encode(),
                        )
                    ],
                    reply_to="oa26@kl.dk",
                    language="da",
                )
                ids.append(message.pk)
        if (start + chunk) % 2500 == 0:
            log(f"queued {min(start + chunk, count)}/{count}")
    return ids


def _domain(town: str) -> str:
    plain = town.lower().translate(str.maketrans({"æ": "ae", "ø": "oe", "å": "aa", "-": ""}))
    return plain


_BARE_LF = re.compile(rb"(?<!\r)\n")


def prepare_raw(ids: list[int]) -> list[tuple[str, bytes]]:
    """(recipient, the bytes the worker sends) for every queued row, in queue order.

    Those are `message_bytes(row)` from delivery.py: the bytes rendered when the row was
    queued (timed as `queue_seconds`, for the worker and the raw loop alike).
    """
    from samraad.mail.delivery import message_bytes
    from samraad.mail.models import OutboxMessage

    rows = OutboxMessage.objects.filter(id__in=ids).order_by("id")
    prepared = [(row.to_email, message_bytes(row)) for row in rows.iterator(chunk_size=500)]
    bare = sum(1 for _, data in prepared if _BARE_LF.search(data))
    if bare:
        raise BenchError(f"{bare} messages have bare LF line ends; SMTP needs CRLF")
    return prepared


def run_raw(port: int, sender: str, prepared: list[tuple[str, bytes]]) -> float:
    """Send every prepared message over one smtplib connection; return the seconds it took."""
    started = time.perf_counter()
    smtp = smtplib.SMTP(HOST, port, timeout=30)
    try:
        for recipient, data in prepared:
            smtp.sendmail(sender, [recipient], data)
    finally:
        smtp.quit()
    return time.perf_counter() - started


def status_counts() -> dict[str, int]:
    from django.db import connection
    from django.db.models import Count

    from samraad.mail.models import OutboxMessage

    try:
        rows = OutboxMessage.objects.values_list("status").annotate(n=Count("id")).order_by()
        return dict(rows)
    finally:
        connection.close_if_unusable_or_obsolete()


class Workers:
    """`samraad worker` processes, started, killed and restarted by the benchmark."""

    def __init__(self, children: Children, env: dict[str, str], logdir: Path, count: int):
        self.children, self.env, self.logdir, self.count = children, env, logdir, count
        self.running: list[subprocess.Popen] = []
        self.logs: dict[int, Path] = {}
        self.started = 0

    def start_one(self) -> subprocess.Popen:
        self.started += 1
        log_path = self.logdir / f"worker-{self.started}.log"
        log_file = log_path.open("wb")
        process = self.children.start(
            [sys.executable, "-m", "samraad.cli", "worker"],
            stdout=log_file,
            stderr=subprocess.STDOUT,
            env=self.env,
            cwd=PROJECT_DIR,
        )
        log_file.close()
        log(f"samraad worker started (pid {process.pid}, log {log_path.name})")
        self.logs[process.pid] = log_path
        self.running.append(process)
        return process

    def start(self) -> None:
        for _ in range(self.count):
            self.start_one()

    def kill_one(self, rng: random.Random, why: str) -> None:
        """SIGKILL one running worker (by its pid) and start another in its place."""
        victim = rng.choice(self.running)
        victim.kill()
        victim.wait()
        self.running.remove(victim)
        log(f"{why}: SIGKILL to worker pid {victim.pid}")
        self.start_one()

    def dead(self) -> str:
        """'' while every worker runs; else which one exited by itself, with its log's end."""
        for process in self.running:
            if process.poll() is not None:
                lines = self.logs[process.pid].read_text(errors="replace").splitlines()[-30:]
                return f"worker {process.pid} exited with status {process.returncode}:\n" + (
                    "\n".join(lines)
                )
        return ""

    def stop(self) -> None:
        for process in self.running:
            Children.stop(process)
        self.running.clear()


def kill_plan(kills: int, total: int, rng: random.Random) -> list[int]:
    """Sent-counts at which to kill: one at random in each of `kills` equal slices of 5–95 %."""
    low, high = 0.05 * total, 0.95 * total
    width = (high - low) / max(kills, 1)
    return [int(low + width * (i + rng.random())) for i in range(kills)]


def run_workers(
    workers: Workers, total: int, kills: int, timeout: float, rng: random.Random
) -> tuple[float, int, bool]:
    """Start the workers, kill as planned, wait until every row is sent.

    Returns (seconds from the first worker's start until all rows were seen sent,
    kills done, finished).
    """
    plan = kill_plan(kills, total, rng)
    done_kills = 0
    sent_at_restart = -1
    kill_at: float | None = None
    started = time.perf_counter()
    workers.start()
    last_report = started
    while True:
        time.sleep(0.1)
        now = time.perf_counter()
        counts = status_counts()
        sent = counts.get("sent", 0)
        if sent >= total:
            return now - started, done_kills, True
        open_rows = counts.get("queued", 0) + counts.get("sending", 0)
        if not open_rows:
            log(f"nothing left to send but only {sent}/{total} sent: {counts}")
            return now - started, done_kills, False
        if now - started > timeout:
            log(f"timed out after {timeout:.0f} s: {counts}")
            return now - started, done_kills, False
        if dead := workers.dead():
            log(f"a worker exited by itself (the benchmark never stops one): {dead}")
            return now - started, done_kills, False
        if done_kills < len(plan) and sent >= plan[done_kills] and sent > sent_at_restart:
            if kill_at is None:  # a random moment shortly after the mark, not on a poll tick
                kill_at = now + rng.uniform(0.0, 0.3)
            elif now >= kill_at:
                done_kills += 1
                workers.kill_one(rng, f"kill {done_kills}/{kills} at {sent}/{total} sent")
                sent_at_restart, kill_at = sent, None
        if now - last_report >= 1.0:
            last_report = now
            log(
                f"{now - started:6.1f} s: sent {sent}/{total}, "
                f"sending {counts.get('sending', 0)}, queued {counts.get('queued', 0)}, "
                f"failed {counts.get('failed', 0)}"
            )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sink", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--emails", type=int, default=int(os.environ.get("EMAILS") or 10_000))
    parser.add_argument("--kill", type=int, default=int(os.environ.get("KILL") or 0))
    parser.add_argument("--workers", type=int, default=int(os.environ.get("WORKERS") or 1))
    parser.add_argument("--timeout", type=float, default=float(os.environ.get("TIMEOUT") or 900))
    parser.add_argument("--seed", type=int, default=int(os.environ.get("SEED") or 0) or None)
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    args = parser.parse_args(argv)
    if args.sink:
        run_sink()
        return 0

    def terminate(signum: int, frame: Any) -> None:
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, terminate)
    signal.signal(signal.SIGHUP, terminate)
    seed = args.seed if args.seed is not None else random.SystemRandom().randrange(1, 2**31)
    rng = random.Random(seed)  # noqa: S311  (message contents and kill moments, not secrets)
    workdir = Path(tempfile.mkdtemp(prefix="samraad-bench-mail-"))
    children = Children()
    admin_url = db_name = None
    result: dict[str, Any] | None = None
    status = 1
    try:
        database_url, admin_url, db_name = prepare_database(workdir)
        shown = "SQLite" if db_name is None else f"PostgreSQL database {db_name}"
        log(f"seed {seed}, {args.emails} emails, KILL={args.kill}, {args.workers} worker(s)")
        log(f"working in {workdir} on {shown}")
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "samraad.settings",
            "DATABASE_URL": database_url,
            "SECRET_KEY": f"bench-mail-{random.SystemRandom().getrandbits(128):x}",
            "DEBUG": "0",
            "SAMRAAD_DEMO": "0",
            "SAMRAAD_VAR_DIR": str(workdir),
            "PYTHONUNBUFFERED": "1",
        }
        os.environ.update(env)
        migrate = subprocess.run(
            [sys.executable, "-m", "samraad.cli", "migrate", "--no-input"],
            env=env,
            cwd=PROJECT_DIR,
            capture_output=True,
            text=True,
            check=False,
        )
        if migrate.returncode:
            raise BenchError(f"migrate failed:\n{migrate.stdout}{migrate.stderr}")
        log("migrated")

        import django

        django.setup()
        from django.db import connections

        from samraad.mail.delivery import envelope_sender

        sink = Sink(children, env)
        log(f"sink listening on {HOST}:{sink.port} (pid {sink.process.pid})")

        began = time.perf_counter()
        ids = queue_messages(args.emails, rng)
        queue_seconds = time.perf_counter() - began
        log(f"queued {len(ids)} messages through mail_queue in {queue_seconds:.1f} s")
        prepared = prepare_raw(ids)
        size = sum(len(data) for _, data in prepared) / len(prepared)
        log(f"prepared the bytes of {len(prepared)} messages (average {size:.0f} bytes)")
        connections.close_all()

        raw_seconds = run_raw(sink.port, envelope_sender(), prepared)
        raw_counts = sink.counts(workdir / "raw-counts.json")
        if raw_counts.total() != len(prepared) or len(raw_counts) != len(prepared):
            raise BenchError(
                f"the raw loop: sink received {raw_counts.total()} ({len(raw_counts)} distinct) "
                f"of {len(prepared)}"
            )
        raw_rate = len(prepared) / raw_seconds
        log(f"raw smtplib, one connection: {raw_seconds:.2f} s, {raw_rate:.0f}/s")
        sink.reset()

        worker_env = {
            **env,
            "EMAIL_HOST": HOST,
            "EMAIL_PORT": str(sink.port),
            "EMAIL_USE_TLS": "0",
            "EMAIL_USE_SSL": "0",
            "EMAIL_HOST_USER": "",
            "EMAIL_HOST_PASSWORD": "",
            "MAIL_RATE_PER_MINUTE": "0",
        }
        if args.kill:
            # The reaper (run on each heartbeat) re-queues the killed worker's claims quickly.
            worker_env["MAIL_STALE_SECONDS"] = os.environ.get("MAIL_STALE_SECONDS") or "3"
            heartbeat = os.environ.get("WORKER_HEARTBEAT_SECONDS") or "1"
            worker_env["WORKER_HEARTBEAT_SECONDS"] = heartbeat
        shown_settings = ", ".join(
            f"{key}={worker_env[key]}" for key in WORKER_SETTINGS if key in worker_env
        )
        log(f"starting samraad worker ({shown_settings or 'default settings'})")
        workers = Workers(children, worker_env, workdir, args.workers)
        try:
            seconds, kills, finished = run_workers(workers, len(ids), args.kill, args.timeout, rng)
        finally:
            workers.stop()
        log(f"workers stopped; {'all sent' if finished else 'NOT all sent'} after {seconds:.2f} s")

        from samraad.mail.models import OutboxMessage

        received = sink.counts(workdir / "worker-counts.json")
        expected = set(OutboxMessage.objects.values_list("message_id", flat=True))
        connections.close_all()
        lost = len(expected - received.keys())
        duplicates = received.total() - len(received)
        strangers = len(received.keys() - expected)
        if strangers:
            log(f"the sink received {strangers} Message-IDs that are not in the outbox")
        if duplicates:
            twice = sorted(mid for mid, n in received.items() if n > 1)
            log(f"duplicates: {', '.join(twice[:10])}{' …' if len(twice) > 10 else ''}")
        rate = len(ids) / seconds
        result = {
            "emails": len(ids),
            "seconds": round(seconds, 3),
            "rate_per_s": round(rate, 1),
            "raw_rate_per_s": round(raw_rate, 1),
            "ratio_to_raw": round(rate / raw_rate, 3),
            "lost": lost,
            "duplicates": duplicates,
            "kills": kills,
            "queue_seconds": round(queue_seconds, 3),
        }
        status = 0 if finished and lost == 0 else 1
    except BenchError as error:
        log(f"failed: {error}")
    except KeyboardInterrupt:
        log("interrupted")
        status = 130
    finally:
        with contextlib.suppress(Exception):
            from django.db import connections

            connections.close_all()
        tear_down(children, admin=admin_url, db_name=db_name, workdir=workdir, keep=args.keep)
    if result is not None:
        print(json.dumps(result), flush=True)
    return status


if __name__ == "__main__":
    sys.exit(main())
