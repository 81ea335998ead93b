"""The one text-table helper every renderer uses."""

from __future__ import annotations

from collections.abc import Collection, Sequence


def table(rows: Sequence[Sequence[str]], right: Collection[int] | bool = ()) -> list[str]:
    """Rows of cells as aligned text lines, columns two spaces apart, no trailing space.

    ``right`` gives the indices of right-aligned columns, or ``True`` for every column.
    """
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return [
        "  ".join(
            x.rjust(w) if right is True or (right is not False and i in right) else x.ljust(w)
            for i, (x, w) in enumerate(zip(r, widths))
        ).rstrip()
        for r in rows
    ]
