"""`samraad run`: the web server and the background worker, and in demo mode the mail
catcher and the incoming-mail listener, together in the foreground. Ctrl-C stops them all;
if one stops, the others are stopped too."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from samraad.accounts.models import User
from samraad.directory.models import RoleKind


def _port_free(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) != 0


def _wait_for_port(port: int, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not _port_free(port):
            return True
        time.sleep(0.2)
    return False


class Command(BaseCommand):
    help = "Run the web server, the worker and (in demo mode) the mail catcher in the foreground."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))

    def handle(self, *args, port: int, **options) -> None:
        connection.ensure_connection()
        ports = [port]
        if settings.DEMO_MODE:
            ports += [settings.MAIL_CATCHER_PORT, settings.INBOUND_SMTP_PORT]
        for wanted in ports:
            if not _port_free(wanted):
                raise CommandError(
                    f"Port {wanted} on 127.0.0.1 is in use: stop what uses it, or choose "
                    "another with PORT=… (web), MAIL_CATCHER_PORT=… (mail catcher) or "
                    "INBOUND_SMTP_PORT=… (incoming mail)."
                )
        me = [sys.executable, "-m", "samraad.cli"]
        web = [*me, "runserver", f"127.0.0.1:{port}"]
        if not settings.DEBUG:
            web.append("--noreload")
        commands = {"web": web, "worker": [*me, "worker"]}
        if settings.DEMO_MODE:
            commands["mail catcher"] = [*me, "mailcatcher"]
            commands["incoming mail"] = [*me, "inbound_smtp"]
        processes = {name: subprocess.Popen(cmd) for name, cmd in commands.items()}  # noqa: S603
        try:
            if _wait_for_port(port, 30):
                self._announce(port)
            while all(process.poll() is None for process in processes.values()):
                time.sleep(0.5)
            stopped = [name for name, process in processes.items() if process.poll() is not None]
            self.stderr.write(f"Stopped: {', '.join(stopped)}; stopping the rest.")
        except KeyboardInterrupt:
            self.stdout.write("\nStopping Samråd …")
        finally:
            for process in processes.values():
                if process.poll() is None:
                    process.send_signal(signal.SIGTERM)
            for process in processes.values():
                try:
                    process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    process.kill()

    def _announce(self, port: int) -> None:
        base = f"http://127.0.0.1:{port}"
        lines = [
            "",
            f"Samråd runs at {base}/",
            f"  Back office:   {base}/staff/",
            f"  Admin:         {base}/admin/",
            f"  Worker health: {base}/staff/health/",
        ]
        if settings.DEMO_MODE:
            lines.append(f"  Mail catcher:  {base}/staff/mail/caught/")
            lines.append(
                f"  Incoming mail: SMTP on 127.0.0.1:{settings.INBOUND_SMTP_PORT}, "
                f"triage queue at {base}/staff/mail/inbound/"
            )
            logins = (
                User.objects.filter(is_staff=True)
                .order_by("-is_superuser", "username")
                .values_list("username", flat=True)
            )
            kkr = User.objects.filter(person__roles__kind=RoleKind.KKR_SECRETARY).order_by(
                "username"
            )
            lines.append(
                f"Demo logins at {base}/accounts/login/ (password: {settings.DEMO_PASSWORD}):"
            )
            lines += [f"  {username}" for username in logins]
            lines += [f"  {user.username} (KKR secretary)" for user in kkr[:2]]
            lines.append(
                "  Two-factor code: shown on the code page in demo mode, or add the key "
                f"{settings.DEMO_TOTP_SECRET} (time-based) to an authenticator app."
            )
        lines.append("Press Ctrl-C to stop.")
        self.stdout.write("\n".join(lines))
