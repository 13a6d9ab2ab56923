from samraad.directory.models import Municipality, Region


def test_ninety_eight_municipalities_in_five_regions(db):
    counts = {r.name: r.municipalities.count() for r in Region.objects.all()}
    assert counts == {
        "Region Nordjylland": 11,
        "Region Midtjylland": 19,
        "Region Syddanmark": 22,
        "Region Hovedstaden": 29,
        "Region Sjælland": 17,
    }
    assert Municipality.objects.count() == 98
