"""Regions (with their KKR), municipalities and people.

Municipalities and regions ship with the product (data/*.csv, loaded by a data
migration) and are keyed on their official codes, never on names, which
circulate in variants. Regions carry validity dates: Hovedstaden and Sjælland
merge on 1 January 2027, and a round uses the regions valid on its own dates.
"""

from __future__ import annotations

import datetime

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class RegionQuerySet(models.QuerySet["Region"]):
    def valid_on(self, day: datetime.date) -> RegionQuerySet:
        """Regions (and so KKRs) in force on `day`."""
        return self.filter(Q(valid_from__lte=day), Q(valid_to__isnull=True) | Q(valid_to__gte=day))


class Region(models.Model):
    code = models.PositiveIntegerField(_("DAGI region code"), unique=True)
    name = models.CharField(_("name"), max_length=100)
    kkr_name = models.CharField(_("KKR"), max_length=100)
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)

    objects = RegionQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="region_valid_to_after_valid_from",
            )
        ]

    def __str__(self) -> str:
        return self.name


class Municipality(models.Model):
    code = models.PositiveSmallIntegerField(_("municipality code"), unique=True)
    name = models.CharField(_("name"), max_length=100)
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="municipalities", verbose_name=_("region")
    )
    latitude = models.DecimalField(_("latitude"), max_digits=8, decimal_places=5)
    longitude = models.DecimalField(_("longitude"), max_digits=8, decimal_places=5)
    council_size = models.PositiveSmallIntegerField(
        _("council size"), null=True, blank=True, help_text=_("Seats on the municipal council.")
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("municipality")
        verbose_name_plural = _("municipalities")

    def __str__(self) -> str:
        return self.name

    @property
    def official_code(self) -> str:
        """The code zero-padded to four digits, as official registers write it (0101)."""
        return f"{self.code:04d}"


class EmailDomain(models.Model):
    """A mail domain of a municipality: inbound mail from it is matched to the municipality."""

    municipality = models.ForeignKey(
        Municipality, on_delete=models.CASCADE, related_name="email_domains"
    )
    domain = models.CharField(_("domain"), max_length=253, unique=True)

    class Meta:
        ordering = ["domain"]
        verbose_name = _("email domain")
        verbose_name_plural = _("email domains")

    def __str__(self) -> str:
        return self.domain

    def save(self, *args, **kwargs) -> None:
        self.domain = self.domain.strip().lower()
        super().save(*args, **kwargs)


class RoleKind(models.TextChoices):
    COUNCIL_MEMBER = "council_member", _("council member")
    MUNICIPAL_CONTACT = "municipal_contact", _("municipal contact")
    KKR_SECRETARY = "kkr_secretary", _("KKR secretary")
    BOARD_MEMBER = "board_member", _("KL board member")
    SECRETARIAT = "secretariat", _("KL secretariat staff")


# Roles that belong to a municipality, and the one that belongs to a region.
MUNICIPAL_ROLES = frozenset({RoleKind.COUNCIL_MEMBER, RoleKind.MUNICIPAL_CONTACT})
REGIONAL_ROLES = frozenset({RoleKind.KKR_SECRETARY})


class PersonQuerySet(models.QuerySet["Person"]):
    def with_role(self, kind: str) -> PersonQuerySet:
        return self.filter(roles__kind=kind)


class Person(models.Model):
    """Someone Samråd writes to: a council member, a contact, a KKR secretary or KL's own people.

    One person can hold several roles (a mayor on KL's board is also a council
    member). The municipality scopes the municipal roles, the region the KKR
    secretary's.
    """

    name = models.CharField(_("name"), max_length=200)
    email = models.EmailField(_("email"), unique=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="people",
        verbose_name=_("municipality"),
    )
    region = models.ForeignKey(
        Region,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="people",
        verbose_name=_("region"),
    )
    party = models.CharField(_("party"), max_length=100, blank=True)
    title = models.CharField(
        _("title"), max_length=100, blank=True, help_text=_("For example borgmester.")
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PersonQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("person")
        verbose_name_plural = _("people")

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        self.email = self.email.strip().lower()
        super().save(*args, **kwargs)


class Role(models.Model):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="roles")
    kind = models.CharField(_("role"), max_length=32, choices=RoleKind.choices)

    class Meta:
        ordering = ["kind"]
        verbose_name = _("role")
        verbose_name_plural = _("roles")
        constraints = [
            models.UniqueConstraint(fields=["person", "kind"], name="role_once_per_person"),
        ]

    def __str__(self) -> str:
        return f"{self.person}: {self.get_kind_display()}"
