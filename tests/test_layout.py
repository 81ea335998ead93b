"""The package's layers: every import goes down (or stays within a layer), and no module
imports itself round a cycle, not even from inside a function.

The layers, lowest first, are the README's "How the code is laid out". Imports inside an
``if TYPE_CHECKING:`` block are for type checkers only and are not counted.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "motorsub"

#: Lowest first; a module belongs to the first entry its name starts with.
LAYERS: tuple[tuple[str, ...], ...] = (
    ("motorsub.data", "motorsub.errors", "motorsub._jit", "motorsub._arrow"),
    ("motorsub.vocab", "motorsub.reasons", "motorsub.i18n"),
    ("motorsub.model",),
    ("motorsub.physics",),
    ("motorsub.kernels",),
    ("motorsub.io",),
    ("motorsub.engine",),
    ("motorsub.backends",),
    ("motorsub.render",),
    ("motorsub.plan", "motorsub.audit"),
    ("motorsub.cluster",),  # Dask: compute's fragments and the plan's samples as tasks
    ("motorsub.cli", "motorsub.web"),
    ("motorsub",),  # the package's lazy API and ``python -m motorsub``
)


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _layer(name: str) -> int:
    for i, prefixes in enumerate(LAYERS):
        if any(name == p or name.startswith(p + ".") for p in prefixes):
            return i
    raise AssertionError(f"{name} is in no layer: add it to LAYERS and the README")


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(path: Path, name: str) -> set[str]:
    """Every motorsub module ``path`` imports, at the top or inside a function."""
    is_package = path.name == "__init__.py"
    out: set[str] = set()

    def visit(node):
        if isinstance(node, ast.If) and _is_type_checking(node):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.Import):
            out.update(a.name for a in node.names if a.name.split(".")[0] == "motorsub")
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = name.split(".")
                base = base if is_package else base[:-1]
                base = base[: len(base) - node.level + 1]
                mod = ".".join(base + ([node.module] if node.module else []))
            else:
                mod = node.module or ""
            if mod.split(".")[0] == "motorsub":
                for a in node.names:  # ``from pkg import module`` imports the module
                    sub = f"{mod}.{a.name}"
                    out.add(sub if sub in MODULES else mod)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(ast.parse(path.read_text(encoding="utf-8")))
    out.discard(name)
    return out


FILES = {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}
MODULES = set(FILES)
GRAPH = {name: _imports(path, name) for name, path in FILES.items()}


@pytest.mark.parametrize("name", sorted(MODULES))
def test_imports_go_down_the_layers(name):
    mine = _layer(name)
    up = sorted(m for m in GRAPH[name] if _layer(m) > mine)
    assert not up, f"{name} (layer {mine}) imports a higher layer: {up}"


def test_no_import_cycles():
    cycles, state = [], {}

    def walk(node, stack):
        state[node] = "open"
        for nxt in sorted(GRAPH.get(node, ())):
            if nxt not in GRAPH:
                continue
            if state.get(nxt) == "open":
                cycles.append([*stack[stack.index(nxt) :], nxt])
            elif nxt not in state:
                walk(nxt, [*stack, nxt])
        state[node] = "done"

    for name in sorted(GRAPH):
        if name not in state:
            walk(name, [name])
    assert not cycles, "import cycles: " + "; ".join(" -> ".join(c) for c in cycles)


def test_the_checker_sees_an_upward_import(tmp_path):
    """The checks can fail: a kernel importing the engine is caught."""
    bad = tmp_path / "motorsub" / "kernels" / "bad.py"
    bad.parent.mkdir(parents=True)
    bad.write_text("def f():\n    from motorsub.engine import records\n")
    found = _imports(bad, "motorsub.kernels.bad")
    assert found == {"motorsub.engine.records"}
    assert _layer("motorsub.engine.records") > _layer("motorsub.kernels.bad")
