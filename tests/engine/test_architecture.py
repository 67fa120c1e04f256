"""Architecture: deep graphs, import hygiene, and graphs freed by reference counting alone."""

from __future__ import annotations

import ast
import functools
import gc
import subprocess
import sys
import textwrap
import weakref
from collections.abc import Iterator
from pathlib import Path

import pytest

import adcli

ROOT = Path(__file__).resolve().parents[2]


def _run_python(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)], cwd=ROOT, capture_output=True, text=True,
        timeout=120, env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
    )


@pytest.mark.slow
def test_deep_chain_backprops_and_frees_without_recursion() -> None:
    # In a subprocess: a crash while freeing a deep graph (C stack overflow) must not take
    # the test session down with it.
    proc = _run_python("""
        import sys
        import adcli
        sys.setrecursionlimit(1000)
        x = adcli.tensor(1.0, dtype=adcli.float64, requires_grad=True)
        y = x
        for _ in range(100_000):
            y = y * 1.0
        y.backward()
        assert x.grad.item() == 1.0, x.grad
        z = x
        for _ in range(100_000):
            z = z + 0.5
        (g,) = adcli.autograd.grad(z, x)
        assert g.item() == 1.0
        del y, z
        print("ok")
    """)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.strip() == "ok"


@pytest.mark.slow
def test_engine_imports_no_yaml_rich_or_typer() -> None:
    proc = _run_python("""
        import sys
        import adcli.engine, adcli.api
        import adcli
        adcli.tensor([1.0]) + 1
        bad = sorted(m for m in sys.modules if m.split(".")[0] in ("yaml", "rich", "typer"))
        print(",".join(bad))
    """)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.strip() == ""


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


@functools.cache
def _import_nodes(path: Path) -> tuple[ast.Import | ast.ImportFrom, ...]:
    # Parsed once per session: the layer and cycle tests walk the same ~150 files.
    return tuple(node for node in ast.walk(ast.parse(path.read_text()))
                 if isinstance(node, (ast.Import, ast.ImportFrom)))


def import_graph(package: str) -> dict[str, set[str]]:
    """Module -> the modules of ``package`` it imports, counting every import statement
    anywhere in the file (function-level and ``TYPE_CHECKING`` ones too), relative or absolute.

    ``from .x import y`` is an edge to ``x`` (and to ``x.y`` when that is a module); a
    package's ``__init__`` importing its own submodules is not an edge (Python loads the
    package first either way)."""
    files = {_module_name(f): f for f in (ROOT / package.replace(".", "/")).rglob("*.py")}
    graph: dict[str, set[str]] = {m: set() for m in files}
    for mod, path in files.items():
        pkg = mod if path.name == "__init__.py" else mod.rsplit(".", 1)[0]
        for node in _import_nodes(path):
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    up = pkg.split(".")[: len(pkg.split(".")) - node.level + 1]
                    base = ".".join(up + ([base] if base else []))
                targets = [base] + [f"{base}.{a.name}" for a in node.names]
            else:
                continue
            for target in targets:
                while target and target not in files:
                    target = target.rsplit(".", 1)[0] if "." in target else ""
                own_child = path.name == "__init__.py" and target.startswith(mod + ".")
                if target and target != mod and not own_child:
                    graph[mod].add(target)
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle (``[a, b, ..., a]``), or None."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    for start in sorted(graph):
        if start in state:
            continue
        path = [start]
        stack = [iter(sorted(graph[start]))]
        state[start] = 1
        while stack:
            nxt = next(stack[-1], None)
            if nxt is None:
                state[path.pop()] = 2
                stack.pop()
            elif state.get(nxt) == 1:
                return [*path[path.index(nxt):], nxt]
            elif nxt not in state:
                state[nxt] = 1
                path.append(nxt)
                stack.append(iter(sorted(graph[nxt])))
    return None


def test_engine_has_no_import_cycle() -> None:
    graph = import_graph("adcli.engine")
    assert len(graph) > 20 and graph["adcli.engine.op"]  # the walk found the modules
    cycle = find_cycle(graph)
    assert cycle is None, "import cycle in adcli/engine: " + " -> ".join(cycle or [])


def test_cycle_finder_finds_a_lazy_import_cycle() -> None:
    # The finder itself: a function-level import back is a cycle too.
    graph = import_graph("adcli.engine")
    graph["adcli.engine.tensor"].add("adcli.engine.backward")
    assert find_cycle(graph) is not None
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": set()}) is None
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]


def test_engine_core_knows_no_op() -> None:
    # The core (tensor, graph, backward, dtypes, ...) imports nothing of the op machinery.
    graph = import_graph("adcli.engine")
    core = ["tensor", "node", "grad_mode", "backward", "dtypes", "errors", "limits", "hooks",
            "printing", "creation"]
    ops = {m for m in graph if m.startswith("adcli.engine.ops")} | {
        f"adcli.engine.{m}" for m in ("op", "views", "backend", "table", "methods", "registry",
                                      "functional")}
    for name in core:
        mod = f"adcli.engine.{name}"
        seen, todo = set(), [mod]
        while todo:
            for dep in graph[todo.pop()]:
                if dep not in seen:
                    seen.add(dep)
                    todo.append(dep)
        assert not seen & ops, f"{mod} reaches {sorted(seen & ops)}"


# Layers point one way: what each package of adcli must not import (lazy imports count).
_LAYERS = {
    "adcli.engine": ("adcli.spec", "adcli.check", "adcli.view", "adcli.cli", "adcli.graph"),
    "adcli.graph": ("adcli.spec", "adcli.check", "adcli.view", "adcli.cli"),
    "adcli.spec": ("adcli.view", "adcli.cli"),
    "adcli.check": ("adcli.view", "adcli.cli"),
    "adcli.view": ("adcli.cli",),
    # Commands call the library's public entry points, never the engine's modules.
    "adcli.cli": ("adcli.engine",),
}


@pytest.mark.parametrize("package", sorted(_LAYERS))
def test_layers_point_one_way(package: str) -> None:
    graph = import_graph("adcli")
    forbidden = _LAYERS[package]
    bad = sorted(f"{mod} imports {dep}" for mod, deps in graph.items()
                 if mod == package or mod.startswith(package + ".")
                 for dep in deps if any(dep == f or dep.startswith(f + ".") for f in forbidden))
    assert [m for m in graph if m.startswith(package + ".")]  # the package was scanned
    assert bad == []


def test_layer_check_sees_a_lazy_import() -> None:
    # The import graph counts an import inside a function (cmd_graph once did this).
    graph = import_graph("adcli")
    assert "adcli.spec.interpreter" in graph["adcli.cli.cmd_graph"]  # a function-level import
    assert "adcli.graph.snapshot" in graph["adcli.check.culprit"]


@pytest.fixture
def no_gc() -> Iterator[None]:
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def _graph_refs(root: adcli.Tensor) -> list[weakref.ref[object]]:
    refs: list[weakref.ref[object]] = []
    stack = [root.grad_fn]
    seen: set[int] = set()
    while stack:
        n = stack.pop()
        if n is None or id(n) in seen:
            continue
        seen.add(id(n))
        refs.append(weakref.ref(n))
        stack.extend(m for m, _ in n.next_functions)
    return refs


def _build() -> tuple[adcli.Tensor, adcli.Tensor, list[weakref.ref[object]]]:
    x = adcli.tensor([1.0, 2.0, 3.0], dtype=adcli.float64, requires_grad=True)
    w = adcli.tensor([[1.0], [2.0], [3.0]], dtype=adcli.float64, requires_grad=True)
    h = (x * 2).exp()
    z = adcli.tanh(h[None, :] @ w).sum() + adcli.sigmoid(x).prod()
    out = z * z
    tensor_refs: list[weakref.ref[object]] = [weakref.ref(h), weakref.ref(z)]
    return out, x, _graph_refs(out) + tensor_refs


def test_graph_freed_by_refcount_without_backward(no_gc: None) -> None:
    out, x, refs = _build()
    assert len(refs) > 8 and all(r() is not None for r in refs)
    del out
    assert [r for r in refs if r() is not None] == []
    assert x.grad is None


def test_graph_freed_by_refcount_after_backward(no_gc: None) -> None:
    out, x, refs = _build()
    out.backward()
    del out
    assert [r for r in refs if r() is not None] == []
    assert x.grad is not None and x.grad.grad_fn is None


def test_graph_freed_by_refcount_after_retained_backward(no_gc: None) -> None:
    out, x, refs = _build()
    out.backward(retain_graph=True)
    (g,) = adcli.autograd.grad(out, x)
    del out, g
    assert [r for r in refs if r() is not None] == []


def test_graph_with_retain_grad_and_views_freed(no_gc: None) -> None:
    x = adcli.tensor([[1.0, 2.0], [3.0, 4.0]], dtype=adcli.float64, requires_grad=True)
    v = x.t()
    s = v[0] * 3
    s.retain_grad()
    parts = adcli.split(x * 1, 1)
    y = (s.sum() + parts[1].sum()) * 2
    y.backward()
    refs = [*_graph_refs(y), weakref.ref(s), weakref.ref(v)]
    del y, s, v, parts
    assert [r for r in refs if r() is not None] == []


def test_leaf_outlives_its_graph(no_gc: None) -> None:
    x = adcli.tensor([1.0], requires_grad=True)
    y = x * 2
    acc = weakref.ref(y.grad_fn.next_functions[0][0])
    del y
    assert acc() is None  # the leaf holds its AccumulateGrad weakly
    (x * 3).sum().backward()
    assert x.grad.tolist() == [3.0]
