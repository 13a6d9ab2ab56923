"""`samraad inbound_imap`: poll the round's mailbox over IMAP into the triage queue."""

from __future__ import annotations

import logging
import signal
import threading
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from samraad.mail.imap import imap_poll_once
from samraad.mail.inbound import inbound_parse_pending

logger = logging.getLogger("samraad.mail.imap")


class Command(BaseCommand):
    help = "Poll the IMAP mailbox every IMAP_POLL_SECONDS and put new mail in the triage queue."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--once", action="store_true", help="Poll once and exit.")

    def handle(self, *args, once: bool, **options) -> None:
        if not settings.IMAP_HOST:
            raise CommandError("IMAP_HOST is not set, so there is no mailbox to poll.")
        where = f"{settings.IMAP_USER}@{settings.IMAP_HOST}:{settings.IMAP_PORT}"
        # Messages whose parsing was cut short by a crash are parsed now (idempotent).
        if reparsed := inbound_parse_pending():
            self.stdout.write(f"Parsed {reparsed} message(s) left unparsed by an earlier run.")
        if once:
            stored = imap_poll_once()
            self.stdout.write(f"Stored {stored} new message(s) from {settings.IMAP_MAILBOX}.")
            return

        self.stdout.write(
            f"Polling {settings.IMAP_MAILBOX} at {where} every {settings.IMAP_POLL_SECONDS} s"
        )
        stopped = threading.Event()
        previous = {
            signum: signal.signal(signum, lambda *_: stopped.set())
            for signum in (signal.SIGINT, signal.SIGTERM)
        }
        try:
            while not stopped.is_set():
                try:
                    if stored := imap_poll_once():
                        self.stdout.write(f"Stored {stored} new message(s).")
                except Exception:  # the server or the database is away; try again next time
                    logger.exception(
                        "IMAP poll failed; trying again in %s s", settings.IMAP_POLL_SECONDS
                    )
                finally:
                    connection.close()
                deadline = time.monotonic() + settings.IMAP_POLL_SECONDS
                # A timed wait lets the signal handler run promptly.
                while not stopped.wait(min(0.5, max(0.0, deadline - time.monotonic()))):
                    if time.monotonic() >= deadline:
                        break
        finally:
            for signum, handler in previous.items():
                signal.signal(signum, handler)
        self.stdout.write("Stopped.")
