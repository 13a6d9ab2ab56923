"""The kinds of mail Samråd sends, their placeholders and their wording.

Each app registers the kinds of mail it sends (`register_mail_kind`, from its
`mails.py`, imported by `MailConfig.ready`) with the placeholders a text may
use and a default wording in Danish and English. Staff may override the
wording (`MailTemplate`); a text with a placeholder the kind does not know
cannot be saved. Placeholders are written `{name}`: a plain substitution,
never Python formatting, so a template cannot reach into objects.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.utils.functional import Promise
from django.utils.translation import override

from samraad.core.compiled import CompiledQuery

PLACEHOLDER = re.compile(r"\{(\w+)\}")
_URL = re.compile(r"https?://[^\s<>\"']+")

LANGUAGES = ("da", "en")


@dataclass(frozen=True)
class MailKind:
    key: str
    label: str | Promise
    placeholders: dict[str, str | Promise]
    subject: dict[str, str]
    body: dict[str, str]
    # Example values for the preview staff see while editing.
    examples: dict[str, str] = field(default_factory=dict)
    # Placeholders every kind has, filled by Samråd itself.
    common: tuple[str, ...] = field(default=("association",))

    @property
    def allowed(self) -> set[str]:
        return set(self.placeholders) | set(self.common)

    def example_values(self) -> dict[str, str]:
        return {name: self.examples.get(name, f"«{name}»") for name in self.placeholders}


_REGISTRY: dict[str, MailKind] = {}


def register_mail_kind(kind: MailKind) -> MailKind:
    """Make `kind` known. Its default wording must use only its own placeholders."""
    for language in LANGUAGES:
        for text in (kind.subject[language], kind.body[language]):
            if unknown := unknown_placeholders(text, kind.allowed):
                raise ValueError(f"{kind.key}: unknown placeholders {sorted(unknown)}")
    _REGISTRY[kind.key] = kind
    return kind


def mail_kinds() -> list[MailKind]:
    return sorted(_REGISTRY.values(), key=lambda kind: kind.key)


def mail_kind(key: str) -> MailKind:
    return _REGISTRY[key]


def unknown_placeholders(text: str, allowed: set[str]) -> set[str]:
    """The placeholders in `text` that are not in `allowed`."""
    return set(PLACEHOLDER.findall(text)) - allowed


def fill(text: str, values: dict[str, Any]) -> str:
    """`text` with each `{name}` replaced by its value (unknown names stay as written)."""
    return PLACEHOLDER.sub(lambda m: str(values.get(m.group(1), m.group(0))), text)


def text_to_html(text: str) -> str:
    """A plain text as HTML paragraphs, with its web addresses as links."""
    paragraphs = []
    for block in re.split(r"\n\s*\n", text.strip()):
        escaped = html.escape(block)
        linked = _URL.sub(lambda m: f'<a href="{m.group(0)}">{m.group(0)}</a>', escaped)
        paragraphs.append("<p>" + linked.replace("\n", "<br>\n") + "</p>")
    return "\n".join(paragraphs)


@dataclass(frozen=True)
class RenderedMail:
    subject: str
    text: str
    html: str


def _saved_wording(key: str, language: str) -> QuerySet:
    from samraad.mail.models import MailTemplate  # the models import this module

    return MailTemplate.objects.filter(key=key, language=language).order_by()[:1]


# Looked up for every mail queued (samraad.core.compiled says why it is compiled).
_SAVED_WORDING = CompiledQuery(_saved_wording, key=str, language=str)


def render_mail(
    *,
    key: str,
    language: str,
    values: dict[str, Any],
    subject: str | None = None,
    body: str | None = None,
) -> RenderedMail:
    """The mail `key` in `language` with `values` filled in, as text and as HTML.

    Staff's wording (MailTemplate) wins over the shipped default; `subject`
    and `body` override both (used by the preview of an unsaved edit).
    """
    kind = mail_kind(key)
    language = language if language in LANGUAGES else LANGUAGES[0]
    if subject is None or body is None:
        saved = _SAVED_WORDING.first(key=key, language=language)
        subject = (
            subject if subject is not None else (saved.subject if saved else kind.subject[language])
        )
        body = body if body is not None else (saved.body if saved else kind.body[language])
    values = {"association": settings.ASSOCIATION_NAME, **values}
    text = fill(body, values)
    with override(language):
        html_body = render_to_string(
            "mail/email.html",
            {"content": text_to_html(text), "association_name": settings.ASSOCIATION_NAME},
        )
    return RenderedMail(subject=" ".join(fill(subject, values).split()), text=text, html=html_body)
