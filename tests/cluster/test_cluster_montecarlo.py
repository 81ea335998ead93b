"""project --samples on a cluster: the same draws and bands as one process, for one
worker and for two, whatever the block size."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from motorsub import cluster
from motorsub.cli import main
from motorsub.plan import load_plan, project
from motorsub.plan import montecarlo as mc

PLAN = str(Path(__file__).parents[2] / "examples" / "plans" / "shanghai-12th-fyp.toml")
SAMPLES, SEED = 2_500, 11


@pytest.fixture(scope="module")
def alone():
    plan = load_plan(PLAN)
    return plan, project(plan, samples=SAMPLES, seed=SEED)


def assert_same(a, b):
    assert np.array_equal(a.draws, b.draws)
    assert a.columns.keys() == b.columns.keys()
    for k in a.columns:
        assert np.array_equal(np.asarray(a.columns[k]), np.asarray(b.columns[k])), k


def test_blocks_on_two_workers_equal_one_process(alone, client, monkeypatch):
    plan, want = alone
    assert np.std(want.draws[:, 0]) > 0  # the plan's hours are uncertain: draws differ
    monkeypatch.setattr(mc, "BLOCK_SAMPLES", 300)  # 9 blocks over the two workers
    got = project(plan, samples=SAMPLES, seed=SEED, map=cluster.mapper(client))
    assert_same(want, got)


def test_blocks_on_one_worker_equal_one_process(alone, monkeypatch):
    plan, want = alone
    monkeypatch.setattr(mc, "BLOCK_SAMPLES", 1000)
    with cluster.connect("local:1", dashboard=":0") as one:
        assert len(one.scheduler_info()["workers"]) == 1
        got = project(plan, samples=SAMPLES, seed=SEED, map=cluster.mapper(one))
    assert_same(want, got)


def test_block_size_does_not_change_a_sample():
    kw = dict(
        promoted=np.array([10.0, 20.0, 0.0]), intensity=np.array([100.0, 90.0, 80.0]),
        half_year=True, life_kind=mc.LIFE_WEIBULL, life=3.0, shape=2.0,
        codes=np.array([mc.UNIFORM, mc.TRIANGULAR, mc.NORMAL, mc.LOGNORMAL]),
        params=np.array([[0.5, 1.5, 0], [0.8, 1.0, 1.2], [1.0, 0.1, 0], [1.0, 0.2, 0]]),
        seed=5,
    )  # fmt: skip
    whole = mc.simulate(samples=50, **kw)
    for block in (1, 7, 50, 64):
        parts = mc.simulate_blocks(samples=50, block=block, **kw)
        for k in whole:
            assert np.array_equal(whole[k], parts[k]), (k, block)


def test_cli_project_cluster_prints_the_same_table(client, tmp_path):
    runner = CliRunner()
    base = ["project", PLAN, "--samples", "600", "--seed", "2"]
    one = runner.invoke(main, [*base, "-o", str(tmp_path / "one.csv")])
    many = runner.invoke(
        main, [*base, "--cluster", client.scheduler.address, "-o", str(tmp_path / "c.csv")]
    )
    assert one.exit_code == 0 and many.exit_code == 0, many.output
    assert (tmp_path / "one.csv").read_bytes() == (tmp_path / "c.csv").read_bytes()
