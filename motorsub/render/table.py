"""The one text-table helper every renderer uses."""

from __future__ import annotations

import unicodedata
from collections.abc import Collection, Sequence


def width(text: str) -> int:
    """Columns ``text`` takes in a terminal: a Chinese character takes two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _pad(text: str, w: int, right: bool) -> str:
    fill = " " * (w - width(text))
    return fill + text if right else text + fill


def table(rows: Sequence[Sequence[str]], right: Collection[int] | bool = ()) -> list[str]:
    """Rows of cells as aligned text lines, columns two spaces apart, no trailing space.

    ``right`` gives the indices of right-aligned columns, or ``True`` for every column.
    Chinese characters count as two columns.
    """
    widths = [max(width(r[i]) for r in rows) for i in range(len(rows[0]))]
    return [
        "  ".join(
            _pad(x, w, right is True or (right is not False and i in right))
            for i, (x, w) in enumerate(zip(r, widths))
        ).rstrip()
        for r in rows
    ]
