"""The API under /api/ (django-ninja) and the staff pages for API tokens.

Mounted at the project's root, so that the API keeps its own URL namespace
("api"), which its docs page looks up.
"""

from django.urls import URLPattern, include, path

from samraad.api import problems, views
from samraad.api.api import api

token_patterns = [
    path("", views.token_list, name="list"),
    path("<int:pk>/revoke/", views.token_revoke, name="revoke"),
]


def _api_urls():
    """django-ninja's URL patterns, each view wrapped so that its errors are problems too."""
    patterns, app_name, namespace = api.urls
    wrapped = [
        URLPattern(p.pattern, problems.with_problems(p.callback), p.default_args, p.name)
        for p in patterns
    ]
    return wrapped, app_name, namespace


urlpatterns = [
    path("api/", _api_urls()),
    # Any other address under /api/ answers a problem, not the HTML 404 page.
    path("api/<path:rest>", problems.unknown_path),
    path("staff/api-tokens/", include((token_patterns, "api_tokens"))),
]
