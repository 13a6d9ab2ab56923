"""The invitation as a letter PDF: content, pages, escaping of user text, staff only."""

from __future__ import annotations

import datetime
import io
import json
import string

import pytest
import typst
from django.urls import reverse
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from pypdf import PdfReader

from samraad.core.timeutils import local_datetime
from samraad.directory.models import Municipality
from samraad.meetings.letter import fill_template, invitation_letter_pdf, typst_escape
from samraad.tests_support.factories import (
    KkrMeetingFactory,
    MeetingFactory,
    PersonFactory,
    SessionFactory,
    UserFactory,
)
from samraad.tests_support.login import log_in_verified


@pytest.fixture
def meeting(db):
    contact = PersonFactory(
        name="Mette Prøvelund",
        email="mette@kl.example",
        title="Chefkonsulent",
        phone="+45 33 70 33 70",
        municipality=None,
    )
    meeting = MeetingFactory(
        round__intro="KL inviterer alle kommunalbestyrelsesmedlemmer til dialog om ØA30.",
        round__meetings_text="Mødet holdes to gange på Microsoft Teams.",
        round__kkr_text="ØA30 er på dagsordenen på KKR-møderne i april.",
        round__input_text="Kommunalbestyrelserne opfordres til at sende input.",
        round__input_deadline=local_datetime(2025, 4, 25, 23, 59, 59),
        round__negotiations_start=datetime.date(2025, 5, 5),
        round__contact=contact,
    )
    SessionFactory(meeting=meeting)
    SessionFactory(
        meeting=meeting,
        starts_at=local_datetime(2025, 4, 3, 19),
        ends_at=local_datetime(2025, 4, 3, 20, 30),
    )
    KkrMeetingFactory(round=meeting.round, place="Aalborg Kongres & Kultur Center")
    return meeting


def pages(pdf: bytes) -> list[str]:
    assert pdf.startswith(b"%PDF-")
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


def flat(text: str) -> str:
    return " ".join(text.split())


def test_letter_to_all_members_has_letterhead_date_tracks_and_footer(meeting):
    (page,) = pages(invitation_letter_pdf(meeting=meeting))
    text = flat(page)
    assert "Kommunernes Landsforening" in text
    assert "Weidekampsgade 10" in text
    assert "2300 København S" in text
    assert "7. februar 2025" in text
    assert "Til kommunalbestyrelsens medlemmer" in text
    assert "Dialog om forberedelsen af ØA" in text
    assert "KL inviterer alle kommunalbestyrelsesmedlemmer" in text
    # The sessions in Copenhagen time (31 March is after the change to summer time).
    assert "Mandag den 31. marts 2025 kl. 19.00–20.30" in text
    assert "Torsdag den 3. april 2025 kl. 19.00–20.30" in text
    assert "Tilmeldingsfrist: onsdag den 26. marts 2025 kl. 23.59" in text
    assert "Aalborg Kongres & Kultur Center" in text
    assert "Send gerne input senest: fredag den 25. april 2025" in text
    assert "input@kl.example" in text
    assert "Mette Prøvelund" in text
    assert "Side 1 af 1" in text


def test_letter_to_a_member_carries_their_address_block(meeting):
    person = PersonFactory(
        name="Anne Andersen",
        title="Borgmester",
        municipality=Municipality.objects.get(code=751),
    )
    text = flat(pages(invitation_letter_pdf(meeting=meeting, person=person))[0])
    assert "Anne Andersen Borgmester Aarhus" in text
    assert "Til kommunalbestyrelsens medlemmer" not in text


def test_a_long_letter_numbers_its_pages_out_of_the_total(meeting):
    round_ = meeting.round
    round_.intro = "\n\n".join(f"Afsnit {n}: " + "Kommunernes økonomi. " * 40 for n in range(4))
    round_.save()
    texts = pages(invitation_letter_pdf(meeting=meeting))
    assert len(texts) == 2
    assert "Side 1 af 2" in flat(texts[0])
    assert "Side 2 af 2" in flat(texts[1])
    assert "Side 1 af 1" not in flat(texts[0])


HOSTILE = (
    '#panic("x") $x^2$ *fed* _kursiv_ @ref <label> [a] \\ `raw` // kommentar /* */ '
    "= overskrift - punkt + tal 1. dato ~ -- ..."
)


def test_typst_special_characters_in_user_text_are_printed_not_run(meeting):
    round_ = meeting.round
    round_.title = HOSTILE
    round_.intro = HOSTILE + '\n= Overskrift\n- punkt\n1. februar\n\n#read("/etc/passwd")'
    round_.save()
    meeting.round.kkr_meetings.update(place="#panic()] [#panic()")
    text = flat("\n".join(pages(invitation_letter_pdf(meeting=meeting))))
    assert '#panic("x") $x^2$ *fed* _kursiv_ @ref <label> [a] \\ `raw`' in text
    assert "// kommentar /* */ = overskrift - punkt + tal 1. dato ~ -- ..." in text
    assert '1. februar #read("/etc/passwd")' in text
    assert "#panic()] [#panic()" in text


# Typst that turns escaped content back into the string it prints, and fails on
# anything else (code, math, emphasis, headings, lists, references, …).
PLAIN_TEXT = r"""
#let plain(it) = {
  if type(it) == str { it }
  else if it.has("text") { it.text }
  else if it.has("children") { it.children.map(plain).join("", default: "") }
  else if it.func() == linebreak { "\n" }
  else if it == [ ] { " " }
  else { panic("not plain text: " + repr(it)) }
}
"""
TEXT = st.text(
    alphabet=st.sampled_from(
        [*string.printable, "æ", "ø", "Å", "–", "…", "\u2028", "\u2029", "\x85", "\x00"]
    ),
    max_size=60,
)


@hypothesis_settings(max_examples=150, deadline=None, database=None)
@given(text=TEXT)
def test_escaped_text_is_printed_exactly_as_typed(text):
    source = f"{PLAIN_TEXT}#metadata(plain[{typst_escape(text)}]) <v>\n"
    printed = json.loads(typst.query(source.encode(), "<v>", field="value", one=True))
    typed = text.replace("\x00", "")
    assert printed.split() == typed.split()
    assert "\n" not in typst_escape(text)


def test_template_slots_and_values_must_agree():
    assert fill_template("[{{ a }}]", {"a": "#x"}) == "[\\#x]"
    with pytest.raises(ValueError, match="slots"):
        fill_template("[{{ a }}]", {"a": "x", "b": "y"})
    with pytest.raises(ValueError, match="slots"):
        fill_template("[{{ a }}] [{{ b }}]", {"a": "x"})


def test_letter_is_staff_only(client, meeting):
    url = reverse("meetings:staff_letter", args=[meeting.round.slug])
    assert client.get(url).status_code == 302
    log_in_verified(client, UserFactory())
    assert client.get(url).status_code == 403


def test_staff_download_the_letter(staff_client, meeting):
    response = staff_client.get(reverse("meetings:staff_letter", args=[meeting.round.slug]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "Til kommunalbestyrelsens medlemmer" in flat(pages(response.content)[0])


def test_staff_download_a_personal_copy(staff_client, meeting):
    person = PersonFactory(name="Bo Bech", municipality=Municipality.objects.get(code=851))
    url = reverse("meetings:staff_letter", args=[meeting.round.slug])
    response = staff_client.get(url, {"person": person.pk})
    assert "Bo Bech Aalborg" in flat(pages(response.content)[0])
    assert staff_client.get(url, {"person": "x"}).status_code == 404
    assert staff_client.get(url, {"person": person.pk + 1000}).status_code == 404


def test_the_overview_links_to_the_letter(staff_client, meeting):
    response = staff_client.get(reverse("meetings:staff_overview", args=[meeting.round.slug]))
    assert reverse("meetings:staff_letter", args=[meeting.round.slug]) in response.text


def test_unknown_round_is_not_found(staff_client, db):
    url = reverse("meetings:staff_letter", args=["no-such-round"])
    assert staff_client.get(url).status_code == 404
