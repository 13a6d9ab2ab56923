"""Staff pages for outgoing mail: the outbox at a glance, failures, history, templates."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from samraad.core.errors import ServiceError
from samraad.core.permissions import staff_required
from samraad.mail.forms import HistoryForm, MailTemplateForm
from samraad.mail.models import MailTemplate, OutboxMessage
from samraad.mail.selectors import (
    outbox_counts,
    outbox_failed,
    outbox_history,
    outbox_message_attachments,
)
from samraad.mail.services import (
    mail_queue_template,
    mail_template_check,
    mail_template_reset,
    mail_template_save,
    outbox_message_resend,
)
from samraad.mail.templating import LANGUAGES, mail_kind, mail_kinds, render_mail


@staff_required
def outbox(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "mail/outbox.html",
        {"counts": outbox_counts(), "failed": outbox_failed(), "history_form": HistoryForm()},
    )


@staff_required
def history(request: HttpRequest) -> HttpResponse:
    form = HistoryForm(request.GET or None)
    rows = outbox_history(email=form.cleaned_data["email"]) if form.is_valid() else []
    return render(request, "mail/history.html", {"form": form, "rows": rows})


@staff_required
def message_detail(request: HttpRequest, pk: int) -> HttpResponse:
    message = get_object_or_404(OutboxMessage, pk=pk)
    return render(
        request,
        "mail/message.html",
        {"message": message, "attachments": outbox_message_attachments(message)},
    )


@staff_required
@require_POST
def resend(request: HttpRequest, pk: int) -> HttpResponse:
    message = get_object_or_404(OutboxMessage, pk=pk)
    try:
        outbox_message_resend(message=message)
    except ServiceError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request, _("The mail to %(email)s is queued again.") % {"email": message.to_email}
        )
    return redirect("mail:message", pk=message.pk)


@staff_required
@require_POST
def send_test(request: HttpRequest) -> HttpResponse:
    if not request.user.email:
        messages.error(request, _("Your login has no email address to send the test mail to."))
        return redirect("mail:outbox")
    # One test mail per minute per person: the minute is part of the dedupe key.
    mail_queue_template(
        key="test",
        to_email=request.user.email,
        values={"name": request.user.get_full_name() or request.user.email},
        language=request.LANGUAGE_CODE,
        about=f"test:{request.user.pk}:{_minute()}",
    )
    messages.success(
        request,
        _("A test mail to %(email)s is queued; the worker sends it within seconds.")
        % {"email": request.user.email},
    )
    return redirect("mail:outbox")


def _minute() -> str:
    return timezone.now().strftime("%Y%m%d%H%M")


@staff_required
def templates(request: HttpRequest) -> HttpResponse:
    saved = set(MailTemplate.objects.values_list("key", "language"))
    rows = [
        {"kind": kind, "languages": [(lang, (kind.key, lang) in saved) for lang in LANGUAGES]}
        for kind in mail_kinds()
    ]
    return render(request, "mail/templates.html", {"rows": rows})


@staff_required
def template_edit(request: HttpRequest, key: str, language: str) -> HttpResponse:
    try:
        kind = mail_kind(key)
    except KeyError:
        raise Http404 from None
    if language not in LANGUAGES:
        raise Http404
    saved = MailTemplate.objects.filter(key=key, language=language).first()
    initial = {
        "subject": saved.subject if saved else kind.subject[language],
        "body": saved.body if saved else kind.body[language],
    }
    form = MailTemplateForm(request.POST or None, initial=initial)
    preview = None
    if request.method == "POST" and form.is_valid():
        subject, body = form.cleaned_data["subject"], form.cleaned_data["body"]
        if "reset" in request.POST:
            mail_template_reset(key=key, language=language)
            messages.success(request, _("The mail is back to its standard wording."))
            return redirect("mail:template_edit", key=key, language=language)
        try:
            if "save" in request.POST:
                mail_template_save(
                    key=key, language=language, subject=subject, body=body, user=request.user
                )
                messages.success(request, _("The mail template is saved."))
                return redirect("mail:template_edit", key=key, language=language)
            mail_template_check(key=key, subject=subject, body=body)
        except ServiceError as error:
            form.add_error(None, error.message)
        preview = render_mail(
            key=key,
            language=language,
            values=kind.example_values(),
            subject=subject,
            body=body,
        )
    elif request.method == "GET":
        preview = render_mail(key=key, language=language, values=kind.example_values())
    return render(
        request,
        "mail/template_edit.html",
        {
            "kind": kind,
            "language": language,
            "form": form,
            "preview": preview,
            "customised": saved is not None,
            "placeholders": sorted(
                [*kind.placeholders.items(), ("association", _("the association's name"))]
            ),
        },
    )
