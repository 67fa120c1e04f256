"""JSON (against the contract's schema), DOT and Mermaid parsed back to the same graph."""

from __future__ import annotations

import json
import re
from typing import Any

import jsonschema
import pytest
from requires import require_tool
from view_programs import PROGRAMS, dag

import adcli
from adcli.graph.snapshot import GraphSnapshot, snapshot_from_tensor
from adcli.view.exports import graph_json, render_dot, render_json, render_mermaid

NODE_ID = {"type": "string", "pattern": "^n[0-9]+$"}
# The contract: {"root": "n0", "nodes": [{"id", "name", "tensor", "shape", "next"}]}; next has
# one entry per input, null where the input needs no grad. Extra fields are allowed.
GRAPH_SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "required": ["root", "nodes"],
    "properties": {
        "root": {"oneOf": [NODE_ID, {"type": "null"}]},
        "nodes": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["id", "name", "tensor", "shape", "next"],
                "properties": {
                    "id": NODE_ID,
                    "name": {"type": "string", "pattern": "^[A-Za-z_][A-Za-z0-9_]*$"},
                    "tensor": {"type": ["string", "null"]},
                    "shape": {"oneOf": [{"type": "array", "items": {"type": "integer",
                                                                      "minimum": 0}},
                                        {"type": "null"}]},
                    "next": {"type": "array", "items": {"oneOf": [NODE_ID, {"type": "null"}]}},
                    "output_nr": {"type": "array", "items": {"type": "integer"}},
                    "is_leaf": {"type": "boolean"},
                    "grad_norm": {"type": ["number", "string", "null"]},
                    "saved": {"type": "array", "items": {
                        "type": "object", "required": ["name", "freed"]}},
                    "freed": {"type": "boolean"},
                },
            },
        },
    },
}


def _snap(name: str, backward: bool = False) -> GraphSnapshot:
    root, names = PROGRAMS[name](adcli)
    if backward:
        root.backward()
    return snapshot_from_tensor(root, names)


def _structure(snap: GraphSnapshot) -> tuple[dict[str, str], set[tuple[str, int, str]]]:
    return ({n.id: n.name for n in snap.nodes.values()}, set(snap.edges()))


@pytest.mark.parametrize("name", sorted(PROGRAMS))
@pytest.mark.parametrize("backward", [False, True])
def test_json_matches_contract_schema(name: str, backward: bool) -> None:
    snap = _snap(name, backward)
    doc = json.loads(render_json(snap))
    jsonschema.validate(doc, GRAPH_SCHEMA)
    assert doc["root"] == "n0" and doc["nodes"][0]["id"] == "n0"
    ids = {n["id"] for n in doc["nodes"]}
    for n in doc["nodes"]:
        assert all(c is None or c in ids for c in n["next"])
        assert len(n["next"]) == len(n["output_nr"])
    # The graph itself, read independently from the live grad_fn objects (torch's graph is
    # compared in test_graph_torch_parity.py).
    root, _ = PROGRAMS[name](adcli)
    assert [(n["name"], n["next"], n["output_nr"]) for n in doc["nodes"]] == dag(root.grad_fn)


def test_json_of_example_shape() -> None:
    x = adcli.tensor([1.0, 2.0, 3.0], dtype=adcli.float64, requires_grad=True)
    y = adcli.tensor([1.0, 1.0, 1.0], dtype=adcli.float64, requires_grad=True)
    z = x + y
    doc = graph_json(snapshot_from_tensor(z, {"x": x, "y": y, "z": z}))
    first = doc["nodes"][0]
    assert {k: first[k] for k in ("id", "name", "tensor", "shape", "next")} == {
        "id": "n0", "name": "AddBackward0", "tensor": "z", "shape": [3], "next": ["n1", "n2"]}
    c = adcli.tensor([1.0, 1.0, 1.0], dtype=adcli.float64)
    doc2 = graph_json(snapshot_from_tensor(x * c))
    assert doc2["nodes"][0]["next"] == ["n1", None]
    jsonschema.validate(graph_json(snapshot_from_tensor(c)), GRAPH_SCHEMA)


# -- DOT: a parser for the subset render_dot emits ------------------------------------------------
_DOT_NODE = re.compile(r'^\s*(n\d+)\s*\[label="((?:[^"\\]|\\.)*)"(.*)\];\s*$')
_DOT_EDGE = re.compile(r'^\s*(n\d+)\s*->\s*(n\d+)\s*(?:\[label="(\d+)"\])?;\s*$')


def parse_dot(text: str) -> tuple[dict[str, str], set[tuple[str, int, str]], dict[str, str]]:
    lines = text.strip().splitlines()
    assert re.match(r"^digraph \w+ \{$", lines[0]) and lines[-1] == "}"
    nodes: dict[str, str] = {}
    attrs: dict[str, str] = {}
    edges: set[tuple[str, int, str]] = set()
    depth = 0
    for line in lines:
        depth += line.count("{") - line.count("}")
        if m := _DOT_EDGE.match(line):
            edges.add((m.group(1), int(m.group(3) or 0), m.group(2)))
        elif m := _DOT_NODE.match(line):
            label = m.group(2).replace('\\"', '"').replace("\\n", "\n").replace("\\\\", "\\")
            nodes[m.group(1)] = label.split("\n")[0]
            attrs[m.group(1)] = m.group(3)
        else:
            assert re.match(r'^\s*(digraph \w+ \{|\}|rankdir=\w+;|(node|edge) \[.*\];|'
                            r'none \[.*\];)\s*$', line), line
    assert depth == 0
    return nodes, edges, attrs


@pytest.mark.parametrize("name", sorted(PROGRAMS))
def test_dot_parses_back_to_the_same_graph(name: str) -> None:
    snap = _snap(name, backward=True)
    nodes, edges, _ = parse_dot(render_dot(snap))
    assert (nodes, edges) == _structure(snap)


def test_dot_highlight_and_quoting() -> None:
    snap = _snap("shared")
    snap.nodes["n1"].tensor = 'we"ird\\name'
    _, _, attrs = parse_dot(render_dot(snap, highlight=["n3"]))
    assert "#dc2626" in attrs["n3"] and "#dc2626" not in attrs["n1"]
    assert 'label="AddBackward0\\nwe\\"ird\\\\name' in render_dot(snap)


# -- Mermaid: a parser for the subset render_mermaid emits ----------------------------------------
_MM_NODE = re.compile(r'^\s*(n\d+)(\["|\(\[")(.*?)("\]|"\]\))\s*$')
_MM_EDGE = re.compile(r"^\s*(n\d+) -->(?:\|(\d+)\|)? (n\d+)\s*$")


def parse_mermaid(text: str) -> tuple[dict[str, str], set[tuple[str, int, str]], set[str]]:
    lines = text.strip().splitlines()
    assert lines[0] == "flowchart TD"
    nodes: dict[str, str] = {}
    edges: set[tuple[str, int, str]] = set()
    classes: dict[str, set[str]] = {}
    for line in lines[1:]:
        if m := _MM_EDGE.match(line):
            edges.add((m.group(1), int(m.group(2) or 0), m.group(3)))
        elif m := _MM_NODE.match(line):
            label = m.group(3)
            assert '"' not in label
            nodes[m.group(1)] = label.split("<br/>")[0]
        elif m := re.match(r"^\s*class ([\w,]+) (\w+)$", line):
            classes.setdefault(m.group(2), set()).update(m.group(1).split(","))
        else:
            assert re.match(r"^\s*(classDef \w+ [\w:#,.-]+|none\[.*\])$", line), line
    return nodes, edges, classes.get("highlight", set()) | {f"leaf:{c}" for c in
                                                           classes.get("leaf", set())}


@pytest.mark.parametrize("name", sorted(PROGRAMS))
def test_mermaid_parses_back_to_the_same_graph(name: str) -> None:
    snap = _snap(name, backward=True)
    nodes, edges, marks = parse_mermaid(render_mermaid(snap))
    assert (nodes, edges) == _structure(snap)
    assert {m for m in marks if m.startswith("leaf:")} == {
        f"leaf:{n.id}" for n in snap.nodes.values() if n.is_leaf}


def test_mermaid_escapes_and_highlight() -> None:
    snap = _snap("linear")
    snap.nodes["n1"].tensor = 'a"<b>'
    text = render_mermaid(snap, highlight=["AddmmBackward0"])
    assert "a#quot;#lt;b#gt;" in text
    _, _, marks = parse_mermaid(text)
    assert "n1" in marks


def test_exports_of_a_tensor_without_grad_fn() -> None:
    c = adcli.tensor([1.0])
    snap = snapshot_from_tensor(c, of="c")
    assert parse_dot(render_dot(snap))[:2] == ({}, set())
    assert parse_mermaid(render_mermaid(snap))[:2] == ({}, set())
    assert json.loads(render_json(snap))["root"] is None




# -- Graphviz itself: the DOT renders (needs the `dot` binary; see tests/requires.py) ------------
def _graphviz_svg(dot_text: str) -> Any:
    import subprocess
    import xml.etree.ElementTree as ET

    exe = require_tool("dot")
    res = subprocess.run([exe, "-Tsvg"], input=dot_text, capture_output=True, text=True,
                         timeout=60, check=False)
    assert res.returncode == 0 and not res.stderr.strip(), res.stderr
    return ET.fromstring(res.stdout)


def _svg_groups(svg: Any, cls: str) -> list[str]:
    ns = "{http://www.w3.org/2000/svg}"
    return [g.findtext(f"{ns}title") or "" for g in svg.iter(f"{ns}g") if g.get("class") == cls]


@pytest.mark.parametrize("name", sorted(PROGRAMS))
@pytest.mark.needs_graphviz
def test_graphviz_renders_dot(name: str) -> None:
    snap = _snap(name, backward=True)
    snap.nodes[snap.root].tensor = 'we"ird\\name <&>'  # quoting must survive Graphviz
    svg = _graphviz_svg(render_dot(snap, highlight=[snap.root]))
    assert sorted(_svg_groups(svg, "node")) == sorted(snap.nodes)
    # Graphviz titles an edge "a&#45;&gt;b", which the XML parser reads as "a->b"
    assert sorted(_svg_groups(svg, "edge")) == sorted(f"{p}->{c}" for p, _, c in snap.edges())


@pytest.mark.needs_graphviz
def test_graphviz_renders_a_graph_without_grad_fn() -> None:
    svg = _graphviz_svg(render_dot(snapshot_from_tensor(adcli.tensor([1.0]), of="c")))
    assert _svg_groups(svg, "node") == ["none"]
