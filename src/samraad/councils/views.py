"""The municipal contact's pages, reached through the personal link in their mail.

A contact sees only their own municipality's input in the link's round: any
other object by id answers 404, the same as one that does not exist.
"""

from __future__ import annotations

from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from samraad.accounts.models import AccessLink, AccessPurpose
from samraad.accounts.services import access_link_resolve
from samraad.core.errors import ServiceError
from samraad.core.responses import download_response
from samraad.core.uploads import UploadRejected
from samraad.councils.forms import CouncilInputForm
from samraad.councils.models import CouncilInput, InputAttachment
from samraad.councils.selectors import (
    theme_rows,
    version_diff,
    version_with_previous,
    versions_of,
)
from samraad.councils.services import (
    EditConflict,
    council_input_get,
    council_input_save,
    council_input_submit,
    input_attachment_delete,
)
from samraad.directory.models import RoleKind
from samraad.rounds.models import Theme


class _Invalid(Exception):
    def __init__(self, message: str) -> None:
        self.message = message


def _invalid(request: HttpRequest, message: str) -> HttpResponse:
    return render(request, "meetings/link_invalid.html", {"message": message}, status=404)


def contact_link_resolve(token: str) -> AccessLink:
    """The live contact link `token`, whose person is still a municipal contact.

    A person who is no longer a contact (the role removed in the directory) keeps
    no access through the links in their old mail; the answer is the same as for
    any other link that does not work, so it tells nothing.
    """
    link = access_link_resolve(
        token=token, purpose=AccessPurpose.MUNICIPAL_CONTACT, related=("person__municipality",)
    )
    if not link.person.roles.filter(kind=RoleKind.MUNICIPAL_CONTACT).exists():
        raise ServiceError(
            _(
                "This link does not work. It may have expired or been replaced. "
                "You can ask for a new link by email."
            ),
            code="invalid_link",
        )
    return link


def _resolve(token: str) -> tuple[AccessLink, CouncilInput]:
    try:
        link = contact_link_resolve(token)
    except ServiceError as error:
        raise _Invalid(error.message) from None
    if link.person.municipality is None:
        raise _Invalid(_("This link is not tied to a municipality. Please contact KL."))
    return link, council_input_get(round=link.round, municipality=link.person.municipality)


def _initial(council_input: CouncilInput) -> dict:
    initial = {
        "version": council_input.version,
        "economic_situation": council_input.economic_situation,
        "proposals": council_input.proposals,
        "budget_remarks": council_input.budget_remarks,
        "council_discussed": council_input.council_discussed,
        "council_discussed_on": council_input.council_discussed_on,
    }
    for row in theme_rows(council_input):
        initial[f"rating_{row.theme.pk}"] = row.rating
        initial[f"text_{row.theme.pk}"] = row.text
    return initial


@never_cache
def contact_page(request: HttpRequest, token: str) -> HttpResponse:
    try:
        link, council_input = _resolve(token)
    except _Invalid as error:
        return _invalid(request, error.message)
    person = link.person
    themes = Theme.objects.filter(round=link.round)
    conflict: CouncilInput | None = None
    if request.method == "POST":
        form = CouncilInputForm(request.POST, request.FILES, themes=themes)
        if form.is_valid():
            upload = form.cleaned_data.get("attachment")
            submit = request.POST.get("action") == "submit"
            try:
                with transaction.atomic():
                    saved = council_input_save(
                        council_input=council_input,
                        expected_version=form.cleaned_data["version"],
                        data=form.input_data(),
                        files=[upload] if upload else [],
                        by_name=person.name,
                    )
                    if submit:
                        version = council_input_submit(
                            council_input=saved, expected_version=saved.version, by=person
                        )
            except EditConflict as error:
                conflict = error.current
                # Keep what this editor typed, now based on the saved version, so that
                # saving again is a deliberate choice made after seeing the other change.
                data = request.POST.copy()
                data["version"] = str(conflict.version)
                form = CouncilInputForm(data, themes=themes)
                form.is_valid()
                form.add_error(None, error.message)
            except UploadRejected as error:
                form.add_error(
                    "attachment",
                    error.message + " " + _("Nothing was saved; your text is kept below."),
                )
            except ServiceError as error:
                field = "economic_situation" if error.code == "required" else None
                form.add_error(field, error.message)
            else:
                if submit:
                    messages.success(
                        request,
                        _(
                            "Version %(number)s is submitted. A receipt is on its way to the "
                            "municipality's contacts."
                        )
                        % {"number": version.number},
                    )
                else:
                    messages.success(request, _("The draft is saved."))
                return redirect("councils:contact", token=token)
    else:
        form = CouncilInputForm(initial=_initial(council_input), themes=themes)
    council_input.refresh_from_db()
    return render(
        request,
        "councils/contact.html",
        {
            "round": link.round,
            "person": person,
            "input": council_input,
            "form": form,
            "conflict": conflict,
            "conflict_rows": theme_rows(conflict) if conflict else [],
            "attachments": council_input.attachments.defer("content"),
            "versions": versions_of(council_input),
            "token": token,
        },
    )


@never_cache
def contact_attachment(request: HttpRequest, token: str, pk: int) -> HttpResponse:
    try:
        _link, council_input = _resolve(token)
    except _Invalid as error:
        return _invalid(request, error.message)
    attachment = get_object_or_404(InputAttachment, pk=pk, council_input=council_input)
    return download_response(
        bytes(attachment.content),
        filename=attachment.filename,
        content_type=attachment.content_type,
    )


@require_POST
def contact_attachment_delete(request: HttpRequest, token: str, pk: int) -> HttpResponse:
    try:
        link, council_input = _resolve(token)
    except _Invalid as error:
        return _invalid(request, error.message)
    attachment = get_object_or_404(
        InputAttachment.objects.defer("content"), pk=pk, council_input=council_input
    )
    try:
        version = int(request.POST.get("version", ""))
    except ValueError:
        version = -1
    try:
        input_attachment_delete(
            attachment=attachment, expected_version=version, by_name=link.person.name
        )
    except ServiceError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The attachment is removed from the draft."))
    return redirect("councils:contact", token=token)


@never_cache
def contact_version(request: HttpRequest, token: str, number: int) -> HttpResponse:
    try:
        link, council_input = _resolve(token)
    except _Invalid as error:
        return _invalid(request, error.message)
    found = version_with_previous(council_input, number)
    if found is None:
        raise Http404
    version, previous = found
    return render(
        request,
        "councils/version.html",
        {
            "round": link.round,
            "input": council_input,
            "version": version,
            "previous": previous,
            "diff": version_diff(previous.snapshot if previous else None, version.snapshot),
            "back_url": reverse("councils:contact", args=[token]),
        },
    )
