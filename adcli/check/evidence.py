"""The data behind a failing check's pictures: downsampled Jacobian heatmaps and step sweeps.

Plain data for the views (:class:`~adcli.check.report.Heatmap`,
:class:`~adcli.check.report.StepSweep`); nothing here draws or prints.

- ``HeatmapBuilder(input, output, input_shape, output_shape, cap)``: fed column blocks of one
  (input, output) pair's analytical and numerical Jacobian (``add``), keeps at most
  ``cap x cap`` cells, each holding its block's worst entry; ``finish(worst)`` returns the
  :class:`Heatmap`. Memory: three ``cap x cap`` arrays, whatever the Jacobian's size, so a
  check that streams its Jacobian in column blocks can feed it block by block.
- ``step_sweep(ev, i, j, row, ...)``: central differences of one entry at step sizes from
  1e-1 down to 1e-12 (one batched evaluation).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from .report import Heatmap, Mismatch, StepSweep

HEATMAP_CAP = 40  # cells per side: 1,600 cells a map keeps a report small and readable
SWEEP_EPS = tuple(10.0 ** (-k / 2) for k in range(2, 25))  # 1e-1 ... 1e-12, half decades


def _steps(n: int, cap: int) -> int:
    return max(1, math.ceil(n / cap))


class HeatmapBuilder:
    """Downsamples one pair's Jacobian block to at most ``cap x cap`` cells, streaming."""

    def __init__(self, input: str, output: str, input_shape: Sequence[int],
                 output_shape: Sequence[int], cap: int = HEATMAP_CAP) -> None:
        self.input, self.output = input, output
        self.input_shape = tuple(int(d) for d in input_shape)
        self.output_shape = tuple(int(d) for d in output_shape)
        self.m = int(np.prod(self.output_shape, dtype=np.int64))
        self.n = int(np.prod(self.input_shape, dtype=np.int64))
        # A scalar output's one row reads better in the input's own 2-D shape.
        self.by_input = self.m == 1 and len(self.input_shape) == 2
        rows, cols = (self.input_shape if self.by_input else (self.m, self.n))
        self.rows, self.cols = int(rows), int(cols)
        self.rs, self.cs = _steps(self.rows, cap), _steps(self.cols, cap)
        shape = (math.ceil(self.rows / self.rs), math.ceil(self.cols / self.cs))
        self.score = np.full(shape, -np.inf)
        self.a = np.zeros(shape)
        self.num = np.zeros(shape)
        self.bad = np.zeros(shape, dtype=bool)
        self.where = np.full((*shape, 2), -1, dtype=np.int64)  # (output row, input col)

    def add(self, cols: np.ndarray, a: np.ndarray, n: np.ndarray, score: np.ndarray,
            bad: np.ndarray) -> None:
        """Input columns ``cols`` (flat indices) of the pair's block: analytical ``a``,
        numerical ``n``, a ``score`` per entry (larger is worse: error over tolerance) and
        the ``bad`` mask; each ``(m, len(cols))`` (all output rows of those columns)."""
        cols = np.asarray(cols, dtype=np.int64)
        if self.by_input:
            r, c = np.divmod(cols, self.cols)
            self._merge(r // self.rs, c // self.cs, a[0], n[0], score[0], bad[0],
                        np.zeros_like(cols), cols)
            return
        rows = np.arange(a.shape[0])
        R = np.repeat(rows // self.rs, len(cols))
        C = np.tile(cols // self.cs, len(rows))
        self._merge(R, C, a.ravel(), n.ravel(), score.ravel(), bad.ravel(),
                    np.repeat(rows, len(cols)), np.tile(cols, len(rows)))

    def _merge(self, R: np.ndarray, C: np.ndarray, a: np.ndarray, n: np.ndarray,
               score: np.ndarray, bad: np.ndarray, out_row: np.ndarray,
               in_col: np.ndarray) -> None:
        if not len(score):
            return  # an empty output (or input): no entries to show
        score = np.nan_to_num(np.asarray(score, dtype=np.float64), nan=np.inf)
        cell = R * self.score.shape[1] + C
        # The worst entry of each cell: sort by score, keep the last per cell.
        order = np.lexsort((score, cell))
        cell_s = cell[order]
        last = np.r_[cell_s[1:] != cell_s[:-1], True]
        pick = order[last]
        cells = cell[pick]
        flat_score = self.score.reshape(-1)
        better = score[pick] > flat_score[cells]
        cells, pick = cells[better], pick[better]
        flat_score[cells] = score[pick]
        self.a.reshape(-1)[cells] = a[pick]
        self.num.reshape(-1)[cells] = n[pick]
        where = self.where.reshape(-1, 2)
        where[cells, 0] = out_row[pick]
        where[cells, 1] = in_col[pick]
        np.logical_or.at(self.bad.reshape(-1), cell, bad)

    def cell_of(self, m: Mismatch) -> tuple[int, int]:
        """The cell showing a mismatch's entry."""
        col = int(np.ravel_multi_index(m.index, self.input_shape)) if m.index else 0
        if self.by_input:
            r, c = divmod(col, self.cols)
            return r // self.rs, c // self.cs
        row = int(np.ravel_multi_index(m.output_index, self.output_shape)) \
            if m.output_index else 0
        return row // self.rs, col // self.cs

    def finish(self, worst: Sequence[Mismatch] = ()) -> Heatmap:
        marks: list[tuple[int, int]] = []
        for m in worst:
            cell = self.cell_of(m)
            if cell not in marks:
                marks.append(cell)
        return Heatmap(self.input, self.output, self.input_shape, self.output_shape,
                       self.a, self.num, self.bad, row_step=self.rs, col_step=self.cs,
                       by_input_shape=self.by_input, marks=marks, where=self.where)


def step_sweep(ev: Any, i: int, j: int, row: int, *, name: str, output: str,
               index: tuple[int, ...], output_index: tuple[int, ...], analytical: float,
               check_eps: float, atol: float, rtol: float, numerical: float,
               order: int = 1, eps: Sequence[float] = SWEEP_EPS) -> StepSweep | None:
    """Central differences of output element ``row`` w.r.t. flat element ``j`` of input
    ``i`` at each step in ``eps`` (one batch of ``2 len(eps)`` evaluations); None when the
    evaluations fail."""
    x = ev.base[i].reshape(-1)
    steps = sorted({float(e) for e in eps} | {float(check_eps)}, reverse=True)
    X = np.repeat(x[None, :], 2 * len(steps), axis=0)
    for k, h in enumerate(steps):
        X[k, j] += h
        X[len(steps) + k, j] -= h
    try:
        out = ev.batch(i, X.reshape((2 * len(steps), *ev.base[i].shape)))
    except Exception:
        return None
    est = [float((out[k, row] - out[len(steps) + k, row]) / (2 * h))
           for k, h in enumerate(steps)]
    return StepSweep(name, index, output, output_index, float(analytical), steps, est,
                     tolerance=atol + rtol * abs(numerical), check_eps=float(check_eps),
                     order=order)
