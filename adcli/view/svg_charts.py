"""Charts of a failing check as inline SVG: Jacobian heatmaps and the step-size sweep.

Public API:

- ``heatmaps_html(heatmap, key) -> str``: three maps (analytical, numerical, difference) of
  one (input, output) pair, the worst entries ringed and numbered, and the data a hover
  read-out uses (a ``<script type="application/json">``; ``key`` makes ids unique).
- ``sweep_svg(sweep, key) -> str``: error against step size, log-log.
- ``sweep_verdict(sweep) -> str``: what the sweep shows, in words.

Colours work on light and dark pages: a cell is red (positive) or blue (negative) with an
opacity that grows with the magnitude, over the page's own background.
"""

from __future__ import annotations

import itertools
import json
import math
from typing import Any

import numpy as np

from .svg_graph import esc

POS, NEG = "#dc2626", "#2563eb"
MAP_W = 360.0  # the widest a map is drawn (it scales down with the page)


def _fmt(x: float) -> str:
    if x is None or not math.isfinite(x):
        return str(x)
    return f"{x:.6g}"


def _index_text(flat: int, shape: tuple[int, ...]) -> str:
    if not shape:
        return ""
    idx = np.unravel_index(int(flat), shape)
    return "[" + ", ".join(str(int(i)) for i in idx) + "]"


def _cells(values: np.ndarray, vmax: float, cell: float, bad: np.ndarray | None,
           marks: list[tuple[int, int]]) -> list[str]:
    out = []
    rows, cols = values.shape
    for r in range(rows):
        for c in range(cols):
            v = float(values[r, c])
            x, y = c * cell, r * cell
            if not math.isfinite(v):
                out.append(f'<rect x="{x:.2f}" y="{y:.2f}" width="{cell:.2f}" '
                           f'height="{cell:.2f}" class="hm-nan"/>')
                continue
            if v == 0 or vmax == 0:
                continue
            op = min(1.0, max(0.06, abs(v) / vmax))
            out.append(f'<rect x="{x:.2f}" y="{y:.2f}" width="{cell:.2f}" height="{cell:.2f}" '
                       f'fill="{POS if v > 0 else NEG}" fill-opacity="{op:.2f}"/>')
    if bad is not None and cell >= 6:
        for r, c in zip(*np.nonzero(bad)):
            out.append(f'<rect class="hm-bad" x="{c * cell + 0.75:.2f}" y="{r * cell + 0.75:.2f}" '
                       f'width="{cell - 1.5:.2f}" height="{cell - 1.5:.2f}"/>')
    for k, (r, c) in enumerate(marks[:5]):
        cx, cy = (c + 0.5) * cell, (r + 0.5) * cell
        rad = max(cell * 0.4, 5.0)
        out.append(f'<circle class="hm-mark" cx="{cx:.2f}" cy="{cy:.2f}" r="{rad:.2f}"/>')
        if k < 3:
            out.append(f'<text class="hm-rank" x="{cx + rad + 1:.2f}" y="{cy - rad + 2:.2f}">'
                       f"{k + 1}</text>")
    return out


def heatmaps_html(hm: Any, key: str) -> str:
    """The three maps of one failing pair, with a legend and a hover read-out."""
    a = np.asarray(hm.analytical, dtype=np.float64)
    n = np.asarray(hm.numerical, dtype=np.float64)
    with np.errstate(all="ignore"):
        d = a - n
    rows, cols = a.shape
    cell = max(3.0, min(36.0, MAP_W / max(cols, 1), 320.0 / max(rows, 1) * 1.6))
    W, H = cols * cell, rows * cell
    finite = np.concatenate([np.abs(a[np.isfinite(a)]), np.abs(n[np.isfinite(n)])])
    vmax = float(finite.max()) if finite.size else 0.0
    dfin = np.abs(d[np.isfinite(d)])
    dmax = float(dfin.max()) if dfin.size else 0.0
    if hm.by_input_shape:
        axes = (f"rows and columns: {hm.input} as shaped {list(hm.input_shape)} "
                f"(the output {hm.output} has one element)")
    else:
        axes = (f"rows: elements of {hm.output} {list(hm.output_shape)}, columns: elements "
                f"of {hm.input} {list(hm.input_shape)} (flat, C order)")
    step = ""
    if hm.row_step > 1 or hm.col_step > 1:
        step = (f" Downsampled: each cell shows the worst of up to {hm.row_step} x "
                f"{hm.col_step} entries.")
    labels = []
    where = np.asarray(hm.where) if hm.where is not None else None
    for r in range(rows):
        for c in range(cols):
            if where is None or where[r, c, 0] < 0:
                labels.append("")
                continue
            o, i = int(where[r, c, 0]), int(where[r, c, 1])
            labels.append(f"d {hm.output}{_index_text(o, hm.output_shape)} / "
                          f"d {hm.input}{_index_text(i, hm.input_shape)}")
    data = {"rows": rows, "cols": cols, "labels": labels,
            "a": [None if not math.isfinite(x) else x for x in a.ravel().tolist()],
            "n": [None if not math.isfinite(x) else x for x in n.ravel().tolist()]}
    blob = json.dumps(data, separators=(",", ":")).replace("</", "<\\/")
    panels = []
    for title, values, scale, bad, what in (
            ("analytical (backward)", a, vmax, None, "a"),
            ("numerical (finite differences)", n, vmax, None, "n"),
            ("difference analytical - numerical", d, dmax, hm.bad, "d")):
        body = "\n".join(_cells(values, scale, cell, bad, hm.marks))
        panels.append(
            f'<figure class="hm"><figcaption>{esc(title)}<span class="muted"> '
            f"(|max| {_fmt(scale)})</span></figcaption>"
            f'<svg class="heatmap" data-map="{esc(key)}" data-kind="{what}" '
            f'data-rows="{rows}" data-cols="{cols}" viewBox="0 0 {W:.2f} {H:.2f}" '
            f'width="{W:.0f}" height="{H:.0f}" role="img" '
            f'aria-label="{esc(title)} heatmap of {esc(hm.input)} against {esc(hm.output)}">'
            f'<rect class="hm-bg" x="0" y="0" width="{W:.2f}" height="{H:.2f}"/>'
            f"{body}</svg></figure>")
    return (f'<div class="maps-head"><strong>d {esc(hm.output)} / d {esc(hm.input)}</strong> '
            f'<span class="muted">{esc(axes)}.{esc(step)} Red positive, blue negative; '
            "outlined: entries that fail; ringed and numbered: the worst.</span></div>"
            f'<div class="maps">{"".join(panels)}</div>'
            f'<div class="readout muted" id="ro-{esc(key)}">Point at a cell to read its '
            "entry.</div>"
            f'<script type="application/json" id="hm-{esc(key)}">{blob}</script>')


def sweep_verdict(sw: Any) -> str:
    errs = sw.errors
    good = [e for h, e in zip(sw.eps, errs) if e <= sw.tolerance]
    finite = [e for e in errs if math.isfinite(e)]
    if not finite:
        return "No step size gives a finite estimate."
    if good:
        hs = [h for h, e in zip(sw.eps, errs) if e <= sw.tolerance]
        return (f"Noise, not an error: at step sizes {min(hs):.0e} to {max(hs):.0e} the "
                "estimate agrees with the analytical value; at other steps truncation "
                "(large steps) or rounding (small steps) moves it away.")
    low = min(finite)
    return (f"An error, not noise: no step size brings the estimate within tolerance "
            f"({_fmt(sw.tolerance)}); the difference stays at {_fmt(low)} or more from "
            f"{max(sw.eps):.0e} to {min(sw.eps):.0e}, while the estimates agree with each "
            "other. The analytical derivative (the backward) is wrong.")


def sweep_svg(sw: Any, key: str) -> str:
    """Error against step size on log-log axes, with the tolerance and the check's eps."""
    W, H = 560.0, 300.0
    L, R, T, B = 58.0, 16.0, 14.0, 44.0
    floor = 1e-17
    errs = [max(e, floor) if math.isfinite(e) else math.nan for e in sw.errors]
    # How much the estimate still moves at the next smaller step: its own error, whose V
    # shows the truncation (large steps) and rounding (small steps) regimes.
    nums = sw.numerical
    self_errs = [max(abs(a - b), floor) if math.isfinite(a) and math.isfinite(b) else math.nan
                 for a, b in itertools.pairwise(nums)] + [math.nan]
    ys = [math.log10(v) for v in errs + self_errs + [max(sw.tolerance, floor)]
          if math.isfinite(v)]
    xs = [math.log10(h) for h in sw.eps]
    x0, x1 = min(xs), max(xs)
    y0, y1 = math.floor(min(ys)), math.ceil(max(ys))
    if y1 - y0 < 2:
        y0, y1 = y0 - 1, y1 + 1

    def px(lx: float) -> float:
        return L + (lx - x0) / max(x1 - x0, 1e-9) * (W - L - R)

    def py(ly: float) -> float:
        return T + (y1 - ly) / (y1 - y0) * (H - T - B)

    out = [f'<svg class="sweep" viewBox="0 0 {W:.0f} {H:.0f}" width="{W:.0f}" height="{H:.0f}" '
           f'role="img" aria-label="error against step size" data-key="{esc(key)}">',
           f'<rect class="sw-bg" x="{L}" y="{T}" width="{W - L - R}" height="{H - T - B}"/>']
    for k in range(math.ceil(x0), math.floor(x1) + 1):
        x = px(k)
        out.append(f'<line class="sw-grid" x1="{x:.1f}" y1="{T}" x2="{x:.1f}" y2="{H - B}"/>')
        if k % 2 == 0 or x1 - x0 < 7:
            out.append(f'<text class="sw-tick" x="{x:.1f}" y="{H - B + 15}" '
                       f'text-anchor="middle">1e{k}</text>')
    ystep = max(1, (y1 - y0) // 8)
    for k in range(y0, y1 + 1, ystep):
        y = py(k)
        out.append(f'<line class="sw-grid" x1="{L}" y1="{y:.1f}" x2="{W - R}" y2="{y:.1f}"/>')
        out.append(f'<text class="sw-tick" x="{L - 5}" y="{y + 4:.1f}" '
                   f'text-anchor="end">1e{k}</text>')
    out.append(f'<text class="sw-axis" x="{(L + W - R) / 2:.0f}" y="{H - 6}" '
               'text-anchor="middle">step size eps (log)</text>')
    out.append(f'<text class="sw-axis" x="14" y="{(T + H - B) / 2:.0f}" text-anchor="middle" '
               f'transform="rotate(-90 14 {(T + H - B) / 2:.0f})">error (log)</text>')
    tol = py(math.log10(max(sw.tolerance, floor)))
    out.append(f'<line class="sw-tol" x1="{L}" y1="{tol:.1f}" x2="{W - R}" y2="{tol:.1f}"/>')
    out.append(f'<text class="sw-note" x="{W - R - 4}" y="{tol - 4:.1f}" '
               'text-anchor="end">tolerance</text>')
    ce = px(math.log10(sw.check_eps))
    out.append(f'<line class="sw-eps" x1="{ce:.1f}" y1="{T}" x2="{ce:.1f}" y2="{H - B}"/>')
    out.append(f'<text class="sw-note" x="{ce + 4:.1f}" y="{T + 12}">check eps</text>')
    for cls, series in (("sw-self", self_errs), ("sw-err", errs)):
        pts = [(px(math.log10(h)), py(math.log10(v))) for h, v in zip(sw.eps, series)
               if math.isfinite(v)]
        if pts:
            d = " ".join(f"{x:.1f},{y:.1f}" for x, y in pts)
            out.append(f'<polyline class="{cls}" points="{d}"/>')
            out.extend(f'<circle class="{cls}-pt" cx="{x:.1f}" cy="{y:.1f}" r="2.6"/>'
                       for x, y in pts)
    out.append("</svg>")
    legend = ('<div class="legend"><span class="key sw-err-key"></span> |analytical - '
              "numerical(eps)| <span class=\"key sw-self-key\"></span> |numerical(eps) - "
              "numerical(next smaller eps)|: how much the estimate still moves (falls as "
              "eps^2 while truncation dominates, rises as 1/eps once rounding does)</div>")
    return "\n".join(out) + legend
