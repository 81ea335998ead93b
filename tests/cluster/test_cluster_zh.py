"""The lines a cluster run prints, in Chinese under ``--lang zh`` (written by hand)."""

from __future__ import annotations

import re
from pathlib import Path

from click.testing import CliRunner

from motorsub.cli import main

PLAN = str(Path(__file__).parents[2] / "examples" / "plans" / "shanghai-2011-2012.toml")


def test_compute_on_a_cluster_in_chinese(client, dataset, tmp_path):
    folder, _ = dataset
    address = client.scheduler.address
    res = CliRunner().invoke(
        main,
        ["compute", str(folder), "-o", str(tmp_path / "o"), "--cluster", address, "-q",
         "--lang", "zh"],
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    first = res.stderr.splitlines()[0]
    assert first.startswith(f"集群 {address}：2 个工作进程；监控面板 "), first
    assert "workers" not in res.stderr and "dashboard" not in res.stderr


def test_project_on_a_cluster_in_chinese(client, tmp_path):
    address = client.scheduler.address
    res = CliRunner().invoke(
        main, ["project", PLAN, "--samples", "200", "--cluster", address, "--lang", "zh"]
    )
    assert res.exit_code == 0, res.output
    lines = res.stderr.splitlines()
    assert lines[0].startswith(f"集群 {address}：监控面板 "), lines[0]
    assert re.fullmatch(r"预测用时 \d+\.\d 秒", lines[-1]), lines[-1]
