"""Faults: a run killed with SIGKILL at a random moment, the output disk full mid-write,
two audits on one ledger at once. Nothing is left half-written under a final name, an
earlier output stays intact, and the ledger is either as it was or fully updated.

Trial counts are the module's constants (the README's "Reliability" table counts them).
"""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hostile_helpers import AUDIT, invoke

from motorsub.engine.synth import synth

KILL_TRIALS = 50
CONCURRENT_TRIALS = 20
DISK_FULL_TRIALS = 10
MOTORSUB = [sys.executable, "-m", "motorsub"]
AUDIT_REF = (
    "--catalogue", AUDIT / "catalogue.csv", "--buybacks", AUDIT / "buybacks.csv",
    "--quotas", AUDIT / "quotas.csv",
)  # fmt: skip

pytestmark = pytest.mark.slow


def _run(*args, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([*MOTORSUB, *map(str, args)], capture_output=True, text=True, **kwargs)


def _start(*args) -> subprocess.Popen:
    return subprocess.Popen(
        [*MOTORSUB, *map(str, args)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )


def _files(folder: Path, names) -> dict[str, bytes | None]:
    """The bytes of each file (``None`` if absent); a summary without the paths it names,
    which differ from folder to folder (a half-written one does not parse: kept whole)."""
    out = {}
    for n in names:
        data = (folder / n).read_bytes() if (folder / n).exists() else None
        if data is not None and n.endswith(".json"):
            try:
                summary = json.loads(data)
                summary.pop("files", None)
                data = json.dumps(summary, sort_keys=True).encode()
            except ValueError:
                pass
        out[n] = data
    return out


def _ledger_state(path: Path) -> dict:
    """Every row of the ledger's tables, in order (a killed run's journal is rolled back
    when the file is opened)."""
    con = sqlite3.connect(path)
    try:
        tables = [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        return {t: sorted(map(repr, con.execute(f"SELECT * FROM {t}"))) for t in sorted(tables)}
    finally:
        con.close()


def _kill_at_random(args, duration: float, rng: random.Random) -> int:
    proc = _start(*args)
    time.sleep(rng.uniform(0.0, duration * 1.1))
    proc.send_signal(signal.SIGKILL)
    proc.communicate()
    return proc.returncode


@pytest.fixture(scope="module")
def inputs(tmp_path_factory):
    """Two inputs (an earlier and a later ledger of sales) and the outputs of each, computed
    without interruption."""
    tmp = tmp_path_factory.mktemp("kill")
    synth(3000, 1, tmp / "old.csv")
    synth(4000, 2, tmp / "new.csv")
    names = ("out.csv", "out.rejects.csv", "summary.json")
    out = {}
    for which in ("old", "new"):
        folder = tmp / which
        folder.mkdir()
        started = time.perf_counter()
        done = _run("compute", tmp / f"{which}.csv", "-o", folder / "out.csv", "--summary",
                    folder / "summary.json", "-q", "--batch-rows", "1000")  # fmt: skip
        assert done.returncode == 0, done.stderr
        out[which] = (_files(folder, names), time.perf_counter() - started)
    return tmp, names, out


def test_compute_killed_at_random_leaves_old_or_new_outputs_whole(inputs, tmp_path):
    tmp, names, out = inputs
    (old, _), (new, duration) = out["old"], out["new"]
    rng = random.Random(14)
    outcomes = {"killed": 0, "finished": 0}
    for trial in range(KILL_TRIALS):
        folder = tmp_path / f"t{trial}"
        folder.mkdir()
        for name, data in old.items():
            (folder / name).write_bytes(data)
        code = _kill_at_random(
            ("compute", tmp / "new.csv", "-o", folder / "out.csv", "--summary",
             folder / "summary.json", "-q", "--batch-rows", "1000"),
            duration, rng,
        )  # fmt: skip
        outcomes["finished" if code == 0 else "killed"] += 1
        now = _files(folder, names)
        for name in names:
            assert now[name] in (old[name], new[name]), f"trial {trial}: {name} is half-written"
        if code == 0:
            assert now == new
        finals = {p.name for p in folder.iterdir() if not p.name.endswith(".part")}
        assert finals == set(names), f"trial {trial}: {finals}"
    assert outcomes["killed"] >= KILL_TRIALS // 2, outcomes  # most kills land mid-run


@pytest.fixture(scope="module")
def ledgers(tmp_path_factory):
    """The ledger after batch 1, after batch 1 then 2, and after batch 2 then 1."""
    tmp = tmp_path_factory.mktemp("ledger")
    states = {}
    for order in (("batch1",), ("batch1", "batch2"), ("batch2", "batch1")):
        ledger = tmp / ("-".join(order) + ".sqlite")
        started = time.perf_counter()
        for name in order:
            done = _run("audit", AUDIT / f"{name}.csv", *AUDIT_REF, "--ledger", ledger, "-o",
                        tmp / f"{name}.findings.csv")  # fmt: skip
            assert done.returncode == 0, done.stderr
        states[order] = (ledger, _ledger_state(ledger), time.perf_counter() - started)
    return states


def test_audit_killed_at_random_leaves_the_ledger_as_it_was_or_fully_updated(ledgers, tmp_path):
    base, before, _ = ledgers[("batch1",)]
    _, after, both = ledgers[("batch1", "batch2")]
    assert before != after
    rng = random.Random(41)
    seen = {"before": 0, "after": 0}
    for trial in range(KILL_TRIALS):
        ledger = tmp_path / f"t{trial}.sqlite"
        ledger.write_bytes(base.read_bytes())
        _kill_at_random(
            ("audit", AUDIT / "batch2.csv", *AUDIT_REF, "--ledger", ledger, "-o",
             tmp_path / f"t{trial}.findings.csv"),
            both / 2, rng,
        )  # fmt: skip
        state = _ledger_state(ledger)
        assert state in (before, after), f"trial {trial}: the ledger is half-updated"
        seen["before" if state == before else "after"] += 1
    assert seen["before"] > 0, seen  # some kills landed before the commit


def test_two_audits_on_one_ledger_end_as_if_run_one_after_the_other(ledgers, tmp_path):
    one_two, two_one = ledgers[("batch1", "batch2")][1], ledgers[("batch2", "batch1")][1]
    for trial in range(CONCURRENT_TRIALS):
        ledger = tmp_path / f"t{trial}.sqlite"
        procs = [
            _start(
                "audit",
                AUDIT / f"{name}.csv",
                *AUDIT_REF,
                "--ledger",
                ledger,
                "-o",
                tmp_path / f"t{trial}.{name}.findings.csv",
            )
            for name in ("batch1", "batch2")
        ]
        results = [(p.wait(), p.stderr.read().decode()) for p in procs]
        for p in procs:
            p.stderr.close()
        assert all(code == 0 for code, _ in results), results
        assert _ledger_state(ledger) in (one_two, two_one), f"trial {trial}"


def _mount_tmpfs(folder: Path, size: int) -> bool:
    folder.mkdir(parents=True, exist_ok=True)
    try:
        done = subprocess.run(
            ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)],
            capture_output=True,
            timeout=20,
        )
    except (OSError, subprocess.SubprocessError):
        return False
    return done.returncode == 0


def test_disk_full_on_a_small_tmpfs_is_exit_2_and_no_file(inputs, tmp_path):
    tmp, _, out = inputs
    probe = tmp_path / "probe"
    if not _mount_tmpfs(probe, 1 << 16):
        pytest.skip("cannot mount a tmpfs here (needs root); ENOSPC is injected instead")
    subprocess.run(["umount", str(probe)], check=False)
    full = len(out["new"][0]["out.csv"])
    for trial in range(DISK_FULL_TRIALS):
        disk = tmp_path / f"disk{trial}"
        size = 4096 * (1 + trial * (full // 4096) // DISK_FULL_TRIALS)  # up to the whole file
        assert _mount_tmpfs(disk, size)
        try:
            done = _run("compute", tmp / "new.csv", "-o", disk / "out.csv", "-q")
            assert done.returncode == 2, (size, done.stderr)
            assert "No space left on device" in done.stderr, done.stderr
            assert "Traceback" not in done.stderr
            assert list(disk.iterdir()) == [], f"{size} B: {list(disk.iterdir())}"
        finally:
            subprocess.run(["umount", str(disk)], check=False)


def test_disk_full_injected_at_the_writer_is_exit_2_and_no_file(tmp_path, monkeypatch):
    from motorsub.io import csv as csv_format

    synth(3000, 3, tmp_path / "in.csv")
    for trial in range(DISK_FULL_TRIALS):
        calls = {"n": 0}
        real = csv_format.Sink.write

        def write(self, table, _real=real, _calls=calls, _at=trial % 3):
            _calls["n"] += 1
            if _calls["n"] > _at:
                raise OSError(28, "No space left on device", "out.csv")
            _real(self, table)

        monkeypatch.setattr(csv_format.Sink, "write", write)
        folder = tmp_path / f"t{trial}"
        result = invoke("compute", tmp_path / "in.csv", "-o", folder / "out.csv",
                        "--batch-rows", "1000", "-q")  # fmt: skip
        assert result.exit_code == 2
        assert "No space left on device" in result.stderr
        assert list(folder.iterdir()) == []
        monkeypatch.undo()


def test_pipe_closed_by_the_reader_ends_quietly_with_exit_0(tmp_path):
    """``motorsub … | head``, with the reader gone before the first write: the summary
    cannot be shown, the files are still written, the exit is 0 and quiet."""
    synth(300, 4, tmp_path / "in.csv")
    plan = Path(__file__).resolve().parents[2] / "examples" / "plans" / "shanghai-12th-fyp.toml"
    for args in (
        ("compute", tmp_path / "in.csv", "-o", tmp_path / "out.csv", "-q"),
        ("project", plan, "-o", tmp_path / "plan.csv"),
        ("schemes", "show", "cn_national"),
        ("audit", AUDIT / "batch1.csv", *AUDIT_REF, "-o", tmp_path / "findings.csv"),
    ):
        read_end, write_end = os.pipe()
        os.close(read_end)  # every write to the pipe now fails with EPIPE
        proc = subprocess.Popen([*MOTORSUB, *map(str, args)], stdout=write_end,
                                stderr=subprocess.PIPE)  # fmt: skip
        os.close(write_end)
        _, err = proc.communicate()
        assert proc.returncode == 0, (args, err.decode())
        assert b"Traceback" not in err and b"BrokenPipe" not in err, err.decode()
    for name in ("out.csv", "plan.csv", "findings.csv"):
        assert (tmp_path / name).exists(), name
