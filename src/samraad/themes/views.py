"""The secretariat's theme analysis pages: results and progress, review, lexicon, comparisons."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from samraad.core.errors import ServiceError
from samraad.core.permissions import staff_required
from samraad.rounds.models import Round
from samraad.themes.lexicon import DEFAULT_LEXICON
from samraad.themes.models import DiscoveredTheme, ThemeKind
from samraad.themes.selectors import (
    comparisons,
    decisions_on,
    latest_run,
    merge_would_discard,
    review_page,
    run_theme,
)
from samraad.themes.services import (
    analysis_request,
    decision_undo,
    lexicon_save,
    theme_merge,
    theme_reject,
    theme_rename,
    theme_split,
)

POLL_SECONDS = 2


def _round(slug: str) -> Round:
    return get_object_or_404(Round, slug=slug)


def _theme(round_: Round, pk: int) -> DiscoveredTheme:
    theme = run_theme(round_, pk)
    if theme is None:
        raise Http404
    return theme


def _back(round_: Round, theme: DiscoveredTheme | None = None) -> HttpResponse:
    if theme is None:
        return redirect("themes:overview", round_.slug)
    return redirect("themes:theme", round_.slug, theme.pk)


@staff_required
def overview(request: HttpRequest, slug: str) -> HttpResponse:
    round_ = _round(slug)
    page = review_page(round_)
    return render(
        request,
        "themes/overview.html",
        {"round": round_, "page": page, "run": page.run, "poll_seconds": POLL_SECONDS},
    )


@staff_required
def progress(request: HttpRequest, slug: str) -> HttpResponse:
    """The progress box, polled by htmx; once the run has ended the page reloads itself."""
    round_ = _round(slug)
    run = latest_run(round_)
    if not request.headers.get("HX-Request"):
        return redirect("themes:overview", round_.slug)
    response = render(
        request,
        "themes/_progress.html",
        {"round": round_, "run": run, "poll_seconds": POLL_SECONDS},
    )
    if run is None or not run.is_active:
        response["HX-Refresh"] = "true"
    return response


@staff_required
@require_POST
def start(request: HttpRequest, slug: str) -> HttpResponse:
    round_ = _round(slug)
    try:
        analysis_request(round=round_, by=request.user)
    except ServiceError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request, _("The analysis is queued. The worker runs it; this page shows its progress.")
        )
    return _back(round_)


@staff_required
def theme_detail(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    round_ = _round(slug)
    theme = _theme(round_, pk)
    page = review_page(round_)
    shown = [t for t in page.themes if t.theme_id == theme.pk]
    merged_into = next((t for t in page.themes if theme.pk in t.merged_ids), None)
    rejected = next((d for t, d in page.rejected if t.pk == theme.pk), None)
    others = [t for t in page.themes if t.theme_id != theme.pk and t.part in (None, 0)]
    return render(
        request,
        "themes/theme.html",
        {
            "round": round_,
            "theme": theme,
            "shown": shown,
            "merged_into": merged_into,
            "rejected": rejected,
            "others": others,
            "decisions": decisions_on(round_, theme),
        },
    )


@staff_required
@require_POST
def rename(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    round_ = _round(slug)
    theme = _theme(round_, pk)
    try:
        theme_rename(round=round_, theme=theme, name=request.POST.get("name", ""), by=request.user)
    except ServiceError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The theme is renamed."))
    return _back(round_, theme)


@staff_required
@require_POST
def reject(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    round_ = _round(slug)
    theme = _theme(round_, pk)
    theme_reject(round=round_, theme=theme, by=request.user)
    messages.success(request, _("The theme is rejected: it is left out of the briefing."))
    return _back(round_)


@staff_required
@require_POST
def merge(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    round_ = _round(slug)
    source = _theme(round_, pk)
    try:
        target = _theme(round_, int(request.POST.get("target", "")))
    except (ValueError, Http404):
        messages.error(request, _("Choose the theme to merge into."))
        return _back(round_, source)
    confirmed = request.POST.get("confirm") == "yes"
    try:
        theme_merge(
            round=round_, source=source, target=target, by=request.user, confirmed=confirmed
        )
    except ServiceError as error:
        if error.code != "confirm":
            messages.error(request, error.message)
            return _back(round_, source)
        return render(
            request,
            "themes/merge_confirm.html",
            {
                "round": round_,
                "source": source,
                "target": target,
                "discarded": merge_would_discard(round_, source),
            },
        )
    messages.success(request, _("The themes are merged."))
    return redirect("themes:theme", round_.slug, target.pk)


@staff_required
@require_POST
def split(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    round_ = _round(slug)
    theme = _theme(round_, pk)
    try:
        theme_split(
            round=round_,
            theme=theme,
            names=(request.POST.get("first_name", ""), request.POST.get("second_name", "")),
            first_terms=request.POST.getlist("first_terms"),
            by=request.user,
        )
    except ServiceError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The theme is split in two."))
    return _back(round_, theme)


@staff_required
@require_POST
def undo(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    round_ = _round(slug)
    try:
        decision_undo(round=round_, decision_id=pk)
    except ServiceError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The decision is taken back."))
    next_url = request.POST.get("next", "")
    prefix = reverse("themes:overview", args=[round_.slug])
    return redirect(next_url if next_url.startswith(prefix) else prefix)


@staff_required
def lexicon(request: HttpRequest, slug: str) -> HttpResponse:
    round_ = _round(slug)
    themes = list(round_.themes.select_related("lexicon").order_by("position", "id"))
    if request.method == "POST":
        lexicon_save(
            round=round_,
            terms={theme.pk: request.POST.get(f"terms-{theme.pk}", "") for theme in themes},
        )
        messages.success(request, _("The lexicon is saved. It applies from the next analysis."))
        return redirect("themes:lexicon", round_.slug)
    rows = []
    for theme in themes:
        stored = getattr(theme, "lexicon", None)
        terms = stored.term_list if stored is not None else DEFAULT_LEXICON.get(theme.key, [])
        rows.append({"theme": theme, "terms": "\n".join(terms)})
    return render(request, "themes/lexicon.html", {"round": round_, "rows": rows})


@staff_required
def compare(request: HttpRequest, slug: str) -> HttpResponse:
    round_ = _round(slug)
    return render(
        request,
        "themes/compare.html",
        {"round": round_, "data": comparisons(round_), "service_area": ThemeKind.SERVICE_AREA},
    )
