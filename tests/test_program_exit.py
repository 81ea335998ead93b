"""The ``motorsub`` program ends as soon as its command is done, with the command's exit
code and everything it printed (:func:`motorsub.cli.main.run` skips the interpreter's
teardown, where a pyarrow I/O thread releasing a CSV reader could abort a finished
command with exit 134)."""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

from motorsub.cli.main import run

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
AUDIT = EXAMPLES / "audit"
WAIT_S = 300  # a hang fails the test instead of the whole run


def _motorsub(*args) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "motorsub", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=WAIT_S,
    )


@pytest.mark.parametrize("suffix", [".csv", ".parquet", ".xlsx"])
def test_compute_ends_with_its_output_and_summary(tmp_path, suffix):
    """Parquet and XLSX leave thread pools behind: the program still ends (it once waited
    forever on an idle pool's workers), and stdout is flushed to its last line."""
    out = tmp_path / f"out{suffix}"
    done = _motorsub("compute", EXAMPLES / "records.csv", "-o", out)
    assert done.returncode == 0, done.stderr
    assert out.stat().st_size > 0
    assert done.stdout.rstrip().endswith(f"rejects: {tmp_path / 'out.rejects.csv'}"), done.stdout


def test_exit_codes_are_the_commands(tmp_path):
    assert _motorsub("compute", tmp_path / "none.csv", "-o", tmp_path / "o.csv").returncode == 2
    assert _motorsub("compute", "--bogus").returncode == 2
    assert _motorsub("--version").returncode == 0


def test_concurrent_audits_all_end_with_exit_0(tmp_path):
    """Two audits at a time, five times: each reads five CSV files and ends with exit 0
    (an abort at teardown gave exit 134 about once in sixty processes)."""
    refs = ("--catalogue", AUDIT / "catalogue.csv", "--buybacks", AUDIT / "buybacks.csv",
            "--quotas", AUDIT / "quotas.csv")  # fmt: skip
    for trial in range(5):
        procs = [
            subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "motorsub",
                    "audit",
                    str(AUDIT / f"{name}.csv"),
                    *map(str, refs),
                    "-o",
                    str(tmp_path / f"{trial}.{name}.csv"),
                ],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
            )
            for name in ("batch1", "batch2")
        ]
        codes = [(p.wait(timeout=WAIT_S), p.stderr.read()) for p in procs]
        for p in procs:
            p.stderr.close()
        assert [c for c, _ in codes] == [0, 0], codes


def test_run_passes_the_code_of_a_message_exit_as_1(monkeypatch, capsys):
    """``sys.exit("text")`` inside a command: the text on stderr, exit code 1 (as Python
    gives it), and nothing after ``os._exit`` runs."""
    cli_main = importlib.import_module("motorsub.cli.main")  # the package's main is the group

    ended = []

    def fake_main():
        raise SystemExit("stopped here")

    monkeypatch.setattr(cli_main, "main", fake_main)
    monkeypatch.setattr(cli_main, "_shutdown_threads", lambda: None)
    monkeypatch.setattr(cli_main.atexit, "_run_exitfuncs", lambda: None)
    monkeypatch.setattr(cli_main.os, "_exit", ended.append)
    run()
    assert ended == [1]
    assert "stopped here" in capsys.readouterr().err


def test_shutdown_ends_an_idle_thread_pool():
    """An executor never shut down: ``_shutdown_threads`` returns (joining its idle worker
    first would wait forever)."""
    code = (
        "import concurrent.futures as f, threading\n"
        "from motorsub.cli.main import _shutdown_threads\n"
        "pool = f.ThreadPoolExecutor(2); pool.submit(int).result()\n"
        "_shutdown_threads(); print('ended')\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.stdout.strip() == "ended", done.stderr


def test_the_first_compile_is_announced_once_and_a_warm_run_says_nothing(tmp_path):
    """With an empty kernel cache a compute says, before its work, that it compiles once
    (in the language asked for); with the cache filled it says nothing of the kind."""
    env = {**os.environ, "NUMBA_CACHE_DIR": str(tmp_path / "cache")}
    records = tmp_path / "r.csv"
    made = subprocess.run(
        [sys.executable, "-m", "motorsub", "synth", "--rows", "20000", "--seed", "3", "-o",
         str(records)], capture_output=True, text=True, timeout=WAIT_S,
    )  # fmt: skip
    assert made.returncode == 0, made.stderr

    def compute(*extra):
        done = subprocess.run(
            [sys.executable, "-m", "motorsub", "compute", str(records), "-o",
             str(tmp_path / "o.csv"), *extra], capture_output=True, text=True, env=env,
            timeout=WAIT_S,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        return done.stderr

    cold = compute("--lang", "zh")
    assert cold.count("motorsub：正在为本机编译计算内核，只需一次") == 1, cold
    warm = compute()
    assert "compiling" not in warm and "编译" not in warm, warm
