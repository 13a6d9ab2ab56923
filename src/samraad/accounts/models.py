"""Staff accounts. A login may belong to a person in the directory (a KKR secretary,
a presenter, a secretariat member); that person's roles decide what they see."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    person = models.OneToOneField(
        "directory.Person",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="user",
        verbose_name=_("person"),
    )

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"


class AccessPurpose(models.TextChoices):
    MEMBER = "member", _("Council member's registration")
    MUNICIPAL_CONTACT = "municipal_contact", _("Municipal contact's input")


class AccessLink(models.Model):
    """A personal link for someone without a login: one person, one round, one purpose.

    Only a hash of the token is stored; the token itself exists in the mail
    that carries it. A link stops working when it is revoked or the round's
    end date has passed. (django-sesame signs links for Django users; council
    members are people in the directory, not users, and staff need to see
    whether a link was used and to revoke one person's links, so the links
    are rows.)
    """

    round = models.ForeignKey("rounds.Round", on_delete=models.CASCADE, related_name="+")
    person = models.ForeignKey(
        "directory.Person", on_delete=models.CASCADE, related_name="access_links"
    )
    purpose = models.CharField(_("purpose"), max_length=32, choices=AccessPurpose.choices)
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"))
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    first_used_at = models.DateTimeField(_("first used"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("personal link")
        verbose_name_plural = _("personal links")
        indexes = [models.Index(fields=["round", "person", "purpose"], name="access_link_owner")]

    def __str__(self) -> str:
        return f"{self.person} ({self.get_purpose_display()})"


class LoginFailureScope(models.TextChoices):
    ACCOUNT = "account", _("account")
    CLIENT = "client", _("client address")


class LoginFailure(models.Model):
    """One failed login step (password or two-factor code), kept for the rate limit's window.

    `key` is a keyed hash of the account name or client address, so the table
    holds no usernames that someone mistyped. Rows live in the database (not a
    per-process cache) so that every web process counts the same failures.
    """

    scope = models.CharField(max_length=16, choices=LoginFailureScope.choices)
    key = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("failed login")
        verbose_name_plural = _("failed logins")
        indexes = [models.Index(fields=["scope", "key", "created_at"], name="login_failure_lookup")]

    def __str__(self) -> str:
        return f"{self.scope} {self.key[:8]}… {self.created_at:%Y-%m-%d %H:%M}"
