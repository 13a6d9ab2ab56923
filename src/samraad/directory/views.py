"""Staff pages for people: the list, adding and editing one person, importing many.

Between the preview of an import and the import itself, the parsed rows (not
the file) wait in the session. Sessions live in the database, signed and tied
to the staff member's login, so nothing the browser sends can change them, no
uploaded file lingers on disk, and they go with the logout. The rows are at
most MAX_ROWS of short text. The import checks them again against the
database and against the preview staff saw (its fingerprint), so a change in
between, or another upload in another tab, is never imported unseen.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from samraad.core.errors import ServiceError
from samraad.core.permissions import staff_required
from samraad.directory.forms import PeopleFilterForm, PeopleImportForm, PersonForm
from samraad.directory.imports import (
    MAX_ROWS,
    ImportTable,
    people_file_read,
    people_import_check,
)
from samraad.directory.imports import people_import as people_import_service
from samraad.directory.models import Person
from samraad.directory.selectors import people_search
from samraad.directory.services import person_update

PAGE_SIZE = 50
SESSION_KEY = "directory.people_import"


@staff_required
def people_list(request: HttpRequest) -> HttpResponse:
    form = PeopleFilterForm(request.GET)
    form.is_valid()  # an invalid filter is shown with its error and left out
    people = people_search(
        text=form.cleaned_data.get("q") or "",
        municipality=form.cleaned_data.get("municipality"),
        region=form.cleaned_data.get("region"),
    )
    page = Paginator(people, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "directory/people_list.html", {"form": form, "page": page})


@staff_required
def person_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    person = get_object_or_404(Person, pk=pk) if pk is not None else None
    initial = {}
    if person is not None:
        initial = {
            "name": person.name,
            "email": person.email,
            "municipality": person.municipality_id,
            "region": person.region_id,
            "party": person.party,
            "title": person.title,
            "phone": person.phone,
            "roles": list(person.roles.values_list("kind", flat=True)),
        }
    form = PersonForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            saved = person_update(person=person, **form.cleaned_data)
        except ServiceError as error:
            form.add_error("email" if error.code == "email_taken" else None, error.message)
        else:
            messages.success(request, _("%(name)s is saved.") % {"name": saved.name})
            return redirect(f"{reverse('directory:people_list')}?{urlencode({'q': saved.email})}")
    return render(request, "directory/person_form.html", {"form": form, "person": person})


@staff_required
def people_import(request: HttpRequest) -> HttpResponse:
    form = PeopleImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            # One byte over the limit is enough for people_file_read to refuse the file.
            table = people_file_read(upload.read(settings.PEOPLE_IMPORT_MAX_BYTES + 1))
        except ServiceError as error:
            form.add_error("file", error.message)
        else:
            request.session[SESSION_KEY] = {
                "filename": upload.name[:200],
                "table": table.to_json(),
            }
            return redirect("directory:people_import_preview")
    return render(
        request,
        "directory/people_import.html",
        {"form": form, "max_rows": MAX_ROWS, "max_bytes": settings.PEOPLE_IMPORT_MAX_BYTES},
    )


def _stored_import(request: HttpRequest) -> tuple[str, ImportTable] | None:
    stored = request.session.get(SESSION_KEY)
    if not stored:
        return None
    try:
        return str(stored["filename"]), ImportTable.from_json(stored["table"])
    except (KeyError, TypeError, ValueError):
        del request.session[SESSION_KEY]
        return None


def _nothing_to_import(request: HttpRequest) -> HttpResponse:
    messages.info(request, _("Upload a file to import first."))
    return redirect("directory:people_import")


@staff_required
def people_import_preview(request: HttpRequest) -> HttpResponse:
    stored = _stored_import(request)
    if stored is None:
        return _nothing_to_import(request)
    filename, table = stored
    check = people_import_check(table=table)
    only_problems = request.GET.get("show") == "problems"
    rows = [r for r in check.rows if r.errors or r.warnings] if only_problems else check.rows
    return render(
        request,
        "directory/people_import_preview.html",
        {
            "filename": filename,
            "check": check,
            "rows": rows,
            "only_problems": only_problems,
            "has_phone": "phone" in table.columns,
        },
    )


@staff_required
@require_POST
def people_import_commit(request: HttpRequest) -> HttpResponse:
    stored = _stored_import(request)
    if stored is None:
        return _nothing_to_import(request)
    filename, table = stored
    try:
        outcome = people_import_service(
            table=table, fingerprint=request.POST.get("fingerprint", "")
        )
    except ServiceError as error:
        messages.error(request, error.message)
        return redirect("directory:people_import_preview")
    del request.session[SESSION_KEY]
    messages.success(
        request,
        _(
            "%(filename)s is imported: %(created)d new, %(updated)d updated, "
            "%(unchanged)d unchanged."
        )
        % {
            "filename": filename,
            "created": outcome.created,
            "updated": outcome.updated,
            "unchanged": outcome.unchanged,
        },
    )
    return redirect("directory:people_list")
