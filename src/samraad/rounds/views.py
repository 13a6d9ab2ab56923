from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from samraad.core.errors import ServiceError
from samraad.core.permissions import staff_required
from samraad.rounds.models import Round
from samraad.rounds.selectors import round_current, round_published_get
from samraad.rounds.services import round_copy


def current(request: HttpRequest) -> HttpResponse:
    return render(request, "rounds/round.html", {"round": round_current()})


def detail(request: HttpRequest, slug: str) -> HttpResponse:
    round_ = round_published_get(slug=slug)
    if round_ is None:
        raise Http404
    return render(request, "rounds/round.html", {"round": round_})


@staff_required
@require_POST
def copy(request: HttpRequest, slug: str) -> HttpResponse:
    source = get_object_or_404(Round, slug=slug)
    try:
        new = round_copy(source=source)
    except ServiceError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("%(new)s is created from %(old)s. Check its dates and texts before publishing it.")
            % {"new": new.code, "old": source.code},
        )
    return redirect("core:staff_home")
