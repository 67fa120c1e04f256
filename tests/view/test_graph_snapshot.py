"""The graph snapshot: what it records, sharing, names, and very deep graphs."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import Any

import pytest
from view_programs import PROGRAMS

import adcli
from adcli.graph.snapshot import (
    GraphSnapshot,
    graph_of_run,
    last_assigned,
    names_for_run,
    snapshot_from_tensor,
)
from adcli.view.exports import graph_json, render_dot, render_mermaid
from adcli.view.tree import render_tree_text, tree_text_lines


def f64(data: Any, rg: bool = False) -> Any:
    return adcli.tensor(data, dtype=adcli.float64, requires_grad=rg)


def test_nodes_names_shapes_and_none_inputs() -> None:
    x = f64([1.0, 2.0, 3.0], True)
    c = f64([2.0, 2.0, 2.0])
    y = x * c
    z = y.sum()
    snap = snapshot_from_tensor(z, {"x": x, "c": c, "y": y, "z": z})
    assert snap.root == "n0" and snap.shape == [] and snap.dtype == "float64"
    assert [n.name for n in snap.nodes.values()] == ["SumBackward0", "MulBackward0",
                                                     "AccumulateGrad"]
    n0, n1, n2 = snap.nodes.values()
    assert (n0.tensor, n0.shape, n0.next) == ("z", [], ["n1"])
    assert (n1.tensor, n1.shape, n1.dtype, n1.next) == ("y", [3], "float64", ["n2", None])
    assert (n2.tensor, n2.is_leaf, n2.shape, n2.next) == ("x", True, [3], [])
    assert n2.grad_norm is None
    assert snap.edges() == [("n0", 0, "n1"), ("n1", 0, "n2")]


def test_saved_tensors_versions_and_freed() -> None:
    x = f64([1.0, 2.0], True)
    h = x * 1.0
    y = (h * h).sum()
    snap = snapshot_from_tensor(y, {"h": h})
    mul = snap.nodes["n1"]
    assert [(s.name, s.shape, s.dtype, s.version) for s in mul.saved] == [
        ("self", [2], "float64", 0), ("other", [2], "float64", 0)]
    assert not mul.freed and not mul.modified
    with adcli.no_grad():
        h.add_(1.0)
    assert snapshot_from_tensor(y).nodes["n1"].modified
    text = render_tree_text(snapshot_from_tensor(y), saved=True)
    assert "modified in place" in text and "now 1" in text


def test_freed_and_grad_norm_after_backward() -> None:
    x = f64([3.0, 4.0], True)
    y = (x * x).sum()
    y.backward()
    snap = snapshot_from_tensor(y, {"x": x, "y": y})
    assert snap.nodes["n1"].freed
    leaf = snap.nodes["n2"]
    assert leaf.grad_norm == pytest.approx(10.0)
    assert leaf.grad_shape == [2]
    # The data is gone, what the graph saved (name, shape, dtype, version) is still shown.
    saved = {s.name: s for s in snap.nodes["n1"].saved}
    assert set(saved) == {"self", "other"}
    assert all(s.freed and s.shape == [2] and s.dtype == "float64" and s.version == 0
               for s in saved.values())
    assert "saved self [2] float64 version 0 (freed)" in render_tree_text(snap, saved=True)
    assert "grad norm 10" in render_tree_text(snap)


def test_retained_grad_of_named_non_leaf() -> None:
    x = f64([1.0, 2.0], True)
    h = x * 2.0
    h.retain_grad()
    out = (h * h).sum()
    out.backward()
    snap = snapshot_from_tensor(out, {"x": x, "h": h, "out": out})
    h_node = next(n for n in snap.nodes.values() if n.tensor == "h")
    assert h_node.grad_norm == pytest.approx(float((4.0 ** 2 + 8.0 ** 2) ** 0.5))


def test_shared_node_once_with_preorder_ids() -> None:
    x = f64([0.5, 1.0], True)
    h = x.tanh()
    out = (h * h + h).sum()
    snap = snapshot_from_tensor(out, {"h": h})
    tanh = [n for n in snap.nodes.values() if n.name == "TanhBackward0"]
    assert len(tanh) == 1 and tanh[0].tensor == "h"
    assert list(snap.nodes) == [f"n{i}" for i in range(len(snap.nodes))]
    # preorder: MulBackward0's first input (tanh) gets its id before AddBackward0's second
    assert snap.nodes["n2"].name == "MulBackward0" and snap.nodes["n3"].name == "TanhBackward0"
    assert snap.nodes["n2"].next == ["n3", "n3"]
    assert snap.nodes["n1"].next == ["n2", "n3"]
    lines = tree_text_lines(snap)
    assert sum("TanhBackward0" in line for line in lines) == 3
    assert sum("[shared, shown above]" in line for line in lines) == 2


def test_leaf_and_no_grad_roots() -> None:
    x = f64([1.0], True)
    c = f64([1.0])
    s = snapshot_from_tensor(x, {"x": x})
    assert s.root is None and s.nodes == {} and s.requires_grad and s.of == "x"
    assert "x is a leaf" in render_tree_text(s)
    s2 = snapshot_from_tensor(c * 2, of="c * 2")
    assert s2.root is None and not s2.requires_grad
    assert "does not require grad" in render_tree_text(s2)
    assert graph_json(s2) == {**graph_json(s2), "root": None, "nodes": []}


def test_snapshot_of_a_grad_fn_node() -> None:
    x = f64([1.0, 2.0], True)
    y = x.exp()
    snap = snapshot_from_tensor(y.grad_fn, {"y": y})
    assert snap.nodes["n0"].name == "ExpBackward0"
    assert snap.nodes["n0"].tensor == "y" and snap.nodes["n0"].shape == [2]


@dataclass
class _Origin:
    name: str
    step: int
    line: int
    node: Any = None


def test_names_by_id_with_origins_and_stale_ids() -> None:
    x = f64([1.0, 2.0], True)
    y = x.sin()
    z = y.sum()
    other = f64([1.0], True).exp()  # an unrelated node: its origin must not be used
    names = {id(z.grad_fn): _Origin("z", 2, 9, z.grad_fn), id(x): _Origin("x", 0, 4, x),
             id(y.grad_fn): _Origin("y", 1, 8, other.grad_fn)}
    snap = snapshot_from_tensor(z, names)
    n0, n1, n2 = snap.nodes.values()
    assert (n0.tensor, n0.step, n0.line) == ("z", 2, 9)
    assert n1.tensor is None  # stale: the origin's node is not this node
    assert (n2.tensor, n2.step, n2.line) == ("x", 0, 4)


def test_highlight_resolution() -> None:
    x = f64([1.0, 2.0], True)
    y = x.exp().sum()
    snap = snapshot_from_tensor(y)
    exp_node = y.grad_fn.next_functions[0][0]
    assert snap.resolve(["n1"]) == {"n1"}
    assert snap.resolve([exp_node]) == {"n1"}
    assert snap.resolve([id(exp_node)]) == {"n1"}
    assert snap.resolve(["ExpBackward0"]) == {"n1"}
    assert snap.resolve(["nope", 12345]) == set()
    text = render_tree_text(snap, highlight={exp_node: "gradcheck culprit"})
    assert "!! n1 ExpBackward0 [2] <<< gradcheck culprit" in text
    assert "!!" not in render_tree_text(snap)


def test_max_nodes_truncates() -> None:
    x = f64([1.0], True)
    y = x
    for _ in range(20):
        y = y * 1.5
    snap = snapshot_from_tensor(y, max_nodes=5)
    assert snap.truncated and len(snap) == 5
    assert "not snapshotted" in render_tree_text(snap)


def _chain(n: int) -> Any:
    x = f64([1.0, 2.0], True)
    y = x
    for _ in range(n):
        y = y * 1.0001
    return x, y


@pytest.mark.slow
def test_ten_thousand_node_chain_without_recursion() -> None:
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(1000)  # the walk and the views must not depend on recursion
    try:
        x, y = _chain(10_000)
        snap = snapshot_from_tensor(y, {"x": x, "y": y})
        assert len(snap) == 10_001
        assert snap.nodes["n10000"].is_leaf and snap.nodes["n10000"].tensor == "x"
        lines = tree_text_lines(snap, depth=5)
        # six levels of MulBackward0 (each with the scalar's None input), then the cut
        assert len(lines) == 12 and "2 inputs below (depth limit)" in lines[6]
        assert len(tree_text_lines(snap)) == 20_001  # every node plus its None input
        assert len(graph_json(snap)["nodes"]) == 10_001
        assert render_dot(snap).count(" -> ") == 10_000
        assert render_mermaid(snap).count(" --> ") + render_mermaid(snap).count("-->|") == 10_000
    finally:
        sys.setrecursionlimit(limit)


class _FakeRun:
    def __init__(self, namespace: dict[str, Any]) -> None:
        self.namespace = namespace
        self.origins: dict[int, Any] = {}
        self.leaf_origins: dict[int, Any] = {}


class _St:
    def __init__(self, code: str) -> None:
        import ast

        self.node = ast.parse(code).body[0]


class _Step:
    def __init__(self, *codes: str, children: list[Any] | None = None) -> None:
        self.statements = [_St(c) for c in codes]
        self.children = children or []


class _Decl:
    def __init__(self, name: str) -> None:
        self.name = name


class _Spec:
    def __init__(self, steps: list[Any], tensors: list[str]) -> None:
        self.steps = steps
        self.tensors = [_Decl(t) for t in tensors]


def test_last_assigned_tensor() -> None:
    x = f64([1.0], True)
    y = x * 2
    ns = {"x": x, "y": y, "n": 3, "z": y + 1}
    spec = _Spec([_Step("y = x * 2"), _Step(children=[_Step("z = y + 1")]), _Step("n = 3")],
                 ["x"])
    assert last_assigned(spec, ns) == "z"
    assert last_assigned(_Spec([_Step("a, y = 1, x")], ["x"]), ns) == "y"
    assert last_assigned(_Spec([_Step("y.backward()")], ["x"]), ns) == "x"
    assert last_assigned(_Spec([], []), ns) is None
    snap = graph_of_run(spec, _FakeRun(ns))
    assert isinstance(snap, GraphSnapshot) and snap.of == "z"
    assert snap.nodes["n0"].name == "AddBackward0"
    assert names_for_run(_FakeRun(ns)) == {"x": x, "y": y, "z": ns["z"]}


@pytest.mark.parametrize("name", sorted(PROGRAMS))
def test_every_program_snapshots_consistently(name: str) -> None:
    root, names = PROGRAMS[name](adcli)
    snap = snapshot_from_tensor(root, names)
    for n in snap.nodes.values():
        assert len(n.next) == len(n.next_output_nr)
        assert all(c is None or c in snap.nodes for c in n.next)
        assert n.is_leaf == (n.name == "AccumulateGrad")
        assert n.shape is not None


def test_a_freed_origin_does_not_name_the_node_that_reuses_its_id() -> None:
    from adcli.spec.interpreter import Origin

    x = f64([1.0, 2.0], True)
    y = x * 3
    gone = x * 2
    stale = Origin("gone", 1, 4, gone.grad_fn)
    del gone  # its node is freed; pretend the allocator gave y's node the same id
    assert stale.freed
    snap = snapshot_from_tensor(y, {id(y.grad_fn): stale, id(x): Origin("x", 0, 2, x)})
    assert snap.nodes[snap.root].tensor is None
    assert snap.nodes["n1"].tensor == "x"
