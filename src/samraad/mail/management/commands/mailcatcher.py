"""`samraad mailcatcher`: the local SMTP server that keeps every mail for the staff page."""

from __future__ import annotations

import signal
import threading

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from samraad.mail.catcher import catcher_controller


class Command(BaseCommand):
    help = "Run the local mail catcher on loopback (development and demo mode only)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--port", type=int, default=settings.MAIL_CATCHER_PORT)

    def handle(self, *args, port: int, **options) -> None:
        if not settings.DEMO_MODE:
            raise CommandError("The mail catcher runs only in demo mode (SAMRAAD_DEMO=1).")
        controller = catcher_controller(port=port)
        try:
            controller.start()
        except OSError as exc:
            raise CommandError(f"Cannot listen on 127.0.0.1:{port}: {exc}") from exc
        self.stdout.write(f"Mail catcher listening on 127.0.0.1:{port}")
        stopped = threading.Event()
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, lambda *_: stopped.set())
        while not stopped.wait(0.5):  # a timed wait lets the signal handler run promptly
            pass
        controller.stop()
