"""compute on a LocalCluster of two processes gives the one-process answer, all or nothing.

The oracle is the one-process back end on the same input (itself tested against the
rule text elsewhere); the rejected rows are known by construction (conftest.bad_rows).
"""

from __future__ import annotations

import json
import os
import signal
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner
from cluster_helpers import bad_rows, synthetic

from motorsub import _jit
from motorsub.backends.local import compute_file
from motorsub.cli import main
from motorsub.cluster.compute import compute_dataset
from motorsub.errors import InputError

#: Energy sums are float64 added in another order on a cluster (per task, then merged):
#: they may differ from one process in their last bits; everything else is identical.
ENERGY_RTOL = 1e-12


def parts(folder: Path) -> list[dict]:
    """The rows of a folder's part files read in name order."""
    names = sorted(p.name for p in folder.iterdir())
    assert names == sorted(n for n in names if n.startswith("part-") and n.endswith(".parquet"))
    return [r for n in names for r in pq.read_table(folder / n).to_pylist()]


def one_process(inp, tmp_path: Path, name="one") -> tuple[list[dict], list[dict], dict]:
    out = tmp_path / f"{name}.parquet"
    rej = tmp_path / f"{name}.rejects.parquet"
    summary = compute_file(inp, out, rejects_path=rej)
    return pq.read_table(out).to_pylist(), pq.read_table(rej).to_pylist(), summary


def assert_same_summary(a: dict, b: dict) -> None:
    energy = ("savings_per_year",)
    for key in a:
        if key in energy or key == "files":
            continue
        assert a[key] == b[key], key

    def walk(x, y, where):
        if isinstance(x, dict):
            assert x.keys() == y.keys(), where
            for k in x:
                walk(x[k], y[k], f"{where}.{k}")
        elif isinstance(x, float):
            assert y == pytest.approx(x, rel=ENERGY_RTOL, abs=1e-9), where
        else:
            assert x == y, where

    walk(a["savings_per_year"], b["savings_per_year"], "savings_per_year")


def test_three_files_equal_one_process_row_for_row(dataset, client, tmp_path):
    folder, n = dataset
    want_out, want_rej, want = one_process(folder, tmp_path)
    outdir = tmp_path / "out"
    calls = []
    got = compute_dataset(
        folder, outdir, client=client, task_rows=1000, batch_rows=1000,
        progress=lambda done, total: calls.append((done, total)),
    )  # fmt: skip
    # progress: lines of the completed tasks, out of the footers' total, once per task
    assert [d for d, _ in calls] == [1000 * k for k in range(1, 10)]
    assert {t for _, t in calls} == {n}
    # 3 files × 3 tasks of 1,000 rows (two row groups each): nine parts, in input order
    assert sorted(p.name for p in (outdir / "results").iterdir()) == [
        f"part-{i:06d}.parquet" for i in range(9)
    ]
    assert parts(outdir / "results") == want_out
    assert parts(outdir / "rejects") == want_rej
    bad = bad_rows(n)
    assert got["rows"] == {
        "read": n,
        "computed": n - len(bad),
        "rejected": len(bad),
        "blank": 0,
        "reconciles": True,
    }
    # rows as the one-process reader numbers them across the folder: header = row 1
    assert [r["source_row"] for r in parts(outdir / "rejects")] == [i + 2 for i in sorted(bad)]
    assert_same_summary(want, got)
    import json

    assert json.loads((outdir / "summary.json").read_text("utf-8")) == got
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".out.")]  # no leftovers


def test_csv_file_on_the_cluster_equals_one_process(dataset, client, tmp_path):
    import pyarrow.csv as pacsv

    table = synthetic(0, 2500, seed=7)
    csv = tmp_path / "sales.csv"
    pacsv.write_csv(table, csv)
    want_out, want_rej, want = one_process(csv, tmp_path)
    got = compute_dataset([csv], tmp_path / "out", client=client, batch_rows=1000)
    assert parts(tmp_path / "out" / "results") == want_out
    assert parts(tmp_path / "out" / "rejects") == want_rej
    assert got["rows"]["rejected"] == len(bad_rows(2500))
    assert_same_summary(want, got)


def test_a_killed_worker_is_rerun_and_the_answer_is_unchanged(dataset, client, tmp_path):
    folder, n = dataset
    want_out, want_rej, want = one_process(folder, tmp_path)
    pids = client.run(os.getpid)
    killed = []

    def kill_one(done, total):
        if not killed:  # after the first task: the other tasks are queued or running
            pid = sorted(pids.values())[0]
            os.kill(pid, signal.SIGKILL)
            killed.append(pid)

    outdir = tmp_path / "out"
    got = compute_dataset(
        folder, outdir, client=client, task_rows=500, batch_rows=1000, progress=kill_one
    )
    assert killed
    assert parts(outdir / "results") == want_out  # no row lost or doubled
    assert parts(outdir / "rejects") == want_rej
    assert got["rows"]["read"] == n
    assert_same_summary(want, got)
    assert not [p for p in (outdir / "results").iterdir() if p.name.startswith(".")]
    client.wait_for_workers(2, timeout=120)  # the nanny restarted it, warmed again
    assert killed[0] not in client.run(os.getpid).values()  # a new process took its place


def test_a_bad_file_stops_the_run_naming_it_and_writes_nothing(dataset, client, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    for f in range(3):
        table = synthetic(f * 1000, 1000, seed=f)
        if f == 1:
            table = table.drop_columns(["kw"])  # a required column missing
        pq.write_table(table, folder / f"sales-{f}.parquet")
    outdir = tmp_path / "out"
    with pytest.raises(InputError, match=r"sales-1\.parquet.*kw"):
        compute_dataset(folder, outdir, client=client)
    assert not outdir.exists()
    assert [p.name for p in tmp_path.iterdir()] == ["in"]  # no temporary folder either


def test_cli_cluster_refuses_existing_outdir_and_overwrites_on_request(dataset, client, tmp_path):
    folder, n = dataset
    outdir = tmp_path / "out"
    outdir.mkdir()
    (outdir / "old.txt").write_text("kept unless --overwrite")
    address = client.scheduler.address  # an existing cluster, reached by its address
    runner = CliRunner()
    args = ["compute", str(folder), "-o", str(outdir), "--cluster", address, "-q"]
    res = runner.invoke(main, args)
    assert res.exit_code == 2
    assert "already exists" in res.output and "--overwrite" in res.output
    assert (outdir / "old.txt").exists()
    res = runner.invoke(main, [*args, "--overwrite", "--summary", str(tmp_path / "s.json")])
    assert res.exit_code == 0, res.output
    assert sorted(p.name for p in outdir.iterdir()) == ["rejects", "results", "summary.json"]
    assert "dashboard" in res.output
    import json

    summary = json.loads((tmp_path / "s.json").read_text("utf-8"))
    assert summary["rows"]["read"] == n
    assert summary["rows"]["rejected"] == len(bad_rows(n))


def test_a_csv_line_with_an_extra_value_is_rejected_and_the_run_goes_on(client, tmp_path):
    good, bad = tmp_path / "a.csv", tmp_path / "b.csv"
    header = "record_id,sale_date,region,motor_type,kw,grade\n"
    good.write_text(header + "r1,2010-09-01,CN-JS,lv_async,15,2\n", "utf-8")
    bad.write_text(header + "r2,2010-09-01,CN-JS,lv_async,15,2,extra\n", "utf-8")
    outdir = tmp_path / "out"
    res = CliRunner().invoke(
        main,
        ["compute", str(good), str(bad), "-o", str(outdir), "--cluster",
         client.scheduler.address, "-q", "--json"],
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    (rejected,) = parts(outdir / "rejects")
    # as one process does: the line goes to the rejects file with its raw text, row 2 of b.csv
    assert (rejected["source_file"], rejected["source_row"]) == (str(bad), 2)
    assert rejected["reasons"] == "BAD_LINE"
    assert rejected["raw_line"] == "r2,2010-09-01,CN-JS,lv_async,15,2,extra"
    summary = json.loads((outdir / "summary.json").read_text("utf-8"))
    assert summary["rows"] == {
        "read": 2, "computed": 1, "rejected": 1, "blank": 0, "reconciles": True,
    }  # fmt: skip


def test_several_csv_files_name_the_file_of_each_rejected_row(client, tmp_path):
    header = "record_id,sale_date,region,motor_type,kw,grade\n"
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    a.write_text(header + "r1,2010-09-01,CN-JS,lv_async,15,2\nr2,2010-09-01,XX,lv_async,15,2\n")
    b.write_text(header + "r3,2010-09-01,CN-JS,lv_async,-1,2\n")
    got = compute_dataset([a, b], tmp_path / "out", client=client)
    rejects = parts(tmp_path / "out" / "rejects")
    # each file's rows numbered from its own header (row 1)
    assert [(r["source_file"], r["source_row"]) for r in rejects] == [(str(a), 3), (str(b), 2)]
    # 15 kW × 35 CNY/kW (2010 national, grade 2) = 525.00 on the one line computed
    assert [r["subsidy_total"] for r in parts(tmp_path / "out" / "results")] == [525.0]
    assert got["rows"] == {"read": 3, "computed": 1, "rejected": 2, "blank": 0, "reconciles": True}


@pytest.mark.skipif(_jit.DISABLED, reason="MOTORSUB_DISABLE_JIT=1: no numba threads to count")
def test_workers_share_the_cores_and_were_warmed(client):
    import numba

    from motorsub.cluster import worker_threads

    workers = sorted(client.scheduler_info()["workers"])
    threads = {w: client.submit(worker_threads, workers=[w], pure=False).result() for w in workers}
    assert len(threads) == 2
    assert sum(threads.values()) <= max(os.cpu_count(), 2)
    assert set(threads.values()) == {max(1, os.cpu_count() // 2)}
    plugins = client.run(lambda dask_worker: sorted(dask_worker.plugins))
    assert all("motorsub-warm" in p for p in plugins.values())
    # this process (the client, whose nannies spawned the workers) keeps its own threads
    numba.core.config.reload_config()
    assert numba.config.NUMBA_NUM_THREADS == numba.config.NUMBA_DEFAULT_NUM_THREADS or (
        "NUMBA_NUM_THREADS" in os.environ
    )


def test_several_inputs_need_cluster_and_rejects_is_refused_with_it(dataset, tmp_path):
    folder, _ = dataset
    files = [str(p) for p in sorted(folder.iterdir())]
    res = CliRunner().invoke(main, ["compute", *files, "-o", str(tmp_path / "o.parquet")])
    assert res.exit_code == 2 and "--cluster" in res.output
    res = CliRunner().invoke(
        main,
        ["compute", str(folder), "-o", str(tmp_path / "o"), "--cluster", "local:1",
         "--rejects", str(tmp_path / "r.csv")],
    )  # fmt: skip
    assert res.exit_code == 2 and "--rejects" in res.output
    res = CliRunner().invoke(
        main, ["compute", str(folder), "-o", str(tmp_path / "o"), "--cluster", "local:x"]
    )
    assert res.exit_code == 2 and "local:N" in res.output


def test_strict_on_the_cluster_exits_4_and_writes_nothing(dataset, client, tmp_path):
    folder, _ = dataset
    from motorsub.errors import RejectedRowsError

    with pytest.raises(RejectedRowsError, match=r"sales-\d\.parquet: row\(s\) rejected"):
        compute_dataset(folder, tmp_path / "out", client=client, strict=True)
    assert not (tmp_path / "out").exists()


def test_energy_columns_are_bit_identical(dataset, client, tmp_path):
    """Per line every float is the same to the bit (only the summary's sums may not be)."""
    folder, _ = dataset
    want = pq.read_table(compute_file_path(folder, tmp_path))
    compute_dataset(folder, tmp_path / "out", client=client, task_rows=1500)
    got = pa.concat_tables(
        pq.read_table(p) for p in sorted((tmp_path / "out" / "results").iterdir())
    )
    for name in ("kwh_per_year", "eta_new", "eta_old", "subsidy_total"):
        a = want.column(name).to_numpy(zero_copy_only=False)
        b = got.column(name).to_numpy(zero_copy_only=False)
        assert np.array_equal(a, b, equal_nan=True), name


def compute_file_path(inp, tmp_path: Path) -> Path:
    out = tmp_path / "one.parquet"
    compute_file(inp, out)
    return out
