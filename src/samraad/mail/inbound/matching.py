"""Which round and which municipality an inbound message most likely belongs to."""

from __future__ import annotations

from collections.abc import Iterable

from samraad.directory.models import EmailDomain, Municipality
from samraad.mail.models import InboundSource
from samraad.rounds.models import Round


def round_for_recipients(recipients: Iterable[str]) -> Round | None:
    """The published round whose input address is among `recipients`, else the current one.

    The current round is the published round that started last.
    """
    wanted = {address.strip().strip("<>").lower() for address in recipients if address}
    rounds = list(Round.objects.published().order_by("-starts_on", "-id"))
    for candidate in rounds:
        if candidate.input_address and candidate.input_address.lower() in wanted:
            return candidate
    return rounds[0] if rounds else None


def municipality_for_address(address: str) -> Municipality | None:
    """The municipality whose mail domain the address is in (subdomains included)."""
    domain = address.strip().strip("<>").rpartition("@")[2].lower().rstrip(".")
    labels = [label for label in domain.split(".") if label]
    suffixes = [".".join(labels[i:]) for i in range(len(labels) - 1)]  # never the bare TLD
    if not suffixes:
        return None
    matches = EmailDomain.objects.filter(domain__in=suffixes).select_related("municipality")
    best = max(matches, key=lambda match: len(match.domain), default=None)
    return best.municipality if best else None


def _null_sender(*, source: str, envelope_from: str, return_path: str | None) -> bool:
    """True when the message came with the null envelope sender `<>` (bounces, reports)."""
    if source == InboundSource.SMTP:
        return envelope_from.strip() in {"", "<>"}
    return return_path is not None and return_path.strip() in {"<>", ""}
