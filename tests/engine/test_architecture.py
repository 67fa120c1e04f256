"""Architecture: deep graphs, import hygiene, and graphs freed by reference counting alone."""

from __future__ import annotations

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
