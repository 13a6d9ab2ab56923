"""The reference data that ships with Samråd, and the directory's models."""

import datetime

import pytest

from samraad.directory.models import Municipality, Person, Region
from samraad.directory.reference import danish_slug, load_reference_data


@pytest.mark.parametrize(
    ("code", "region_name"),
    [
        (400, "Region Hovedstaden"),  # Bornholm
        (615, "Region Midtjylland"),  # Horsens
        (773, "Region Nordjylland"),  # Morsø
        (787, "Region Nordjylland"),  # Thisted
        *[(code, "Region Sjælland") for code in (253, 259, 265, 269)],
    ],
)
def test_municipality_is_in_its_region_not_the_one_its_code_suggests(db, code, region_name):
    assert Municipality.objects.get(code=code).region.name == region_name


def test_halsnaes_260_between_the_sjaelland_codes_is_in_hovedstaden(db):
    # The region is data, not a code range: 253, 259, 265 and 269 are in Sjælland, 260 is not.
    assert Municipality.objects.get(code=260).region.name == "Region Hovedstaden"


def test_official_code_is_zero_padded_to_four_digits(db):
    assert Municipality.objects.get(name="København").official_code == "0101"
    assert Municipality.objects.get(code=400).official_code == "0400"
    assert Municipality.objects.get(code=851).official_code == "0851"


def test_every_municipality_has_a_unique_danish_slug(db):
    slugs = list(Municipality.objects.values_list("slug", flat=True))
    assert len(set(slugs)) == 98
    assert Municipality.objects.get(name="København").slug == "koebenhavn"
    assert all(slug.isascii() for slug in slugs)


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("Høje-Taastrup", "hoeje-taastrup"),
        ("København", "koebenhavn"),
        ("Ærø", "aeroe"),
        ("Aabenraa", "aabenraa"),
        ("Lyngby-Taarbæk", "lyngby-taarbaek"),
        ("Brønderslev", "broenderslev"),
        ("Region Sjælland", "region-sjaelland"),
        ("Vallensbæk  Strand ", "vallensbaek-strand"),
    ],
)
def test_danish_slug_spells_danish_letters_as_domains_do(name, slug):
    assert danish_slug(name) == slug


@pytest.mark.parametrize(
    ("day", "count"),
    [
        (datetime.date(2025, 2, 7), 5),
        (datetime.date(2026, 12, 31), 5),
        (datetime.date(2027, 1, 1), 3),
        (datetime.date(2030, 6, 1), 3),
        (datetime.date(2006, 12, 31), 0),
    ],
)
def test_regions_valid_on_a_day(db, day, count):
    assert Region.objects.valid_on(day).count() == count


def test_hovedstaden_and_sjaelland_end_with_2026(db):
    before = set(
        Region.objects.valid_on(datetime.date(2026, 12, 31)).values_list("name", flat=True)
    )
    after = set(Region.objects.valid_on(datetime.date(2027, 1, 1)).values_list("name", flat=True))
    assert before - after == {"Region Hovedstaden", "Region Sjælland"}
    assert after < before


def test_reloading_the_reference_data_updates_in_place(db):
    Municipality.objects.filter(code=101).update(name="Kbh", slug="kbh")
    load_reference_data(Region, Municipality)
    assert Region.objects.count() == 5
    assert Municipality.objects.count() == 98
    copenhagen = Municipality.objects.get(code=101)
    assert (copenhagen.name, copenhagen.slug) == ("København", "koebenhavn")


def test_person_email_is_stored_lower_case(db):
    person = Person.objects.create(name="Anne Prøvesen", email="  Anne.Proevesen@Example.DK ")
    person.refresh_from_db()
    assert person.email == "anne.proevesen@example.dk"
