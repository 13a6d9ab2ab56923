"""`samraad retention`: anonymise the rounds whose retention date has passed, now.

The worker does the same on every heartbeat; this runs it by hand (or from cron
where no worker runs). Running it twice changes nothing the second time.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand

from samraad.audit.privacy import rounds_retention_due


class Command(BaseCommand):
    help = "Anonymise the personal data of rounds past their retention date (keeps the counts)."

    def handle(self, *args, **options) -> None:
        count = rounds_retention_due()
        self.stdout.write(f"{count} round(s) anonymised.")
