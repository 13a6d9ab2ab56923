"""The public round pages, the site's 404 page and the staff copy view."""

import datetime

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from samraad.core.timeutils import local_datetime
from samraad.directory.models import Region
from samraad.rounds.models import Round
from samraad.tests_support.factories import (
    KkrMeetingFactory,
    MeetingFactory,
    RoundFactory,
    SessionFactory,
    UserFactory,
)
from samraad.tests_support.login import log_in_verified

TITLE_DA = "Dialog om forberedelsen af ØA26"
TITLE_EN = "Dialogue on the preparation of ØA26"
NO_ROUND = (
    "No round is published yet. When the secretariat publishes the year's round, it is shown here."
)


@pytest.fixture
def oa26(db):
    round_ = RoundFactory(code="ØA26", slug="oa26", year=2026, title=TITLE_DA, title_en=TITLE_EN)
    meeting = MeetingFactory(round=round_)
    SessionFactory(
        meeting=meeting,
        starts_at=local_datetime(2025, 3, 31, 19),
        ends_at=local_datetime(2025, 3, 31, 20, 30),
        join_url="https://teams.example/secret-join-link",
    )
    KkrMeetingFactory(round=round_, place="Aalborg Kongres & Kultur Center")
    return round_


def _english(client):
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert response.status_code == 302
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"


def test_front_page_shows_the_current_round_in_danish_by_default(client, oa26):
    response = client.get("/")

    assert response.status_code == 200
    assert response.context["round"] == oa26
    html = response.content.decode()
    assert '<html lang="da">' in html
    assert f"<h1>{TITLE_DA}</h1>" in html
    assert TITLE_EN not in html
    # the session in Copenhagen time (17.00 UTC), in Danish date format
    assert "Mandag den 31. marts 2025" in html
    assert "19.00–20.30" in html
    assert "Aalborg Kongres &amp; Kultur Center" in html
    # the join link is a secret of the registrants
    assert "secret-join-link" not in html


def test_front_page_in_english_after_choosing_english(client, oa26):
    _english(client)

    response = client.get("/")

    html = response.content.decode()
    assert '<html lang="en">' in html
    assert f"<h1>{TITLE_EN}</h1>" in html
    assert TITLE_DA not in html
    assert "<li>Monday 31 March 2025, 19:00–20:30, Teams meeting</li>" in html
    assert "Virtual large meetings" in html


def test_english_falls_back_to_the_danish_text_when_there_is_none(client, oa26):
    Round.objects.filter(pk=oa26.pk).update(title_en="")
    _english(client)

    response = client.get("/")

    assert f"<h1>{TITLE_DA}</h1>" in response.content.decode()


def test_front_page_shows_the_published_round_that_started_last(client, oa26):
    RoundFactory(code="ØA20", slug="oa20", starts_on=datetime.date(2019, 2, 1))
    RoundFactory(
        code="ØA27",
        slug="oa27",
        title="Kladde til ØA27",
        starts_on=datetime.date(2026, 2, 6),
        ends_on=datetime.date(2026, 6, 30),
        is_published=False,
    )

    response = client.get("/")

    assert response.context["round"] == oa26
    assert "Kladde til ØA27" not in response.content.decode()


def test_front_page_without_a_published_round_says_so(client, db):
    RoundFactory(code="ØA27", slug="oa27", title="Kladde til ØA27", is_published=False)

    response = client.get("/")

    assert response.status_code == 200
    assert response.context["round"] is None
    with translation.override("da"):
        expected = gettext(NO_ROUND)
    assert expected in response.content.decode()
    assert "Kladde til ØA27" not in response.content.decode()

    _english(client)
    assert NO_ROUND in client.get("/").content.decode()


def test_published_round_by_its_slug(client, oa26):
    RoundFactory(code="ØA27", slug="oa27", title="Dialog om ØA27")

    response = client.get(reverse("rounds:detail", args=["oa26"]))

    assert response.status_code == 200
    assert response.context["round"] == oa26
    assert f"<h1>{TITLE_DA}</h1>" in response.content.decode()


def test_unpublished_round_is_not_found(client, oa26):
    Round.objects.filter(pk=oa26.pk).update(is_published=False)

    response = client.get("/rounds/oa26/")

    assert response.status_code == 404
    assert TITLE_DA not in response.content.decode()


def test_unknown_url_gets_the_sites_own_404_page_in_english(client, db):
    _english(client)

    response = client.get("/no/such/page/")

    assert response.status_code == 404
    assert [t.name for t in response.templates][:2] == ["404.html", "base.html"]
    html = response.content.decode()
    assert '<html lang="en">' in html
    assert "<h1>Page not found</h1>" in html
    assert f'href="{reverse("rounds:current")}"' in html  # the site's layout and navigation
    assert "Skip to content" in html


def test_unknown_url_gets_the_404_page_in_danish_by_default(client, db):
    response = client.get("/no/such/page/")

    assert response.status_code == 404
    html = response.content.decode()
    assert '<html lang="da">' in html
    with translation.override("da"):
        assert f"<h1>{gettext('Page not found')}</h1>" in html


def _front_page_queries(client):
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/")
    assert response.status_code == 200
    return len(queries), response


def test_front_page_queries_do_not_grow_with_sessions_and_kkr_meetings(client, oa26):
    few, _ = _front_page_queries(client)
    meeting = oa26.meeting
    for day in (1, 2, 3):
        SessionFactory(
            meeting=meeting,
            starts_at=local_datetime(2025, 4, day, 19),
            ends_at=local_datetime(2025, 4, day, 20, 30),
        )
    for region in Region.objects.exclude(code=1081):
        KkrMeetingFactory(round=oa26, region=region, starts_at=local_datetime(2025, 4, 8, 10))

    many, response = _front_page_queries(client)

    assert len(response.context["round"].meeting.sessions.all()) == 4
    assert len(response.context["round"].kkr_meetings.all()) == 5
    assert many == few


# --- the staff copy view -------------------------------------------------------------------


def _copy_url(slug="oa26"):
    return reverse("rounds:copy", args=[slug])


def test_copy_view_sends_anonymous_users_to_the_login(client, oa26):
    response = client.post(_copy_url())

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    assert not Round.objects.filter(code="ØA27").exists()


def test_copy_view_refuses_users_who_are_not_staff(client, oa26):
    log_in_verified(client, UserFactory())

    response = client.post(_copy_url())

    assert response.status_code == 403
    assert not Round.objects.filter(code="ØA27").exists()


def test_copy_view_only_accepts_post(staff_client, oa26):
    assert staff_client.get(_copy_url()).status_code == 405
    assert not Round.objects.filter(code="ØA27").exists()


def test_copy_view_of_an_unknown_round_is_not_found(staff_client, db):
    assert staff_client.post(_copy_url("oa99")).status_code == 404


def test_staff_copy_creates_the_copy_and_a_second_copy_explains_the_error(staff_client, oa26):
    _english(staff_client)

    response = staff_client.post(_copy_url(), follow=True)

    assert response.redirect_chain == [(reverse("core:staff_home"), 302)]
    assert response.status_code == 200
    new = Round.objects.get(code="ØA27")
    assert (new.slug, new.is_published, new.copied_from) == ("oa27", False, oa26)
    messages = [(m.level_tag, str(m)) for m in response.context["messages"]]
    assert messages == [
        (
            "success",
            "ØA27 is created from ØA26. Check its dates and texts before publishing it.",
        )
    ]
    assert "ØA27 is created from ØA26" in response.content.decode()

    again = staff_client.post(_copy_url(), follow=True)

    assert again.status_code == 200
    assert [(m.level_tag, str(m)) for m in again.context["messages"]] == [
        ("error", "The round ØA27 already exists.")
    ]
    assert 'class="alert alert-error mt-5" role="alert"' in again.content.decode()
    assert Round.objects.filter(code__startswith="ØA2").count() == 2
