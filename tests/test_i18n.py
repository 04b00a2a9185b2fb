"""The Vietnamese catalogue is complete and compiled; English is available."""

import gettext
from pathlib import Path

import polib
import pytest
from django.utils import translation

from feedback.models import Status

LOCALE = Path(__file__).resolve().parents[1] / "locale"


def test_vietnamese_catalogue_is_complete():
    po = polib.pofile(str(LOCALE / "vi/LC_MESSAGES/django.po"))
    assert len(po) > 100
    assert po.untranslated_entries() == []
    assert po.fuzzy_entries() == []


def test_compiled_catalogue_matches_the_source():
    po = polib.pofile(str(LOCALE / "vi/LC_MESSAGES/django.po"))
    with (LOCALE / "vi/LC_MESSAGES/django.mo").open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    for entry in po.translated_entries():
        if entry.msgid_plural:
            assert (
                compiled.ngettext(entry.msgid, entry.msgid_plural, 1)
                == (entry.msgstr_plural[0])
            ), entry.msgid
        else:
            assert compiled.gettext(entry.msgid) == entry.msgstr, entry.msgid


@pytest.mark.parametrize(
    ("language", "label"), [("vi", "Đang giải quyết"), ("en", "Being resolved")]
)
def test_labels_follow_the_active_language(language, label):
    with translation.override(language):
        assert str(Status.ACCEPTED.label) == label
