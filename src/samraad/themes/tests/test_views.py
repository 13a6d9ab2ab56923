import pytest
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from samraad.councils.models import CouncilInput, InputStatus
from samraad.directory.models import Municipality
from samraad.rounds.services import round_themes_ensure
from samraad.tests_support.factories import RoundFactory, UserFactory
from samraad.themes.models import AnalysisRun, DecisionKind, ReviewDecision, ThemeKind
from samraad.themes.services import analysis_execute, analysis_request, theme_rename
from samraad.themes.tasks import run_analysis
from samraad.themes.tests.conftest import add_inputs, planted_text


@pytest.fixture
def english(client):
    client.cookies["samraad_language"] = "en"
    return client


def url(name, round_, *args):
    return reverse(f"themes:{name}", args=[round_.slug, *args])


def analysed(round_):
    run = analysis_request(round=round_, by=None)
    return analysis_execute(run_id=run.pk)


def theme_with(run, lemma):
    return next(t for t in run.themes.filter(kind=ThemeKind.DISCOVERED) if lemma in t.top_terms)


@pytest.mark.parametrize("name", ["overview", "compare", "lexicon"])
def test_staff_only(client, round_, name):
    response = client.get(url(name, round_))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    client.force_login(UserFactory(is_staff=False))
    assert client.get(url(name, round_)).status_code == 403
    assert client.post(url("start", round_)).status_code == 403


def test_an_unknown_round_or_a_theme_of_another_round_answers_404(staff_client, round_, inputs):
    theme = theme_with(analysed(round_), "ældrepleje")
    other = RoundFactory()
    assert staff_client.get(reverse("themes:overview", args=["nope"])).status_code == 404
    assert staff_client.get(url("theme", other, theme.pk)).status_code == 404
    assert staff_client.post(url("rename", other, theme.pk), {"name": "x"}).status_code == 404


def test_an_empty_round_explains_instead_of_failing(staff_client, english, round_):
    response = staff_client.get(url("overview", round_))
    assert response.status_code == 200
    assert "has not been analysed yet" in response.content.decode()
    analysed(round_)
    response = staff_client.get(url("overview", round_))
    assert response.status_code == 200
    assert 'data-testid="empty-round"' in response.content.decode()
    assert "There is no text to analyse yet" in response.content.decode()
    response = staff_client.get(url("compare", round_))
    assert response.status_code == 200


def test_starting_a_run_queues_the_task_and_shows_progress(
    staff_client, english, round_, inputs, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(url("start", round_))
    assert response.status_code == 302
    run = AnalysisRun.objects.get(round=round_)
    task = DBTaskResult.objects.get(task_path__endswith="run_analysis")
    assert task.args_kwargs["args"] == [run.pk]

    page = staff_client.get(url("overview", round_)).content.decode()
    assert f'hx-get="{url("progress", round_)}"' in page
    assert "<script" not in page.split("</head>")[1]  # no inline script
    # A second start while it is queued is refused with a message, not an error.
    response = staff_client.post(url("start", round_), follow=True)
    assert "already under way" in response.content.decode()

    AnalysisRun.objects.filter(pk=run.pk).update(progress=42, status="running")
    poll = staff_client.get(url("progress", round_), headers={"HX-Request": "true"})
    assert 'value="42"' in poll.content.decode() and "HX-Refresh" not in poll

    AnalysisRun.objects.filter(pk=run.pk).update(status="queued", progress=0)
    run_analysis.call(*task.args_kwargs["args"])
    poll = staff_client.get(url("progress", round_), headers={"HX-Request": "true"})
    assert poll["HX-Refresh"] == "true"
    # Without htmx, the progress address sends the browser back to the page.
    assert staff_client.get(url("progress", round_)).status_code == 302

    page = staff_client.get(url("overview", round_)).content.decode()
    assert "Analysed" in page and 'data-testid="theme"' in page
    assert "hx-get" not in page  # nothing to poll once done


def test_results_show_terms_counts_and_linked_quotes(staff_client, english, round_, inputs):
    run = analysed(round_)
    theme = theme_with(run, "ældrepleje")
    page = staff_client.get(url("overview", round_)).content.decode()
    assert "ældrepleje" in page
    assert "Raised by 4 municipalities" in page
    quote = theme.quotes.first()
    detail = staff_client.get(url("theme", round_, theme.pk)).content.decode()
    assert quote.url in detail  # each sentence links to where it came from
    assert quote.text in detail


def test_rename_reject_and_split_from_the_theme_page(staff_client, english, round_, inputs):
    run = analysed(round_)
    elderly = theme_with(run, "ældrepleje")
    response = staff_client.post(url("rename", round_, elderly.pk), {"name": "Ældreområdet"})
    assert response.status_code == 302
    assert "Ældreområdet" in staff_client.get(url("overview", round_)).content.decode()

    response = staff_client.post(url("rename", round_, elderly.pk), {"name": " "}, follow=True)
    assert "Give the theme a name." in response.content.decode()

    schools = theme_with(run, "folkeskole")
    response = staff_client.post(
        url("split", round_, schools.pk),
        {"first_name": "Skolen", "second_name": "Lærerne", "first_terms": ["folkeskole"]},
    )
    assert response.status_code == 302
    page = staff_client.get(url("overview", round_)).content.decode()
    assert "Skolen" in page and "Lærerne" in page

    climate = theme_with(run, "kystsikring")
    staff_client.post(url("reject", round_, climate.pk))
    page = staff_client.get(url("overview", round_)).content.decode()
    assert "Rejected themes" in page
    decision = ReviewDecision.objects.get(kind=DecisionKind.REJECT)
    staff_client.post(url("undo", round_, decision.pk))
    assert not ReviewDecision.objects.filter(kind=DecisionKind.REJECT).exists()


def test_a_merge_that_would_lose_a_name_asks_for_confirmation(
    staff_client, english, round_, inputs
):
    run = analysed(round_)
    elderly = theme_with(run, "ældrepleje")
    schools = theme_with(run, "folkeskole")
    theme_rename(round=round_, theme=elderly, name="Ældre", by=None)
    theme_rename(round=round_, theme=schools, name="Skoler", by=None)

    response = staff_client.post(url("merge", round_, elderly.pk), {"target": schools.pk})
    assert response.status_code == 200
    assert 'data-testid="merge-confirm"' in response.content.decode()
    assert "Renamed: Ældre" in response.content.decode()
    assert not ReviewDecision.objects.filter(kind=DecisionKind.MERGE).exists()

    response = staff_client.post(
        url("merge", round_, elderly.pk), {"target": schools.pk, "confirm": "yes"}
    )
    assert response.status_code == 302
    assert ReviewDecision.objects.filter(kind=DecisionKind.MERGE).count() == 1
    assert not ReviewDecision.objects.filter(name="Ældre").exists()


def test_a_merge_into_a_bad_target_is_refused_with_a_message(staff_client, english, round_, inputs):
    run = analysed(round_)
    elderly = theme_with(run, "ældrepleje")
    for target in ("", "abc", "999999", str(elderly.pk)):
        response = staff_client.post(
            url("merge", round_, elderly.pk), {"target": target}, follow=True
        )
        assert response.status_code == 200
    assert not ReviewDecision.objects.exists()


def test_staff_edit_the_lexicon(staff_client, english, round_):
    page = staff_client.get(url("lexicon", round_)).content.decode()
    assert "ældre*" in page  # the defaults until staff change them
    climate = round_.themes.get(key="climate")
    data = {f"terms-{t.pk}": "" for t in round_.themes.all()}
    data[f"terms-{climate.pk}"] = "skybrud\nkyst*\n"
    response = staff_client.post(url("lexicon", round_), data)
    assert response.status_code == 302
    assert climate.lexicon.term_list == ["skybrud", "kyst*"]


def test_comparisons_by_region_size_and_previous_round(staff_client, english, round_):
    previous = RoundFactory(
        code="ØA97",
        slug="oa97",
        starts_on=round_.starts_on.replace(year=round_.starts_on.year - 1),
        ends_on=round_.ends_on.replace(year=round_.ends_on.year - 1),
    )
    round_themes_ensure(round=previous)
    add_inputs(previous, count=8)
    add_inputs(round_)
    Municipality.objects.filter(code=101).update(council_size=55)
    page = staff_client.get(url("compare", round_)).content.decode()
    assert 'data-testid="no-analysis"' in page
    analysed(round_)
    page = staff_client.get(url("compare", round_)).content.decode()
    assert 'data-testid="by-region"' in page and "Region Hovedstaden" in page
    assert 'data-testid="by-size"' in page and "29 seats or more" in page
    assert "has no finished analysis" in page
    analysed(previous)
    page = staff_client.get(url("compare", round_)).content.decode()
    assert 'data-testid="previous"' in page and "ØA97" in page


def test_long_and_non_danish_text_is_reported_on_the_page(staff_client, english, round_):
    add_inputs(round_)
    CouncilInput.objects.create(
        round=round_,
        municipality=Municipality.objects.get(code=851),
        economic_situation="The municipality needs more money for schools and the elderly. " * 5,
        status=InputStatus.SUBMITTED,
    )
    CouncilInput.objects.create(
        round=round_,
        municipality=Municipality.objects.get(code=751),
        economic_situation=planted_text("climate", seed=7, sentences=2_000),
        status=InputStatus.SUBMITTED,
    )
    run = analysed(round_)
    assert [item["place"] for item in run.not_danish] == ["Aalborg"], run.not_danish
    page = staff_client.get(url("overview", round_)).content.decode()
    assert "does not look Danish" in page and "Aalborg" in page
    assert [item["place"] for item in run.truncated] == ["Aarhus"]
    assert "very long text was analysed up to its first 100,000 characters" in page
