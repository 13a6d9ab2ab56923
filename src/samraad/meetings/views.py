"""The council member's own page, reached through the personal link in their mail."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from samraad.accounts.models import AccessPurpose
from samraad.accounts.services import access_link_resolve
from samraad.core.errors import ServiceError
from samraad.meetings.forms import LinkRequestForm, RegistrationForm
from samraad.meetings.invitations import member_link_request
from samraad.meetings.models import Meeting, RegistrationStatus
from samraad.meetings.selectors import registration_for, sessions_with_seats
from samraad.meetings.services import (
    SessionFull,
    links_released,
    member_page_url,
    registration_cancel,
    registration_submit,
)


def _invalid(request: HttpRequest, message: str) -> HttpResponse:
    return render(request, "meetings/link_invalid.html", {"message": message}, status=404)


@never_cache
def member_page(request: HttpRequest, token: str) -> HttpResponse:
    try:
        link = access_link_resolve(
            token=token,
            purpose=AccessPurpose.MEMBER,
            # A registration's calendar file names the round's contact as its organiser.
            related=("round__meeting", "round__contact")
            if request.method == "POST"
            else ("round__meeting",),
        )
    except ServiceError as error:
        return _invalid(request, error.message)
    try:
        meeting = link.round.meeting  # loaded with the link
    except Meeting.DoesNotExist:
        return _invalid(request, _("This round has no meeting to register for."))
    person = link.person
    page_url = member_page_url(token)
    form = RegistrationForm(request.POST or None)
    full = None
    if request.method == "POST":
        try:
            if (
                request.POST.get("action") == "cancel"
                and (registration := registration_for(meeting=meeting, person=person)) is not None
            ):
                registration_cancel(registration=registration, page_url=page_url)
                messages.success(request, _("You have cancelled your registration."))
                return redirect(request.path)
            if form.is_valid():
                registration = registration_submit(
                    meeting=meeting,
                    person=person,
                    session_id=form.cleaned_data["session"],
                    question=form.cleaned_data["question"],
                    waitlist=request.POST.get("action") == "waitlist",
                    page_url=page_url,
                )
                if registration.status == RegistrationStatus.WAITLISTED:
                    messages.success(
                        request, _("You are on the waitlist. We will write if a seat becomes free.")
                    )
                else:
                    messages.success(
                        request, _("You are registered. A confirmation is on its way by email.")
                    )
                return redirect(request.path)
        except SessionFull as error:
            full = error
        except ServiceError as error:
            messages.error(request, error.message)
    registration = registration_for(meeting=meeting, person=person)
    if registration is not None and request.method == "GET":
        form = RegistrationForm(
            initial={"session": registration.session_id, "question": registration.question}
        )
    now = timezone.now()
    released = links_released(meeting, now)
    show_link = (
        released
        and registration is not None
        and registration.status == RegistrationStatus.CONFIRMED
        and bool(registration.session.join_url)
    )
    return render(
        request,
        "meetings/member.html",
        {
            "round": meeting.round,
            "meeting": meeting,
            "person": person,
            "registration": registration,
            "seats": sessions_with_seats(meeting),
            "form": form,
            "full": full,
            "open": meeting.registration_opens_at <= now <= meeting.registration_deadline,
            "deadline_passed": now > meeting.registration_deadline,
            "released": released,
            "join_url": registration.session.join_url if show_link else "",
        },
    )


def link_request(request: HttpRequest) -> HttpResponse:
    """ "Send me my link": the same answer whether or not the address is known."""
    form = LinkRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        member_link_request(
            email=form.cleaned_data["email"], client=request.META.get("REMOTE_ADDR", "")
        )
        messages.success(
            request,
            _(
                "If the address belongs to a council member invited to the meeting, a new "
                "personal link is on its way to it."
            ),
        )
        return redirect("meetings:link_request")
    return render(request, "meetings/link_request.html", {"form": form})
