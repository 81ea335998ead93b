"""A progress bar on stderr for long runs (rows done, rows/s, time left): tqdm's own.

tqdm shows it only when stderr is a terminal (``disable=None``) and the run outlasts
:data:`DELAY_S` (``delay=``); ``--quiet`` turns it off. What is left here is the one thing
tqdm does not do: take the engine's progress calls, (rows done, total or estimate), which
give a running count and a total that a CSV's estimate refines batch by batch.
"""

from __future__ import annotations

import sys

DELAY_S = 1.0  # no bar for runs shorter than this [s]


class Progress:
    """Context manager whose :meth:`update` takes (rows done, total rows or None)."""

    def __init__(self, enabled: bool = True, unit: str = "rows"):
        from tqdm import tqdm

        self._bar = tqdm(
            total=None,
            unit=unit,
            unit_scale=True,
            file=sys.stderr,
            dynamic_ncols=True,
            smoothing=0.1,
            delay=DELAY_S,
            disable=None if enabled else True,
        )

    def __enter__(self) -> Progress:
        return self

    def update(self, done: int, total: int | None) -> None:
        if self._bar.disable:
            return
        if total is not None and self._bar.total != total:
            self._bar.total = total
        self._bar.update(done - self._bar.n)

    def __exit__(self, *exc) -> None:
        self._bar.close()
