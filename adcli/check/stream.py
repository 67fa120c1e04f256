"""The full check's comparison, streamed over column blocks of the numerical Jacobian.

A full check compares an ``m x n`` Jacobian. Holding the numerical Jacobian and its
comparison arrays (errors, tolerances, masks) whole would cost several times the ``8 m n``
bytes the budget counts, so :func:`column_blocks` hands the numerical Jacobian over in blocks
of columns, and a :class:`PairAcc` per (input, output) keeps only what the report needs:
counts, maxima, the worst entries and a small heat map. Accumulators of disjoint column
ranges merge (:meth:`PairAcc.merge`), which lets workers check column ranges apart.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import numpy as np

from .report import Mismatch, PairResult, rel_error

BLOCK_ELEMENTS = 1 << 18  # entries per comparison block (2 MB per float64 array)
HEAT = 64  # the heat map is at most HEAT x HEAT cells


def column_blocks(chunks: Iterable[tuple[int, np.ndarray]], m: int, n: int,
                  width: int | None = None) -> Iterator[tuple[int, np.ndarray]]:
    """Re-cut ``(start, (m, c))`` column chunks (in order, covering ``n`` columns) into blocks
    of at most ``width`` columns (default: :data:`BLOCK_ELEMENTS` entries)."""
    w = max(1, width or BLOCK_ELEMENTS // max(m, 1))
    buf: np.ndarray | None = None
    filled = 0
    begin = 0
    for start, J in chunks:
        c = J.shape[1]
        pos = 0
        while pos < c:
            if buf is None and c - pos >= w:
                yield start + pos, J[:, pos:pos + w]  # whole blocks need no copy
                pos += w
                continue
            if buf is None:
                buf = np.empty((m, min(w, n - start - pos)))
                begin, filled = start + pos, 0
            take = min(buf.shape[1] - filled, c - pos)
            buf[:, filled:filled + take] = J[:, pos:pos + take]
            filled += take
            pos += take
            if filled == buf.shape[1]:
                yield begin, buf
                buf = None


class _Side:
    """Maxima over one set of entries (the failing ones, or all not accepted)."""

    __slots__ = ("abs_max", "count", "nonfinite", "rel_max", "rel_nonnan")

    def __init__(self) -> None:
        self.abs_max = 0.0
        self.nonfinite = False
        self.count = 0
        self.rel_max = -np.inf
        self.rel_nonnan = 0

    def add(self, e: np.ndarray, n: np.ndarray, atol: float) -> None:
        if not e.size:
            return
        self.count += e.size
        fin = np.isfinite(e)
        if fin.all():
            self.abs_max = max(self.abs_max, float(e.max()))
        else:
            self.nonfinite = True
            if fin.any():
                self.abs_max = max(self.abs_max, float(e[fin].max()))
        with np.errstate(all="ignore"):
            rel = e / np.maximum(np.abs(n), max(atol, 1e-300))
        rel = np.where(e == 0, 0.0, rel)
        ok = ~np.isnan(rel)
        k = int(ok.sum())
        if k:
            self.rel_nonnan += k
            self.rel_max = max(self.rel_max, float(rel[ok].max()))

    def merge(self, o: _Side) -> None:
        self.abs_max = max(self.abs_max, o.abs_max)
        self.nonfinite = self.nonfinite or o.nonfinite
        self.count += o.count
        self.rel_max = max(self.rel_max, o.rel_max)
        self.rel_nonnan += o.rel_nonnan

    def max_abs(self) -> float:
        return float("inf") if self.nonfinite else self.abs_max

    def max_rel(self) -> float:
        if not self.count:
            return 0.0
        return self.rel_max if self.rel_nonnan else float("nan")


class PairAcc:
    """What the report says about one (input, output) pair, from column blocks.

    ``rows`` is the pair's number of output elements, ``ncols`` the number of checked
    columns (positions ``0 .. ncols - 1``; ``cols`` maps them to input elements).
    """

    def __init__(self, rows: int, ncols: int, max_worst: int) -> None:
        self.rows = rows
        self.ncols = ncols
        self.max_worst = max_worst
        self.n_checked = 0
        self.n_bad = 0
        self.n_accepted = 0
        self.bad = _Side()
        self.rest = _Side()
        # (-(error / tolerance), row-major position in the rows x ncols block, a, n)
        self.worst: list[tuple[float, int, float, float]] = []
        hr, hc = min(HEAT, rows), min(HEAT, ncols)
        self.heat = np.zeros((hr, hc)) if hr and hc else None

    def add(self, start: int, a: np.ndarray, n: np.ndarray, err: np.ndarray, tol: np.ndarray,
            bad: np.ndarray, accepted: np.ndarray, atol: float) -> None:
        """One block: columns ``start .. start + c`` (all ``rows`` rows of this pair)."""
        failing = bad & ~accepted
        self.n_checked += err.size
        self.n_accepted += int((bad & accepted).sum())
        nb = int(failing.sum())
        self.n_bad += nb
        if nb:
            self.bad.add(err[failing], n[failing], atol)
        # Only while nothing failed is the headline about the other entries: skip the work
        # once a failure is known (the headline will describe the failures).
        if not self.n_bad:
            keep = ~accepted
            self.rest.add(err[keep] if not keep.all() else err.ravel(),
                          n[keep] if not keep.all() else n.ravel(), atol)
        with np.errstate(all="ignore"):
            ratio = err / np.maximum(tol, 1e-300)
        ratio = np.nan_to_num(ratio, nan=np.inf)
        if nb:
            r_bad = np.where(failing, ratio, -1.0)
            c = err.shape[1]
            top = np.argsort(-r_bad, axis=None, kind="stable")[:self.max_worst]
            cand = []
            for flat in top:
                r, cc = divmod(int(flat), c)
                if not failing[r, cc]:
                    break
                cand.append((-float(r_bad[r, cc]), r * self.ncols + start + cc,
                             float(a[r, cc]), float(n[r, cc])))
            self.worst = sorted(self.worst + cand)[:self.max_worst]
        if self.heat is not None:
            self._heat(start, ratio)

    def _heat(self, start: int, ratio: np.ndarray) -> None:
        assert self.heat is not None
        hr, hc = self.heat.shape
        row_starts = (np.arange(hr) * self.rows + hr - 1) // hr
        rows = np.maximum.reduceat(ratio, row_starts, axis=0)
        pos = np.arange(start, start + ratio.shape[1])
        bins = pos * hc // self.ncols
        firsts = np.flatnonzero(np.diff(bins, prepend=-1))
        cells = np.maximum.reduceat(rows, firsts, axis=1)
        b = bins[firsts]
        self.heat[:, b] = np.maximum(self.heat[:, b], cells)

    def merge(self, o: PairAcc) -> None:
        """Add another accumulator's (disjoint) columns."""
        self.n_checked += o.n_checked
        self.n_accepted += o.n_accepted
        self.n_bad += o.n_bad
        self.bad.merge(o.bad)
        self.rest.merge(o.rest)
        self.worst = sorted(self.worst + o.worst)[:self.max_worst]
        if self.heat is not None and o.heat is not None:
            self.heat = np.maximum(self.heat, o.heat)

    def result(self, name: str, oname: str, cols: np.ndarray, ishape: tuple[int, ...],
               oshape: tuple[int, ...], atol: float, stable: dict[int, bool]) -> PairResult:
        pr = PairResult(name, oname, self.n_bad == 0, n_checked=self.n_checked)
        pr.n_accepted = self.n_accepted
        # The headline describes the entries that failed (all others when none did);
        # entries accepted at kinks or as noise are counted apart, never in it.
        side = self.bad if self.n_bad else self.rest
        pr.max_abs_error = side.max_abs()
        pr.max_rel_error = side.max_rel()
        pr.n_mismatches = self.n_bad
        for _, flat, a_val, n_val in self.worst:
            r, c = divmod(flat, self.ncols)
            pr.worst.append(Mismatch(
                name, _unravel(int(cols[c]), ishape), oname, _unravel(r, oshape),
                a_val, n_val, abs_error=abs(a_val - n_val),
                rel_error=rel_error(a_val, n_val, atol)))
        if self.worst:
            pr.stable = stable.get(int(cols[self.worst[0][1] % self.ncols]))
        pr.heatmap = self.heat
        return pr


def _unravel(flat: int, shape: tuple[int, ...]) -> tuple[int, ...]:
    return tuple(int(x) for x in np.unravel_index(flat, shape))

