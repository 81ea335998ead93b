"""``motorsub.compute``: a pandas, polars or Arrow table in, a table of the same kind out.

The table is computed :data:`SLICE_ROWS` rows at a time by the engine that computes files
(:func:`motorsub.engine.batch.compute_batch`), with kernel buffers reused from slice to
slice (:class:`motorsub.engine.batch.Scratch`); each slice's computed columns are copied
into full-length arrays (:class:`Gathered`). The summary is accumulated slice after slice in
the order of one pass, so it is the one a single pass gives, to the last bit; the output
and the rejects are too. Computing ten million rows in one piece spent about as long on
the page faults of its fresh temporaries as on the work.
"""

from __future__ import annotations

import contextlib
import ctypes
import dataclasses
import sys
import warnings
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pyarrow as pa

from motorsub import _jit
from motorsub.engine import columns, records
from motorsub.engine.batch import Scratch, as_schemes, compute_batch
from motorsub.errors import CompilingNotice
from motorsub.kernels.convert import first_codes
from motorsub.kernels.totals import Totals
from motorsub.model.profile import Settings, settings
from motorsub.model.schemes import SchemeSet

SOURCE = "DataFrame"  # the input's name in messages
#: Rows computed at a time: the kernels' buffers for one slice (~100 MB) are reused.
SLICE_ROWS = 1 << 20
#: An object column is converted through its distinct objects when it has at least this many
#: rows and at most one distinct object per :data:`FEW_OBJECTS` rows (see :func:`_objects`).
OBJECT_ROWS, FEW_OBJECTS = 1 << 16, 8


def compute(
    df,
    schemes: SchemeSet | str | Path | list | None = None,
    *,
    strict: bool = False,
    savings: Settings | None = None,
):
    """Subsidies and savings of every valid line of a DataFrame or an Arrow table.

    Parameters
    ----------
    df : pandas.DataFrame, polars.DataFrame or pyarrow.Table
        Records with the columns of docs/rules.md section 1, text or typed.
    schemes : SchemeSet, path or list of paths, optional
        Defaults to the shipped schemes.
    strict : bool
        Raise :class:`~motorsub.errors.RejectedRowsError` if any row is rejected.
    savings : Settings, optional
        Savings assumptions (:func:`motorsub.model.profile.settings`), e.g.
        ``settings(hours=4000, load=0.75, tariff=0.8)``.

    Returns
    -------
    pandas.DataFrame, polars.DataFrame or pyarrow.Table
        Of the type given: one row per valid input row, in input order (a pandas result is
        indexed like ``df``); amounts in [CNY]. The rejected rows (with their reasons) are in
        ``result.attrs["rejects"]`` (a list of dicts) and the summary in
        ``result.attrs["summary"]`` for pandas; a polars or Arrow result carries neither
        (:func:`motorsub.engine.batch.run` gives both for an Arrow table). The coded text
        columns (``version_<scheme>``, ``eta_new_source``, ``eta_old_source``, ``reasons``)
        are categorical in pandas and polars and dictionary-encoded in Arrow, as motorsub
        writes Parquet; no string is copied per row. Nor are the passed-through input
        columns when no row is rejected.

    Examples
    --------
    >>> import pandas as pd, motorsub
    >>> df = pd.DataFrame({"record_id": ["a"], "sale_date": ["2010-09-01"],
    ...     "region": ["CN-JS"], "motor_type": ["lv_async"], "kw": [15.0], "grade": [2]})
    >>> float(motorsub.compute(df)["subsidy_national"].iloc[0])
    525.0
    """
    kind = _frame_kind(df)
    with compiling_notice():
        return _compute(df, kind, schemes, strict, savings)


def compiling_notice():
    """A block within which a kernel that starts compiling raises a
    :class:`~motorsub.errors.CompilingNotice` warning, once: a first call after an install
    spends about 10 s compiling before it reads a line, and the caller should know why."""
    if _jit.python():
        return contextlib.nullcontext()

    def say() -> None:
        from motorsub import i18n

        _ = i18n.translator()
        warnings.warn(_jit.compiling_words(_), CompilingNotice, stacklevel=_caller_level())

    return _jit.when_compiling(say)


def _caller_level() -> int:
    """The ``stacklevel`` that names the line calling :func:`compute` (2 when the kernel
    compiles in a worker thread, whose stack does not reach it)."""
    level, frame = 1, sys._getframe(1)
    while frame is not None:
        if frame.f_code is compute.__code__:
            return level + 1
        level, frame = level + 1, frame.f_back
    return 2


def _compute(df, kind: str, schemes, strict: bool, savings):
    nan = frozenset()
    if kind == "pandas":
        table, nan = _pandas_table(df)
    elif kind == "polars":
        table = df.to_arrow()
    else:
        table = df if isinstance(df, pa.Table) else pa.Table.from_batches([df])
    schemes = as_schemes(schemes)
    st = savings if savings is not None else settings()
    table, done = _in_slices(table, schemes, st, strict, nan)
    if kind == "pandas":
        return _pandas_output(df, table, done)
    out = columns.assemble(table, done.rows, done.columns())
    if kind == "polars":
        import polars as pl  # only when given a polars frame

        return pl.from_arrow(out)
    return out


#: The savings kernel's figures that are output columns as they are
#: (:func:`columns.computed_columns`).
OWN_SAVINGS = ("eta_new", "eta_old", "kwh_per_year", "tce_per_year", "tco2_per_year")


class IntoOutput(Scratch):
    """Kernel buffers (:class:`Scratch`) whose savings figures that are output columns as
    they are (:data:`OWN_SAVINGS`) are the rows of the output's full-length arrays next in
    turn: the kernel writes them where the output keeps them, and they are not copied.
    Batches take them in input order, each as many rows as it computes."""

    def __init__(self, schemes: SchemeSet, done: Gathered):
        super().__init__(schemes)
        self.done, self.at = done, 0
        for name in OWN_SAVINGS:
            done.numbers(name)  # made here, before the gathering thread reads them

    def take(self, n: int):
        res, sav = super().take(n)
        a, b = self.at, self.at + n
        self.at = b
        return res, sav._replace(**{name: self.done.numbers(name)[a:b] for name in OWN_SAVINGS})


class Gathered:
    """The computed columns of consecutive slices of one table, in full-length arrays.

    Numbers are copied into arrays of the table's length (the first :attr:`m` entries are
    filled); coded text keeps one list of values, extended by the values a later slice
    meets first (a slice's reasons are worded per slice), so that the values are in the
    order of first occurrence, as one pass gives them.
    """

    def __init__(self, n: int, names: tuple[str, ...], nan=frozenset()):
        self.n, self.m, self.names, self.nan = n, 0, names, nan
        self._numbers: dict[str, np.ndarray] = {}
        self._coded: dict[str, tuple[list[str], dict[str, int], np.ndarray]] = {}
        self._rows: list[np.ndarray | range] = []
        self.rejects: list[dict] = []
        self.summary: dict = {}

    def add(self, batch, st: Settings, offset: int) -> None:
        """Copy one slice's computed columns and its rejects (its first row is the table's
        row ``offset``)."""
        a, b = self.m, self.m + len(batch.rows)

        def into(name: str) -> np.ndarray:
            return self.numbers(name)[a:b]

        for name, values in columns.computed_columns(batch, st, into).items():
            if isinstance(values, columns.Coded):
                self._add_coded(name, values, a, b)
        every = len(batch.rows) == batch.table.num_rows  # then no row numbers are made
        self._rows.append(range(offset, offset + b - a) if every else batch.rows + offset)
        self.m = b
        rejected = batch.rejected_rows
        if len(rejected):
            if self.nan:  # the rejected rows alone, their NaN numbers as null
                batch = dataclasses.replace(
                    batch,
                    table=_with_nulls(batch.table.take(pa.array(rejected)), self.nan),
                    reject=batch.reject[rejected],
                    row_numbers=batch.source_rows(rejected),
                )
            self.rejects += columns.rejects_table(batch).to_pylist()

    def numbers(self, name: str) -> np.ndarray:
        """The full-length array of a number column (made on first use)."""
        if name not in self._numbers:
            self._numbers[name] = np.empty(self.n)
        return self._numbers[name]

    def _add_coded(self, name: str, codes: columns.Coded, a: int, b: int) -> None:
        if name not in self._coded:
            first: dict[str, int] = {}
            for i, v in enumerate(codes.values):
                first.setdefault(v, i)
            index = np.empty(self.n, _index_type(len(codes.values)))
            self._coded[name] = (list(codes.values), first, index)
        values, first, index = self._coded[name]
        if codes.values == values:
            index[a:b] = codes.index
            return
        for v in codes.values:
            if v not in first:
                first[v] = len(values)
                values.append(v)
        if _index_type(len(values)) != index.dtype:  # more values than the type holds
            index = index.astype(_index_type(len(values)))
            self._coded[name] = (values, first, index)
        at = np.array([first[v] for v in codes.values] + [-1], dtype=index.dtype)
        np.take(at, codes.index, out=index[a:b])  # index -1 (missing) takes the last: -1

    @property
    def rows(self) -> np.ndarray | range:
        """The computed rows, as indices into the table, in input order: ``range(n)`` when
        every row was computed (ten million row numbers are 80 MB nobody reads)."""
        if all(isinstance(r, range) for r in self._rows):  # the slices follow each other
            return range(self.m)
        parts = [np.arange(r.start, r.stop) if isinstance(r, range) else r for r in self._rows]
        return np.concatenate(parts)

    def columns(self) -> dict[str, np.ndarray | columns.Coded]:
        """The computed columns of every slice, as :func:`columns.computed_columns` names them."""
        out: dict[str, np.ndarray | columns.Coded] = {}
        for name in self.names:
            if name in self._coded:
                values, _, index = self._coded[name]
                out[name] = columns.Coded(values, index[: self.m])
            else:
                out[name] = self._numbers[name][: self.m]
        return out


def _index_type(values: int) -> type:
    """The signed integer type of indices into ``values`` values (-1 = null) in which a
    pandas categorical of that many categories keeps its codes: they are not copied again."""
    return np.int8 if values < 127 else np.int16 if values < 32767 else np.int32


def _in_slices(
    table: pa.Table, schemes: SchemeSet, st: Settings, strict: bool, nan=frozenset()
) -> tuple[pa.Table, Gathered]:
    """``table`` with its columns named as the engine reads them, and every slice of it
    computed and gathered, with the rejects and the summary.

    While slice k + 1 is validated and computed, slice k is counted into the summary and
    copied into the full-length columns in a second thread (the kernels, pyarrow and
    numpy release the GIL); slices are counted one after the other in input order. The
    kernel buffers come in two sets used in turn (:class:`Scratch`), so slice k + 2 waits
    until slice k is gathered.

    Under ``strict``, a slice with a rejected row stops the run with the error a single
    pass over the whole table gives (it names the first rejected rows of the whole table
    and counts them all). ``nan``: the (read) names of the columns with NaN as a value
    (:func:`nan_columns`), shown as null where a rejected row's values are shown.
    """
    table = records.normalise_names(table, SOURCE)
    n = table.num_rows
    done = Gathered(n, columns.output_names(schemes, st)[1:], nan)
    totals, scratch = Totals(schemes), IntoOutput(schemes, done)

    def gather(batch, offset: int) -> None:
        totals.add(batch)
        done.add(batch, st, offset)

    with ThreadPoolExecutor(max_workers=1) as pool:
        pending = None
        try:
            for offset in range(0, max(n, 1), SLICE_ROWS):
                part = table.slice(offset, SLICE_ROWS)
                batch = compute_batch(part, schemes, st, source=SOURCE, offset=offset,
                                      scratch=scratch)  # fmt: skip
                if strict and len(batch.rejected_rows):
                    whole = _with_nulls(table, nan)
                    compute_batch(whole, schemes, st, source=SOURCE, strict=True)  # raises
                if pending is not None:
                    pending.result()
                pending = pool.submit(gather, batch, offset)
        finally:
            if pending is not None:
                pending.result()
    done.summary = totals.summary() | {"assumptions": st.describe()}
    return table, done


def _frame_kind(df) -> str:
    """``pandas``, ``polars`` or ``arrow``: the kind of table ``compute`` was given."""
    if isinstance(df, (pa.Table, pa.RecordBatch)):
        return "arrow"
    module = type(df).__module__.split(".")[0]
    if module in ("pandas", "polars") and type(df).__name__ == "DataFrame":
        return module
    raise TypeError(
        "motorsub.compute takes a pandas DataFrame, a polars DataFrame or a pyarrow Table, "
        f"not {type(df).__module__}.{type(df).__name__}"
        + (" (collect the LazyFrame first)" if type(df).__name__ == "LazyFrame" else "")
    )


def _pandas_table(df) -> tuple[pa.Table, frozenset[str]]:
    """The frame as an Arrow table, and the read names of its :func:`nan_columns`.

    Float columns are not copied: those the engine reads as numbers keep NaN as a value,
    the others have NaN as null. Object columns of few distinct objects are converted
    through those objects (:func:`_objects`), the rest as pyarrow converts them (pandas'
    own Arrow-backed text is not copied either); a long frame's columns in threads."""
    names = list(df.columns)
    if len(set(names)) != len(names) or not all(isinstance(n, str) for n in names):
        return pa.Table.from_pandas(df, preserve_index=False), frozenset()  # pyarrow says why
    numbers = nan_columns(df)

    def convert(name: str) -> pa.Array:
        series = df[name]
        if series.dtype == np.float64:
            values = np.ascontiguousarray(series.to_numpy())
            return pa.array(values) if name in numbers else columns.float_array(values)
        if series.dtype == object and len(series) >= OBJECT_ROWS:
            return _objects(series)
        return pa.Array.from_pandas(series)

    read = frozenset(records.read_name(name) for name in numbers)
    if len(df) < OBJECT_ROWS:
        return pa.table([convert(name) for name in names], names=names), read
    # numpy, pyarrow and the kernels release the GIL: the columns are converted on every
    # core (in order of the columns, the first error is the one a loop meets first)
    converted = list(records.column_threads().map(convert, names))
    return pa.table(converted, names=names), read


def nan_columns(df) -> set[str]:
    """The float columns of ``df`` that the engine reads as numbers (kW, grade, hours ...):
    they go to Arrow with NaN as a value, not as null, so no validity bitmap is made,
    unpacked and checked per slice. The engine reads a NaN number as missing, as it reads
    a null (docs/rules.md section 1); where a rejected row's value is shown (the rejects,
    the strict error) it is shown as a null is (:func:`_with_nulls`)."""
    return {
        name for name in df.columns
        if df[name].dtype == np.float64 and records.read_name(name) in records.NUMBER_COLUMNS
    }  # fmt: skip


def _with_nulls(table: pa.Table, names: frozenset[str]) -> pa.Table:
    """``table`` with NaN written as null in the columns ``names``, as a conversion of
    the frame without :func:`nan_columns` gives it."""
    for name in names:
        i = table.column_names.index(name)
        values = np.ascontiguousarray(table.column(i).to_numpy())
        table = table.set_column(i, name, columns.float_array(values))
    return table


def _objects(series) -> pa.Array:
    """An object column converted once per distinct object, then gathered per row.

    pandas reads a Parquet date column as Python ``date`` objects, one object per distinct
    date shared by every row of that date; converting ten million of them one by one took
    half a second. Rows are grouped by the identity of their object (its address, read
    from the array of references; identical objects are equal values; numbered by
    :func:`motorsub.kernels.convert.first_codes`), the distinct objects are converted as
    pyarrow converts the whole column, and taken per row. A column of mostly distinct
    objects, or one pyarrow cannot convert this way, is converted whole, so the result and
    any error are those of the plain conversion; so is every column when kernels run as
    plain Python.
    """
    import pandas as pd  # only when given a pandas frame

    if _jit.python():
        return pa.Array.from_pandas(series)

    held = np.ascontiguousarray(series.to_numpy(dtype=object))
    n = len(held)
    address = np.ctypeslib.as_array((ctypes.c_uint64 * n).from_address(held.ctypes.data))
    codes, first = np.empty(n, np.int32), np.empty(n // FEW_OBJECTS, np.int64)
    bits, distinct = 12, -2
    while distinct == -2:  # a table of slots twice as large as the distinct objects
        slots = np.full(1 << bits, -1, np.int64)
        with np.errstate(over="ignore"):  # the hash wraps around on purpose (plain Python)
            distinct = first_codes(address, slots, bits, codes, first)
        bits += 4
    if distinct < 0:
        return pa.Array.from_pandas(series)
    try:
        values = pa.Array.from_pandas(pd.Series(held[first[:distinct]], dtype=object))
    except (pa.ArrowException, TypeError, ValueError, OverflowError):
        return pa.Array.from_pandas(series)
    return values.take(pa.array(codes))


def _pandas_output(df, table: pa.Table, done: Gathered):
    """The output as a pandas frame built from the gathered arrays: numbers without a
    round trip through Arrow, codes as categoricals, passed-through columns taken from
    ``df``."""
    import pandas as pd  # only when given a pandas frame

    rows = done.rows
    every_row = len(rows) == len(df)
    data = {"record_id": columns.record_ids(table, rows, large=True).to_pandas().array}
    for name, values in done.columns().items():
        data[name] = _categories(values) if isinstance(values, columns.Coded) else values
    given = dict(zip(table.column_names, range(len(df.columns))))  # read name → position
    for name in columns.passthrough_names(table):
        values = df.iloc[:, given[name]].array
        data[name] = values if every_row else values.take(rows)
    out = pd.DataFrame(data, copy=False)
    out.index = df.index if every_row else df.index[rows]
    out.attrs["rejects"] = done.rejects
    out.attrs["summary"] = done.summary
    return out


def _categories(codes: columns.Coded):
    """A pandas categorical over the codes' indices (-1 = missing), as Arrow's dictionary
    columns become in pandas: no string is copied per row."""
    import pandas as pd

    names = list(dict.fromkeys(codes.values))
    index = codes.index
    if len(names) < len(codes.values):  # two scheme versions of the same id
        at = np.array([names.index(v) for v in codes.values])
        index = np.where(index < 0, -1, at[np.maximum(index, 0)])
    return pd.Categorical.from_codes(index, names)
