"""The Danish catalogue is complete: every user-facing string in the source is translated."""

import shutil
from pathlib import Path

import polib
import pytest
from django.core.management import call_command
from django.test import override_settings
from django.utils import translation

import samraad

PACKAGE = Path(samraad.__file__).resolve().parent
PO = PACKAGE / "locale" / "da" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")


def _untranslated(catalogue: polib.POFile) -> list[str]:
    return [
        entry.msgid
        for entry in catalogue
        if not entry.obsolete and (not entry.translated() or "fuzzy" in entry.flags)
    ]


def test_committed_catalogue_has_no_untranslated_or_fuzzy_entry():
    assert _untranslated(polib.pofile(str(PO))) == []


def test_compiled_catalogue_matches_the_source_catalogue():
    po = {(e.msgctxt, e.msgid): e.msgstr for e in polib.pofile(str(PO)) if e.translated()}
    mo = {(e.msgctxt, e.msgid): e.msgstr for e in polib.mofile(str(MO)) if e.msgid}
    assert mo == po, "django.mo is stale: run `make messages`"


def test_every_string_in_the_source_is_in_the_danish_catalogue(tmp_path, monkeypatch):
    if shutil.which("xgettext") is None:
        pytest.fail(
            "GNU gettext (xgettext) is needed to check the catalogue: apt-get install gettext"
        )
    copy = tmp_path / "samraad"
    shutil.copytree(
        PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__", "static", "data", "tests")
    )
    monkeypatch.chdir(copy)
    with override_settings(LOCALE_PATHS=[copy / "locale"]):
        call_command("makemessages", locale=["da"], verbosity=0, no_obsolete=True)
    missing = _untranslated(polib.pofile(str(copy / "locale" / "da" / "LC_MESSAGES" / "django.po")))
    assert missing == [], f"untranslated strings (run `make messages` and translate): {missing}"


def test_danish_is_used_at_runtime():
    with translation.override("da"):
        assert translation.gettext("Skip to content") == "Gå til sidens indhold"
