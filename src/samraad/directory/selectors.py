"""Reads of the directory that pages share."""

from __future__ import annotations

from django.db.models import Q

from samraad.directory.models import Municipality, Person, PersonQuerySet, Region


def people_search(
    *,
    text: str = "",
    municipality: Municipality | None = None,
    region: Region | None = None,
) -> PersonQuerySet:
    """People whose name or email contains `text`, in `municipality` and/or `region`, by name.

    A person is in a region through their municipality, or directly for a KKR
    secretary. The rows come with municipality, region and roles loaded, so
    listing a page of them costs the same number of queries however many there are.
    """
    people = Person.objects.select_related("municipality__region", "region").prefetch_related(
        "roles"
    )
    for word in text.split():
        people = people.filter(Q(name__icontains=word) | Q(email__icontains=word))
    if municipality is not None:
        people = people.filter(municipality=municipality)
    if region is not None:
        people = people.filter(Q(municipality__region=region) | Q(region=region))
    return people.order_by("name", "pk")
