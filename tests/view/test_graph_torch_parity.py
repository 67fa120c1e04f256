"""Graph structure parity with PyTorch: the same program gives the same grad_fn graph.

Each program in ``view_programs`` runs once with ``T = adcli`` and once with ``T = torch``;
the adcli side is read through the snapshot (what every view shows).
"""

from __future__ import annotations

from typing import Any

import pytest
from requires import require_torch
from view_programs import PROGRAMS, dag, dag_nodes, node_name

import adcli
from adcli.graph.snapshot import GraphSnapshot, snapshot_from_tensor

torch = require_torch()
pytestmark = pytest.mark.needs_torch

# Known engine mismatches; strict, so a fix shows up as XPASS. None are known today.
KNOWN: dict[str, str] = {}


_torch_name = node_name


def canon_torch(fn: Any) -> Any:
    """(name, [children...]) with None for inputs that need no grad, recursively."""
    if fn is None:
        return None
    return (_torch_name(fn), [canon_torch(c) for c, _ in fn.next_functions])


def canon_snapshot(snap: GraphSnapshot, nid: str | None) -> Any:
    if nid is None:
        return None
    n = snap.nodes[nid]
    return (n.name, [canon_snapshot(snap, c) for c in n.next])


torch_dag = dag


def _params() -> list[Any]:
    out = []
    for name in sorted(PROGRAMS):
        marks = [pytest.mark.xfail(reason=KNOWN[name], strict=True)] if name in KNOWN else []
        out.append(pytest.param(name, marks=marks, id=name))
    return out


def test_enough_programs() -> None:
    assert len(PROGRAMS) - len(KNOWN) >= 15


@pytest.mark.parametrize("name", _params())
def test_tree_matches_torch(name: str) -> None:
    program = PROGRAMS[name]
    root_a, names_a = program(adcli)
    root_t, _ = program(torch)
    snap = snapshot_from_tensor(root_a, names_a)
    assert canon_snapshot(snap, snap.root) == canon_torch(root_t.grad_fn)


@pytest.mark.parametrize("name", _params())
def test_dag_and_output_nr_match_torch(name: str) -> None:
    program = PROGRAMS[name]
    root_a, names_a = program(adcli)
    root_t, _ = program(torch)
    snap = snapshot_from_tensor(root_a, names_a)
    ours = [(n.name, n.next, n.next_output_nr) for n in snap.nodes.values()]
    assert ours == torch_dag(root_t.grad_fn)


@pytest.mark.parametrize("name", sorted(set(PROGRAMS) - set(KNOWN)))
def test_leaf_names_shapes_and_grads_match_torch(name: str) -> None:
    program = PROGRAMS[name]
    root_a, names_a = program(adcli)
    root_t, names_t = program(torch)
    root_a.backward()
    root_t.backward()
    snap = snapshot_from_tensor(root_a, names_a)
    leaves = [n for n in snap.nodes.values() if n.is_leaf]
    assert leaves and all(n.name == "AccumulateGrad" for n in leaves)
    for n in leaves:
        assert n.tensor is not None
        t = names_t[n.tensor]
        assert n.shape == list(t.shape)
        assert n.grad_norm == pytest.approx(float(t.grad.norm()), rel=1e-6, abs=1e-12)


@pytest.mark.parametrize("backward", [False, True])
@pytest.mark.parametrize("name", sorted(set(PROGRAMS) - set(KNOWN)))
def test_json_export_is_torchs_graph(name: str, backward: bool) -> None:
    """``adcli graph --format json`` against torch's own graph: nodes, edges, output numbers,
    the names and shapes of the named tensors, and (after backward) the leaves' grad norms."""
    import json

    from adcli.view.exports import render_json

    root_a, names_a = PROGRAMS[name](adcli)
    root_t, names_t = PROGRAMS[name](torch)
    if backward:
        root_a.backward()
        root_t.backward()
    doc = json.loads(render_json(snapshot_from_tensor(root_a, names_a)))
    assert doc["root"] == "n0"
    assert [(n["name"], n["next"], n["output_nr"]) for n in doc["nodes"]] == \
        torch_dag(root_t.grad_fn)
    # The node a named tensor came from (a leaf's AccumulateGrad) carries its name and shape.
    fns = dag_nodes(root_t.grad_fn)
    named: dict[int, list[tuple[str, list[int]]]] = {}
    for tname, t in names_t.items():
        for k, fn in enumerate(fns):
            if fn is t.grad_fn or getattr(fn, "variable", None) is t:
                named.setdefault(k, []).append((tname, list(t.shape)))
    for k, node in enumerate(doc["nodes"]):
        if k in named:
            assert (node["tensor"], node["shape"]) in named[k], (node, named[k])
        else:
            assert node["tensor"] is None, node
        if node["name"] == "AccumulateGrad":
            variable = fns[k].variable
            assert node["shape"] == list(variable.shape)
            if backward:
                assert node["grad_norm"] == pytest.approx(float(variable.grad.norm()),
                                                          rel=1e-9)
