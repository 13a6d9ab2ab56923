"""Staff pages for people: list, add and edit one person, import from a file."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape
from django.utils.translation import gettext

from samraad.directory.models import Municipality, Person, Region, Role, RoleKind
from samraad.directory.services import person_upsert
from samraad.directory.tests.test_imports import KAREN, SOREN, csv_bytes, xlsx_bytes
from samraad.directory.views import SESSION_KEY
from samraad.tests_support.factories import PersonFactory, UserFactory
from samraad.tests_support.login import log_in_verified

IMPORT = reverse("directory:people_import")
PREVIEW = reverse("directory:people_import_preview")
COMMIT = reverse("directory:people_import_commit")


def danish(msgid: str, **params) -> str:
    """The message as the page shows it: in Danish (whatever the catalogue holds), escaped."""
    with translation.override("da"):
        text = gettext(msgid)
    return escape(text % params if params else text)


def upload(client, data: bytes, name: str = "medlemmer.csv"):
    return client.post(IMPORT, {"file": SimpleUploadedFile(name, data)})


def fingerprint(page: str) -> str:
    return re.search(r'name="fingerprint" value="([0-9a-f]{64})"', page).group(1)


@pytest.mark.parametrize(
    "name,args,method",
    [
        ("directory:people_list", [], "get"),
        ("directory:person_create", [], "get"),
        ("directory:person_edit", [1], "get"),
        ("directory:people_import", [], "get"),
        ("directory:people_import", [], "post"),
        ("directory:people_import_preview", [], "get"),
        ("directory:people_import_commit", [], "post"),
    ],
)
def test_staff_only(client, db, name, args, method):
    url = reverse(name, args=args)
    response = getattr(client, method)(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    log_in_verified(client, UserFactory())
    assert getattr(client, method)(url).status_code == 403


def test_staff_home_links_to_people(staff_client):
    page = staff_client.get(reverse("core:staff_home")).content.decode()
    assert reverse("directory:people_list") in page


# --- Import ---------------------------------------------------------------------


def test_import_page(staff_client):
    page = staff_client.get(IMPORT).content.decode()
    assert 'enctype="multipart/form-data"' in page
    assert 'type="file" name="file"' in page


def test_upload_preview_and_import(staff_client, db):
    response = upload(staff_client, csv_bytes([SOREN, KAREN]))
    assert response.status_code == 302
    assert response["Location"] == PREVIEW
    assert Person.objects.count() == 0  # nothing saved by a preview

    page = staff_client.get(PREVIEW).content.decode()
    assert 'data-testid="count-created">2<' in page
    assert 'data-testid="row-2" data-status="created"' in page
    assert 'data-testid="row-3" data-status="created"' in page
    assert "Søren Æblø Ågesen" in page
    assert "Aarhus" in page  # "Aarhus Kommune" resolved
    assert "disabled" not in re.search(r'<button[^>]*data-testid="commit"[^>]*>', page).group(0)

    response = staff_client.post(COMMIT, {"fingerprint": fingerprint(page)})
    assert response.status_code == 302
    assert response["Location"] == reverse("directory:people_list")
    assert Person.objects.count() == 2
    assert Role.objects.filter(kind=RoleKind.COUNCIL_MEMBER).count() == 2
    assert SESSION_KEY not in staff_client.session
    page = staff_client.get(response["Location"]).content.decode()
    assert "Karen Prøvesen" in page


def test_reimport_of_the_same_workbook_shows_every_row_unchanged(staff_client, db):
    data = xlsx_bytes([SOREN, KAREN])
    upload(staff_client, data, "medlemmer.xlsx")
    staff_client.post(
        COMMIT, {"fingerprint": fingerprint(staff_client.get(PREVIEW).content.decode())}
    )
    upload(staff_client, data, "medlemmer.xlsx")
    page = staff_client.get(PREVIEW).content.decode()
    assert 'data-testid="count-unchanged">2<' in page
    assert 'data-testid="count-created">0<' in page
    staff_client.post(COMMIT, {"fingerprint": fingerprint(page)})
    assert Person.objects.count() == 2


def test_rows_with_errors_block_the_import(staff_client, db):
    bad = ["Anders", "anders@x.dk", "Atlantis", "", "", ""]
    upload(staff_client, csv_bytes([SOREN, bad, SOREN]))
    page = staff_client.get(PREVIEW).content.decode()
    assert 'data-testid="has-errors"' in page
    assert re.search(r'<button[^>]*data-testid="commit"[^>]*disabled', page)
    assert 'data-testid="row-3" data-status="error"' in page
    assert 'data-problem="municipality_unknown"' in page
    # Both rows with the same email are flagged.
    assert page.count('data-problem="email_duplicate"') == 2
    # Posting anyway imports nothing.
    response = staff_client.post(COMMIT, {"fingerprint": fingerprint(page)}, follow=True)
    assert Person.objects.count() == 0
    assert (
        danish(
            "Nothing was imported: %(count)d rows have errors. Correct them in the file and "
            "upload it again.",
            count=3,
        )
        in response.content.decode()
    )


def test_warnings_are_shown_and_do_not_block(staff_client, db):
    PersonFactory(
        email="soeren@aarhus.dk",
        name="Søren Andersen",
        municipality=Municipality.objects.get(code=101),
    )
    formula = ['=HYPERLINK("http://x")', "f@x.dk", "101", "", "", ""]
    upload(staff_client, csv_bytes([SOREN, formula]))
    page = staff_client.get(PREVIEW).content.decode()
    assert danish("Moves from %(old)s to %(new)s.", old="København", new="Aarhus") in page
    assert 'data-problem="renamed"' in page
    assert 'data-problem="formula:name"' in page
    assert 'data-testid="count-warnings">2<' in page
    only = staff_client.get(PREVIEW, {"show": "problems"}).content.decode()
    assert 'data-testid="row-2"' in only and 'data-testid="row-3"' in only
    staff_client.post(COMMIT, {"fingerprint": fingerprint(page)})
    assert Person.objects.get(email="f@x.dk").name == '=HYPERLINK("http://x")'
    assert Person.objects.get(email="soeren@aarhus.dk").municipality.code == 751


def test_a_change_after_the_preview_is_not_imported_unseen(staff_client, db):
    upload(staff_client, csv_bytes([SOREN, KAREN]))
    page = staff_client.get(PREVIEW).content.decode()
    PersonFactory(
        email="karen@kk.dk", name="Karen Anden", municipality=Municipality.objects.get(code=147)
    )
    response = staff_client.post(COMMIT, {"fingerprint": fingerprint(page)})
    assert response["Location"] == PREVIEW
    assert Person.objects.count() == 1
    assert Person.objects.get().name == "Karen Anden"
    page = staff_client.get(PREVIEW).content.decode()
    assert 'data-problem="moves"' in page
    staff_client.post(COMMIT, {"fingerprint": fingerprint(page)})
    assert Person.objects.get(email="karen@kk.dk").name == "Karen Prøvesen"


def test_another_upload_in_another_tab_is_not_imported_unseen(staff_client, db):
    upload(staff_client, csv_bytes([SOREN]))
    first = fingerprint(staff_client.get(PREVIEW).content.decode())
    upload(staff_client, csv_bytes([KAREN]))
    staff_client.post(COMMIT, {"fingerprint": first})
    assert Person.objects.count() == 0


def test_commit_without_a_preview(staff_client, db):
    response = staff_client.post(COMMIT, {"fingerprint": "0" * 64})
    assert response["Location"] == IMPORT
    assert staff_client.get(PREVIEW)["Location"] == IMPORT


def test_preview_of_a_session_that_does_not_hold_a_table(staff_client, db):
    session = staff_client.session
    session[SESSION_KEY] = {"filename": "x.csv", "table": {"columns": ["name"], "rows": []}}
    session.save()
    assert staff_client.get(PREVIEW)["Location"] == IMPORT
    assert SESSION_KEY not in staff_client.session


def test_preview_query_count_does_not_grow_with_rows(staff_client, db):
    def count(rows: int) -> int:
        lines = [[f"P {n}", f"p{rows}.{n}@x.dk", "101", "", "", ""] for n in range(rows)]
        upload(staff_client, csv_bytes(lines))
        with CaptureQueriesContext(connection) as ctx:
            assert staff_client.get(PREVIEW).status_code == 200
        return len(ctx)

    assert count(3) == count(200)


# --- Bad input: a clear message, a 200, nothing saved ------------------------------


BAD_INPUT = {
    "pdf renamed csv": (
        b"%PDF-1.7\n1 0 obj\n",
        "This is a PDF document, not a list. Save the list as CSV or Excel (.xlsx).",
    ),
    "xls": (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600),
        "This is an old Excel file (.xls) or a workbook with a password. Save it in Excel as an "
        "Excel workbook (.xlsx) without a password, or as CSV.",
    ),
    "png": (
        b"\x89PNG\r\n\x1a\n" + bytes(64),
        "This is an image, not a list. Save the list as CSV or Excel (.xlsx).",
    ),
    "wrong encoding": (
        "Navn;E-mail\nSøren;s@x.dk\n".encode() + b"\x81\x8d",
        "The file could not be read as text in any encoding Samråd knows. Save it in Excel as "
        "“CSV UTF-8” and upload it again.",
    ),
    "garbled letters": (
        csv_bytes([SOREN]).decode("windows-1252").encode(),
        "The Danish letters in the file are garbled (for example “Ã¸” instead of “ø”): it was "
        "saved with the wrong encoding somewhere on the way. Save it in Excel as “CSV UTF-8” "
        "and upload it again.",
    ),
    "only a heading": (csv_bytes([]), "The file has a heading row but no people below it."),
    "blank lines": (b"\r\n\r\n;;;\r\n", "The file is empty."),
}


@pytest.mark.parametrize("data,msgid", BAD_INPUT.values(), ids=BAD_INPUT.keys())
def test_bad_files_get_a_clear_message(staff_client, data, msgid):
    response = upload(staff_client, data)
    assert response.status_code == 200
    assert danish(msgid) in response.content.decode()
    assert 'data-testid="file-error"' in response.content.decode()
    assert SESSION_KEY not in staff_client.session
    assert Person.objects.count() == 0


def test_missing_columns_are_named_in_danish(staff_client):
    response = upload(staff_client, csv_bytes([["Anne", "a@x.dk"]], header=["Navn", "E-mail"]))
    page = response.content.decode()
    with translation.override("da"):
        columns = "Kommune, Parti, Titel"
    assert escape(columns) in page
    assert SESSION_KEY not in staff_client.session


def test_empty_upload(staff_client):
    response = upload(staff_client, b"")
    assert response.status_code == 200
    assert danish("The submitted file is empty.") in response.content.decode()


@override_settings(PEOPLE_IMPORT_MAX_BYTES=100)
def test_oversized_upload(staff_client):
    response = upload(staff_client, csv_bytes([SOREN, KAREN]))
    assert response.status_code == 200
    with translation.override("da"):
        from django.template.defaultfilters import filesizeformat

        limit = filesizeformat(100)
    assert (
        danish("The file is larger than %(limit)s. Split it into smaller files.", limit=limit)
        in response.content.decode()
    )
    assert SESSION_KEY not in staff_client.session


# --- One person ---------------------------------------------------------------------


def person_post(**overrides):
    data = {
        "name": "Mette Prøvesen",
        "email": "Mette@Aarhus.dk",
        "municipality": Municipality.objects.get(code=751).pk,
        "region": "",
        "party": "Venstre",
        "title": "viceborgmester",
        "phone": "12345678",
        "roles": [RoleKind.COUNCIL_MEMBER],
    }
    data.update(overrides)
    return data


def test_add_a_person(staff_client):
    response = staff_client.post(reverse("directory:person_create"), person_post())
    assert response.status_code == 302
    person = Person.objects.get()
    assert (person.email, person.title, person.municipality.code) == (
        "mette@aarhus.dk",
        "viceborgmester",
        751,
    )
    assert list(person.roles.values_list("kind", flat=True)) == [RoleKind.COUNCIL_MEMBER]


def test_add_a_person_with_an_email_already_used(staff_client):
    PersonFactory(email="mette@aarhus.dk", name="Mette Først")
    response = staff_client.post(reverse("directory:person_create"), person_post())
    assert response.status_code == 200
    assert (
        danish(
            "The email address %(email)s is already used by %(name)s.",
            email="mette@aarhus.dk",
            name="Mette Først",
        )
        in response.content.decode()
    )
    assert Person.objects.get().name == "Mette Først"


def test_a_council_member_needs_a_municipality(staff_client):
    response = staff_client.post(reverse("directory:person_create"), person_post(municipality=""))
    assert response.status_code == 200
    assert Person.objects.count() == 0
    assert (
        danish(
            "%(email)s: a council member or municipal contact needs a municipality.",
            email="mette@aarhus.dk",
        )
        in response.content.decode()
    )


def test_edit_a_person_changes_fields_and_exactly_the_roles(staff_client):
    region = Region.objects.get(code=1082)
    person = person_upsert(
        email="mette@aarhus.dk",
        name="Mette",
        roles=[RoleKind.COUNCIL_MEMBER, RoleKind.BOARD_MEMBER],
        municipality=Municipality.objects.get(code=751),
    )
    url = reverse("directory:person_edit", args=[person.pk])
    page = staff_client.get(url).content.decode()
    assert 'value="mette@aarhus.dk"' in page
    assert re.search(r'value="board_member"[^>]*checked', page)
    response = staff_client.post(
        url,
        person_post(
            email="mette.p@aarhus.dk",
            region=region.pk,
            roles=[RoleKind.COUNCIL_MEMBER, RoleKind.KKR_SECRETARY],
        ),
    )
    assert response.status_code == 302
    person.refresh_from_db()
    assert (person.email, person.name, person.region) == (
        "mette.p@aarhus.dk",
        "Mette Prøvesen",
        region,
    )
    assert set(person.roles.values_list("kind", flat=True)) == {
        RoleKind.COUNCIL_MEMBER,
        RoleKind.KKR_SECRETARY,
    }


def test_edit_to_another_persons_email_is_refused(staff_client):
    PersonFactory(email="taken@aarhus.dk", name="Taken")
    person = PersonFactory(email="mette@aarhus.dk")
    response = staff_client.post(
        reverse("directory:person_edit", args=[person.pk]), person_post(email="TAKEN@aarhus.dk")
    )
    assert response.status_code == 200
    person.refresh_from_db()
    assert person.email == "mette@aarhus.dk"


def test_edit_an_unknown_person(staff_client):
    assert staff_client.get(reverse("directory:person_edit", args=[999999])).status_code == 404


# --- The list -----------------------------------------------------------------------


@pytest.fixture
def people(db):
    aarhus = Municipality.objects.get(code=751)
    copenhagen = Municipality.objects.get(code=101)
    person_upsert(
        email="anne@aarhus.dk", name="Anne Aarhus", roles=["council_member"], municipality=aarhus
    )
    person_upsert(
        email="bo@kk.dk", name="Bo København", roles=["council_member"], municipality=copenhagen
    )
    person_upsert(
        email="kkr@midt.dk", name="Kis Sekretær", roles=["kkr_secretary"], region=aarhus.region
    )


def names(response) -> list[str]:
    return re.findall(r'<th scope="row"><a href="[^"]+">([^<]+)</a>', response.content.decode())


def test_list_search_and_filters(staff_client, people):
    url = reverse("directory:people_list")
    assert names(staff_client.get(url)) == ["Anne Aarhus", "Bo København", "Kis Sekretær"]
    assert names(staff_client.get(url, {"q": "ANNE"})) == ["Anne Aarhus"]
    assert names(staff_client.get(url, {"q": "kk.dk"})) == ["Bo København"]
    assert names(
        staff_client.get(url, {"municipality": Municipality.objects.get(code=101).pk})
    ) == ["Bo København"]
    midt = Region.objects.get(code=1082)
    assert names(staff_client.get(url, {"region": midt.pk})) == ["Anne Aarhus", "Kis Sekretær"]
    # An invalid filter is left out, not an error page.
    assert staff_client.get(url, {"region": "x"}).status_code == 200


def test_list_is_paginated_and_keeps_the_filter(staff_client, db):
    aarhus = Municipality.objects.get(code=751)
    for n in range(55):
        PersonFactory(name=f"Aarhus {n:02d}", email=f"a{n}@aarhus.dk", municipality=aarhus)
    url = reverse("directory:people_list")
    page = staff_client.get(url, {"municipality": aarhus.pk}).content.decode()
    assert f"?municipality={aarhus.pk}&amp;page=2" in page
    second = staff_client.get(url, {"municipality": aarhus.pk, "page": 2})
    assert len(names(second)) == 5


def test_list_query_count_does_not_grow_with_people(staff_client, db):
    aarhus = Municipality.objects.get(code=751)

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert staff_client.get(reverse("directory:people_list")).status_code == 200
        return len(ctx)

    person_upsert(email="one@x.dk", name="One", roles=["council_member"], municipality=aarhus)
    few = count()
    for n in range(40):
        person_upsert(
            email=f"p{n}@x.dk",
            name=f"P {n}",
            roles=["council_member", "board_member"],
            municipality=aarhus,
        )
    assert count() == few
