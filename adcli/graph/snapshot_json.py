"""A :class:`~adcli.graph.snapshot.GraphSnapshot` as the contract's JSON object.

Part of the data model, not of a view: the run report (``adcli.spec``) puts graphs into its
JSON document, and ``adcli graph --format json`` prints the same object
(:mod:`adcli.view.exports`).
"""

from __future__ import annotations

import math
from typing import Any

from .snapshot import GraphSnapshot, SnapNode

__all__ = ["graph_json", "node_json"]


def _num(x: float | None) -> Any:
    if x is None or math.isfinite(x):
        return x
    return "nan" if math.isnan(x) else ("inf" if x > 0 else "-inf")


def node_json(n: SnapNode) -> dict[str, Any]:
    """One node as a JSON-ready dict."""
    return {
        "id": n.id, "name": n.name, "tensor": n.tensor, "shape": n.shape, "dtype": n.dtype,
        "next": list(n.next), "output_nr": list(n.next_output_nr), "is_leaf": n.is_leaf,
        "grad_norm": _num(n.grad_norm), "grad_shape": n.grad_shape,
        "saved": [{"name": s.name, "shape": s.shape, "dtype": s.dtype, "version": s.version,
                   "current_version": s.current_version, "freed": s.freed} for s in n.saved],
        "freed": n.freed, "step": n.step, "line": n.line, "describe": n.describe,
        **({"context": n.context} if n.context else {}),
    }


def graph_json(snap: GraphSnapshot) -> dict[str, Any]:
    """The graph as the contract's JSON object (nodes in id order, root first)."""
    return {
        "root": snap.root, "of": snap.of, "shape": snap.shape, "dtype": snap.dtype,
        "requires_grad": snap.requires_grad, "truncated": snap.truncated,
        "omitted": snap.omitted,
        "nodes": [node_json(n) for n in snap.nodes.values()],
    }
