from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from samraad.core import views as core_views

urlpatterns = [
    path("", include("samraad.rounds.urls")),
    path("", include("samraad.core.urls")),
    path("", include("samraad.mail.urls")),
    path("", include("samraad.meetings.urls")),
    path("", include("samraad.councils.urls")),
    path("", include("samraad.directory.urls")),
    path("", include("samraad.regional.urls")),
    path("", include("samraad.speakers.urls")),
    path("", include("samraad.themes.urls")),
    path("", include("samraad.audit.urls")),
    path("", include("samraad.insights.urls")),
    path("", include("samraad.api.urls")),
    path("", include("samraad.briefing.urls")),
    path("accounts/", include("samraad.accounts.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("healthz", core_views.liveness, name="liveness"),
    path("admin/", admin.site.urls),
]

# The benchmark's floor endpoint exists only in benchmark mode (SAMRAAD_BENCH=1).
if settings.BENCH_MODE:
    urlpatterns.append(path("bench/", include("samraad.core.bench")))

handler403 = "samraad.core.views.permission_denied"
handler404 = "samraad.core.views.page_not_found"
handler500 = "samraad.core.views.server_error"
