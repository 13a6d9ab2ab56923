"""factory_boy factories for the test suites (not used by the product itself)."""

from __future__ import annotations

import datetime

import factory

from samraad.accounts.models import User
from samraad.core.timeutils import local_datetime
from samraad.directory.models import Municipality, Person, Region
from samraad.meetings.models import Meeting, Session
from samraad.regional.models import KkrMeeting
from samraad.rounds.models import Round


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ["username"]

    username = factory.Sequence(lambda n: f"user{n}@example.dk")
    email = factory.SelfAttribute("username")
    password = factory.django.Password("correct horse battery staple")


class StaffUserFactory(UserFactory):
    is_staff = True


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    name = factory.Sequence(lambda n: f"Person Prøvesen {n}")
    email = factory.Sequence(lambda n: f"person{n}@example.dk")
    municipality = factory.LazyFunction(lambda: Municipality.objects.get(code=101))


class RoundFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Round

    code = factory.Sequence(lambda n: f"ØA{30 + n}")
    slug = factory.Sequence(lambda n: f"oa{30 + n}")
    year = factory.Sequence(lambda n: 2030 + n)
    title = factory.LazyAttribute(lambda r: f"Dialog om forberedelsen af {r.code}")
    title_en = factory.LazyAttribute(lambda r: f"Dialogue on the preparation of {r.code}")
    starts_on = datetime.date(2025, 2, 7)
    ends_on = datetime.date(2025, 6, 30)
    input_address = "input@kl.example"
    is_published = True


class MeetingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Meeting

    round = factory.SubFactory(RoundFactory)
    title = "Virtuelt stormøde"
    registration_opens_at = factory.LazyFunction(lambda: local_datetime(2025, 2, 7, 9))
    registration_deadline = factory.LazyFunction(lambda: local_datetime(2025, 3, 26, 23, 59, 59))


class SessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Session

    meeting = factory.SubFactory(MeetingFactory)
    starts_at = factory.LazyFunction(lambda: local_datetime(2025, 3, 31, 19))
    ends_at = factory.LazyFunction(lambda: local_datetime(2025, 3, 31, 20, 30))
    capacity = 1000


class KkrMeetingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = KkrMeeting

    round = factory.SubFactory(RoundFactory)
    region = factory.LazyFunction(lambda: Region.objects.get(code=1081))
    starts_at = factory.LazyFunction(lambda: local_datetime(2025, 4, 4, 10))
    place = "Aalborg"
    agenda_item = "ØA26: regional drøftelse"
