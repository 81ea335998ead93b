"""The words shown to people, in Simplified Chinese or English, from gettext catalogues.

One catalogue serves the command line, the reports and the web page: the English text is
the message id, ``motorsub/data/locale/zh/LC_MESSAGES/motorsub.po`` holds the Chinese, and its
compiled ``.mo`` beside it is what is read (``tests/test_i18n.py`` checks that the ``.mo``
is the ``.po`` compiled by Babel, and that every message in the code is in the catalogue).
Codes (reason codes, statuses, column ids) keep their stable English ids in data files
and JSON; only the words change.

To add or change a message: wrap it as ``_ = translator(lang)`` then ``_("English text")``
(or :func:`pgettext` where one English word needs two Chinese ones), extract with
``pybabel extract -F motorsub/data/locale/babel.cfg -o /tmp/motorsub.pot .``, add the new
entries with their Chinese to the ``.po`` file (``pybabel update -i /tmp/motorsub.pot -d
motorsub/data/locale -D motorsub`` does it for every message at once), and compile with
``pybabel compile -d motorsub/data/locale -D motorsub``.
"""

from __future__ import annotations

import contextlib
import functools
import gettext as _gettext
import os

from motorsub import data

#: The languages motorsub speaks; the first is the default where nothing else says.
LANGS: tuple[str, ...] = ("en", "zh")
DOMAIN = "motorsub"
_speaking: list[str] = []  # languages set by :func:`speaking`, innermost last


def negotiate(lang: str | None = None) -> str:
    """The language to speak: ``lang`` if given, else the one a command set with
    :func:`speaking`, else the locale's (``LANGUAGE``, ``LC_ALL``, ``LC_MESSAGES``,
    ``LANG``: Chinese when it starts with ``zh``), else English.

    Raises
    ------
    ValueError
        ``lang`` is not one of :data:`LANGS`.
    """
    if lang is not None:
        code = lang.strip().lower().replace("_", "-").split("-")[0]
        if code not in LANGS:
            raise ValueError(f"unknown language {lang!r}; known: {', '.join(LANGS)}")
        return code
    if _speaking:
        return _speaking[-1]
    for var in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(var, "")
        if value:
            return "zh" if value.lower().startswith("zh") else "en"
    return LANGS[0]


@functools.cache
def translations(lang: str) -> _gettext.NullTranslations:
    """The catalogue of ``lang`` (English: the message ids themselves)."""
    if lang == "en":
        return _gettext.NullTranslations()
    path = data.locale_dir()
    return _gettext.translation(DOMAIN, localedir=str(path), languages=[lang], fallback=False)


@contextlib.contextmanager
def speaking(lang: str | None):
    """Within the block, messages that name no language (``translator()``: errors raised
    deep in the library) are in ``lang``."""
    _speaking.append(negotiate(lang))
    try:
        yield
    finally:
        _speaking.pop()


def translator(lang: str | None = None):
    """``gettext`` of the negotiated language: a function from English text to shown text."""
    return translations(negotiate(lang)).gettext


def pgettext(lang: str | None, context: str, message: str) -> str:
    """``message`` in ``lang`` where one English word needs two translations (the
    ``context`` tells them apart, e.g. "quote table" for a rate's status)."""
    return translations(negotiate(lang)).pgettext(context, message)


def ngettext(lang: str | None, singular: str, plural: str, n: int) -> str:
    """The singular or plural form of a message in ``lang``."""
    return translations(negotiate(lang)).ngettext(singular, plural, n)
