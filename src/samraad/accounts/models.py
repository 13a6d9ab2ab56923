"""Staff accounts. A login may belong to a person in the directory (a KKR secretary,
a presenter, a secretariat member); that person's roles decide what they see."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
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
