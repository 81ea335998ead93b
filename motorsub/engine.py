"""``compute``: subsidies for a table of sale lines, with rejects and a reconciling summary.

:func:`compute` (a DataFrame in, a DataFrame out) and :func:`run` (a pyarrow table in)
work in memory; :func:`compute_file` (what ``motorsub compute`` runs) streams a file of
any size through the same per-batch function, :func:`compute_batch`, in bounded memory.
The summary is accumulated exactly across batches (:class:`Totals`, integer fen).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from motorsub import io, records, vocab
from motorsub._jit import kernel
from motorsub.errors import RejectedRowsError
from motorsub.profile import Settings, settings
from motorsub.reasons import PAID, Reason, component_code, reason_strings
from motorsub.savings import SOURCES, SavingsResult, empty_savings
from motorsub.savings import savings as line_savings
from motorsub.schemes import SchemeSet, load_schemes
from motorsub.subsidy import SubsidyResult, empty_subsidies, subsidies

MAX_DETAILS = 20  # rejected rows described in a --strict error
DEFAULT_BATCH_ROWS = 250_000  # lines per batch: about 0.8 GB peak with the kernels' arrays


@dataclass
class Result:
    """What :func:`run` produces: the output rows, the rejected rows and the summary."""

    output: pa.Table
    rejects: pa.Table
    summary: dict = field(default_factory=dict)


def _schemes(schemes: SchemeSet | str | Path | list | None) -> SchemeSet:
    if isinstance(schemes, SchemeSet):
        return schemes
    return load_schemes(schemes)


def _take_strings(dictionary: list[str | None], index: np.ndarray) -> pa.Array:
    """A string column from per-row indices into ``dictionary`` (-1 = null), vectorised."""
    idx = pa.array(index.astype(np.int32), mask=index < 0)
    return pa.array(dictionary, type=pa.string()).take(idx)


def _dictionary(values: list[str], index: np.ndarray) -> pa.Array:
    """A dictionary-encoded text column (-1 = null): no string is copied per row."""
    idx = pa.array(index.astype(np.int32), mask=index < 0)
    return pa.DictionaryArray.from_arrays(idx, pa.array(values, type=pa.string()))


def _floats(x: np.ndarray) -> pa.Array:
    """A float column with NaN written as null (an empty cell in CSV)."""
    return pa.array(x, mask=np.isnan(x))


# output columns whose values rarely repeat: written without dictionary encoding
UNIQUE_OUTPUT = (
    "record_id", "net_price", "bill_saving_per_year", "payback_years",
    *(f"{name}_{per}" for name in ("kwh", "tce", "tco2") for per in ("per_year", "lifetime")),
)  # fmt: skip


def output_table(
    schemes: SchemeSet,
    table: pa.Table,
    rows: np.ndarray,
    cols: dict,
    res: SubsidyResult,
    sav: SavingsResult,
    st: Settings,
) -> pa.Table:
    """The output columns of rules.md section 5 for the computed rows."""
    compiled = schemes.compiled
    every_row = len(rows) == table.num_rows

    def rows_of(column):
        return column if every_row else column.take(pa.array(rows))

    record_id = pc.utf8_trim_whitespace(pc.cast(table.column("record_id"), pa.string()))
    out: dict[str, pa.Array] = {"record_id": rows_of(record_id)}
    version_ids = [v.id for _, v in compiled.versions]
    for si, s in enumerate(schemes.schemes):
        out[f"version_{s.id}"] = _dictionary(version_ids, res.version[si])
    for ci, (_, c) in enumerate(schemes.components):
        out[f"subsidy_{c.id}"] = pa.array(res.fen[ci] / 100.0)
    total = res.total_fen
    out["subsidy_total"] = pa.array(total / 100.0)
    out["eta_new"] = _floats(sav.eta_new)
    out["eta_old"] = _floats(sav.eta_old)
    out["eta_new_source"] = _dictionary(list(SOURCES), sav.eta_new_source)
    out["eta_old_source"] = _dictionary(list(SOURCES), sav.eta_old_source)
    for name in ("kwh", "tce", "tco2"):
        out[f"{name}_per_year"] = _floats(getattr(sav, f"{name}_per_year"))
    if not np.isnan(st.life_years):
        for name in ("kwh", "tce", "tco2"):
            out[f"{name}_lifetime"] = _floats(getattr(sav, f"{name}_per_year") * st.life_years)
    net = cols["price"] * cols["qty"] - total / 100.0
    out["net_price"] = _floats(net)
    if not np.isnan(st.tariff):
        bill = sav.kwh_per_year * st.tariff
        out["bill_saving_per_year"] = _floats(bill)
        with np.errstate(divide="ignore", invalid="ignore"):
            out["payback_years"] = _floats(np.where(bill > 0, net / bill, np.nan))
    idx, dictionary = reason_strings(res.reasons | sav.reasons)
    out["reasons"] = _dictionary(dictionary, idx)
    for name in table.column_names:
        if name not in records.COLUMNS:
            out[name] = rows_of(table.column(name))
    return pa.table(out)


def rejects_table(
    table: pa.Table, rows: np.ndarray, reject: np.ndarray, offset: int = 0
) -> pa.Table:
    """Rejected rows: spreadsheet row number (header = row 1), every reason, original values."""
    masks, inverse = np.unique(reject[rows], return_inverse=True)
    dictionary = [";".join(records.problem_names(int(m))) for m in masks]
    out = {
        "source_row": pa.array(rows.astype(np.int64) + offset + 2),
        "reasons": _take_strings(dictionary, inverse.reshape(-1)),
    }
    taken = table.take(pa.array(rows))
    for name in taken.column_names:
        out[name] = taken.column(name)
    return pa.table(out)


@kernel()
def _accumulate(
    region, mtype, fen, code, cell, version, reasons, kwh, tce, tco2,
    comp_scheme, cell_status, no_rate_code,
    region_fen, region_lines, mtype_fen, mtype_lines, status_fen, version_fen,
    version_lines, no_rate, reason_bytes, energy_region, energy_mtype, energy_comp,
    savings_lines,
):  # fmt: skip
    """One pass over a batch adding into every total of :class:`Totals` (money in int64)."""
    n_none = version_fen.shape[0] - 1
    for i in range(region.shape[0]):
        r, t = region[i], mtype[i]
        region_lines[r] += 1
        mtype_lines[t] += 1
        for s in range(version.shape[0]):
            v = version[s, i]
            version_lines[s, v if v >= 0 else n_none] += 1
        e0, e1, e2 = kwh[i], tce[i], tco2[i]
        for c in range(fen.shape[0]):
            f = fen[c, i]
            region_fen[r, c] += f
            mtype_fen[t, c] += f
            v = version[comp_scheme[c], i]
            version_fen[v if v >= 0 else n_none, c] += f
            if code[c, i] == PAID:
                status_fen[cell_status[cell[c, i]], c] += f
            elif code[c, i] == no_rate_code:
                no_rate[c] += 1
            if f > 0:
                if e0 == e0:
                    energy_comp[c, 0] += e0
                if e1 == e1:
                    energy_comp[c, 1] += e1
                if e2 == e2:
                    energy_comp[c, 2] += e2
        for k, e in enumerate((e0, e1, e2)):
            if e == e:
                savings_lines[k] += 1
                energy_region[r, k] += e
                energy_mtype[t, k] += e
        # how often each byte value of the mask occurs: four counts, not one per bit
        m = reasons[i]
        reason_bytes[0, m & 255] += 1
        reason_bytes[1, (m >> 8) & 255] += 1
        reason_bytes[2, (m >> 16) & 255] += 1
        reason_bytes[3, (m >> 24) & 255] += 1


def _money(fen) -> float:
    return round(int(fen) / 100.0, 2)


class Totals:
    """The summary's figures, accumulated batch by batch in exact integers."""

    def __init__(self, schemes: SchemeSet):
        self.schemes = schemes
        compiled = schemes.compiled
        n_c, n_v = compiled.n_components, len(compiled.versions)
        self.read = self.computed = self.rejected = 0
        self.region = np.zeros((len(vocab.regions()), n_c), dtype=np.int64)
        self.region_lines = np.zeros(len(vocab.regions()), dtype=np.int64)
        self.mtype = np.zeros((len(vocab.MOTOR_TYPES), n_c), dtype=np.int64)
        self.mtype_lines = np.zeros(len(vocab.MOTOR_TYPES), dtype=np.int64)
        self.status = np.zeros((len(vocab.STATUSES), n_c), dtype=np.int64)
        self.version = np.zeros((n_v + 1, n_c), dtype=np.int64)  # last row: none in force
        self.version_lines = np.zeros((compiled.n_schemes, n_v + 1), dtype=np.int64)
        self.no_rate = np.zeros(n_c, dtype=np.int64)
        self.reason_bytes = np.zeros((4, 256), dtype=np.int64)  # see reasons
        self.rejects = np.zeros(len(records.PROBLEMS), dtype=np.int64)
        self.savings_lines = np.zeros(3, dtype=np.int64)  # lines with kWh, tce, tCO2 known
        self.energy_region = np.zeros((len(vocab.regions()), 3))  # kWh, tce, tCO2 per year
        self.energy_mtype = np.zeros((len(vocab.MOTOR_TYPES), 3))
        self.energy_comp = np.zeros((n_c, 3))
        cells = compiled.cells
        self._cell_status = np.array(
            [vocab.STATUSES.index(c.rate.status) for c in cells] or [0], dtype=np.int64
        )
        self._comp_scheme = compiled.arrays[0]

    def add(self, cols: dict, res: SubsidyResult, sav: SavingsResult, reject: np.ndarray) -> None:
        """Count one batch: ``reject`` holds the reject masks of every row read."""
        self.read += reject.shape[0]
        self.computed += res.reasons.shape[0]
        self.rejected += int(np.count_nonzero(reject))
        _accumulate(
            cols["region"], cols["motor_type"], res.fen, res.code, res.cell, res.version,
            res.reasons | sav.reasons, sav.kwh_per_year, sav.tce_per_year, sav.tco2_per_year,
            self._comp_scheme, self._cell_status, component_code(Reason.NO_RATE),
            self.region, self.region_lines, self.mtype, self.mtype_lines, self.status,
            self.version, self.version_lines, self.no_rate, self.reason_bytes, self.energy_region,
            self.energy_mtype, self.energy_comp, self.savings_lines,
        )  # fmt: skip
        bad = reject[reject != 0]
        if bad.size:
            self.rejects += _bit_counts(bad, len(records.PROBLEMS))

    @property
    def reasons(self) -> np.ndarray:
        """Lines per Reason bit, from how often each byte value of the masks occurred."""
        has = (np.arange(256)[:, None] >> np.arange(8)) & 1  # [byte value, bit]: set?
        return (self.reason_bytes @ has).reshape(-1)[: len(Reason)]  # byte-major: bit order

    def summary(self) -> dict:
        """The summary of rules.md section 5; every total is an exact sum of line amounts."""
        schemes, compiled = self.schemes, self.schemes.compiled
        comps = [c for _, c in schemes.components]
        per_comp = self.region.sum(axis=0)
        out: dict = {
            "rows": {
                "read": self.read,
                "computed": self.computed,
                "rejected": self.rejected,
                "reconciles": self.read == self.computed + self.rejected,
            },
            "totals_cny": {c.id: _money(f) for c, f in zip(comps, per_comp)}
            | {"total": _money(per_comp.sum())},
        }
        for key, attr, names in (
            ("by_payee", "payee", vocab.PAYEES),
            ("by_budget", "budget", vocab.BUDGETS),
        ):
            out[key] = {
                name: _money(
                    sum(int(f) for c, f in zip(comps, per_comp) if getattr(c, attr) == name)
                )
                for name in names
                if any(getattr(c, attr) == name for c in comps)
            }
        for key, sums, lines, names in (
            ("by_region", self.region, self.region_lines, vocab.regions()),
            ("by_motor_type", self.mtype, self.mtype_lines, vocab.MOTOR_TYPES),
        ):
            out[key] = {
                names[g]: {"lines": int(lines[g])}
                | {c.id: _money(sums[g, ci]) for ci, c in enumerate(comps)}
                | {"total": _money(sums[g].sum())}
                for g in range(len(names))
                if lines[g]
            }
        out["by_rate_status"] = {
            c.id: {
                s: _money(self.status[k, ci])
                for k, s in enumerate(vocab.STATUSES)
                if self.status[k, ci]
            }
            for ci, c in enumerate(comps)
        }
        version_names = [v.id for _, v in compiled.versions] + ["none"]
        out["by_scheme_version"] = {}
        for si, s in enumerate(schemes.schemes):
            mine = [ci for ci, (cs, _) in enumerate(schemes.components) if cs is s]
            out["by_scheme_version"][s.id] = {
                version_names[v]: {
                    "lines": int(self.version_lines[si, v]),
                    "total": _money(self.version[v, mine].sum()),
                }
                for v in range(len(version_names))
                if self.version_lines[si, v]
            }
        out["no_rate_lines"] = {c.id: int(self.no_rate[ci]) for ci, c in enumerate(comps)}
        out["savings_per_year"] = _energy(self.energy_region.sum(axis=0)) | {
            "lines_with_kwh": int(self.savings_lines[0]),
            "lines_with_tco2": int(self.savings_lines[2]),
            "by_region": {
                vocab.regions()[g]: _energy(self.energy_region[g])
                for g in range(len(self.region_lines))
                if self.region_lines[g]
            },
            "by_motor_type": {
                vocab.MOTOR_TYPES[g]: _energy(self.energy_mtype[g])
                for g in range(len(self.mtype_lines))
                if self.mtype_lines[g]
            },
            "by_component": {c.id: _energy(self.energy_comp[ci]) for ci, c in enumerate(comps)},
        }
        lines = self.reasons
        out["reasons"] = {r.name: int(lines[r]) for r in Reason if lines[r]}
        out["rejects"] = {p: int(n) for p, n in zip(records.PROBLEMS, self.rejects) if n}
        out["schemes"] = [{"id": s.id, "file": s.source_file} for s in schemes.schemes]
        return out


def _energy(v: np.ndarray) -> dict:
    return {
        "kwh": round(float(v[0]), 3),
        "tce": round(float(v[1]), 6),
        "tco2": round(float(v[2]), 6),
    }


def _bit_counts(masks: np.ndarray, n_bits: int) -> np.ndarray:
    """How many of ``masks`` have each bit set, through their unique values."""
    uniques, counts = np.unique(masks, return_counts=True)
    out = np.zeros(n_bits, dtype=np.int64)
    for u, k in zip(uniques.tolist(), counts.tolist()):
        for b in range(n_bits):
            if u >> b & 1:
                out[b] += k
    return out


@dataclass
class Batch:
    """One batch computed: its output and rejects tables, and what the summary needs."""

    output: pa.Table
    rejects: pa.Table
    cols: dict
    res: SubsidyResult
    sav: SavingsResult
    reject: np.ndarray


class Scratch:
    """Kernel output buffers for a stream of batches, in two sets used in turn.

    A batch's output table refers to its savings arrays (no copy), and it is written in the
    writer thread while the next batch is computed, so consecutive batches take different
    sets; :func:`compute_file` waits for batch k's write before it submits batch k + 1's,
    so by batch k + 2 the set of batch k is free again. A set grows when a batch is longer.
    """

    def __init__(self, schemes: SchemeSet):
        self._compiled = schemes.compiled
        self._sets: list[tuple[SubsidyResult, SavingsResult] | None] = [None, None]
        self._turn = 0

    def take(self, n: int) -> tuple[SubsidyResult, SavingsResult]:
        turn, self._turn = self._turn, 1 - self._turn
        buffers = self._sets[turn]
        if buffers is None or len(buffers[1].reasons) < n:
            buffers = self._sets[turn] = (empty_subsidies(self._compiled, n), empty_savings(n))
        return buffers


def compute_batch(
    table: pa.Table,
    schemes: SchemeSet,
    st: Settings,
    *,
    source: str,
    offset: int = 0,
    strict: bool = False,
    scratch: Scratch | None = None,
) -> Batch:
    """Validate and compute one batch of records whose first row is row ``offset``.

    With ``scratch``, the kernels write into its buffers instead of fresh memory.
    """
    table = records.normalise_names(table, source)
    recs = records.validate(table, source)
    ok = np.flatnonzero(recs.valid)
    bad = np.flatnonzero(~recs.valid)
    if strict and len(bad):
        raise RejectedRowsError(describe_rejects(recs, bad, source, offset))
    cols = recs.take(ok)
    res_out, sav_out = scratch.take(len(ok)) if scratch is not None else (None, None)
    res = subsidies(schemes.compiled, cols, out=res_out)
    sav = line_savings(cols, st, out=sav_out)
    return Batch(
        output=output_table(schemes, table, ok, cols, res, sav, st),
        rejects=rejects_table(table, bad, recs.reject, offset),
        cols=cols,
        res=res,
        sav=sav,
        reject=recs.reject,
    )


def run(
    table: pa.Table,
    schemes: SchemeSet | str | Path | list | None = None,
    *,
    source: str = "<records>",
    strict: bool = False,
    savings: Settings | None = None,
) -> Result:
    """Validate, compute and summarise a table of records in memory.

    Parameters
    ----------
    table : pyarrow.Table
        Records with the columns of rules.md section 1 (text or typed).
    schemes : SchemeSet, path or list of paths, optional
        Defaults to the shipped schemes.
    source : str
        The input's name, used in messages.
    strict : bool
        Raise :class:`~motorsub.errors.RejectedRowsError` if any row is rejected.
    savings : Settings, optional
        Savings assumptions (:func:`motorsub.profile.settings`); the default profile if
        not given.
    """
    schemes = _schemes(schemes)
    st = savings if savings is not None else settings()
    batch = compute_batch(table, schemes, st, source=source, strict=strict)
    totals = Totals(schemes)
    totals.add(batch.cols, batch.res, batch.sav, batch.reject)
    return Result(batch.output, batch.rejects, totals.summary() | {"assumptions": st.describe()})


def describe_rejects(recs: records.Records, bad: np.ndarray, source: str, offset: int = 0) -> str:
    """Name the file, row, column and value of the first rejected rows."""
    lines = [f"{source}: row(s) rejected under --strict, e.g.:"]
    for i in bad[:MAX_DETAILS]:
        for problem in records.problem_names(recs.reject[i]):
            col = records.problem_column(problem)
            value = (
                recs.table.column(col)[int(i)].as_py() if col in recs.table.column_names else None
            )
            shown = "empty" if value in (None, "") else repr(value)
            lines.append(f"  row {offset + i + 2}, column {col}: {shown} ({problem})")
    if len(bad) > MAX_DETAILS:
        lines.append(f"  ... and {len(bad) - MAX_DETAILS} more rows in this batch")
    return "\n".join(lines)


def compute(
    df,
    schemes: SchemeSet | str | Path | list | None = None,
    *,
    strict: bool = False,
    savings: Settings | None = None,
):
    """Subsidies and savings of every valid line of a DataFrame.

    Parameters
    ----------
    df : pandas.DataFrame
        Records with the columns of rules.md section 1.
    schemes : SchemeSet, path or list of paths, optional
        Defaults to the shipped schemes.
    strict : bool
        Raise :class:`~motorsub.errors.RejectedRowsError` if any row is rejected.
    savings : Settings, optional
        Savings assumptions (:func:`motorsub.profile.settings`), e.g.
        ``settings(hours=4000, load=0.75, tariff=0.8)``.

    Returns
    -------
    pandas.DataFrame
        One row per valid input row, indexed like ``df``; amounts in [CNY]. The rejected
        rows (with their reasons) are in ``result.attrs["rejects"]`` (a list of dicts) and
        the summary in ``result.attrs["summary"]``.

    Examples
    --------
    >>> import pandas as pd, motorsub
    >>> df = pd.DataFrame({"record_id": ["a"], "sale_date": ["2010-09-01"],
    ...     "region": ["CN-JS"], "motor_type": ["lv_async"], "kw": [15.0], "grade": [2]})
    >>> float(motorsub.compute(df)["subsidy_national"].iloc[0])
    525.0
    """
    table = pa.Table.from_pandas(df, preserve_index=False)
    res = run(table, schemes, source="DataFrame", strict=strict, savings=savings)
    output = res.output
    for i, f in enumerate(output.schema):  # plain text columns, not categoricals
        if pa.types.is_dictionary(f.type):
            output = output.set_column(i, f.name, pc.cast(output.column(i), pa.string()))
    out = output.to_pandas()
    valid = np.ones(len(df), dtype=bool)
    valid[res.rejects.column("source_row").to_numpy() - 2] = False
    out.index = df.index[valid]
    out.attrs["rejects"] = res.rejects.to_pylist()
    out.attrs["summary"] = res.summary
    return out


def default_rejects_path(output: Path) -> Path:
    """``results.csv`` → ``results.rejects.csv``, beside the output."""
    return output.with_name(f"{output.stem}.rejects.csv")


def compute_file(
    input_path: str | Path,
    output_path: str | Path,
    schemes: SchemeSet | str | Path | list | None = None,
    *,
    rejects_path: str | Path | None = None,
    summary_path: str | Path | None = None,
    strict: bool = False,
    encoding: str | None = None,
    batch_rows: int = DEFAULT_BATCH_ROWS,
    progress: Callable[[int, int | None], None] | None = None,
    savings: Settings | None = None,
) -> dict:
    """Stream records from a file through the engine and write output, rejects and summary.

    Memory is bounded by ``batch_rows``, not by the size of the input. The output and
    rejects files appear under their names only when the whole run succeeds.

    Parameters
    ----------
    progress : callable, optional
        Called after each batch with (rows done, total rows or an estimate, or None).

    Returns
    -------
    dict
        The summary (as written to ``summary_path``).
    """
    output_path = Path(output_path)
    io.file_format(output_path, what="output")
    schemes = _schemes(schemes)
    st = savings if savings is not None else settings()
    reader = io.BatchReader(input_path, batch_rows, encoding)
    rejects_path = Path(rejects_path) if rejects_path else default_rejects_path(output_path)
    totals = Totals(schemes)
    out_writer = io.BatchWriter(output_path, plain=UNIQUE_OUTPUT)
    rej_writer = io.BatchWriter(rejects_path)

    def write(batch: Batch) -> None:
        out_writer.write(batch.output)
        rej_writer.write(batch.rejects)

    # batch k is written in a background thread while batch k + 1 is computed and
    # batch k + 2 read in another; pyarrow's readers and writers release the GIL
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="motorsub-writer")
    read_ahead = ThreadPoolExecutor(max_workers=1, thread_name_prefix="motorsub-reader")
    scratch = Scratch(schemes)
    try:
        offset, writing = 0, None
        tables = iter(reader)
        reading = read_ahead.submit(next, tables, None)
        while (table := reading.result()) is not None:
            reading = read_ahead.submit(next, tables, None)
            batch = compute_batch(
                table,
                schemes,
                st,
                source=str(input_path),
                offset=offset,
                strict=strict,
                scratch=scratch,
            )
            if writing is not None:
                writing.result()
            writing = pool.submit(write, batch)
            totals.add(batch.cols, batch.res, batch.sav, batch.reject)
            offset += table.num_rows
            if progress:
                progress(offset, reader.total_rows)
        if writing is not None:
            writing.result()
        summary = totals.summary() | {"assumptions": st.describe()}
        summary["files"] = {
            "input": str(input_path),
            "output": str(output_path),
            "rejects": str(rejects_path),
        }
        if summary_path:
            with io.atomic_path(summary_path) as tmp:
                text = json.dumps(summary, indent=2, ensure_ascii=False) + "\n"
                tmp.write_text(text, encoding="utf-8")
        out_writer.commit()
        rej_writer.commit()
    except BaseException:
        pool.shutdown(wait=True, cancel_futures=True)
        read_ahead.shutdown(wait=True, cancel_futures=True)
        out_writer.abort()
        rej_writer.abort()
        raise
    finally:
        pool.shutdown(wait=True)
        read_ahead.shutdown(wait=True)
    return summary
