"""The closed vocabularies of records and schemes (names, not figures).

The position of a name in its tuple is the integer code the kernels see.
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files

import pyarrow.csv as pacsv

#: ``motor_type``: low-voltage asynchronous, high-voltage asynchronous, rare-earth PM synchronous.
MOTOR_TYPES: tuple[str, ...] = ("lv_async", "hv_async", "pm_sync")
#: ``kind``: a new motor or a remanufactured one.
KINDS: tuple[str, ...] = ("new", "reman")
#: Who receives a component's money.
PAYEES: tuple[str, ...] = ("manufacturer", "remanufacturer", "recycler", "user")
#: Which budget pays a component.
BUDGETS: tuple[str, ...] = ("central", "local")
#: How sure a figure is: stated by its source, reported second hand, or our inference.
STATUSES: tuple[str, ...] = ("official", "reported", "inferred")
#: GB 18613 grades (1 is best); 0 in kernels means "not given".
GRADES: tuple[int, ...] = (1, 2, 3)


@cache
def regions() -> tuple[str, ...]:
    """ISO 3166-2 codes of mainland China's provincial divisions (``motorsub/data/regions.csv``)."""
    path = files("motorsub") / "data" / "regions.csv"
    with path.open("rb") as f:
        table = pacsv.read_csv(f)
    return tuple(table.column("code").to_pylist())
