"""Graph exports of a :class:`~adcli.graph.snapshot.GraphSnapshot`: JSON, Graphviz DOT, Mermaid.

Public API:

- ``graph_json(snapshot) -> dict``: the contract's ``{"root": "n0", "nodes": [...]}`` (each
  node: ``id``, ``name``, ``tensor``, ``shape``, ``next`` -- one entry per input, null where
  it needs no grad -- plus ``dtype``, ``output_nr``, ``is_leaf``, ``grad_norm``,
  ``grad_shape``, ``saved``, ``freed``, ``step``, ``line``, ``describe``).
- ``render_json(snapshot, indent=2) -> str``.
- ``render_dot(snapshot, *, highlight=(), saved=False) -> str``: a ``digraph``; edges go
  from a node to its inputs (the direction gradients flow), labelled with the input index when
  a node has more than one input; inputs that need no grad are left out.
- ``render_mermaid(snapshot, *, highlight=(), saved=False) -> str``: a ``flowchart TD`` for
  GitHub. With ``saved``, DOT and Mermaid labels list the saved tensors as the tree does.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from adcli.graph.snapshot import GraphSnapshot, SnapNode
from adcli.graph.snapshot_json import graph_json, node_json

from .tree import saved_text_lines

__all__ = ["graph_json", "node_json", "render_dot", "render_json", "render_mermaid"]


def render_json(snap: GraphSnapshot, indent: int | None = 2) -> str:
    """The graph as a JSON document (strict JSON: no NaN literals)."""
    return json.dumps(graph_json(snap), indent=indent)


def _ids(snap: GraphSnapshot, highlight: Iterable[Any] | Mapping[Any, str]) -> set[str]:
    return snap.resolve(list(highlight.keys()) if isinstance(highlight, Mapping) else highlight)


def _shape_text(shape: list[int] | None) -> str:
    return "[?]" if shape is None else "[" + ", ".join(str(d) for d in shape) + "]"


def _label_lines(n: SnapNode, saved: bool = False) -> list[str]:
    lines = [n.name]
    if n.tensor:
        lines.append(("leaf " if n.is_leaf else "") + n.tensor)
    lines.append(_shape_text(n.shape))
    if n.grad_norm is not None:
        lines.append(f"grad norm {n.grad_norm:.4g}")
    if saved:
        lines.extend(saved_text_lines(n))
    return lines


def _more(snap: GraphSnapshot) -> str:
    k = snap.omitted
    return f"... {k:,} more node{'s' if k != 1 else ''} (node limit)"


def _dot_quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def render_dot(snap: GraphSnapshot, *, highlight: Iterable[Any] | Mapping[Any, str] = (),
               saved: bool = False) -> str:
    """The graph in Graphviz DOT (``dot -Tsvg``)."""
    hi = _ids(snap, highlight)
    out = ["digraph grad_fn {", "  rankdir=TB;",
           '  node [shape=box, style="rounded", fontname="Helvetica", fontsize=11];',
           '  edge [fontname="Helvetica", fontsize=9];']
    if snap.root is None:
        what = snap.of or "tensor"
        out.append(f"  none [label={_dot_quote(what + ': grad_fn is None')}, shape=plaintext];")
    for n in snap.nodes.values():
        attrs = [f"label={_dot_quote(chr(10).join(_label_lines(n, saved)))}"]
        if n.is_leaf:
            attrs.append('style="rounded,filled", fillcolor="#dbeafe"')
        if n.id == snap.root:
            attrs.append("penwidth=2")
        if n.id in hi:
            attrs.append('color="#dc2626", fontcolor="#dc2626", penwidth=3')
        out.append(f"  {n.id} [{', '.join(attrs)}];")
    for parent, i, c in snap.edges():
        label = f' [label="{i}"]' if len(snap.nodes[parent].next) > 1 else ""
        out.append(f"  {parent} -> {c}{label};")
    if snap.truncated:
        out.append(f"  more [label={_dot_quote(_more(snap))}, shape=plaintext];")
    out.append("}")
    return "\n".join(out) + "\n"


def _mermaid_text(text: str) -> str:
    return (text.replace("&", "#amp;").replace('"', "#quot;").replace("<", "#lt;")
            .replace(">", "#gt;"))


def render_mermaid(snap: GraphSnapshot, *, highlight: Iterable[Any] | Mapping[Any, str] = (),
                   saved: bool = False) -> str:
    """The graph as a Mermaid ``flowchart`` (renders in GitHub Markdown)."""
    hi = _ids(snap, highlight)
    out = ["flowchart TD"]
    if snap.root is None:
        what = snap.of or "tensor"
        out.append(f'  none["{_mermaid_text(what + ": grad_fn is None")}"]')
    leaves: list[str] = []
    for n in snap.nodes.values():
        label = "<br/>".join(_mermaid_text(x) for x in _label_lines(n, saved))
        if n.is_leaf:
            out.append(f'  {n.id}(["{label}"])')
            leaves.append(n.id)
        else:
            out.append(f'  {n.id}["{label}"]')
    for parent, i, c in snap.edges():
        arrow = f"-->|{i}|" if len(snap.nodes[parent].next) > 1 else "-->"
        out.append(f"  {parent} {arrow} {c}")
    if snap.truncated:
        out.append(f'  more["{_mermaid_text(_more(snap))}"]')
    if leaves:
        out.append("  classDef leaf fill:#dbeafe,stroke:#1d4ed8")
        out.append(f"  class {','.join(leaves)} leaf")
    if hi:
        out.append("  classDef highlight stroke:#dc2626,stroke-width:3px,color:#dc2626")
        out.append(f"  class {','.join(sorted(hi, key=lambda s: int(s[1:])))} highlight")
    return "\n".join(out) + "\n"
