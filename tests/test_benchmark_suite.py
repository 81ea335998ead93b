"""The benchmark suite's runner knows every benchmark module (read from its source: the
benchmarks' own dependencies are not part of the test extra)."""

import ast
from pathlib import Path

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"
#: Modules run on their own, not by ``python -m benchmarks.run`` (benchmarks/README.md).
ON_THEIR_OWN = {"xlsx"}


def _sections() -> list[str]:
    tree = ast.parse((BENCHMARKS / "run.py").read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "SECTIONS" for t in node.targets
        ):
            return [ast.literal_eval(k) for k in node.value.keys]
    raise AssertionError("benchmarks/run.py defines no SECTIONS")


def test_every_benchmark_module_is_a_section_of_the_runner():
    modules = {p.stem.removeprefix("bench_") for p in BENCHMARKS.glob("bench_*.py")}
    sections = _sections()
    assert sections[0] == "memory"  # the bandwidth every floor needs comes first
    assert set(sections) == modules - ON_THEIR_OWN
    assert len(sections) == len(set(sections))
