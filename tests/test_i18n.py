"""The message catalogue: the compiled .mo is the .po, every message the code shows is
translated, and the language is negotiated as documented."""

from __future__ import annotations

import gettext
import io
from pathlib import Path

import pytest

from motorsub import i18n

ROOT = Path(__file__).resolve().parents[1]
PO = ROOT / "motorsub" / "data" / "locale" / "zh" / "LC_MESSAGES" / "motorsub.po"


def _catalog():
    from babel.messages.pofile import read_po

    with PO.open("rb") as f:
        return read_po(f)


def test_the_compiled_catalogue_is_the_po_file():
    from babel.messages.mofile import write_mo

    buf = io.BytesIO()
    write_mo(buf, _catalog())
    buf.seek(0)
    fresh = gettext.GNUTranslations(buf)
    shipped = i18n.translations("zh")
    ids = [m.id for m in _catalog() if m.id]
    assert ids, "the catalogue is empty"
    for msgid in ids:
        key = msgid if isinstance(msgid, str) else msgid[0]
        assert shipped.gettext(key) == fresh.gettext(key), (
            f"{key!r}: motorsub.mo is older than motorsub.po; run pybabel compile"
        )


def test_every_message_in_the_code_is_translated():
    from babel.messages.extract import extract_from_dir

    method_map = [("**.py", "python"), ("**/templates/**.html", "jinja2")]
    keywords = {"_": None, "gettext": None, "ngettext": (1, 2), "pgettext": ((2, "c"), 3)}
    found = {
        (m[2] if isinstance(m[2], str) else m[2][0], m[4])
        for m in extract_from_dir(str(ROOT / "motorsub"), method_map=method_map, keywords=keywords)
    }
    catalog = _catalog()

    def translated(msgid, context):
        entry = catalog.get(msgid, context=context)
        return entry is not None and entry.string

    missing = sorted(m for m, c in found if not translated(m, c))
    assert not missing, f"messages without a Chinese translation in {PO.name}: {missing[:10]}"


@pytest.mark.parametrize(
    ("given", "env", "expected"),
    [
        ("zh", {}, "zh"),
        ("en", {"LANG": "zh_CN.UTF-8"}, "en"),
        ("zh-CN", {}, "zh"),
        (None, {"LANG": "zh_CN.UTF-8"}, "zh"),
        (None, {"LC_ALL": "en_US.UTF-8", "LANG": "zh_CN.UTF-8"}, "en"),
        (None, {}, "en"),
    ],
)
def test_language_from_the_option_else_the_locale_else_english(monkeypatch, given, env, expected):
    for var in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(var, raising=False)
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    assert i18n.negotiate(given) == expected


def test_an_unknown_language_is_refused():
    with pytest.raises(ValueError, match="unknown language 'fr'"):
        i18n.negotiate("fr")


def test_chinese_words_come_from_the_catalogue():
    assert i18n.translator("zh")("language") == "语言"
    assert i18n.translator("en")("language") == "language"
