"""The one module that names output columns, and builds the output and rejects tables.

Every output column of ``compute`` is named here (:func:`output_names`) and built from the
typed batch result (:class:`motorsub.engine.result.BatchResult`) by :func:`output_table`;
rejected rows become :func:`rejects_table`. :func:`with_headers` gives either table Chinese
column headers (``--headers zh``). An input column whose name is also an output
column would be indistinguishable from it in the results: :func:`check_input_names` refuses
it (exit 2) before anything is computed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, NamedTuple

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from motorsub import _jit, i18n, vocab
from motorsub.engine.messages import bad_line_message, problem_message
from motorsub.engine.records import plain_edges, problem_column, problem_names
from motorsub.errors import InputError
from motorsub.kernels.subsidy import compiled_schemes
from motorsub.model.profile import Settings
from motorsub.model.schemes import SchemeSet
from motorsub.reasons import reason_strings

if TYPE_CHECKING:
    from motorsub.engine.result import BatchResult


def _take_strings(dictionary: list[str | None], index: np.ndarray) -> pa.Array:
    """A string column from per-row indices into ``dictionary`` (-1 = null), vectorised."""
    idx = pa.array(index.astype(np.int32), mask=index < 0)
    return pa.array(dictionary, type=pa.string()).take(idx)


def _dictionary(values: list[str], index: np.ndarray) -> pa.Array:
    """A dictionary-encoded text column (-1 = null): no string is copied per row."""
    idx = pa.array(index.astype(np.int32), mask=index < 0)
    return pa.DictionaryArray.from_arrays(idx, pa.array(values, type=pa.string()))


def _floats(x: np.ndarray) -> pa.Array:
    """A float column with NaN written as null (an empty cell in CSV), over ``x``'s memory."""
    return float_array(np.ascontiguousarray(x, dtype=np.float64))


def float_array(x: np.ndarray) -> pa.Array:
    """A float64 array over the memory of contiguous ``x``, null where ``x`` is NaN."""
    nan = np.isnan(x)
    if not nan.any():
        return pa.array(x)
    valid = pa.py_buffer(np.packbits(~nan, bitorder="little"))
    return pa.Array.from_buffers(
        pa.float64(), len(x), [valid, pa.py_buffer(x)], null_count=int(np.count_nonzero(nan))
    )


#: Output columns whose values rarely repeat: Parquet writes them without dictionary pages.
UNIQUE_OUTPUT = (
    "record_id", "net_price", "bill_saving_per_year", "payback_years",
    *(f"{name}_{per}" for name in ("kwh", "tce", "tco2") for per in ("per_year", "lifetime")),
)  # fmt: skip
#: The columns the rejects file puts before the input's own.
REJECTS_LEAD = ("source_row", "reasons", "message", "raw_line")


def output_names(schemes: SchemeSet, st: Settings) -> tuple[str, ...]:
    """The computed columns of the output, in order (docs/rules.md section 5)."""
    names = ["record_id"]
    names += [f"version_{s.id}" for s in schemes.schemes]
    names += [f"subsidy_{c.id}" for _, c in schemes.components]
    names += ["subsidy_total", "eta_new", "eta_old", "eta_new_source", "eta_old_source"]
    names += [f"{name}_per_year" for name in ("kwh", "tce", "tco2")]
    if not np.isnan(st.life_years):
        names += [f"{name}_lifetime" for name in ("kwh", "tce", "tco2")]
    names.append("net_price")
    if not np.isnan(st.tariff):
        names += ["bill_saving_per_year", "payback_years"]
    names.append("reasons")
    return tuple(names)


def check_input_names(names: list[str], schemes: SchemeSet, st: Settings, source: str) -> None:
    """Refuse an input column that the engine does not read but an output column is named
    like: it would stand beside (or in place of) the computed column of the same name.

    Raises
    ------
    InputError
        Naming each clashing column (exit 2).
    """
    taken = set(output_names(schemes, st)) | set(REJECTS_LEAD)
    clash = [n for n in names if n in taken and n not in vocab.INPUT_COLUMNS]
    if clash:
        raise InputError(
            f"{source}: input column{'s' if len(clash) > 1 else ''} "
            f"{', '.join(repr(n) for n in clash)} "
            f"{'have' if len(clash) > 1 else 'has'} the name of an output column; "
            "rename or remove it (motorsub writes its own "
            f"{', '.join(n for n in clash)})"
        )


class Coded(NamedTuple):
    """A text column of few distinct values: per row an index into ``values`` (-1 = null)."""

    values: list[str]
    index: np.ndarray

    def arrow(self) -> pa.Array:
        return _dictionary(self.values, self.index)


def _version_codes(result: BatchResult) -> dict[str, Coded]:
    version_ids = [v.id for _, v in compiled_schemes(result.schemes).versions]
    return {
        f"version_{s.id}": Coded(version_ids, result.subsidy.version[si])
        for si, s in enumerate(result.schemes.schemes)
    }


def version_columns(result: BatchResult) -> dict[str, pa.Array]:
    """``version_<scheme>`` of the computed rows: the id of the version in force, or null."""
    return {name: codes.arrow() for name, codes in _version_codes(result).items()}


def computed_columns(
    result: BatchResult, st: Settings, into: Callable[[str], np.ndarray] | None = None
) -> dict[str, np.ndarray | Coded]:
    """The computed output columns after ``record_id``, in order: numbers as float arrays
    (NaN = empty) and codes as :class:`Coded`; built once, then as Arrow
    (:func:`output_table`) or as a DataFrame's columns (:func:`motorsub.engine.frames.compute`).

    ``into(name)`` gives the float64 array (of the batch's length) a number column is
    written into; by default each is a new array, and the savings columns are the
    kernel's own arrays, not copied.
    """
    n = len(result.rows)
    fresh = into is None
    into = into or (lambda name: np.empty(n))
    res, sav, cols = result.subsidy, result.savings, result.cols
    out: dict[str, np.ndarray | Coded] = dict(_version_codes(result))
    for ci, (_, c) in enumerate(result.schemes.components):
        out[f"subsidy_{c.id}"] = np.divide(res.fen[ci], 100.0, out=into(f"subsidy_{c.id}"))
    total = out["subsidy_total"] = into("subsidy_total")

    def kept(name: str, values: np.ndarray) -> np.ndarray:
        if fresh:
            return values
        target = into(name)
        if target.ctypes.data != values.ctypes.data:  # not written there by the kernel
            target[...] = values
        return target

    out["eta_new"] = kept("eta_new", sav.eta_new)
    out["eta_old"] = kept("eta_old", sav.eta_old)
    out["eta_new_source"] = Coded(list(vocab.ETA_SOURCES), sav.eta_new_source)
    out["eta_old_source"] = Coded(list(vocab.ETA_SOURCES), sav.eta_old_source)
    for name in ("kwh", "tce", "tco2"):
        out[f"{name}_per_year"] = kept(f"{name}_per_year", getattr(sav, f"{name}_per_year"))
    lives = [] if np.isnan(st.life_years) else ["kwh", "tce", "tco2"]
    for name in lives:
        out[f"{name}_lifetime"] = into(f"{name}_lifetime")
    net = out["net_price"] = into("net_price")
    bill = payback = None
    if not np.isnan(st.tariff):
        bill = out["bill_saving_per_year"] = into("bill_saving_per_year")
        payback = out["payback_years"] = into("payback_years")
    lifetimes = [out[f"{name}_lifetime"] for name in lives]
    _money(res, cols, sav, st, total, net, lifetimes, bill, payback)
    idx, dictionary = reason_strings(result.reasons)
    out["reasons"] = Coded(dictionary, idx)
    return out


def _money(res, cols, sav, st, total, net, lifetimes, bill, payback) -> None:
    """Fill ``total`` [CNY], ``net`` (price × units − total), the ``lifetimes`` (kWh, tce,
    tCO2 per year × years, if any) and, with a ``bill`` array, the yearly bill saving and
    the ``payback`` time (where the saving is positive; else empty): in one compiled pass
    (:func:`motorsub.kernels.outputs.money`), or in numpy when kernels run as Python."""
    if not _jit.python():
        from motorsub.kernels.outputs import money

        nothing = np.empty(0)
        lives = lifetimes or [nothing] * 3
        bills = (bill, payback) if bill is not None else (nothing, nothing)
        inputs = [cols["price"], cols["qty"], sav.kwh_per_year, sav.tce_per_year,
                  sav.tco2_per_year]  # fmt: skip
        inputs = [_jit.read_only(v) for v in inputs]  # one compilation, whatever they are
        _jit.in_threads(
            money, len(net), res.fen, *inputs, float(st.life_years), float(st.tariff), total,
            net, *lives, *bills,
        )  # fmt: skip
        return
    money_numpy(res, cols, sav, st, total, net, lifetimes, bill, payback)


def money_numpy(res, cols, sav, st, total, net, lifetimes, bill, payback) -> None:
    """What :func:`_money` computes, in numpy: the reference its kernel is tested against."""
    np.divide(res.total_fen, 100.0, out=total)
    for target, name in zip(lifetimes, ("kwh", "tce", "tco2")):
        np.multiply(getattr(sav, f"{name}_per_year"), st.life_years, out=target)
    np.multiply(cols["price"], cols["qty"], out=net)
    np.subtract(net, total, out=net)
    if bill is not None:
        np.multiply(sav.kwh_per_year, st.tariff, out=bill)
        payback.fill(np.nan)
        with np.errstate(divide="ignore", invalid="ignore"):
            np.divide(net, bill, out=payback, where=bill > 0)


def record_ids(table: pa.Table, rows: np.ndarray, large: bool = False) -> pa.ChunkedArray:
    """``record_id`` of ``table``'s rows ``rows`` (input order) as text (``large_string``
    if ``large``, else ``string``), trimmed; not copied when it is such text already with
    nothing to trim and every row is taken."""
    text = pa.large_string() if large else pa.string()
    record_id = table.column("record_id")
    plain = record_id.type in (pa.string(), pa.large_string()) and plain_edges(record_id)
    if record_id.type != text:
        record_id = pc.cast(record_id, text)
    if not plain:
        record_id = pc.utf8_trim_whitespace(record_id)
    return rows_of(table, rows, record_id)


def rows_of(table: pa.Table, rows: np.ndarray, column):
    """``column`` of ``table`` at ``rows`` (itself when every row is taken)."""
    if len(rows) == table.num_rows:
        return column
    return column.take(pa.array(rows))


def passthrough_names(table: pa.Table) -> list[str]:
    """The input columns the output carries unchanged after the computed ones."""
    return [name for name in table.column_names if name not in vocab.INPUT_COLUMNS]


def output_table(result: BatchResult, st: Settings) -> pa.Table:
    """The output rows of a batch: computed columns, then the passed-through inputs."""
    return assemble(result.table, result.rows, computed_columns(result, st))


def assemble(table: pa.Table, rows: np.ndarray, computed: dict) -> pa.Table:
    """The output table of ``table``'s computed ``rows``: ``record_id``, the ``computed``
    columns (:func:`computed_columns`, or the same gathered over several batches), then
    the passed-through inputs."""
    out: dict[str, pa.Array] = {"record_id": record_ids(table, rows)}
    for name, values in computed.items():
        if isinstance(values, Coded):
            out[name] = values.arrow()
        elif name.startswith("subsidy_"):
            out[name] = pa.array(values)
        else:
            out[name] = _floats(values)
    for name in passthrough_names(table):
        out[name] = rows_of(table, rows, table.column(name))
    return pa.table(out)


def rejects_table(result: BatchResult, lang: str = "en") -> pa.Table:
    """Rejected rows in input order: spreadsheet row number (header = row 1), every
    reason, a message in plain words (in ``lang``), the raw text of a line set aside as
    ``BAD_LINE``, and the original values."""
    table, rows = result.table, result.rejected_rows
    masks, inverse = np.unique(result.reject[rows], return_inverse=True)
    dictionary = [";".join(problem_names(int(m))) for m in masks]
    # a take of no rows would still join the chunks of every column
    taken = table.take(pa.array(rows, pa.int64())) if len(rows) else table.slice(0, 0)
    lines = result.bad_lines
    out = {
        "source_row": pa.array(
            np.concatenate([result.source_rows(rows), [b.row for b in lines]]).astype(np.int64)
        ),
        "reasons": pa.concat_arrays(
            [
                _take_strings(dictionary, inverse.reshape(-1)),
                pa.array(["BAD_LINE"] * len(lines), pa.string()),
            ]
        ),
        "message": pa.array(
            _row_messages(taken, result.reject[rows], lang)
            + [bad_line_message(b.values, b.expected, lang) for b in lines],
            pa.string(),
        ),
        "raw_line": pa.array([None] * len(rows) + [b.text for b in lines], pa.string()),
    }
    for name in taken.column_names:
        column = taken.column(name)
        out[name] = pa.concat_arrays(
            [*column.chunks, pa.nulls(len(lines), column.type)]
        ) if lines else column  # fmt: skip
    rejects = pa.table(out)
    if lines:
        rejects = rejects.sort_by("source_row")
    return rejects


def _row_messages(taken: pa.Table, masks: np.ndarray, lang: str) -> list[str]:
    """Per rejected row, its problems in plain words (each distinct text worded once)."""
    said: dict[tuple[str, object], str] = {}
    out = []
    for i, mask in enumerate(masks):
        parts = []
        for problem in problem_names(int(mask)):
            col = problem_column(problem)
            value = taken.column(col)[i].as_py() if col in taken.column_names else None
            key = (problem, value)
            if key not in said:
                said[key] = problem_message(problem, value, lang)
            parts.append(said[key])
        out.append("; ".join(parts))
    return out


#: Output headers: the stable column ids, or Chinese words (``--headers``).
HEADERS: tuple[str, ...] = ("id", "zh")


def _header_words(_) -> dict[str, str]:
    """The Chinese header of every fixed column; those of the input columns are spellings
    the alias table reads back (``motorsub/data/aliases.csv``)."""
    return {
        "record_id": _("header: record_id"), "sale_date": _("header: sale_date"),
        "region": _("header: region"), "motor_type": _("header: motor_type"),
        "kw": _("header: kw"), "qty": _("header: qty"), "grade": _("header: grade"),
        "poles": _("header: poles"), "speed_rpm": _("header: speed_rpm"),
        "efficiency": _("header: efficiency"), "kind": _("header: kind"),
        "trade_in": _("header: trade_in"), "old_kw": _("header: old_kw"),
        "old_qty": _("header: old_qty"), "old_efficiency": _("header: old_efficiency"),
        "old_series": _("header: old_series"), "old_poles": _("header: old_poles"),
        "hours": _("header: hours"), "load": _("header: load"), "price": _("header: price"),
        "manufacturer": _("header: manufacturer"), "model": _("header: model"),
        "serial": _("header: serial"),
        "subsidy_total": _("header: subsidy_total"), "eta_new": _("header: eta_new"),
        "eta_old": _("header: eta_old"), "eta_new_source": _("header: eta_new_source"),
        "eta_old_source": _("header: eta_old_source"),
        "kwh_per_year": _("header: kwh_per_year"), "tce_per_year": _("header: tce_per_year"),
        "tco2_per_year": _("header: tco2_per_year"),
        "kwh_lifetime": _("header: kwh_lifetime"), "tce_lifetime": _("header: tce_lifetime"),
        "tco2_lifetime": _("header: tco2_lifetime"), "net_price": _("header: net_price"),
        "bill_saving_per_year": _("header: bill_saving_per_year"),
        "payback_years": _("header: payback_years"), "reasons": _("header: reasons"),
        "source_row": _("header: source_row"), "message": _("header: message"),
        "raw_line": _("header: raw_line"),
        # the audit's findings, rejects and sample (motorsub/audit/README.md)
        "batch_id": _("header: batch_id"), "claimant": _("header: claimant"),
        "invoice_no": _("header: invoice_no"), "invoice_date": _("header: invoice_date"),
        "old_equipment_id": _("header: old_equipment_id"),
        "contract_no": _("header: contract_no"), "status": _("header: status"),
        "finding": _("header: finding"), "primary_reason": _("header: primary_reason"),
        "claimed_total": _("header: claimed_total"),
        "entitled_total": _("header: entitled_total"),
        "approved_total": _("header: approved_total"),
        "disallowed_total": _("header: disallowed_total"),
        "unverified_total": _("header: unverified_total"),
        "variance_total": _("header: variance_total"), "inspect": _("header: inspect"),
        "inspect_reason": _("header: inspect_reason"),
    }  # fmt: skip


def _amount_words(_) -> dict[str, str]:
    """The Chinese header of each per-component amount column, by the column's prefix;
    ``{component}`` is the component id, kept as it is."""
    return {
        "subsidy_": _("subsidy {component} [CNY]"),
        # the audit's (motorsub/audit/README.md)
        "claimed_": _("claimed {component} [CNY]"),
        "entitled_": _("entitled {component} [CNY]"),
        "approved_": _("approved {component} [CNY]"),
        "disallowed_": _("disallowed {component} [CNY]"),
        "unverified_": _("unverified {component} [CNY]"),
    }


def header_names(names: list[str], headers: str = "id") -> list[str]:
    """Column headers for ``names``: the ids themselves, or Chinese (``headers="zh"``).

    ``version_<scheme>``, ``subsidy_<component>`` and the audit's ``claimed_<component>``,
    ``approved_<component>``, ... keep their scheme and component ids inside the Chinese
    words; a column motorsub does not know keeps its name.
    """
    if headers == "id":
        return list(names)
    if headers not in HEADERS:
        _ = i18n.translator()
        raise InputError(
            _("unknown headers {headers!r}; known: {known}").format(
                headers=headers, known=", ".join(HEADERS)
            )
        )
    _ = i18n.translator(headers)
    words, amounts = _header_words(_), _amount_words(_)
    out = []
    for name in names:
        prefix = name.split("_", 1)[0] + "_"
        if name in words:
            out.append(words[name])
        elif name.startswith("version_"):
            out.append(_("version in force: {scheme}").format(scheme=name[len("version_") :]))
        elif prefix in amounts and len(name) > len(prefix):
            out.append(amounts[prefix].format(component=name[len(prefix) :]))
        else:
            out.append(name)
    return out


def with_headers(table: pa.Table, headers: str = "id") -> pa.Table:
    """``table`` with the column headers of :func:`header_names`."""
    if headers == "id":
        return table
    return table.rename_columns(header_names(table.column_names, headers))
