"""The grad_fn graph drawn as SVG, with its own layered layout (no Graphviz needed).

Public API:

- ``layout(snapshot, *, saved=False, highlight=()) -> Layout``: boxes and edge routes.
  Longest-path layering from the root (every edge goes one or more layers down; edges that
  skip layers pass through dummy points), barycentre ordering sweeps that keep the order
  with the fewest crossings, then x positions pulled towards neighbours without overlaps.
- ``render_svg(snapshot, *, saved=False, highlight=(), id_prefix="g", standalone=True)
  -> str``: the drawing. Nodes carry classes (``node``, ``leaf``, ``root``, ``culprit``
  for highlighted nodes, ``modified``) and ``data-id``; colours come from a ``<style>``
  with a dark variant (``prefers-color-scheme``). ``standalone`` adds the XML namespace
  for a ``.svg`` file; the HTML report inlines the same markup.

Edges point from a node to its inputs, the way gradients flow (as the DOT export).
All text is escaped (:func:`esc`).
"""

from __future__ import annotations

import html
import itertools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from adcli.graph.snapshot import GraphSnapshot, SnapNode

from .exports import _ids, _label_lines, _more
from .safe import printable

FONT = 12  # px; monospace, so a label's width follows from its length
CHAR_W = 7.3  # px per character of a 12 px monospace font (a slight overestimate)
LINE_H = 15
PAD_X, PAD_Y = 10, 7
GAP_X, GAP_Y = 24, 46
MARGIN = 12
SWEEPS = 12  # barycentre sweeps (down and up each)


def esc(text: Any) -> str:
    """Text safe inside HTML/SVG elements and attributes (control characters shown escaped,
    which XML could not hold raw)."""
    return html.escape(printable(str(text)), quote=True)


@dataclass
class Box:
    """A placed node (``dummy`` for the bend points of an edge that skips layers)."""

    id: str
    layer: int
    lines: list[str] = field(default_factory=list)
    w: float = 0.0
    h: float = 0.0
    x: float = 0.0  # left
    y: float = 0.0  # top
    dummy: bool = False

    @property
    def cx(self) -> float:
        return self.x + self.w / 2


@dataclass
class Edge:
    """An edge from ``parent`` to ``child`` through ``points`` (parent bottom first)."""

    parent: str
    child: str
    label: str
    points: list[tuple[float, float]] = field(default_factory=list)


@dataclass
class Layout:
    boxes: dict[str, Box]
    edges: list[Edge]
    layers: list[list[str]]  # ids per layer, left to right (dummies included)
    width: float
    height: float
    crossings: int = 0


def _box_lines(n: SnapNode, saved: bool, note: str | None) -> list[str]:
    lines = _label_lines(n, saved)
    if note is not None:
        lines.insert(0, f"!! {note}")
    return lines


def layout(snap: GraphSnapshot, *, saved: bool = False,
           highlight: Iterable[Any] | Mapping[Any, str] = ()) -> Layout:
    """Place the snapshot's nodes in layers (see the module docstring)."""
    hi = _notes(snap, highlight)
    ids = list(snap.nodes)
    # One layout edge per (parent, child), labelled with its input indices.
    labels: dict[tuple[str, str], list[int]] = {}
    for parent, i, child in snap.edges():
        if child in snap.nodes:
            labels.setdefault((parent, child), []).append(i)
    children: dict[str, list[str]] = {v: [] for v in ids}
    indeg = {v: 0 for v in ids}
    for (p, c) in labels:
        children[p].append(c)
        indeg[c] += 1
    # Longest-path layering in topological order (Kahn; iterative for long chains).
    layer = {v: 0 for v in ids}
    ready = [v for v in ids if indeg[v] == 0]
    ready.reverse()
    done: set[str] = set()
    while ready:
        v = ready.pop()
        done.add(v)
        for c in children[v]:
            layer[c] = max(layer[c], layer[v] + 1)
            indeg[c] -= 1
            if indeg[c] == 0:
                ready.append(c)
    top = max(layer.values(), default=0)
    for v in ids:  # a cycle cannot come from autograd; place any such node below the rest
        if v not in done:
            layer[v] = top + 1
    boxes: dict[str, Box] = {}
    for v in ids:
        lines = _box_lines(snap.nodes[v], saved, hi.get(v))
        w = max(len(s) for s in lines) * CHAR_W + 2 * PAD_X
        boxes[v] = Box(v, layer[v], lines, w, len(lines) * LINE_H + 2 * PAD_Y)
    # Dummy boxes where an edge skips layers, so that ordering sees the whole route.
    route: dict[tuple[str, str], list[str]] = {}
    up: dict[str, list[str]] = {v: [] for v in boxes}
    down: dict[str, list[str]] = {v: [] for v in boxes}
    count = 0
    for (p, c) in labels:
        chain = [p]
        lp, lc = layer[p], layer[c]
        if lc <= lp:  # only after a cycle: draw it straight
            lc = lp + 1
        for k in range(lp + 1, lc):
            d = f"_d{count}"
            count += 1
            boxes[d] = Box(d, k, [], 0.0, 0.0, dummy=True)
            up[d], down[d] = [], []
            chain.append(d)
        chain.append(c)
        for a, b in itertools.pairwise(chain):
            down[a].append(b)
            up[b].append(a)
        route[(p, c)] = chain
    nlayers = max((b.layer for b in boxes.values()), default=-1) + 1
    layers: list[list[str]] = [[] for _ in range(nlayers)]
    # Initial order: depth-first from the root in next_functions order (ids are preorder).
    for v in _dfs_order(snap, boxes, down):
        layers[boxes[v].layer].append(v)
    best = [list(x) for x in layers]
    best_cross = _crossings(layers, down)
    for sweep in range(SWEEPS):
        rng = range(1, nlayers) if sweep % 2 == 0 else range(nlayers - 2, -1, -1)
        nbrs = up if sweep % 2 == 0 else down
        for k in rng:
            ref = layers[k - 1] if sweep % 2 == 0 else layers[k + 1]
            pos = {v: i for i, v in enumerate(ref)}
            cur = {v: i for i, v in enumerate(layers[k])}

            def key(v: str, pos: dict[str, int] = pos, cur: dict[str, int] = cur,
                    nbrs: dict[str, list[str]] = nbrs) -> float:
                ns = [pos[u] for u in nbrs[v] if u in pos]
                return sum(ns) / len(ns) if ns else float(cur[v])

            layers[k].sort(key=key)
        cross = _crossings(layers, down)
        if cross < best_cross:
            best, best_cross = [list(x) for x in layers], cross
    layers = best
    _place_x(layers, boxes, up, down)
    # y: each layer as tall as its tallest box.
    y = float(MARGIN)
    for row in layers:
        h = max((boxes[v].h for v in row), default=0.0)
        for v in row:
            b = boxes[v]
            b.y = y + (h - b.h) / 2 if not b.dummy else y + h / 2
        y += h + GAP_Y
    edges: list[Edge] = []
    for (p, c), chain in route.items():
        pts = [(boxes[p].cx, boxes[p].y + boxes[p].h)]
        pts += [(boxes[d].cx, boxes[d].y) for d in chain[1:-1]]
        pts.append((boxes[c].cx, boxes[c].y))
        idx = labels[(p, c)]
        label = ",".join(str(i) for i in idx) if len(snap.nodes[p].next) > 1 else ""
        edges.append(Edge(p, c, label, pts))
    width = max((b.x + b.w for b in boxes.values()), default=0.0) + MARGIN
    height = max(y - GAP_Y + MARGIN, 2 * MARGIN)
    return Layout(boxes, edges, layers, width, height, best_cross)


def _notes(snap: GraphSnapshot, highlight: Iterable[Any] | Mapping[Any, str]) -> dict[str, str]:
    if isinstance(highlight, Mapping):
        out: dict[str, str] = {}
        for key, note in highlight.items():
            for nid in snap.resolve([key]):
                out[nid] = str(note) if note else "highlighted"
        return out
    return {nid: "highlighted" for nid in _ids(snap, highlight)}


def _dfs_order(snap: GraphSnapshot, boxes: dict[str, Box],
               down: dict[str, list[str]]) -> list[str]:
    order: list[str] = []
    seen: set[str] = set()
    starts = [v for v in boxes if not boxes[v].dummy]
    for s in starts:
        stack = [s]
        while stack:
            v = stack.pop()
            if v in seen:
                continue
            seen.add(v)
            order.append(v)
            stack.extend(reversed(down[v]))
    return order


def _crossings(layers: list[list[str]], down: dict[str, list[str]]) -> int:
    """Edge crossings between consecutive layers (pairs of edges whose ends swap order)."""
    total = 0
    for k in range(len(layers) - 1):
        pos = {v: i for i, v in enumerate(layers[k + 1])}
        ends = [(i, pos[c]) for i, v in enumerate(layers[k]) for c in down[v] if c in pos]
        ends.sort()
        # Count inversions of the lower ends (O(E^2) is fine for the node limit).
        lower = [b for _, b in ends]
        for a in range(len(ends)):
            for b in range(a + 1, len(ends)):
                if ends[a][0] != ends[b][0] and lower[a] > lower[b]:
                    total += 1
    return total


def _place_x(layers: list[list[str]], boxes: dict[str, Box], up: dict[str, list[str]],
             down: dict[str, list[str]]) -> None:
    """Left-to-right packing, then a few passes pulling each box towards the centre of its
    neighbours while keeping the layer's order and gaps."""
    for row in layers:
        x = float(MARGIN)
        for v in row:
            boxes[v].x = x
            x += boxes[v].w + (GAP_X if not boxes[v].dummy else GAP_X / 2)
    for it in range(8):
        order = range(1, len(layers)) if it % 2 == 0 else range(len(layers) - 2, -1, -1)
        for k in order:
            row = layers[k]
            want = []
            for v in row:
                ns = (up if it % 2 == 0 else down)[v] or (down if it % 2 == 0 else up)[v]
                if ns:
                    want.append(sum(boxes[u].cx for u in ns) / len(ns) - boxes[v].w / 2)
                else:
                    want.append(boxes[v].x)
            _fit(row, boxes, want)
    shift = MARGIN - min((b.x for b in boxes.values()), default=MARGIN)
    for b in boxes.values():
        b.x += shift


def _gap(a: Box, b: Box) -> float:
    return GAP_X / 2 if a.dummy or b.dummy else GAP_X


def _fit(row: list[str], boxes: dict[str, Box], want: list[float]) -> None:
    """Positions as close to ``want`` as the order and the gaps allow (two passes)."""
    xs = list(want)
    for i in range(1, len(row)):  # push right where boxes overlap
        a, b = boxes[row[i - 1]], boxes[row[i]]
        xs[i] = max(xs[i], xs[i - 1] + a.w + _gap(a, b))
    for i in range(len(row) - 2, -1, -1):  # then pull back left towards the wish
        a, b = boxes[row[i]], boxes[row[i + 1]]
        xs[i] = min(max(xs[i], want[i]), xs[i + 1] - a.w - _gap(a, b))
    for v, x in zip(row, xs):
        boxes[v].x = x


STYLE = """
.g-edge{fill:none;stroke:#64748b;stroke-width:1.3}
.g-arrow{fill:#64748b}
.g-elabel{font:10px ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;fill:#64748b}
.g-node rect{fill:#ffffff;stroke:#475569;stroke-width:1.2}
.g-node text{font:12px ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;fill:#0f172a}
.g-node text.g-name{font-weight:bold}
.g-node.leaf rect{fill:#dbeafe;stroke:#1d4ed8}
.g-node.root rect{stroke-width:2.4}
.g-node.modified rect{stroke:#b45309;stroke-dasharray:5 3}
.g-node.culprit rect{fill:#fee2e2;stroke:#dc2626;stroke-width:3.5}
.g-node.culprit text{fill:#991b1b}
.g-node text.g-note{fill:#dc2626;font-weight:bold}
.g-more{font:12px ui-monospace,monospace;fill:#64748b}
@media (prefers-color-scheme: dark){
.g-edge{stroke:#94a3b8}.g-arrow{fill:#94a3b8}.g-elabel{fill:#94a3b8}
.g-node rect{fill:#1e293b;stroke:#94a3b8}
.g-node text{fill:#e2e8f0}
.g-node.leaf rect{fill:#1e3a5f;stroke:#60a5fa}
.g-node.culprit rect{fill:#450a0a;stroke:#f87171}
.g-node.culprit text{fill:#fecaca}
.g-node text.g-note{fill:#f87171}
.g-more{fill:#94a3b8}}
"""


def _path(points: list[tuple[float, float]]) -> str:
    """Smooth vertical curves through the route's points."""
    (x0, y0) = points[0]
    d = [f"M{x0:.1f},{y0:.1f}"]
    for (xa, ya), (xb, yb) in itertools.pairwise(points):
        my = (ya + yb) / 2
        d.append(f"C{xa:.1f},{my:.1f} {xb:.1f},{my:.1f} {xb:.1f},{yb:.1f}")
    return " ".join(d)


def render_svg(snap: GraphSnapshot, *, saved: bool = False,
               highlight: Iterable[Any] | Mapping[Any, str] = (), id_prefix: str = "g",
               standalone: bool = True, title: str | None = None) -> str:
    """The graph as an SVG document (``standalone``) or inline ``<svg>`` element."""
    ns = ' xmlns="http://www.w3.org/2000/svg"' if standalone else ""
    head = '<?xml version="1.0" encoding="UTF-8"?>\n' if standalone else ""
    if snap.root is None:
        text = f"{snap.of or 'tensor'}: grad_fn is None (no graph)"
        w = len(text) * CHAR_W + 2 * MARGIN
        return (f'{head}<svg{ns} class="gradfn-graph" width="{w:.0f}" height="40" '
                f'viewBox="0 0 {w:.0f} 40" role="img"><style>{STYLE}</style>'
                f'<text class="g-more" x="{MARGIN}" y="24">{esc(text)}</text></svg>\n')
    lay = layout(snap, saved=saved, highlight=highlight)
    hi = _notes(snap, highlight)
    extra = 24.0 if snap.truncated else 0.0
    W, H = lay.width, lay.height + extra
    arrow = f"{id_prefix}-arrow"
    out = [f'{head}<svg{ns} class="gradfn-graph" width="{W:.0f}" height="{H:.0f}" '
           f'viewBox="0 0 {W:.0f} {H:.0f}" role="img" '
           f'aria-label="{esc(title or "grad_fn graph")}">',
           f"<title>{esc(title or 'grad_fn graph')}</title>",
           f"<style>{STYLE}</style>",
           f'<defs><marker id="{esc(arrow)}" viewBox="0 0 10 10" refX="10" refY="5" '
           'markerWidth="7" markerHeight="7" orient="auto-start-reverse">'
           '<path class="g-arrow" d="M0,0 L10,5 L0,10 z"/></marker></defs>']
    for e in lay.edges:
        out.append(f'<path class="g-edge" data-from="{esc(e.parent)}" data-to="{esc(e.child)}" '
                   f'd="{_path(e.points)}" marker-end="url(#{esc(arrow)})"/>')
        if e.label:  # next to the arrow head, where edges into one node are apart
            x, y = e.points[-1]
            out.append(f'<text class="g-elabel" x="{x + 5:.1f}" y="{y - 6:.1f}">'
                       f"{esc(e.label)}</text>")
    for v, b in lay.boxes.items():
        if b.dummy:
            continue
        n = snap.nodes[v]
        cls = ["g-node"]
        if n.is_leaf:
            cls.append("leaf")
        if v == snap.root:
            cls.append("root")
        if v in hi:
            cls.append("culprit")
        if n.modified:
            cls.append("modified")
        tip = [f"{n.id} {n.name}"]
        if n.step is not None or n.line is not None:
            tip.append(f"step {n.step}, line {n.line}")
        if n.context:
            tip.append(n.context)
        if n.describe:
            tip.append(n.describe)
        out.append(f'<g class="{" ".join(cls)}" data-id="{esc(v)}" '
                   f'data-name="{esc(n.name)}"><title>{esc(chr(10).join(tip))}</title>')
        out.append(f'<rect x="{b.x:.1f}" y="{b.y:.1f}" width="{b.w:.1f}" height="{b.h:.1f}" '
                   'rx="6" ry="6"/>')
        for k, line in enumerate(b.lines):
            tcls = "g-note" if line.startswith("!! ") and k == 0 and v in hi else \
                "g-name" if line == n.name else ""
            attr = f' class="{tcls}"' if tcls else ""
            out.append(f'<text{attr} x="{b.x + PAD_X:.1f}" '
                       f'y="{b.y + PAD_Y + (k + 1) * LINE_H - 3:.1f}">{esc(line)}</text>')
        out.append("</g>")
    if snap.truncated:
        out.append(f'<text class="g-more" x="{MARGIN}" y="{H - 8:.0f}">{esc(_more(snap))}'
                   "</text>")
    out.append("</svg>")
    return "\n".join(out) + "\n"
