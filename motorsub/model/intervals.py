"""Power bands written as the notices write them: ``[0.55, 22]``, ``(22, 315]``, ``(0, inf)``."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from motorsub import i18n

_PATTERN = re.compile(r"^\s*([\[(])\s*([0-9.eE+-]+|inf)\s*,\s*([0-9.eE+-]+|inf)\s*([\])])\s*$")


@dataclass(frozen=True)
class Interval:
    """An interval of rated power [kW] with explicit ends."""

    lo: float
    hi: float
    lo_closed: bool
    hi_closed: bool

    @classmethod
    def parse(cls, text: str) -> Interval:
        """Parse ``[a, b]``, ``(a, b]``, ``[a, b)`` or ``(a, b)``; ``inf`` is allowed as ``b``.

        Raises
        ------
        ValueError
            With a message saying what is accepted.
        """
        _ = i18n.translator()
        m = _PATTERN.match(text)
        if not m:
            raise ValueError(
                _("{text!r} is not an interval; write it as the text does, e.g. "
                  "'[0.55, 22]' or '(22, 315]' (use 'inf' for no upper end)").format(text=text)
            )  # fmt: skip
        try:
            lo, hi = float(m.group(2)), float(m.group(3))
        except ValueError:
            raise ValueError(_("{text!r}: the ends must be numbers").format(text=text)) from None
        lo_closed, hi_closed = m.group(1) == "[", m.group(4) == "]"
        if math.isinf(lo) or lo < 0:
            raise ValueError(_("{text!r}: the lower end must be a number >= 0").format(text=text))
        if math.isinf(hi) and hi_closed:
            raise ValueError(
                _("{text!r}: an infinite upper end must be open, ')'").format(text=text)
            )
        if lo > hi or (lo == hi and not (lo_closed and hi_closed)):
            raise ValueError(
                _("{text!r} is empty: its lower end must lie below its upper end").format(text=text)
            )
        return cls(lo, hi, lo_closed, hi_closed)

    def __str__(self) -> str:
        hi = "inf" if math.isinf(self.hi) else f"{self.hi:g}"
        return f"{'[' if self.lo_closed else '('}{self.lo:g}, {hi}{']' if self.hi_closed else ')'}"

    def contains(self, x: float) -> bool:
        """Whether ``x`` lies in the interval."""
        above = x >= self.lo if self.lo_closed else x > self.lo
        below = x <= self.hi if self.hi_closed else x < self.hi
        return above and below

    def overlaps(self, other: Interval) -> bool:
        """Whether the two intervals share at least one point."""
        a, b = sorted((self, other), key=lambda i: (i.lo, not i.lo_closed))
        if b.lo < a.hi:
            return True
        return b.lo == a.hi and a.hi_closed and b.lo_closed

    def meets(self, following: Interval) -> bool:
        """Whether ``following`` starts exactly where this one ends, with no gap or overlap."""
        return self.hi == following.lo and self.hi_closed != following.lo_closed

    def covers(self, other: Interval) -> bool:
        """Whether every point of ``other`` lies in this interval."""
        lo_ok = self.lo < other.lo or (
            self.lo == other.lo and (self.lo_closed or not other.lo_closed)
        )
        hi_ok = self.hi > other.hi or (
            self.hi == other.hi and (self.hi_closed or not other.hi_closed)
        )
        return lo_ok and hi_ok


#: Every positive power: the band of a rate that does not depend on power.
ANY_POWER = Interval(0.0, math.inf, False, False)
