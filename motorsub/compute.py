"""``compute``: subsidies for a table of sale lines, with rejects and a reconciling summary.

The public entry points are :func:`compute` (a DataFrame in, a DataFrame out) and
:func:`compute_file` (a file in, files out, what ``motorsub compute`` runs). Both call
:func:`run`, which validates the records, runs the kernels on the valid rows, and builds
the output table, the rejects table and the summary.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from motorsub import io, records, vocab
from motorsub._jit import kernel
from motorsub.errors import RejectedRowsError
from motorsub.reasons import PAID, Reason, component_code, reason_strings
from motorsub.schemes import SchemeSet, load_schemes
from motorsub.subsidy import SubsidyResult, subsidies

MAX_DETAILS = 20  # rejected rows described in a --strict error


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


def _cny(fen: np.ndarray) -> np.ndarray:
    return fen / 100.0


def output_table(
    schemes: SchemeSet, table: pa.Table, rows: np.ndarray, cols: dict, res: SubsidyResult
) -> pa.Table:
    """The output columns of rules.md section 5 for the computed rows."""
    compiled = schemes.compiled
    out: dict[str, pa.Array] = {
        "record_id": pc.utf8_trim_whitespace(pc.cast(table.column("record_id"), pa.string()))
        .take(pa.array(rows))
    }
    version_ids = [v.id for _, v in compiled.versions]
    for si, s in enumerate(schemes.schemes):
        out[f"version_{s.id}"] = _take_strings(version_ids, res.version[si].astype(np.int64))
    for ci, (_, c) in enumerate(schemes.components):
        out[f"subsidy_{c.id}"] = pa.array(_cny(res.fen[ci]))
    total = res.total_fen
    out["subsidy_total"] = pa.array(_cny(total))
    price = cols["price"]
    net = price * cols["qty"] - _cny(total)
    out["net_price"] = pa.array(net, mask=np.isnan(price))
    idx, dictionary = reason_strings(res.reasons)
    out["reasons"] = _take_strings(dictionary, idx)
    rows_arr = pa.array(rows)
    for name in table.column_names:
        if name not in records.COLUMNS:
            out[name] = table.column(name).take(rows_arr)
    return pa.table(out)


def rejects_table(table: pa.Table, rows: np.ndarray, reject: np.ndarray) -> pa.Table:
    """Rejected rows: spreadsheet row number (header = row 1), every reason, original values."""
    masks, inverse = np.unique(reject[rows], return_inverse=True)
    dictionary = [";".join(records.problem_names(int(m))) for m in masks]
    out = {
        "source_row": pa.array(rows + 2),
        "reasons": _take_strings(dictionary, inverse.reshape(-1)),
    }
    taken = table.take(pa.array(rows))
    for name in taken.column_names:
        out[name] = taken.column(name)
    return pa.table(out)


@kernel()
def _group_sum(keys, n_groups, fen):
    """Exact int64 sums of ``fen[c, i]`` by ``keys[i]``: an array [n_groups, n_components]."""
    out = np.zeros((n_groups, fen.shape[0]), dtype=np.int64)
    for i in range(keys.shape[0]):
        for c in range(fen.shape[0]):
            out[keys[i], c] += fen[c, i]
    return out


def _money(fen: int) -> float:
    return round(int(fen) / 100.0, 2)


def summarise(
    schemes: SchemeSet, cols: dict, res: SubsidyResult, n_read: int, reject: np.ndarray
) -> dict:
    """The summary of rules.md section 5; every total is an exact sum of line amounts."""
    comps = [c for _, c in schemes.components]
    n_rej = int(np.count_nonzero(reject))
    n_ok = res.reasons.shape[0]
    per_comp = res.fen.sum(axis=1)
    summary: dict = {
        "rows": {
            "read": n_read,
            "computed": n_ok,
            "rejected": n_rej,
            "reconciles": n_read == n_ok + n_rej,
        },
        "totals_cny": {c.id: _money(f) for c, f in zip(comps, per_comp)}
        | {"total": _money(per_comp.sum())},
    }
    for key, names in (
        ("by_payee", vocab.PAYEES),
        ("by_budget", vocab.BUDGETS),
    ):
        attr = key.removeprefix("by_")
        summary[key] = {
            name: _money(sum(f for c, f in zip(comps, per_comp) if getattr(c, attr) == name))
            for name in names
            if any(getattr(c, attr) == name for c in comps)
        }
    for key, col, names in (
        ("by_region", "region", vocab.regions()),
        ("by_motor_type", "motor_type", vocab.MOTOR_TYPES),
    ):
        keys = cols[col].astype(np.int64)
        sums = _group_sum(keys, len(names), res.fen)
        lines = np.bincount(keys, minlength=len(names))
        summary[key] = {
            names[g]: {"lines": int(lines[g])}
            | {c.id: _money(sums[g, ci]) for ci, c in enumerate(comps)}
            | {"total": _money(sums[g].sum())}
            for g in range(len(names))
            if lines[g]
        }
    summary["by_rate_status"] = _by_status(schemes, res)
    summary["by_scheme_version"] = _by_version(schemes, res)
    summary["no_rate_lines"] = {
        c.id: int(np.count_nonzero(res.code[ci] == component_code(Reason.NO_RATE)))
        for ci, c in enumerate(comps)
    }
    masks, counts = np.unique(res.reasons, return_counts=True)
    summary["reasons"] = {
        r.name: int(counts[(masks >> np.uint32(r)) & 1 == 1].sum())
        for r in Reason
        if counts[(masks >> np.uint32(r)) & 1 == 1].sum()
    }
    masks, counts = np.unique(reject[reject != 0], return_counts=True)
    summary["rejects"] = {
        p: int(counts[(masks >> np.uint64(i)) & np.uint64(1) == 1].sum())
        for i, p in enumerate(records.PROBLEMS)
        if counts[(masks >> np.uint64(i)) & np.uint64(1) == 1].sum()
    }
    summary["schemes"] = [{"id": s.id, "file": s.source_file} for s in schemes.schemes]
    return summary


def _by_status(schemes: SchemeSet, res: SubsidyResult) -> dict:
    """Amounts by the status of the rate they rest on (official / reported / inferred)."""
    cells = schemes.compiled.cells
    status_of_cell = np.array([vocab.STATUSES.index(c.rate.status) for c in cells] or [0])
    out = {}
    for ci, (_, c) in enumerate(schemes.components):
        paid = res.code[ci] == PAID
        st = status_of_cell[res.cell[ci][paid]]
        sums = _group_sum(st.astype(np.int64), len(vocab.STATUSES), res.fen[ci : ci + 1, paid])
        out[c.id] = {s: _money(sums[k, 0]) for k, s in enumerate(vocab.STATUSES) if sums[k, 0]}
    return out


def _by_version(schemes: SchemeSet, res: SubsidyResult) -> dict:
    compiled = schemes.compiled
    out: dict = {}
    for si, s in enumerate(schemes.schemes):
        comps = [ci for ci, (cs, _) in enumerate(schemes.components) if cs is s]
        ver = res.version[si].astype(np.int64)
        keys = np.where(ver < 0, len(compiled.versions), ver)
        sums = _group_sum(keys, len(compiled.versions) + 1, res.fen[comps])
        lines = np.bincount(keys, minlength=len(compiled.versions) + 1)
        out[s.id] = {
            (compiled.versions[v][1].id if v < len(compiled.versions) else "none"): {
                "lines": int(lines[v]),
                "total": _money(sums[v].sum()),
            }
            for v in range(len(lines))
            if lines[v]
        }
    return out


def run(
    table: pa.Table,
    schemes: SchemeSet | str | Path | list | None = None,
    *,
    source: str = "<records>",
    strict: bool = False,
) -> Result:
    """Validate, compute and summarise a table of records.

    Parameters
    ----------
    table : pyarrow.Table
        Records with the columns of rules.md section 1 (text or typed).
    schemes : SchemeSet, path or list of paths, optional
        Defaults to the shipped schemes.
    source : str
        The input's name, used in messages.
    strict : bool
        Raise :class:`RejectedRowsError` if any row is rejected.
    """
    schemes = _schemes(schemes)
    table = records.normalise_names(table, source)
    recs = records.validate(table, source)
    ok = np.flatnonzero(recs.valid)
    bad = np.flatnonzero(~recs.valid)
    if strict and len(bad):
        raise RejectedRowsError(describe_rejects(recs, bad, source))
    cols = recs.take(ok)
    res = subsidies(schemes.compiled, cols)
    summary = summarise(schemes, cols, res, table.num_rows, recs.reject)
    return Result(
        output=output_table(schemes, table, ok, cols, res),
        rejects=rejects_table(table, bad, recs.reject),
        summary=summary,
    )


def describe_rejects(recs: records.Records, bad: np.ndarray, source: str) -> str:
    """Name the file, row, column and value of the first rejected rows."""
    lines = [f"{source}: {len(bad)} row(s) rejected under --strict:"]
    for i in bad[:MAX_DETAILS]:
        for problem in records.problem_names(recs.reject[i]):
            col = records.problem_column(problem)
            value = recs.table.column(col)[int(i)].as_py() if col in recs.table.column_names else None
            shown = "empty" if value in (None, "") else repr(value)
            lines.append(f"  row {i + 2}, column {col}: {shown} ({problem})")
    if len(bad) > MAX_DETAILS:
        lines.append(f"  ... and {len(bad) - MAX_DETAILS} more rows")
    return "\n".join(lines)


def compute(
    df: pd.DataFrame,
    schemes: SchemeSet | str | Path | list | None = None,
    *,
    strict: bool = False,
) -> pd.DataFrame:
    """Subsidies of every valid line of a DataFrame.

    Parameters
    ----------
    df : pandas.DataFrame
        Records with the columns of rules.md section 1.
    schemes : SchemeSet, path or list of paths, optional
        Defaults to the shipped schemes.
    strict : bool
        Raise :class:`~motorsub.errors.RejectedRowsError` if any row is rejected.

    Returns
    -------
    pandas.DataFrame
        One row per valid input row, indexed like ``df``; amounts in [CNY]. The rejected
        rows (with their reasons) are in ``result.attrs["rejects"]`` and the summary in
        ``result.attrs["summary"]``.

    Examples
    --------
    >>> import pandas as pd, motorsub
    >>> df = pd.DataFrame({"record_id": ["a"], "sale_date": ["2010-09-01"],
    ...     "region": ["CN-JS"], "motor_type": ["lv_async"], "kw": [15.0], "grade": [2]})
    >>> float(motorsub.compute(df)["subsidy_national"].iloc[0])
    525.0
    """
    table = pa.Table.from_pandas(df, preserve_index=False)
    res = run(table, schemes, source="DataFrame", strict=strict)
    out = res.output.to_pandas()
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
) -> dict:
    """Read records, compute, and write the output, the rejects file and the summary.

    Returns the summary. Nothing is written when an error is raised.
    """
    import json

    output_path = Path(output_path)
    io.file_format(output_path, what="output")
    schemes = _schemes(schemes)
    table = io.read_table(input_path, encoding)
    res = run(table, schemes, source=str(input_path), strict=strict)
    rejects_path = Path(rejects_path) if rejects_path else default_rejects_path(output_path)
    res.summary["files"] = {
        "input": str(input_path),
        "output": str(output_path),
        "rejects": str(rejects_path),
    }
    io.write_table(res.output, output_path)
    io.write_table(res.rejects, rejects_path)
    if summary_path:
        with io.atomic_path(summary_path) as tmp:
            tmp.write_text(json.dumps(res.summary, indent=2, ensure_ascii=False) + "\n")
    return res.summary
