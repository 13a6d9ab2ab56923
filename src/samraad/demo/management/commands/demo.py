"""`samraad demo`: load (or refresh) the ØA26 demo round."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from samraad.demo.scenario import demo_load
from samraad.rounds.models import Round


class Command(BaseCommand):
    help = (
        "Load the ØA26 demo round with made-up people and what they have done so far "
        "(registrations, council input, KKR records, emailed input, speaker requests), and the "
        "complete previous round ØA25. Dates move by whole weeks so that registration is open "
        "today, unless --original-dates."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--original-dates", action="store_true", help="Keep the letter's 2025 dates."
        )
        parser.add_argument(
            "--if-empty", action="store_true", help="Do nothing when the database has a round."
        )

    def handle(self, *args, original_dates: bool, if_empty: bool, **options) -> None:
        if not settings.DEMO_MODE:
            raise CommandError(
                "The demo loads made-up people: it runs only in demo mode (SAMRAAD_DEMO=1)."
            )
        if if_empty and Round.objects.exists():
            self.stdout.write("The database already has a round; the demo is not loaded again.")
            return
        result = demo_load(
            today=timezone.localdate(), original_dates=original_dates, with_activity=True
        )
        deadline = timezone.localtime(result.round.meeting.registration_deadline)
        self.stdout.write(
            f"Loaded {result.round.code}: {result.council_members} council members, "
            f"{result.contacts} municipal contacts; dates moved {result.weeks_shifted} weeks. "
            f"Registration deadline {deadline:%d-%m-%Y %H:%M}."
        )
        for summary in result.activity:
            self.stdout.write(f"  {summary.line()}")
        for who, username, password in result.logins:
            self.stdout.write(f"  {who}: {username} / {password}")
