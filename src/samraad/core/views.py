from django.contrib import messages
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from samraad.core.permissions import staff_required
from samraad.core.selectors import health_get
from samraad.core.services import probe_request
from samraad.rounds.selectors import rounds_for_staff


def liveness(request: HttpRequest) -> HttpResponse:
    """For load balancers: 200 when this process can reach the database."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return HttpResponse("ok", content_type="text/plain")


@staff_required
def staff_home(request: HttpRequest) -> HttpResponse:
    return render(request, "core/staff_home.html", {"rounds": rounds_for_staff()})


@staff_required
def health(request: HttpRequest) -> HttpResponse:
    return render(request, "core/health.html", {"health": health_get()})


@staff_required
@require_POST
def probe(request: HttpRequest) -> HttpResponse:
    probe_request()
    messages.success(request, _("A test task is queued. A running worker picks it up at once."))
    return redirect("core:health")


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    return render(request, "404.html", status=404)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    return render(request, "403.html", status=403)


def server_error(request: HttpRequest) -> HttpResponse:
    return render(request, "500.html", status=500)
