"""Lean command-line runs (motorsub.cli.lean): the same figures without numba or pandas.

A small compute or a quote runs its kernels as plain Python and never imports numba or
pandas (a large compute imports numba, still not pandas); its output must be the bytes
the compiled engine writes. Lean runs need a
process of their own, so each is a subprocess; the compiled reference is the same
command run in this process (compiled kernels, see conftest.py).
"""

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from motorsub import _jit
from motorsub._arrow import to_numpy
from motorsub.cli import lean as _lean
from motorsub.cli import main
from motorsub.engine.synth import synth

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "records.csv"

# runs the command line in a fresh interpreter, then says which heavy modules it imported
LEAN_RUN = """
import json, sys
from motorsub.cli import main
try:
    main(sys.argv[1:], standalone_mode=False)
finally:
    print(json.dumps({m: m in sys.modules for m in ("numba", "pandas")}), file=sys.stderr)
"""


def run_fresh(*args) -> tuple[str, dict]:
    proc = subprocess.run(
        [sys.executable, "-c", LEAN_RUN, *map(str, args)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    return proc.stdout, json.loads(proc.stderr.strip().splitlines()[-1])


def run_here(*args) -> str:
    res = CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)
    assert res.exit_code == 0, res.output
    return res.stdout


# ------------------------------------------------------------------ lean = compiled
SAVINGS = ("--hours", "4000", "--load", "0.75", "--tariff", "0.8", "--life-years", "15")


@pytest.mark.parametrize(
    "source, options",
    [
        ("example", ()),
        ("example", SAVINGS),
        ("example", (*SAVINGS, "--part-load")),
        ("synth.csv", SAVINGS),
        ("synth.parquet", (*SAVINGS, "--part-load")),
    ],
)
def test_small_compute_is_lean_and_writes_the_same_bytes(tmp_path, source, options):
    if source == "example":
        src = EXAMPLE
    else:
        src = tmp_path / source
        synth(2_000, 7, src)
    lean_out, here_out = tmp_path / "lean.csv", tmp_path / "here.csv"
    lean_text, imported = run_fresh("compute", src, "-o", lean_out, "-q", *options)
    here_text = run_here("compute", src, "-o", here_out, "-q", *options)
    assert imported == {"numba": False, "pandas": False}
    assert lean_out.read_bytes() == here_out.read_bytes()
    lean_rejects = lean_out.with_name("lean.rejects.csv").read_bytes()
    assert lean_rejects == here_out.with_name("here.rejects.csv").read_bytes()
    assert lean_text.replace("lean.", "here.") == here_text


def test_small_audit_runs_as_python_and_writes_the_same_bytes(tmp_path):
    audit = ROOT / "examples" / "audit"
    refs = ("--catalogue", audit / "catalogue.csv", "--buybacks", audit / "buybacks.csv",
            "--quotas", audit / "quotas.csv", "-q")  # fmt: skip
    lean_out, here_out = tmp_path / "lean.csv", tmp_path / "here.csv"
    _, imported = run_fresh("audit", audit / "batch1.csv", "-o", lean_out,
                            "--lines", tmp_path / "lean_lines.csv", *refs)  # fmt: skip
    run_here("audit", audit / "batch1.csv", "-o", here_out,
             "--lines", tmp_path / "here_lines.csv", *refs)  # fmt: skip
    assert imported["numba"] is False  # 62 claims: no kernel compiled or loaded
    assert lean_out.read_bytes() == here_out.read_bytes()
    assert (tmp_path / "lean_lines.csv").read_bytes() == (tmp_path / "here_lines.csv").read_bytes()


QUOTE = (
    "quote --motor-type lv_async --kw 11 --poles 4 --grade 2 --kind new --trade-in "
    "--old-kw 11 --old-efficiency 87.6 --region CN-SH --date 2013-06-01 --hours 4000 "
    "--load 0.75 --tariff 0.8 --price 3800"
).split()


@pytest.mark.parametrize("options", [(), ("--json",), ("--part-load", "--json")])
def test_quote_is_lean_and_says_the_same(options):
    lean_text, imported = run_fresh(*QUOTE, *options)
    assert imported == {"numba": False, "pandas": False}
    assert lean_text == run_here(*QUOTE, *options)


@pytest.mark.skipif(_jit.DISABLED, reason="MOTORSUB_DISABLE_JIT=1: no input is compiled")
def test_a_large_input_is_compiled(tmp_path):
    src = tmp_path / "large.parquet"
    synth(_lean.SMALL_ROWS + 1, 3, src)
    _, imported = run_fresh("compute", src, "-o", tmp_path / "out.parquet", "-q")
    assert imported == {"numba": True, "pandas": False}


# ------------------------------------------------------------------ what is small
def write_lines(path: Path, rows: int, width: int) -> Path:
    """A CSV of a header and ``rows`` lines of ``width`` bytes each (newline included)."""
    line = ("x" * (width - 3) + ",1\n").encode()
    path.write_bytes(b"a,b\n" + line * rows)
    return path


@pytest.mark.parametrize(
    "rows, width, small",
    [
        (_lean.SMALL_ROWS, 4, True),  # the whole file in the sample: counted
        (_lean.SMALL_ROWS + 1, 4, False),
        (_lean.SMALL_ROWS, 100, True),  # 500 kB: estimated from the first 64 KiB
        (_lean.SMALL_ROWS + 100, 100, False),
    ],
)
def test_csv_size_by_lines(tmp_path, rows, width, small):
    assert _lean.small(write_lines(tmp_path / "in.csv", rows, width)) is small


@pytest.mark.parametrize("rows, small", [(_lean.SMALL_ROWS, True), (_lean.SMALL_ROWS + 1, False)])
def test_parquet_size_from_its_footer(tmp_path, rows, small):
    path = tmp_path / "in.parquet"
    pq.write_table(pa.table({"a": np.arange(rows)}), path)
    assert _lean.small(path) is small


def test_what_cannot_be_judged_is_not_small(tmp_path):
    (tmp_path / "folder").mkdir()
    pq.write_table(pa.table({"a": [1]}), tmp_path / "folder" / "part-0.parquet")
    (tmp_path / "broken.parquet").write_bytes(b"not parquet")
    (tmp_path / "sheet.xlsx").write_bytes(b"")
    for name in ("folder", "broken.parquet", "sheet.xlsx", "missing.csv"):
        assert _lean.small(tmp_path / name) is False, name


# ------------------------------------------------------------------ to_numpy
def assert_same(got: np.ndarray, expected: np.ndarray):
    assert got.dtype == expected.dtype
    np.testing.assert_array_equal(got, expected)  # NaN where NaN


@given(
    values=st.lists(st.one_of(st.none(), st.floats(allow_nan=False)), max_size=40),
    cut=st.integers(0, 5),
)
def test_floats_and_their_nulls_as_pyarrow_gives_them(values, cut):
    arr = pa.array(values, pa.float64()).slice(cut)
    assert_same(to_numpy(arr), arr.to_numpy(zero_copy_only=False))


@given(values=st.lists(st.booleans(), max_size=40), cut=st.integers(0, 11))
def test_booleans_at_any_bit_offset(values, cut):
    arr = pa.array(values, pa.bool_()).slice(cut)
    got = to_numpy(arr)
    assert_same(got, np.array(values[cut:], dtype=np.bool_))
    assert got.flags.writeable


@pytest.mark.parametrize("t", [pa.int8(), pa.int32(), pa.int64(), pa.uint8(), pa.uint32()])
def test_integers_as_pyarrow_gives_them(t):
    arr = pa.array([0, 1, 2, 100, 7], t).slice(1)
    assert_same(to_numpy(arr), arr.to_numpy())


def test_dates_as_days_since_1970():
    arr = pc.strptime(pa.array(["1970-01-01", "2012-09-01"]), format="%Y-%m-%d", unit="s")
    assert_same(to_numpy(pc.cast(arr, pa.date32())), np.array([0, 15584], np.int32))


def test_chunks_are_joined_in_order():
    arr = pa.chunked_array([pa.array([1.0, None]), pa.array([], pa.float64()), pa.array([3.0])])
    assert_same(to_numpy(arr), np.array([1.0, np.nan, 3.0]))
    assert_same(to_numpy(pa.chunked_array([], pa.int32())), np.empty(0, np.int32))


def test_nulls_outside_floats_and_text_are_refused():
    with pytest.raises(ValueError, match="nulls"):
        to_numpy(pa.array([1, None], pa.int64()))
    with pytest.raises(TypeError, match="string"):
        to_numpy(pa.array(["a"]))
