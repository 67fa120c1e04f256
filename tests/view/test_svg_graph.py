"""The SVG graph's layered layout: boxes never overlap, every edge goes down, the drawing is
well-formed XML with every node, edge and escaped name."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from view_programs import PROGRAMS

import adcli
from adcli.graph.snapshot import GraphSnapshot, SnapNode, snapshot_from_tensor
from adcli.view.svg_graph import layout, render_svg

SVG = "{http://www.w3.org/2000/svg}"


def _snap(name: str) -> GraphSnapshot:
    root, names = PROGRAMS[name](adcli)
    return snapshot_from_tensor(root, {id(t): n for n, t in names.items()})


def _chain_with_skips(n: int) -> GraphSnapshot:
    """n nodes; node k feeds k+1 and (every third) k+3: long edges need dummy routes."""
    nodes = {}
    for k in range(n):
        nxt: list[str | None] = []
        if k + 1 < n:
            nxt.append(f"n{k + 1}")
        if k % 3 == 0 and k + 3 < n:
            nxt.append(f"n{k + 3}")
        nxt.append(None)  # an input that needs no grad: no edge
        nodes[f"n{k}"] = SnapNode(f"n{k}", f"Op{k}Backward0", tensor=f"t{k}", shape=[k, 2],
                                  next=nxt, is_leaf=k == n - 1)
    return GraphSnapshot("n0", nodes)


def _wide(n: int) -> GraphSnapshot:
    """One root with n leaves and a shared middle layer (many crossings possible)."""
    nodes = {"n0": SnapNode("n0", "CatBackward0", next=[f"m{k}" for k in range(n)])}
    for k in range(n):
        nodes[f"m{k}"] = SnapNode(f"m{k}", "MulBackward0",
                                  next=[f"l{(k * 7) % n}", f"l{(k * 3 + 1) % n}"])
        nodes[f"l{k}"] = SnapNode(f"l{k}", "AccumulateGrad", tensor=f"w{k}", is_leaf=True)
    return GraphSnapshot("n0", nodes)


CASES = {**{f"program:{k}": (lambda k=k: _snap(k)) for k in PROGRAMS},
         "chain-with-skips": lambda: _chain_with_skips(40), "wide": lambda: _wide(12)}


@pytest.mark.parametrize("case", sorted(CASES))
def test_layout_boxes_do_not_overlap_and_edges_go_down(case: str) -> None:
    snap = CASES[case]()
    lay = layout(snap)
    real = [b for b in lay.boxes.values() if not b.dummy]
    assert {b.id for b in real} == set(snap.nodes)
    for i, a in enumerate(real):
        assert a.w > 0 and a.h > 0
        assert a.x >= 0 and a.x + a.w <= lay.width and a.y >= 0 and a.y + a.h <= lay.height
        for b in real[i + 1:]:
            apart = (a.x + a.w <= b.x or b.x + b.w <= a.x or a.y + a.h <= b.y
                     or b.y + b.h <= a.y)
            assert apart, f"{a.id} and {b.id} overlap"
    # Every edge of the graph is drawn once, from the parent's bottom down to the child's top,
    # through layers strictly in between.
    want = {(p, c) for p, _, c in snap.edges()}
    assert {(e.parent, e.child) for e in lay.edges} == want
    for e in lay.edges:
        p, c = lay.boxes[e.parent], lay.boxes[e.child]
        assert c.layer > p.layer
        ys = [y for _, y in e.points]
        assert ys == sorted(ys) and ys[0] == pytest.approx(p.y + p.h)
        assert ys[-1] == pytest.approx(c.y)
        assert len(e.points) == c.layer - p.layer + 1  # one bend point per skipped layer
    # Longest-path layering: each node sits one below its lowest parent.
    for v, b in lay.boxes.items():
        if b.dummy:
            continue
        parents = [p for p, c in want if c == v]
        assert b.layer == (max(lay.boxes[p].layer for p in parents) + 1 if parents else 0)
    # Within a layer boxes keep the layer's order, left to right.
    for row in lay.layers:
        xs = [lay.boxes[v].x for v in row]
        assert xs == sorted(xs)


def test_ordering_removes_avoidable_crossings() -> None:
    # Two parents whose children were created in the crossing order: barycentre fixes it.
    nodes = {"n0": SnapNode("n0", "AddBackward0", next=["a", "b"]),
             "a": SnapNode("a", "MulBackward0", next=["d", "c"]),
             "b": SnapNode("b", "MulBackward0", next=["c", "d"]),
             "c": SnapNode("c", "AccumulateGrad", is_leaf=True, next=["e"]),
             "d": SnapNode("d", "AccumulateGrad", is_leaf=True, next=["f"]),
             "e": SnapNode("e", "X"), "f": SnapNode("f", "Y")}
    lay = layout(GraphSnapshot("n0", nodes))
    assert lay.crossings <= 1  # a->d, a->c, b->c, b->d: one crossing is unavoidable


def test_long_chain_is_laid_out_without_recursion() -> None:
    x = adcli.randn(3, requires_grad=True)
    y = x
    for _ in range(400):
        y = y * 1.0001
    snap = snapshot_from_tensor(y.sum(), max_nodes=500)
    lay = layout(snap)
    assert len(lay.layers) == len(snap.nodes)
    ET.fromstring(render_svg(snap).split("\n", 1)[1])


def test_svg_is_wellformed_with_every_node_edge_and_the_highlight() -> None:
    snap = _snap("shared")
    culprit = next(n.id for n in snap.nodes.values() if not n.is_leaf and n.id != snap.root)
    text = render_svg(snap, highlight={culprit: "culprit"})
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<svg xmlns=')
    root = ET.fromstring(text.split("\n", 1)[1])
    groups = root.findall(f"{SVG}g")
    assert sorted(g.get("data-id") for g in groups) == sorted(snap.nodes)
    hot = [g for g in groups if "culprit" in g.get("class", "").split()]
    assert [g.get("data-id") for g in hot] == [culprit]
    texts = ["".join(t.itertext()) for t in hot[0].findall(f"{SVG}text")]
    assert texts[0] == "!! culprit" and snap.nodes[culprit].name in texts
    edges = root.findall(f"{SVG}path[@class='g-edge']")
    assert {(e.get("data-from"), e.get("data-to")) for e in edges} == \
        {(p, c) for p, _, c in snap.edges()}
    leaves = [g for g in groups if "leaf" in g.get("class", "").split()]
    assert {g.get("data-id") for g in leaves} == {n.id for n in snap.nodes.values() if n.is_leaf}


def test_names_are_escaped_in_svg() -> None:
    nodes = {"n0": SnapNode("n0", "SumBackward0", tensor='<script>alert("x")</script>&',
                            shape=[2], next=["n1"]),
             "n1": SnapNode("n1", "AccumulateGrad", tensor="a\x1bb", is_leaf=True, shape=[2])}
    text = render_svg(GraphSnapshot("n0", nodes, of="<b>loss</b>"), title="<i>t</i>")
    assert "<script>" not in text and "<b>" not in text and "<i>" not in text
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;" in text
    assert "\x1b" not in text and "a\\x1bb" in text
    ET.fromstring(text.split("\n", 1)[1])  # still well-formed XML


def test_no_graph_and_truncated_graph() -> None:
    text = render_svg(GraphSnapshot(None, of="c"))
    assert "c: grad_fn is None" in text
    ET.fromstring(text.split("\n", 1)[1])
    x = adcli.randn(3, requires_grad=True)
    y = x
    for _ in range(30):
        y = y + 1
    snap = snapshot_from_tensor(y, max_nodes=10)
    assert snap.truncated
    text = render_svg(snap)
    assert "more nodes (node limit)" in text
    assert len(ET.fromstring(text.split("\n", 1)[1]).findall(f"{SVG}g")) == len(snap.nodes)
