"""A progress bar on stderr for long runs (rows done, rows/s, time left).

Shown only when stderr is a terminal, the run lasts more than a second or so, and
``--quiet`` is not given; the bar itself is tqdm's.
"""

from __future__ import annotations

import sys
import time

DELAY_S = 1.0  # no bar for runs shorter than this


class Progress:
    """Context manager whose :meth:`update` takes (rows done, total rows or None)."""

    def __init__(self, enabled: bool = True, unit: str = "rows"):
        self.enabled = enabled and sys.stderr.isatty()
        self.unit = unit
        self._bar = None
        self._started = time.perf_counter()

    def __enter__(self) -> Progress:
        return self

    def update(self, done: int, total: int | None) -> None:
        if not self.enabled:
            return
        if self._bar is None:
            if time.perf_counter() - self._started < DELAY_S and (total is None or done >= total):
                return
            from tqdm import tqdm

            self._bar = tqdm(
                total=total,
                unit=self.unit,
                unit_scale=True,
                file=sys.stderr,
                dynamic_ncols=True,
                smoothing=0.1,
            )
        if total is not None and self._bar.total != total:
            self._bar.total = total
        self._bar.update(done - self._bar.n)

    def __exit__(self, *exc) -> None:
        if self._bar is not None:
            self._bar.close()
