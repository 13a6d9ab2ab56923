"""The council-input actions on mail's page for one incoming message (triage).

An inclusion tag, so that mail's page gains the actions with one template line
and mail's view needs no knowledge of council input.
"""

from __future__ import annotations

from django import template

from samraad.councils.forms import TriageAttachForm, TriageDismissForm
from samraad.mail.models import InboundMessage, TriageStatus
from samraad.rounds.models import Round

register = template.Library()


@register.inclusion_tag("councils/_triage_actions.html")
def council_triage_actions(message: InboundMessage) -> dict:
    if message.triage_status != TriageStatus.NEW:
        return {"message": message, "open": False}
    round_ = message.round or Round.objects.first()
    return {
        "message": message,
        "open": True,
        "attach_form": TriageAttachForm(
            initial={"round": round_, "municipality": message.municipality}
        ),
        "dismiss_form": TriageDismissForm(),
    }
