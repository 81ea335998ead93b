"""The kernels as plain Python (``MOTORSUB_DISABLE_JIT=1``) pass the kernel and property
tests: the mode for debugging and coverage runs the code production runs.

The suite runs them once more in a subprocess with the variable set, so that the one test
command (README, ``.ci/run``) covers both modes.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from motorsub import _jit

ROOT = Path(__file__).resolve().parents[1]
KERNEL_TESTS = (
    "tests/properties",
    "tests/test_efficiency.py",
    "tests/test_savings.py",
    "tests/test_subsidy_scenarios.py",
    "tests/test_batch_result.py",
    "tests/test_streaming.py",
    "tests/test_kernels_write.py",
)


@pytest.mark.slow
@pytest.mark.skipif(_jit.DISABLED, reason="already running with MOTORSUB_DISABLE_JIT=1")
def test_kernel_and_property_tests_pass_as_plain_python():
    env = {**os.environ, "MOTORSUB_DISABLE_JIT": "1"}
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *KERNEL_TESTS],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=1800,
    )  # fmt: skip
    tail = "\n".join(run.stdout.splitlines()[-15:])
    assert run.returncode == 0, f"plain-Python run failed:\n{tail}\n{run.stderr[-2000:]}"
    assert " passed" in tail and "failed" not in tail
