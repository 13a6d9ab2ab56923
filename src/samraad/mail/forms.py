from django import forms
from django.utils.translation import gettext_lazy as _


class MailTemplateForm(forms.Form):
    subject = forms.CharField(label=_("Subject"), max_length=998)
    body = forms.CharField(label=_("Text"), widget=forms.Textarea(attrs={"rows": 16}))


class HistoryForm(forms.Form):
    email = forms.EmailField(label=_("Email address"))
