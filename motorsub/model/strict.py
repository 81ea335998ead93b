"""What every strictly validated data file shares (schemes, savings profiles, plans).

One pydantic base with unknown keys forbidden, the status vocabulary of every sourced
figure, and the dotted key of a validation error (``versions[1].rates[0].kw``) that
messages name.
"""

from __future__ import annotations

from collections.abc import Iterable

from pydantic import BaseModel, ConfigDict

from motorsub import vocab

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
    messages name them."""
    return [(error_key(e["loc"]), e["msg"].removeprefix("Value error, ")) for e in exc.errors()]
