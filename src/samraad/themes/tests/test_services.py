import pytest
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from samraad.core.errors import ServiceError
from samraad.councils.models import CouncilInput, InputStatus
from samraad.directory.models import Municipality
from samraad.mail.models import InboundMessage, TriageStatus
from samraad.meetings.models import Registration, RegistrationStatus
from samraad.regional.models import KkrQuote, KkrRecord
from samraad.speakers.models import MeetingFormat, PresenterKind, SpeakerRequest
from samraad.tests_support.factories import (
    KkrMeetingFactory,
    PersonFactory,
    SessionFactory,
)
from samraad.themes import services
from samraad.themes.models import (
    AnalysisRun,
    DecisionKind,
    DiscoveredTheme,
    ReviewDecision,
    RunStatus,
    SourceKind,
    ThemeKind,
    ThemeQuote,
)
from samraad.themes.selectors import (
    reviewed_themes,
    run_theme,
    service_area_themes,
)
from samraad.themes.services import (
    analysis_execute,
    analysis_request,
    decision_undo,
    lexicon_save,
    theme_merge,
    theme_reject,
    theme_rename,
    theme_split,
)
from samraad.themes.sources import documents_for
from samraad.themes.tasks import run_analysis
from samraad.themes.tests.conftest import planted_text


def run(round_, django_capture_on_commit_callbacks):
    """Request a run and let the worker's task run it, as `samraad worker` would."""
    with django_capture_on_commit_callbacks(execute=True):
        created = analysis_request(round=round_, by=None)
    task = DBTaskResult.objects.filter(task_path__endswith="run_analysis").latest("enqueued_at")
    assert task.args_kwargs["args"] == [created.pk]
    run_analysis.call(*task.args_kwargs["args"])
    return AnalysisRun.objects.get(pk=created.pk)


def themes_with(round_, lemma):
    return [t for t in reviewed_themes(round_) if lemma in t.top_terms]


def discovered(run_):
    return list(run_.themes.filter(kind=ThemeKind.DISCOVERED))


def test_the_task_reports_progress_and_stores_the_results(
    round_, inputs, django_capture_on_commit_callbacks, monkeypatch
):
    seen = []
    original = services._progress

    def spy(run_id, percent):
        seen.append((percent, AnalysisRun.objects.get(pk=run_id).status))
        original(run_id, percent)

    monkeypatch.setattr(services, "_progress", spy)
    done = run(round_, django_capture_on_commit_callbacks)
    assert done.status == RunStatus.DONE and done.progress == 100
    assert done.started_at and done.finished_at
    assert done.texts == 16 and done.sentences == 96 and done.words > 500
    percents = [p for p, _ in seen]
    assert len(percents) >= 4 and percents == sorted(percents) and percents[-1] < 100
    assert {status for _, status in seen} == {RunStatus.RUNNING}
    assert DiscoveredTheme.objects.filter(run=done, kind=ThemeKind.DISCOVERED).count() == 4
    elderly = [t for t in service_area_themes(round_) if t.key == "elderly_care"]
    assert elderly and elderly[0].municipality_count == 4


def test_a_second_request_while_one_is_queued_is_refused(round_):
    analysis_request(round=round_, by=None)
    with pytest.raises(ServiceError) as refused:
        analysis_request(round=round_, by=None)
    assert refused.value.code == "busy"


def test_a_failing_analysis_is_recorded_on_the_run(round_, inputs, monkeypatch):
    created = analysis_request(round=round_, by=None)

    def broken(*args, **kwargs):
        raise RuntimeError("out of memory")

    monkeypatch.setattr(services, "analyse", broken)
    with pytest.raises(RuntimeError):
        analysis_execute(run_id=created.pk)
    created.refresh_from_db()
    assert created.status == RunStatus.FAILED and "out of memory" in created.error
    # A new run may be requested at once.
    assert analysis_request(round=round_, by=None).status == RunStatus.QUEUED


def test_an_empty_round_finishes_with_no_texts(round_, django_capture_on_commit_callbacks):
    done = run(round_, django_capture_on_commit_callbacks)
    assert done.status == RunStatus.DONE and done.texts == 0
    assert reviewed_themes(round_) == []


def test_a_new_run_replaces_the_results_of_the_last(
    round_, inputs, django_capture_on_commit_callbacks
):
    first = run(round_, django_capture_on_commit_callbacks)
    second = run(round_, django_capture_on_commit_callbacks)
    assert list(AnalysisRun.objects.filter(round=round_)) == [second]
    assert not DiscoveredTheme.objects.filter(run_id=first.pk).exists()


def test_every_kind_of_source_is_read_and_quotes_link_back(
    round_, django_capture_on_commit_callbacks
):
    aarhus = Municipality.objects.get(code=751)
    vejle = Municipality.objects.get(code=630)
    council = CouncilInput.objects.create(
        round=round_,
        municipality=aarhus,
        economic_situation=planted_text("climate", seed=1),
        email_notes="Dette er en kopi af mailen og læses ikke.",
        status=InputStatus.SUBMITTED,
    )
    CouncilInput.objects.create(
        round=round_,
        municipality=vejle,
        economic_situation="Et udkast om klimatilpasningen er ikke sendt.",
        status=InputStatus.DRAFT,
    )
    meeting = KkrMeetingFactory(round=round_)
    record = KkrRecord.objects.create(meeting=meeting, summary=planted_text("climate", seed=2))
    kkr_quote = KkrQuote.objects.create(
        record=record,
        text="Kystsikringen og digerne koster mere end vi har.",
        speaker_role="borgmester",
        municipality=Municipality.objects.get(code=851),
    )
    session = SessionFactory(meeting__round=round_)
    member = PersonFactory(municipality=vejle, email="m@vejle.dk")
    registration = Registration.objects.create(
        meeting=session.meeting,
        session=session,
        person=member,
        status=RegistrationStatus.CONFIRMED,
        question="Hvad gør vi ved skybruddene og oversvømmelserne?",
    )
    speaker = SpeakerRequest.objects.create(
        round=round_,
        municipality=vejle,
        presenter_kind=PresenterKind.EITHER,
        meeting_format=MeetingFormat.ONLINE,
        topic="Klima",
        presenter_notes="Byrådet talte om regnvandet og klimatilpasningen i byen.",
    )
    message = InboundMessage.objects.create(
        source="smtp",
        raw=b"",
        raw_sha256="0" * 64,
        round=round_,
        municipality=aarhus,
        subject="Input om klima",
        body_text="Oversvømmelserne ved havnen kræver kystsikring og diger nu.",
        triage_status=TriageStatus.ATTACHED,
    )
    InboundMessage.objects.create(
        source="smtp",
        raw=b"",
        raw_sha256="1" * 64,
        round=round_,
        body_text="Spam om klimatilpasning.",
        triage_status=TriageStatus.DISMISSED,
    )

    documents = list(documents_for(round_))
    assert [(d.kind, d.object_id) for d in documents] == [
        (SourceKind.COUNCIL_INPUT, council.pk),
        (SourceKind.KKR_RECORD, record.pk),
        (SourceKind.KKR_QUOTE, kkr_quote.pk),
        (SourceKind.QUESTION, registration.pk),
        (SourceKind.PRESENTER_NOTES, speaker.pk),
        (SourceKind.EMAIL, message.pk),
    ]
    assert "kopi af mailen" not in documents[0].text  # the email itself is the source
    urls = {d.kind: d.url for d in documents}
    assert urls[SourceKind.COUNCIL_INPUT] == reverse(
        "councils:staff_input", args=[round_.slug, 751]
    )
    assert urls[SourceKind.KKR_RECORD] == reverse("regional:meeting", args=[meeting.pk])
    assert urls[SourceKind.QUESTION].endswith("?q=m%40vejle.dk")
    assert urls[SourceKind.PRESENTER_NOTES] == reverse("speakers:staff_detail", args=[speaker.pk])
    assert urls[SourceKind.EMAIL] == reverse("mail:inbound_detail", args=[message.pk])

    done = run(round_, django_capture_on_commit_callbacks)
    assert done.texts == 6
    climate = next(t for t in service_area_themes(round_) if t.key == "climate")
    by_kind = {q.source_kind: q for q in ThemeQuote.objects.filter(theme__run=done)}
    assert set(by_kind) == set(SourceKind.values)
    texts = {(d.kind, d.object_id): d.text for d in documents}
    for quote in ThemeQuote.objects.filter(theme__run=done):
        # The stored offsets point at the sentence in the source's text.
        assert texts[quote.source_kind, quote.source_id][quote.start : quote.end] == quote.text
        assert quote.url == urls[quote.source_kind]
    for quote in climate.quotes:
        assert quote.url.split("#")[0] in set(urls.values())
        assert "#:~:text=" in quote.url
    assert climate.region_counts["Region Midtjylland"] == 1  # Aarhus
    assert "Region Nordjylland" in climate.region_counts  # the KKR's own record and its quote


def test_review_decisions_survive_a_re_run(round_, inputs, django_capture_on_commit_callbacks):
    first = run(round_, django_capture_on_commit_callbacks)
    themes = discovered(first)
    elderly = next(t for t in themes if "ældrepleje" in t.top_terms)
    schools = next(t for t in themes if "folkeskole" in t.top_terms)
    climate = next(t for t in themes if "kystsikring" in t.top_terms)
    theme_rename(round=round_, theme=elderly, name="Pres på ældreområdet", by=None)
    theme_reject(round=round_, theme=climate, by=None)
    theme_split(
        round=round_,
        theme=schools,
        names=("Folkeskolen", "Lærerne"),
        first_terms=[t for t in schools.top_terms if t != "lærer"],
        by=None,
    )

    # Someone adds text; the analysis runs again and makes new rows.
    CouncilInput.objects.create(
        round=round_,
        municipality=Municipality.objects.order_by("-code").first(),
        economic_situation=planted_text("elderly", seed=500),
        status=InputStatus.SUBMITTED,
    )
    second = run(round_, django_capture_on_commit_callbacks)
    assert not {t.pk for t in discovered(second)} & {t.pk for t in themes}

    names = [t.name for t in reviewed_themes(round_)]
    assert "Pres på ældreområdet" in names
    assert "Folkeskolen" in names and "Lærerne" in names
    assert not any("kystsikring" in t.top_terms for t in reviewed_themes(round_))
    renamed = next(t for t in reviewed_themes(round_) if t.name == "Pres på ældreområdet")
    assert renamed.municipality_count == 5
    teachers = next(t for t in reviewed_themes(round_) if t.name == "Lærerne")
    assert teachers.top_terms == ["lærer"]
    assert teachers.quotes and all("lærer" in q.text.lower() for q in teachers.quotes)


def test_merging_folds_one_theme_into_another_and_keeps_across_runs(
    round_, inputs, django_capture_on_commit_callbacks
):
    first = run(round_, django_capture_on_commit_callbacks)
    themes = discovered(first)
    elderly = next(t for t in themes if "ældrepleje" in t.top_terms)
    schools = next(t for t in themes if "folkeskole" in t.top_terms)
    theme_rename(round=round_, theme=schools, name="Velfærd", by=None)
    theme_merge(round=round_, source=elderly, target=schools, by=None)
    merged = next(t for t in reviewed_themes(round_) if t.name == "Velfærd")
    assert merged.municipality_count == 8
    assert {"ældrepleje", "folkeskole"} <= set(merged.top_terms)
    assert not [t for t in reviewed_themes(round_) if t.theme_id == elderly.pk]

    run(round_, django_capture_on_commit_callbacks)
    assert next(t for t in reviewed_themes(round_) if t.name == "Velfærd").municipality_count == 8


def test_a_merge_that_would_discard_a_decision_asks_first(
    round_, inputs, django_capture_on_commit_callbacks
):
    done = run(round_, django_capture_on_commit_callbacks)
    themes = discovered(done)
    elderly = next(t for t in themes if "ældrepleje" in t.top_terms)
    schools = next(t for t in themes if "folkeskole" in t.top_terms)
    theme_rename(round=round_, theme=elderly, name="Ældre", by=None)
    theme_rename(round=round_, theme=schools, name="Skoler", by=None)

    with pytest.raises(ServiceError) as asked:
        theme_merge(round=round_, source=elderly, target=schools, by=None)
    assert asked.value.code == "confirm"
    assert not ReviewDecision.objects.filter(kind=DecisionKind.MERGE).exists()
    assert ReviewDecision.objects.filter(name="Ældre").exists()

    theme_merge(round=round_, source=elderly, target=schools, by=None, confirmed=True)
    assert not ReviewDecision.objects.filter(name="Ældre").exists()
    assert "Skoler" in [t.name for t in reviewed_themes(round_)]
    assert "Ældre" not in [t.name for t in reviewed_themes(round_)]


def test_a_merge_without_decisions_to_lose_needs_no_confirmation(
    round_, inputs, django_capture_on_commit_callbacks
):
    done = run(round_, django_capture_on_commit_callbacks)
    first, second = discovered(done)[:2]
    theme_rename(round=round_, theme=second, name="Målet", by=None)  # the target's name stays
    theme_merge(round=round_, source=first, target=second, by=None)
    assert ReviewDecision.objects.filter(kind=DecisionKind.MERGE).count() == 1


def test_undo_restores_a_rejected_theme(round_, inputs, django_capture_on_commit_callbacks):
    done = run(round_, django_capture_on_commit_callbacks)
    theme = discovered(done)[0]
    before = len(reviewed_themes(round_))
    decision = theme_reject(round=round_, theme=theme, by=None)
    assert len(reviewed_themes(round_)) == before - 1
    decision_undo(round=round_, decision_id=decision.pk)
    assert len(reviewed_themes(round_)) == before
    with pytest.raises(ServiceError):
        decision_undo(round=round_, decision_id=decision.pk)


def test_review_refuses_bad_input(round_, inputs, django_capture_on_commit_callbacks):
    done = run(round_, django_capture_on_commit_callbacks)
    theme = discovered(done)[0]
    with pytest.raises(ServiceError):
        theme_rename(round=round_, theme=theme, name="   ", by=None)
    with pytest.raises(ServiceError):
        theme_split(round=round_, theme=theme, names=("A", "B"), first_terms=[], by=None)
    with pytest.raises(ServiceError):
        theme_split(
            round=round_, theme=theme, names=("A", ""), first_terms=theme.top_terms[:1], by=None
        )
    with pytest.raises(ServiceError):
        theme_merge(round=round_, source=theme, target=theme, by=None)


def test_the_edited_lexicon_applies_from_the_next_run(
    round_, inputs, django_capture_on_commit_callbacks
):
    elderly_area = round_.themes.get(key="elderly_care")
    health_area = round_.themes.get(key="health")
    lexicon_save(round=round_, terms={elderly_area.pk: "", health_area.pk: "demens\n  \n"})
    run(round_, django_capture_on_commit_callbacks)
    keys = {t.key: t for t in service_area_themes(round_)}
    assert "elderly_care" not in keys
    assert keys["health"].top_terms == ["demens"]


def test_run_theme_answers_only_for_the_rounds_newest_run(
    round_, inputs, django_capture_on_commit_callbacks
):
    done = run(round_, django_capture_on_commit_callbacks)
    theme = discovered(done)[0]
    assert run_theme(round_, theme.pk) == theme
    other = type(round_).objects.create(
        code="ØA97",
        slug="oa97",
        year=2097,
        title="x",
        starts_on=round_.starts_on,
        ends_on=round_.ends_on,
    )
    assert run_theme(other, theme.pk) is None
