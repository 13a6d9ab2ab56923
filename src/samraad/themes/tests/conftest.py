from __future__ import annotations

import datetime
import random

import pytest
from django.utils import timezone

from samraad.councils.models import CouncilInput, InputStatus
from samraad.directory.models import Municipality, Region
from samraad.directory.reference import load_reference_data
from samraad.rounds.services import round_themes_ensure
from samraad.tests_support.factories import RoundFactory

# Four planted themes, each with words of its own; all share the filler. 16 texts make
# four themes (see analysis.number_of_themes): one for each.
PLANTED = {
    "elderly": [
        "ældreplejen",
        "hjemmeplejen",
        "plejehjemmene",
        "demens",
        "sosu-assistenter",
        "plejecentrene",
        "hjemmehjælpen",
        "genoptræningen",
    ],
    "schools": [
        "folkeskolen",
        "lærerne",
        "inklusionen",
        "specialundervisningen",
        "klasserne",
        "elevernes",
        "skolebestyrelsen",
        "undervisningen",
    ],
    "climate": [
        "klimatilpasningen",
        "oversvømmelserne",
        "kystsikringen",
        "regnvandet",
        "digerne",
        "havvandsstigningerne",
        "skybruddene",
        "grundvandet",
    ],
    "employment": [
        "jobcentret",
        "ledigheden",
        "kontanthjælpen",
        "beskæftigelsen",
        "arbejdsmarkedet",
        "virksomhederne",
        "rekrutteringen",
        "dagpengene",
    ],
}
FILLER = [
    "det",
    "er",
    "nødvendigt",
    "at",
    "vi",
    "ser",
    "på",
    "mulighederne",
    "for",
    "en",
    "løsning",
    "i",
    "de",
    "kommende",
    "og",
    "vi",
    "har",
    "brug",
    "for",
    "at",
    "arbejde",
    "med",
    "en",
    "plan",
    "der",
    "kan",
    "holde",
]


def planted_text(theme: str, *, seed: int, sentences: int = 6) -> str:
    """Danish-looking sentences about one planted theme."""
    rng = random.Random(seed)
    out = []
    for _ in range(sentences):
        words = rng.sample(PLANTED[theme], 3) + rng.sample(FILLER, 7)
        rng.shuffle(words)
        out.append(" ".join(words).capitalize() + ".")
    return " ".join(out)


@pytest.fixture(autouse=True)
def reference_data(request):
    """Transactional tests empty every table; the next needs the municipalities back."""
    if "db" in request.fixturenames or "transactional_db" in request.fixturenames:
        request.getfixturevalue("db")
        if not Municipality.objects.exists():
            load_reference_data(Region, Municipality)


@pytest.fixture
def round_(db):
    today = timezone.localdate()
    round_ = RoundFactory(
        code="ØA98",
        slug="oa98",
        starts_on=today - datetime.timedelta(days=30),
        ends_on=today + datetime.timedelta(days=90),
    )
    round_themes_ensure(round=round_)
    return round_


def add_inputs(round_, *, count: int = 16) -> list[CouncilInput]:
    """Submitted council input from `count` municipalities, a planted theme each in turn."""
    municipalities = list(Municipality.objects.order_by("code")[:count])
    themes = list(PLANTED)
    inputs = []
    for n, municipality in enumerate(municipalities):
        inputs.append(
            CouncilInput.objects.create(
                round=round_,
                municipality=municipality,
                economic_situation=planted_text(themes[n % len(themes)], seed=n),
                status=InputStatus.SUBMITTED,
            )
        )
    return inputs


@pytest.fixture
def inputs(round_):
    return add_inputs(round_)
