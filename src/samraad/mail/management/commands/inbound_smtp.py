"""`samraad inbound_smtp`: receive mail for the rounds' input addresses over SMTP."""

from __future__ import annotations

import signal
import threading

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from samraad.mail.inbound import inbound_parse_pending
from samraad.mail.listener import inbound_controller


class Command(BaseCommand):
    help = "Receive mail over SMTP and put it in the triage queue (runs in the foreground)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--host", default=settings.INBOUND_SMTP_HOST)
        parser.add_argument("--port", type=int, default=settings.INBOUND_SMTP_PORT)

    def handle(self, *args, host: str, port: int, **options) -> None:
        # Messages whose parsing was cut short by a crash are parsed now (idempotent).
        if reparsed := inbound_parse_pending():
            self.stdout.write(f"Parsed {reparsed} message(s) left unparsed by an earlier run.")
        controller = inbound_controller(host=host, port=port, max_bytes=settings.INBOUND_MAX_BYTES)
        try:
            controller.start()
        except OSError as exc:
            raise CommandError(f"Cannot listen on {host}:{port}: {exc}") from exc
        self.stdout.write(
            f"Receiving inbound mail on {host}:{port} "
            f"(messages up to {settings.INBOUND_MAX_BYTES} bytes)"
        )
        stopped = threading.Event()
        previous = {
            signum: signal.signal(signum, lambda *_: stopped.set())
            for signum in (signal.SIGINT, signal.SIGTERM)
        }
        try:
            while not stopped.wait(0.5):  # a timed wait lets the signal handler run promptly
                pass
        finally:
            for signum, handler in previous.items():
                signal.signal(signum, handler)
            controller.stop()
        self.stdout.write("Stopped.")
