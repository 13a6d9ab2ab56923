"""A yearly round (ØA26, ØA27, …): its timeline, texts and contact.

The round's three tracks hang off it: the virtual large meetings
(`meetings.Meeting`), the KKR meetings (`regional.KkrMeeting`) and the council
input, whose settings (deadline, address) live on the round itself.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from samraad.directory.models import Person

# Texts kept in Danish and English; `Round.text(name)` picks the language.
TEXT_FIELDS = ("title", "intro", "meetings_text", "kkr_text", "input_text")


class RoundQuerySet(models.QuerySet["Round"]):
    def published(self) -> RoundQuerySet:
        return self.filter(is_published=True)


class Round(models.Model):
    code = models.CharField(_("code"), max_length=20, unique=True, help_text=_("For example ØA26."))
    slug = models.SlugField(_("slug"), max_length=40, unique=True)
    year = models.PositiveSmallIntegerField(
        _("agreement year"), help_text=_("The year the economic agreement covers.")
    )
    title = models.CharField(_("title (Danish)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    intro = models.TextField(_("introduction (Danish)"), blank=True)
    intro_en = models.TextField(_("introduction (English)"), blank=True)
    meetings_text = models.TextField(_("virtual large meetings (Danish)"), blank=True)
    meetings_text_en = models.TextField(_("virtual large meetings (English)"), blank=True)
    kkr_text = models.TextField(_("KKR meetings (Danish)"), blank=True)
    kkr_text_en = models.TextField(_("KKR meetings (English)"), blank=True)
    input_text = models.TextField(_("council input (Danish)"), blank=True)
    input_text_en = models.TextField(_("council input (English)"), blank=True)

    starts_on = models.DateField(
        _("starts on"),
        help_text=_("The date of the invitation. Regions and KKRs valid on this date take part."),
    )
    ends_on = models.DateField(
        _("ends on"), help_text=_("Personal links expire when the round ends.")
    )
    negotiations_start = models.DateField(_("negotiations start"), null=True, blank=True)
    input_deadline = models.DateTimeField(_("deadline for council input"), null=True, blank=True)
    input_address = models.EmailField(
        _("input address"), blank=True, help_text=_("Where councils may email their input.")
    )
    contact = models.ForeignKey(
        Person,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("contact person"),
    )
    is_published = models.BooleanField(_("published"), default=False)
    retention_date = models.DateField(
        _("retention date"),
        null=True,
        blank=True,
        help_text=_(
            "After this date the round's personal data (advance questions, attendance names, "
            "incoming and outgoing mail) is anonymised; counts are kept. Empty: kept."
        ),
    )
    copied_from = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = RoundQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_on"]
        verbose_name = _("round")
        verbose_name_plural = _("rounds")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="round_ends_after_start"
            )
        ]

    def __str__(self) -> str:
        return self.code

    def text(self, name: str) -> str:
        """The text `name` in the active language, falling back to Danish."""
        if name not in TEXT_FIELDS:
            raise ValueError(f"{name!r} is not a text of a round")
        if (get_language() or "da").startswith("en"):
            english = getattr(self, f"{name}_en")
            if english:
                return english
        return getattr(self, name)


# The service areas every round starts with (staff may rename, add or remove).
DEFAULT_THEMES = [
    ("elderly_care", "Ældreområdet", "Elderly care"),
    ("children_schools", "Børn og skoler", "Children and schools"),
    ("specialised_social", "Det specialiserede socialområde", "Specialised social services"),
    ("employment", "Beskæftigelse", "Employment"),
    ("health", "Sundhed", "Health"),
    ("construction", "Anlæg og investeringer", "Construction and investment"),
    ("climate", "Klima", "Climate"),
    ("digitalisation", "Digitalisering", "Digitalisation"),
    ("economic_framework", "Den økonomiske ramme", "The economic framework"),
    ("other", "Andet", "Other"),
]


class Theme(models.Model):
    """One of a round's themes (service areas): what council input rates and KKR records tag."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="themes")
    key = models.SlugField(_("key"), max_length=40)
    name = models.CharField(_("name (Danish)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["round", "position", "id"]
        verbose_name = _("theme")
        verbose_name_plural = _("themes")
        constraints = [models.UniqueConstraint(fields=["round", "key"], name="theme_once")]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        """The name in the active language, falling back to Danish."""
        if (get_language() or "da").startswith("en") and self.name_en:
            return self.name_en
        return self.name
