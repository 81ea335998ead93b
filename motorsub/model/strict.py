"""What every strictly validated data file shares (schemes, savings profiles, plans).

One pydantic base with unknown keys forbidden, the status vocabulary of every sourced
figure, the dotted key of a validation error (``versions[1].rates[0].kw``) that messages
name, and what is wrong with it in the language spoken (:func:`problems`).
"""

from __future__ import annotations

from collections.abc import Iterable

from pydantic import BaseModel, ConfigDict

from motorsub import i18n, vocab

#: How sure a figure is (:data:`motorsub.vocab.STATUSES`).
Status = vocab.Status


class Strict(BaseModel):
    """Frozen, and an unknown key is an error rather than silently ignored."""

    model_config = ConfigDict(
        extra="forbid", frozen=True, arbitrary_types_allowed=True, populate_by_name=True
    )


def error_key(loc: Iterable[object]) -> str:
    """A pydantic error location as the key a person would look for in the file."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"


def problems(exc) -> list[tuple[str, str]]:
    """(key, what is wrong) of each error of a pydantic ``ValidationError``, as the file's
    messages name them: in English, pydantic's own words; in another language (the one
    :func:`motorsub.i18n.speaking` set), the error's kind worded from the catalogue. A
    check of motorsub's own (a ``ValueError`` of a validator) is worded when raised."""
    english = i18n.negotiate() == "en"
    return [
        (
            error_key(e["loc"]),
            e["msg"].removeprefix("Value error, ") if english else _problem(e),
        )
        for e in exc.errors()
    ]


def _problem(error: dict) -> str:
    """One pydantic error in the language spoken, by its type and context."""
    _ = i18n.translator()
    kind, ctx = error["type"], error.get("ctx") or {}
    if kind == "value_error":
        return str(ctx.get("error", error["msg"]))
    words = {
        "missing": _("required, but missing"),
        "extra_forbidden": _("not a key of this file (misspelt?)"),
        "string_type": _("must be text, in quotes"),
        "int_type": _("must be a whole number"),
        "int_parsing": _("must be a whole number"),
        "int_from_float": _("must be a whole number"),
        "float_type": _("must be a number"),
        "float_parsing": _("must be a number"),
        "finite_number": _("must be a finite number"),
        "bool_type": _("must be true or false"),
        "bool_parsing": _("must be true or false"),
        "date_type": _("must be a date, YYYY-MM-DD"),
        "date_parsing": _("must be a date, YYYY-MM-DD"),
        "date_from_datetime_parsing": _("must be a date, YYYY-MM-DD"),
        "list_type": _("must be a list, [...]"),
        "dict_type": _("must be a table"),
        "model_type": _("must be a table"),
        "model_attributes_type": _("must be a table"),
    }
    if kind in words:
        return words[kind]
    bounds = {
        "greater_than": (_("must be greater than {bound}"), "gt"),
        "greater_than_equal": (_("must be at least {bound}"), "ge"),
        "less_than": (_("must be less than {bound}"), "lt"),
        "less_than_equal": (_("must be at most {bound}"), "le"),
        "too_short": (_("must hold at least {bound} item(s)"), "min_length"),
        "too_long": (_("must hold at most {bound} item(s)"), "max_length"),
        "string_too_short": (_("must be at least {bound} character(s) long"), "min_length"),
        "string_too_long": (_("must be at most {bound} character(s) long"), "max_length"),
        "string_pattern_mismatch": (_("must match the pattern {bound}"), "pattern"),
        "literal_error": (_("must be one of {bound}"), "expected"),
        "enum": (_("must be one of {bound}"), "expected"),
    }
    if kind in bounds:
        text, name = bounds[kind]
        bound = str(ctx.get(name, "?"))
        if name == "expected":  # pydantic lists the choices as "'a', 'b' or 'c'"
            bound = bound.replace(" or ", ", ")
        return text.format(bound=bound)
    return _("invalid value ({detail})").format(detail=error["msg"])
