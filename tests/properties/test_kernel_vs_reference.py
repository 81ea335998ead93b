"""Property tests: the numba fast path gives exactly what the plain-Python reference gives.

Two sources of schemes: the shipped ones, and random valid schemes built by a strategy
(components with random filters, scopes and bases; contiguous versions; rate tables whose
bands tile each component's scope as the validation requires, with unknown rates and
unchecked extra cells that make the file order of cells matter). Records are drawn so that
they often sit exactly on, or a milliwatt beside, a band edge or a version boundary.

Every amount is compared to the fen (as integers), every version column exactly, every
per-component outcome code, the eligibility reason codes of each line, and every money
figure and count of the summary.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import numpy as np
import pyarrow as pa
from hypothesis import event, given, note
from hypothesis import strategies as st
from reference import NOT_APPLICABLE, PAID, LineOutcome, reference_line

from motorsub import vocab
from motorsub.engine import records
from motorsub.engine.batch import run
from motorsub.kernels.subsidy import compiled_schemes, subsidies
from motorsub.model.schemes import Scheme, SchemeSet, load_schemes, parse_scheme
from motorsub.reasons import NOT_APPLICABLE as NA_CODE
from motorsub.reasons import PAID as PAID_CODE
from motorsub.reasons import Reason

SHIPPED = load_schemes()

#: the reason codes a component outcome can carry (the data codes come from elsewhere)
ELIGIBILITY = frozenset(
    r.name
    for r in (
        Reason.OUT_OF_SCOPE_KW, Reason.GRADE_NOT_ELIGIBLE, Reason.OUTSIDE_WINDOW,
        Reason.REGION_NOT_ELIGIBLE, Reason.NO_TRADE_IN, Reason.REMAN_NO_NATIONAL,
        Reason.NO_RATE, Reason.KIND_NOT_ELIGIBLE, Reason.TYPE_NOT_ELIGIBLE,
    )
)  # fmt: skip

REGIONS = ("CN-SH", "CN-JS", "CN-ZJ")
MOTOR_TYPES = vocab.MOTOR_TYPES
KINDS = vocab.KINDS
GRADES = (1, 2, 3)
MAX_TEST_KW = 30_000.0

KW_EDGES = (
    0.55, 0.549, 22.0, 22.001, 315.0, 315.001, 355.0, 354.999, 25000.0, 25000.001,
    0.37, 7.5, 15.0, 18.5,
)  # fmt: skip
DATE_EDGES = tuple(
    dt.date.fromisoformat(d)
    for d in (
        "2010-05-31", "2010-06-01", "2011-03-18", "2011-03-19", "2013-09-11", "2013-09-12",
        "2017-02-28", "2017-03-01", "2011-12-31", "2012-01-01", "2015-12-31", "2016-01-01",
    )
)  # fmt: skip

#: any power to the watt, up to 30 MW, at every scale (small motors too, where a
#: half-fen tie is common: 35 CNY/kW x an odd number of watts)
milli_kw = (st.integers(1, 30_000_000) | st.integers(1, 1_000) | st.integers(500, 25_000)).map(
    lambda n: n / 1000
)


def code_name(code: int) -> str:
    if code == PAID_CODE:
        return PAID
    if code == NA_CODE:
        return NOT_APPLICABLE
    return Reason(code - 1).name


def mask_names(mask: int) -> set[str]:
    return {r.name for r in Reason if mask >> int(r) & 1}


# --------------------------------------------------------------------------------------
# records


@st.composite
def record_dicts(draw, kws, dates, kind_types=None):
    """One sale line as plain values; ``old_qty`` None means the column is left empty."""
    any_pair = st.tuples(st.sampled_from(KINDS), st.sampled_from(MOTOR_TYPES))
    kind, mt = draw(any_pair if kind_types is None else kind_types | any_pair)
    if mt == "lv_async":
        grade = draw(st.integers(1, 3))  # required for low-voltage motors
    else:
        grade = draw(st.none() | st.integers(1, 3))
    trade_in = draw(st.booleans())
    old_kw = draw(kws) if trade_in else draw(st.none() | kws)
    return {
        "sale_date": draw(dates),
        "region": draw(st.sampled_from(REGIONS)),
        "motor_type": mt,
        "kind": kind,
        "grade": grade,
        "trade_in": trade_in,
        "kw": draw(kws),
        "qty": draw(st.integers(1, 1000)),
        "old_kw": old_kw,
        "old_qty": draw(st.none() | st.integers(1, 1000)),
    }


def as_reference(rec: dict) -> dict:
    """The record as the rules read it: an absent ``old_qty`` is ``qty``."""
    out = dict(rec)
    if out["old_qty"] is None:
        out["old_qty"] = out["qty"]
    return out


shipped_kws = st.sampled_from(KW_EDGES) | milli_kw
shipped_dates = st.sampled_from(DATE_EDGES) | st.dates(dt.date(2010, 5, 1), dt.date(2017, 6, 1))

_TRUE = ("true", "1", "yes", "y", "是", "t", "TRUE", "Yes", "Y")
_FALSE = ("false", "0", "no", "n", "否", "f", "FALSE", "No", "N")


@st.composite
def tables(draw, recs: list[dict]):
    """The records as a pyarrow table: typed columns, or text as a CSV file gives them."""
    n = len(recs)
    ids = [f"r{i}" for i in range(n)]
    if not draw(st.booleans()):
        return pa.table(
            {
                "record_id": pa.array(ids),
                "sale_date": pa.array([r["sale_date"] for r in recs], pa.date32()),
                "region": pa.array([r["region"] for r in recs]),
                "motor_type": pa.array([r["motor_type"] for r in recs]),
                "kind": pa.array([r["kind"] for r in recs]),
                "grade": pa.array([r["grade"] for r in recs], pa.int64()),
                "trade_in": pa.array([r["trade_in"] for r in recs], pa.bool_()),
                "kw": pa.array([r["kw"] for r in recs], pa.float64()),
                "qty": pa.array([r["qty"] for r in recs], pa.int64()),
                "old_kw": pa.array([r["old_kw"] for r in recs], pa.float64()),
                "old_qty": pa.array([r["old_qty"] for r in recs], pa.int64()),
            }
        )

    def case(s: str) -> str:
        return draw(st.sampled_from((s, s.upper(), s.lower())))

    def day(d: dt.date) -> str:
        return d.strftime(draw(st.sampled_from(("%Y-%m-%d", "%Y/%m/%d"))))

    def opt(x) -> str:
        return "" if x is None else repr(x)

    return pa.table(
        {
            "record_id": ids,
            "sale_date": [day(r["sale_date"]) for r in recs],
            "region": [case(r["region"]) for r in recs],
            "motor_type": [case(r["motor_type"]) for r in recs],
            "kind": [case(r["kind"]) for r in recs],
            "grade": [opt(r["grade"]) for r in recs],
            "trade_in": [draw(st.sampled_from(_TRUE if r["trade_in"] else _FALSE)) for r in recs],
            "kw": [repr(r["kw"]) for r in recs],
            "qty": [str(r["qty"]) for r in recs],
            "old_kw": [opt(r["old_kw"]) for r in recs],
            "old_qty": [opt(r["old_qty"]) for r in recs],
        }
    )


# --------------------------------------------------------------------------------------
# the comparison


def fen_of(cny: float) -> int:
    return round(cny * 100)


def tally(schemes: SchemeSet, expected: list[LineOutcome]) -> None:
    """What the examples reach (``pytest --hypothesis-show-statistics``)."""
    for exp in expected:
        for _, c in schemes.components:
            outcome = exp.components[c.id].outcome
            event(f"{outcome} on basis {c.basis}" if outcome == PAID else outcome)


def check_summary(
    schemes: SchemeSet, recs: list[dict], expected: list[LineOutcome], summary: dict
) -> None:
    """Every money figure and count of the summary, rebuilt from the reference's lines."""
    comps = [c for _, c in schemes.components]

    def fen(lines, comp_ids) -> int:
        return sum(e.components[cid].fen for e in lines for cid in comp_ids)

    def money(d: dict) -> dict:  # the summary's CNY figures as fen, counts as they are
        return {
            k: money(v) if isinstance(v, dict) else (v if k == "lines" else fen_of(v))
            for k, v in d.items()
        }

    ids = [c.id for c in comps]
    assert money(summary["totals_cny"]) == {c.id: fen(expected, [c.id]) for c in comps} | {
        "total": fen(expected, ids)
    }
    for key in ("payee", "budget"):
        groups = {getattr(c, key) for c in comps}
        assert money(summary[f"by_{key}"]) == {
            g: fen(expected, [c.id for c in comps if getattr(c, key) == g]) for g in groups
        }
    for key in ("region", "motor_type"):
        want = {}
        for g in sorted({r[key] for r in recs}):
            mine = [e for r, e in zip(recs, expected) if r[key] == g]
            want[g] = {"lines": len(mine)} | {cid: fen(mine, [cid]) for cid in ids}
            want[g]["total"] = fen(mine, ids)
        assert money(summary[f"by_{key}"]) == want
    statuses: dict = {c.id: {} for c in comps}
    for e in expected:
        for c in comps:
            o = e.components[c.id]
            if o.outcome == PAID and o.fen:
                by_status = statuses[c.id]
                by_status[o.cell.status] = by_status.get(o.cell.status, 0) + o.fen
    assert money(summary["by_rate_status"]) == statuses
    for s in schemes.schemes:
        mine_ids = [c.id for c in s.components]
        want = {}
        for v in sorted({e.versions[s.id] or "none" for e in expected}):
            lines = [e for e in expected if (e.versions[s.id] or "none") == v]
            want[v] = {"lines": len(lines), "total": fen(lines, mine_ids)}
        assert money(summary["by_scheme_version"][s.id]) == want
    assert summary["no_rate_lines"] == {
        c.id: sum(e.components[c.id].outcome == "NO_RATE" for e in expected) for c in comps
    }
    counts = {
        name: n for name in sorted(ELIGIBILITY) if (n := sum(name in e.reasons for e in expected))
    }
    assert {k: v for k, v in summary["reasons"].items() if k in ELIGIBILITY} == counts


def check(schemes: SchemeSet, recs: list[dict], table: pa.Table) -> list[LineOutcome]:
    """Kernel (through ``engine.run`` and ``subsidy.subsidies``) == reference, line by line."""
    expected = [reference_line(schemes, as_reference(r)) for r in recs]
    comps = [c for _, c in schemes.components]

    # 1. the fast path as users see it: the output table and summary of engine.run
    result = run(table, schemes)
    assert result.rejects.num_rows == 0, result.rejects.to_pylist()
    out = result.output
    assert out.num_rows == len(recs)
    assert out.column("record_id").to_pylist() == [f"r{i}" for i in range(len(recs))]
    cols = {name: out.column(name).to_pylist() for name in out.column_names}
    for i, (rec, exp) in enumerate(zip(recs, expected)):
        where = f"line {i}: {rec}\nreference: {exp}"
        for s in schemes.schemes:
            assert cols[f"version_{s.id}"][i] == exp.versions[s.id], where
        for c in comps:
            got = fen_of(cols[f"subsidy_{c.id}"][i])
            assert got == exp.components[c.id].fen, f"{c.id}: {got} fen\n{where}"
        assert fen_of(cols["subsidy_total"][i]) == sum(o.fen for o in exp.components.values())
        got_reasons = {x for x in (cols["reasons"][i] or "").split(";") if x} & ELIGIBILITY
        assert got_reasons == exp.reasons, where

    check_summary(schemes, recs, expected, result.summary)

    # 2. the kernel's own arrays: per-component codes, fen, versions and reason mask
    recs_v = records.validate(records.normalise_names(table, "<test>"))
    assert recs_v.valid.all()
    compiled = compiled_schemes(schemes)
    res = subsidies(compiled, recs_v.take(np.arange(len(recs))))
    for i, (rec, exp) in enumerate(zip(recs, expected)):
        where = f"line {i}: {rec}\nreference: {exp}"
        for ci, c in enumerate(comps):
            got = (int(res.fen[ci, i]), code_name(int(res.code[ci, i])))
            want = (exp.components[c.id].fen, exp.components[c.id].outcome)
            assert got == want, f"{c.id}: kernel {got} != reference {want}\n{where}"
        for si, s in enumerate(schemes.schemes):
            v = int(res.version[si, i])
            got_v = None if v < 0 else compiled.versions[v][1].id
            assert got_v == exp.versions[s.id], where
        assert mask_names(int(res.reasons[i])) == exp.reasons, where
    return expected


# --------------------------------------------------------------------------------------
# (a) the shipped schemes


@given(data=st.data())
def test_shipped_schemes_kernel_equals_reference(data):
    recs = data.draw(
        st.lists(record_dicts(shipped_kws, shipped_dates), min_size=1, max_size=25),
        label="records",
    )
    tally(SHIPPED, check(SHIPPED, recs, data.draw(tables(recs), label="table")))


# --------------------------------------------------------------------------------------
# (b) random valid schemes

#: band ends the generated schemes favour (those of the shipped schemes), and any others
band_points = st.sampled_from(KW_EDGES) | milli_kw
SOURCE = {"source": "generated", "status": "official"}


def fmt(x: float) -> str:
    return repr(float(x))


@st.composite
def scope_intervals(draw) -> str | None:
    """A scope interval as the file writes it (None: the key left out, any power)."""
    shape = draw(st.sampled_from(("any", "bounded", "bounded", "open_top", "point")))
    if shape == "any":
        return None
    a = draw(st.just(0.0) | band_points)
    if shape == "open_top":
        return f"{draw(st.sampled_from('[('))}{fmt(a)}, inf)"
    b = draw(band_points)
    lo, hi = sorted((a, b))
    if shape == "point" or lo == hi:
        return f"[{fmt(hi)}, {fmt(hi)}]"
    return f"{draw(st.sampled_from('[('))}{fmt(lo)}, {fmt(hi)}{draw(st.sampled_from('])'))}"


@st.composite
def tiling(draw) -> list[str]:
    """Bands that tile [0, inf) end to end: '[0, a]', '(a, b)', '[b, inf)' ..."""
    cuts = sorted(set(draw(st.lists(band_points, max_size=3))))
    bands, start = [], "[0.0"
    for c in cuts:
        closed = draw(st.booleans())
        bands.append(f"{start}, {fmt(c)}{']' if closed else ')'}")
        start = f"{'(' if closed else '['}{fmt(c)}"
    bands.append(f"{start}, inf)")
    return bands


#: a rate in whole fen per kW, or None (no source gives it); the sampled ones make
#: half-fen ties frequent (45 CNY/kW x 0.001 kW = 4.5 fen)
rates_cny = (
    st.none()
    | st.sampled_from((35.0, 45.0, 12.5, 0.05, 0.01, 0.5))
    | st.integers(0, 10_000).map(lambda n: n / 100)
    | st.integers(0, 10_000_000).map(lambda n: n / 100)
)


def cell(draw, cid: str, band: str, mt: str | None, grades: list[int] | None) -> dict:
    out = {"component": cid, "kw": band, "source": "generated"}
    out["status"] = draw(st.sampled_from(vocab.STATUSES))
    if mt is not None:
        out["motor_type"] = mt
    if grades is not None:
        out["grades"] = grades
    rate = draw(rates_cny)
    if rate is not None:
        out["cny_per_kw"] = rate
    return out


def grade_keys(comp: dict, mt: str) -> set[int | None]:
    """The grades the validation makes a rate table cover for ``mt`` (as schemes.py does)."""
    worst = [
        e["worst_grade"]
        for e in comp["eligibility"]["scope"]
        if e["motor_type"] == mt and e.get("worst_grade") is not None
    ]
    return set(range(1, max(worst) + 1)) if worst else {None}


@st.composite
def component_cells(draw, comp: dict) -> list[dict]:
    """The rate cells of one component in one version."""
    cid = comp["id"]
    in_scope = sorted({e["motor_type"] for e in comp["eligibility"]["scope"]})
    mode = draw(st.sampled_from(("per_type", "per_type", "per_type", "any_type", "nothing")))
    cells: list[dict] = []
    if mode == "nothing":  # a version may give no cell at all for a component
        return cells
    if mode == "any_type":  # one table for every motor type
        cells += [cell(draw, cid, b, None, None) for b in draw(tiling())]
    else:
        for mt in MOTOR_TYPES:
            if mt not in in_scope and draw(st.booleans()):
                continue
            if grade_keys(comp, mt) != {None} and draw(st.booleans()):
                # a table per group of grades; the groups cover 1..3
                label = draw(st.lists(st.integers(0, 2), min_size=3, max_size=3))
                for group in sorted(set(label)):
                    grades = [g for g, lab in zip(GRADES, label) if lab == group]
                    cells += [cell(draw, cid, b, mt, grades) for b in draw(tiling())]
            else:
                cells += [cell(draw, cid, b, mt, None) for b in draw(tiling())]
    # extra cells for grades the validation does not check: they may overlap anything,
    # so the first cell in file order decides
    for _ in range(draw(st.integers(0, 3))):
        mt = draw(st.sampled_from((None, *MOTOR_TYPES)))
        targets = in_scope if mt is None else [mt]
        free = set(GRADES)
        for t in targets:
            if t in in_scope:
                free -= grade_keys(comp, t)
        if not free:
            continue
        grades = draw(st.lists(st.sampled_from(sorted(free)), min_size=1, unique=True))
        band = draw(scope_intervals()) or "(0.0, inf)"
        at = draw(st.integers(0, len(cells)))
        cells.insert(at, cell(draw, cid, band, mt, sorted(grades)))
    return cells


def maybe_list(values):
    """Mostly no filter; else mostly a non-empty list (an empty one lets nothing through)."""
    some = st.lists(st.sampled_from(values), unique=True, min_size=1, max_size=len(values))
    return st.sampled_from(("none",) * 5 + ("some",) * 4 + ("empty",)).flatmap(
        lambda k: {"none": st.none(), "some": some, "empty": st.just([])}[k]
    )


@st.composite
def components(draw, index: int) -> dict:
    trade_in_required = draw(st.booleans())
    # mostly no filter, else one or several keys (a filtered-out line is silent)
    applies_to = {}
    keys = draw(st.sampled_from(((), (), (), ("one",), ("one", "two"))))
    filters = (("regions", REGIONS), ("kinds", KINDS), ("motor_types", MOTOR_TYPES))
    for _ in keys:
        key, values = draw(st.sampled_from(filters))
        applies_to[key] = draw(maybe_list(values).filter(lambda x: x is not None))
    trade = draw(st.sampled_from((None, None, None, None, True, False)))
    if trade is not None:
        applies_to["trade_in"] = trade
    pairs = draw(
        st.lists(
            st.tuples(st.sampled_from(KINDS), st.sampled_from(MOTOR_TYPES)),
            min_size=1,
            max_size=6,
            unique=True,
        )
    )
    scope = []
    for kind, mt in pairs:
        entry = {"kind": kind, "motor_type": mt, **SOURCE}
        kw = draw(scope_intervals())
        if kw is not None:
            entry["kw"] = kw
        worst = draw(st.none() | st.integers(1, 3))
        if worst is not None:
            entry["worst_grade"] = worst
        scope.append(entry)
    eligibility = {"trade_in_required": trade_in_required, "scope": scope}
    regions = draw(maybe_list(REGIONS))
    if regions is not None:
        eligibility["regions"] = regions
    out = {
        "id": f"c{index}",
        "title": f"component {index}",
        "payee": draw(st.sampled_from(vocab.PAYEES)),
        "budget": draw(st.sampled_from(vocab.BUDGETS)),
        "basis": draw(st.sampled_from(("kw", "old_kw"))) if trade_in_required else "kw",
        "eligibility": eligibility,
    }
    if applies_to or draw(st.booleans()):
        out["applies_to"] = applies_to
    return out


@st.composite
def scheme_dicts(draw) -> dict:
    comps = [draw(components(i)) for i in range(draw(st.integers(1, 3)))]
    start = draw(st.dates(dt.date(2009, 1, 1), dt.date(2016, 12, 31)))
    n_versions = draw(st.integers(1, 3))
    versions = []
    for i in range(n_versions):
        version = {"id": f"v{i}", "from": start, **SOURCE}
        if i < n_versions - 1 or draw(st.booleans()):
            until = start + dt.timedelta(days=draw(st.integers(0, 900)))
            version["until"] = until
            start = until + dt.timedelta(days=1)
        version["rates"] = [r for c in comps for r in draw(component_cells(c))]
        if draw(st.booleans()):  # cells of different components interleaved
            version["rates"] = draw(st.permutations(version["rates"]))
        versions.append(version)
    return {
        "id": "gen",
        "title": "generated",
        "authority": "hypothesis",
        "documents": [{"id": "doc", "number": "1"}],
        "components": comps,
        "versions": versions,
    }


def scheme_points(scheme: Scheme) -> tuple[list[float], list[float], list[dt.date]]:
    """Powers and dates worth trying against a scheme.

    Band ends (and a milliwatt either side); points inside each band; version
    boundaries (and a day either side).
    """
    ends, inner = set(), set()
    scopes = [e.kw for c in scheme.components for e in c.eligibility.scope]
    bands = scopes + [r.kw for v in scheme.versions for r in v.rates]
    for b in bands:
        for x in (b.lo, b.hi):
            for y in (x - 0.001, x, x + 0.001):
                y = round(y, 3)
                if 0 < y <= MAX_TEST_KW:
                    ends.add(y)
    for b in bands:
        hi = min(b.hi, MAX_TEST_KW)
        for y in (round((b.lo + hi) / 2, 3), round(b.lo + 1.5, 3)):
            if b.contains(y) and 0 < y <= MAX_TEST_KW:
                inner.add(y)
    days = set()
    one = dt.timedelta(days=1)
    for v in scheme.versions:
        days |= {v.in_force_from - one, v.in_force_from}
        if v.in_force_until is not None:
            days |= {v.in_force_until, v.in_force_until + one}
    return sorted(ends) or [1.0], sorted(inner) or [1.0], sorted(days)


def check_generated(data, scheme_dict: dict) -> None:
    """Parse a generated scheme, draw records that probe it, and hold kernel to reference."""
    scheme = parse_scheme(scheme_dict, "generated")
    schemes = SchemeSet((scheme,))
    kw_edges, kw_inside, day_edges = scheme_points(scheme)
    first = scheme.versions[0].in_force_from
    last = scheme.versions[-1].in_force_until or first + dt.timedelta(days=3000)
    kws = st.sampled_from(kw_edges) | st.sampled_from(kw_inside) | milli_kw
    dates = (
        st.sampled_from(day_edges)
        | st.dates(first, last)
        | st.dates(first - dt.timedelta(days=60), last + dt.timedelta(days=60))
    )
    pairs = st.sampled_from(
        sorted({(e.kind, e.motor_type) for c in scheme.components for e in c.eligibility.scope})
    )
    recs = data.draw(
        st.lists(record_dicts(kws, dates, pairs), min_size=1, max_size=25), label="records"
    )
    expected = check(schemes, recs, data.draw(tables(recs), label="table"))
    tally(schemes, expected)
    note(f"outcomes: {[sorted(e.components.items()) for e in expected]}")


@given(data=st.data())
def test_generated_schemes_kernel_equals_reference(data):
    check_generated(data, data.draw(scheme_dicts(), label="scheme"))


@st.composite
def overlapping_scheme_dicts(draw) -> dict:
    """One component that pays every kind and type with no grade limit, so that the
    validation checks only the grade-less table; cells listing grades are free to overlap
    it and each other, and the first one in file order must win."""
    scope = [{"kind": k, "motor_type": t, **SOURCE} for k in KINDS for t in MOTOR_TYPES]
    comp = {
        "id": "c0", "title": "c0", "payee": "user", "budget": "local", "basis": "kw",
        "eligibility": {"scope": scope},
    }  # fmt: skip
    versions = []
    start = dt.date(2020, 1, 1)
    for i in range(draw(st.integers(1, 2))):
        cells = draw(component_cells(comp).filter(bool))
        for _ in range(draw(st.integers(1, 6))):
            mt = draw(st.sampled_from((None, *MOTOR_TYPES)))
            grades = sorted(draw(st.lists(st.sampled_from(GRADES), min_size=1, unique=True)))
            band = draw(scope_intervals()) or "(0.0, inf)"
            cells.insert(draw(st.integers(0, len(cells))), cell(draw, "c0", band, mt, grades))
        versions.append({"id": f"v{i}", "from": start, "rates": cells, **SOURCE})
        if i == 0:
            versions[0]["until"] = start + dt.timedelta(days=99)
            start += dt.timedelta(days=100)
    return {
        "id": "gen", "title": "overlapping", "authority": "hypothesis",
        "documents": [{"id": "doc", "number": "1"}], "components": [comp],
        "versions": versions,
    }  # fmt: skip


@given(data=st.data())
def test_first_rate_cell_in_file_order_wins(data):
    check_generated(data, data.draw(overlapping_scheme_dicts(), label="scheme"))


# --------------------------------------------------------------------------------------
# money: half-fen ties and the largest lines the records accept, on the shipped rates

#: lines that the shipped schemes pay: (date, region, motor type, kind, trade-in)
PAYING = (
    (dt.date(2010, 9, 1), "CN-JS", "lv_async", "new", False),  # national 35 / 40
    (dt.date(2012, 5, 10), "CN-SH", "hv_async", "new", True),  # national 26, buy-back 20
    (dt.date(2014, 2, 3), "CN-SH", "pm_sync", "reman", True),  # buy-back 20, reman 45
    (dt.date(2015, 12, 31), "CN-SH", "lv_async", "reman", True),  # buy-back 20, reman 45
)

micro_kw = st.integers(1, 100_000_000_000).map(lambda n: n / 1_000_000)  # to MAX_KW
quantities = st.integers(1, 1_000_000) | st.integers(1, 9)


@st.composite
def paying_records(draw) -> dict:
    day, region, mt, kind, trade_in = draw(st.sampled_from(PAYING))
    if mt == "lv_async" and kind == "new":
        kw = draw(st.integers(550_000, 22_000_000).map(lambda n: n / 1_000_000))
    elif mt == "hv_async":
        kw = draw(st.integers(355_000, 25_000_000).map(lambda n: n / 1000))
    else:
        kw = draw(micro_kw | milli_kw)
    return {
        "sale_date": day, "region": region, "motor_type": mt, "kind": kind,
        "grade": draw(st.integers(1, 2)) if mt == "lv_async" else None,
        "trade_in": trade_in, "kw": kw, "qty": draw(quantities),
        "old_kw": draw(micro_kw | milli_kw), "old_qty": draw(st.none() | quantities),
    }  # fmt: skip


@given(data=st.data())
def test_money_ties_and_large_lines(data):
    recs = data.draw(st.lists(paying_records(), min_size=1, max_size=25), label="records")
    expected = check(SHIPPED, recs, data.draw(tables(recs), label="table"))
    tally(SHIPPED, expected)
    half = Decimal("0.005")
    for e in expected:
        ties = [o for o in e.components.values() if o.exact % Decimal("0.01") == half]
        event("a line with a half-fen tie" if ties else "a line without a tie")
    assert any(o.outcome == PAID for e in expected for o in e.components.values())


# --------------------------------------------------------------------------------------
# the summary reconciles, with rejected rows among the valid ones

#: ways to break a valid row (column, text value), each a reject of docs/rules.md section 6
BREAKS = (
    ("kw", "0"), ("kw", "-3"), ("kw", "abc"), ("kw", ""), ("region", "CN-XX"),
    ("motor_type", "dc_brush"), ("sale_date", "2012-13-01"), ("sale_date", ""),
    ("qty", "0"), ("qty", "1.5"), ("grade", "4"), ("kind", "used"), ("trade_in", "maybe"),
    ("old_kw", "-1"), ("old_qty", "0"), ("record_id", ""),
)  # fmt: skip


TEXT_COLUMNS = (
    "record_id", "sale_date", "region", "motor_type", "kind", "grade", "trade_in", "kw",
    "qty", "old_kw", "old_qty",
)  # fmt: skip


def text_row(rec: dict, rid: str) -> dict:
    def opt(x) -> str:
        return "" if x is None else repr(x)

    return {
        "record_id": rid,
        "sale_date": rec["sale_date"].isoformat(),
        "region": rec["region"],
        "motor_type": rec["motor_type"],
        "kind": rec["kind"],
        "grade": opt(rec["grade"]),
        "trade_in": "true" if rec["trade_in"] else "false",
        "kw": repr(rec["kw"]),
        "qty": str(rec["qty"]),
        "old_kw": opt(rec["old_kw"]),
        "old_qty": opt(rec["old_qty"]),
    }


@st.composite
def rows_with_rejects(draw):
    """Text rows, some broken; returns (rows, valid records by row index)."""
    recs = draw(st.lists(record_dicts(shipped_kws, shipped_dates), min_size=0, max_size=25))
    rows, valid = [], {}
    for i, rec in enumerate(recs):
        row = text_row(rec, f"r{i}")
        brk = draw(st.none() | st.sampled_from(BREAKS))
        if brk is None and rec["motor_type"] == "lv_async" and draw(st.booleans()):
            brk = ("grade", "")  # a low-voltage line needs its grade
        if brk is None and rec["trade_in"] and draw(st.booleans()):
            brk = ("old_kw", "")  # a trade-in needs the old motor's power
        if brk is None:
            valid[i] = rec
        else:
            row[brk[0]] = brk[1]
        rows.append(row)
    return rows, valid


@given(case=rows_with_rejects())
def test_summary_reconciles(case):
    rows, valid = case
    table = pa.table({n: pa.array([r[n] for r in rows], pa.string()) for n in TEXT_COLUMNS})
    result = run(table, SHIPPED)
    s = result.summary
    n_bad = len(rows) - len(valid)
    assert s["rows"] == {
        "read": len(rows), "computed": len(valid), "rejected": n_bad, "blank": 0,
        "reconciles": True,
    }  # fmt: skip
    assert result.output.num_rows == len(valid)
    assert result.rejects.num_rows == n_bad
    assert sorted(result.rejects.column("source_row").to_pylist()) == sorted(
        i + 2 for i in range(len(rows)) if i not in valid
    )
    assert result.output.column("record_id").to_pylist() == [f"r{i}" for i in sorted(valid)]
    expected = [reference_line(SHIPPED, as_reference(valid[i])) for i in sorted(valid)]
    check_summary(SHIPPED, [valid[i] for i in sorted(valid)], expected, s)
    grand = 0
    for _, c in SHIPPED.components:
        column = [fen_of(x) for x in result.output.column(f"subsidy_{c.id}").to_pylist()]
        assert fen_of(s["totals_cny"][c.id]) == sum(column)
        assert sum(column) == sum(e.components[c.id].fen for e in expected)
        grand += sum(column)
    assert fen_of(s["totals_cny"]["total"]) == grand
    total_col = [fen_of(x) for x in result.output.column("subsidy_total").to_pylist()]
    assert sum(total_col) == grand


# --------------------------------------------------------------------------------------
# a power written with a half-milliwatt (7th decimal 5) is read half-up, as written


def test_half_milliwatt_is_read_half_up_from_the_written_decimal():
    rec = {
        "sale_date": dt.date(2012, 5, 10), "region": "CN-SH", "motor_type": "pm_sync",
        "kind": "reman", "grade": None, "trade_in": True, "kw": 258.3383335, "qty": 1,
        "old_kw": 10.0, "old_qty": None,
    }  # fmt: skip
    # 45 CNY/kW x 258.338334 kW = 11625.22503 -> 11625.23 (sh_reman)
    expected = check(
        SHIPPED, [rec], pa.table({k: [str(v)] for k, v in text_row(rec, "r0").items()})
    )
    assert expected[0].components["sh_reman"].amount == Decimal("11625.23")
