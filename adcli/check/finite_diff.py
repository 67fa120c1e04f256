"""Finite differences in float64: central differences, batched where the function allows.

:class:`Evaluator` evaluates the checked function at perturbed inputs. It replays the recorded
tape on a whole batch of perturbations at once (verified against single calls before it is
trusted, per input) and otherwise calls the function once per perturbation. The one-hot
perturbations of a full Jacobian first try the sparse replay (:mod:`adcli.check.sparse`),
which carries per perturbation only the values that change, checked the same way.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any

import numpy as np

from adcli.engine.grad_mode import enable_grad, no_grad
from adcli.engine.tensor import Tensor

from . import progress
from .budget import Budget, BudgetError
from .sparse import replay_onehot
from .trace import Tape, replay_batched

BATCH_ELEMENTS = 1 << 13  # elements per intermediate per chunk: measured best (cache-sized)
SPARSE_ELEMENTS = 1 << 18  # values per intermediate per chunk in the sparse replay: measured


def as_outputs(res: Any) -> list[Tensor]:
    """The tensors a checked function returned (a tensor, or a tuple/list of them)."""
    if isinstance(res, Tensor):
        return [res]
    if isinstance(res, tuple | list):
        out = [r for r in res if isinstance(r, Tensor)]
        if out:
            return out
    raise TypeError(f"the checked function must return a tensor or a tuple of tensors, got "
                    f"{type(res).__name__}")


class Evaluator:
    """Calls ``fn(*args)`` with the checked arguments replaced by given arrays."""

    def __init__(self, fn: Callable[..., Any], args: Sequence[Any], positions: list[int],
                 base: list[np.ndarray], *, grad_inside: bool = False, tape: Tape | None = None,
                 leaves: list[Tensor] | None = None, outputs: list[Tensor] | None = None,
                 budget: Budget | None = None) -> None:
        self.fn = fn
        self.args = list(args)
        self.positions = positions
        self.base = base
        self.grad_inside = grad_inside
        self.tape = tape
        self.leaves = leaves or []
        self.outputs = outputs or []
        self.out_sizes = [int(o._data.size) for o in self.outputs]
        self.batched_ok: dict[int, bool] = {}
        self.sparse_ok: dict[int, bool] = {}
        self.sparse_chunk: dict[int, int] = {}
        self.calls = 0
        self.strategy: set[str] = set()
        big = max((int(np.size(o._data)) for e in (tape.entries if tape else [])
                   for o in e.outputs if isinstance(o, Tensor)), default=1)
        big = max([big, *self.out_sizes, *[b.size for b in base]])
        self.big = big
        self.chunk = max(1, BATCH_ELEMENTS // max(big, 1))
        self.budget = budget
        # Elements one evaluation computes (every recorded intermediate): the unit of cost.
        self.forward_cost = max(1, sum(int(np.size(o._data)) for e in (tape.entries if tape
                                                                       else [])
                                       for o in e.outputs if isinstance(o, Tensor))
                                + sum(b.size for b in base) + sum(self.out_sizes))

    def charge(self, n: int) -> None:
        """Charge ``n`` elements of work (and check memory) when the check has a budget; stop
        a check past its time limit (``--max-seconds``)."""
        progress.tick()
        if self.budget is not None:
            self.budget.charge(n)
            self.budget.check_memory()

    # -- single calls --------------------------------------------------------------------------
    def single(self, arrays: Sequence[np.ndarray]) -> np.ndarray:
        """All outputs, flattened and concatenated, at the given input arrays."""
        args = list(self.args)
        self.calls += 1
        self.charge(self.forward_cost)
        if self.grad_inside:
            with enable_grad():
                for p, a in zip(self.positions, arrays):
                    args[p] = Tensor._make(np.array(a), None, 0, None).requires_grad_(True)
                outs = as_outputs(self.fn(*args))
        else:
            with no_grad():
                for p, a in zip(self.positions, arrays):
                    args[p] = Tensor._make(np.array(a), None, 0, None)
                outs = as_outputs(self.fn(*args))
        return np.concatenate([np.asarray(o._data, dtype=np.float64).ravel() for o in outs])

    def at(self, i: int, x: np.ndarray) -> np.ndarray:
        arrays = list(self.base)
        arrays[i] = x
        return self.single(arrays)

    # -- batches -------------------------------------------------------------------------------
    def batch(self, i: int, X: np.ndarray) -> np.ndarray:
        """Outputs ``(B, m)`` with input ``i`` replaced by each row of ``X`` (``(B, *shape)``).

        The first batch of each input is replayed from the tape and checked against single
        calls at its first and last rows; only a replay that matches is used again.
        """
        ok = self.batched_ok.get(i)
        if self.tape is not None and self.outputs and ok is not False:
            got = self._replay(i, X)
            self.charge(X.shape[0] * self.forward_cost)
            if got is not None and ok is None:
                # Two single calls are cheap for small inputs; one is enough for huge ones.
                rows = [0] if self.base[i].size > 100_000 else sorted({0, X.shape[0] - 1})
                ok = all(_same(got[r], self.at(i, X[r])) for r in rows)
                self.batched_ok[i] = ok
            if got is not None and ok:
                self.strategy.add("batched")
                return got
            self.batched_ok[i] = False
        self.strategy.add("loop")
        return np.stack([self.at(i, x) for x in X])

    def onehot(self, i: int, js: np.ndarray, eps: float) -> np.ndarray | None:
        """Outputs ``(2c, m)`` at ``+eps`` then ``-eps`` on each flat element ``js`` of input
        ``i``, from the sparse replay; None when it does not apply.

        Checked against single calls on its first use per input, like :meth:`batch`.
        """
        ok = self.sparse_ok.get(i)
        if self.tape is None or not self.outputs or ok is False:
            return None
        try:
            with np.errstate(all="ignore"):
                # Chunks beyond the dense size rely on the items staying small.
                limit = 4 * SPARSE_ELEMENTS if len(js) > self.chunk else None
                stats: dict[str, int] = {}
                outs, item = replay_onehot(self.tape, self.leaves, self.outputs, i, js, eps,
                                           limit, stats)
            self.charge(stats.get("values", 0))
            B = 2 * len(js)
            got = np.concatenate([np.asarray(o, dtype=np.float64).reshape(B, -1) for o in outs],
                                 axis=1)
        except BudgetError:
            raise
        except Exception:
            self.sparse_ok[i] = False
            return None
        if ok is None:
            x = self.base[i]
            rows = [0] if x.size > 100_000 else sorted({0, B - 1})
            ok = True
            for r in rows:
                xr = x.copy().reshape(-1)
                j = int(js[r % len(js)])
                if r < len(js):
                    xr[j] += eps
                else:
                    xr[j] -= eps
                ok = ok and _same(got[r], self.at(i, xr.reshape(x.shape)))
            self.sparse_ok[i] = ok
            if not ok:
                return None
        self.sparse_chunk[i] = max(1, SPARSE_ELEMENTS // item)
        if 4 * item > self.big:
            # Items nearly as large as the tensors: the dense replay does this with fewer copies.
            self.sparse_ok[i] = False
        self.strategy.update(("batched", "sparse"))
        return got

    def _replay(self, i: int, X: np.ndarray) -> np.ndarray | None:
        try:
            with np.errstate(all="ignore"):
                outs = replay_batched(self.tape, self.leaves, self.outputs, i, X)  # type: ignore[arg-type]
            B = X.shape[0]
            return np.concatenate([np.asarray(o, dtype=np.float64).reshape(B, -1)
                                   for o in outs], axis=1)
        except Exception:
            return None


def _same(got: np.ndarray, want: np.ndarray) -> bool:
    if got.shape != want.shape:
        return False
    scale = 1.0 + float(np.max(np.abs(want[np.isfinite(want)]), initial=0.0))
    return bool(np.allclose(got, want, rtol=1e-9, atol=1e-12 * scale, equal_nan=True))


def numerical_jacobian(ev: Evaluator, i: int, eps: float,
                       columns: np.ndarray | None = None, later: int = 0,
                       what: str = "the full check") -> np.ndarray:
    """Central differences ``(m, len(columns))`` of all outputs w.r.t. input ``i``.

    With a budget, the cost of the first chunk, projected to these columns and ``later``
    more, must fit: a check that cannot finish stops before it has run for long.
    """
    n = ev.base[i].size if columns is None else len(columns)
    J: np.ndarray | None = None
    for start, block in jacobian_chunks(ev, i, eps, columns, later, what):
        if J is None:
            J = np.empty((block.shape[0], n))
        J[:, start:start + block.shape[1]] = block
    if J is None:
        m = sum(ev.out_sizes) if ev.out_sizes else ev.at(i, ev.base[i]).size
        J = np.empty((m, 0))
    return J


def jacobian_chunks(ev: Evaluator, i: int, eps: float, columns: np.ndarray | None = None,
                    later: int = 0, what: str = "the full check"
                    ) -> Iterator[tuple[int, np.ndarray]]:
    """:func:`numerical_jacobian` chunk by chunk: ``(start, (m, c))`` for the columns
    ``start .. start + c`` of ``columns`` (in order), so the whole is never held."""
    x = ev.base[i]
    flat = x.reshape(-1)
    n = flat.size
    cols = np.arange(n) if columns is None else np.asarray(columns)
    C = C0 = max(1, min(ev.chunk, cols.size))
    if ev.sparse_ok.get(i):
        C = ev.sparse_chunk[i]  # verified already (a forked worker): full-sized chunks at once
    start = 0
    before = ev.budget.work if ev.budget is not None else 0
    chunks = 0
    while start < cols.size:
        js = cols[start:start + C]
        c = js.size
        out = ev.onehot(i, js, eps)
        if out is None and c > C0:
            C = C0  # the sparse replay gave up: back to chunks sized for the dense one
            continue
        if out is None:
            X = np.repeat(flat[None, :], 2 * c, axis=0)
            r = np.arange(c)
            X[r, js] += eps
            X[c + r, js] -= eps
            out = ev.batch(i, X.reshape((2 * c, *x.shape)))
        elif ev.sparse_ok.get(i):
            # Sparse batch items are small: the following chunks can be larger.
            C = max(C, ev.sparse_chunk[i])
        yield start, ((out[:c] - out[c:]) / (2 * eps)).T
        start += c
        progress.advance(c)
        if ev.budget is not None:
            # From the second chunk on (the first also paid for verifying the replay), the
            # last chunk's cost per column, projected to the columns left.
            spent, before = ev.budget.work - before, ev.budget.work
            left = cols.size - start + later
            chunks += 1
            if left and chunks >= 2:
                per = spent / c
                ev.budget.refuse_work(
                    what, int(per * left),
                    f"{left:,} more perturbed columns at about {per:,.0f} elements each",
                    "use mode: fast or raise --max-elements")


def directional(ev: Evaluator, i: int, v: np.ndarray, eps: float) -> np.ndarray:
    """Central difference of all outputs along direction ``v`` of input ``i``."""
    return directions(ev, i, [v], eps)[0]


def directions(ev: Evaluator, i: int, vs: Sequence[np.ndarray], eps: float) -> list[np.ndarray]:
    """Central differences along several directions of input ``i`` (one batch; under a
    budget, batches no larger than the evaluator's chunk, which bounds their memory)."""
    group = len(vs) if ev.budget is None else max(1, min(len(vs), ev.chunk))
    if group < len(vs):
        return [d for g in range(0, len(vs), group)
                for d in directions_batch(ev, i, vs[g:g + group], eps)]
    return directions_batch(ev, i, vs, eps)


def directions_batch(ev: Evaluator, i: int, vs: Sequence[np.ndarray],
                     eps: float) -> list[np.ndarray]:
    """Central differences along several directions of input ``i``, in one batch."""
    x = ev.base[i]
    c = len(vs)
    X = np.empty((2 * c, *x.shape))
    for k, v in enumerate(vs):
        # Views through slices: for a 0-d input X[k] would be a scalar copy, not a view.
        plus, minus = X[k:k + 1].reshape(x.shape), X[c + k:c + k + 1].reshape(x.shape)
        np.multiply(v, eps, out=plus)
        np.subtract(x, plus, out=minus)
        plus += x
    out = ev.batch(i, X)
    return [(out[k] - out[c + k]) / (2 * eps) for k in range(c)]


def one_sided(ev: Evaluator, i: int, j: int, eps: float) -> tuple[np.ndarray, np.ndarray]:
    """Left and right differences of all outputs w.r.t. element ``j`` of input ``i``."""
    x = ev.base[i]
    flat = x.reshape(-1)
    X = np.repeat(flat[None, :], 3, axis=0)
    X[1, j] += eps
    X[2, j] -= eps
    f0, fp, fm = (ev.at(i, row.reshape(x.shape)) for row in X)
    return (f0 - fm) / eps, (fp - f0) / eps


def central_at(ev: Evaluator, i: int, j: int, eps: float) -> np.ndarray:
    """Central difference w.r.t. element ``j`` of input ``i`` from single calls."""
    x = ev.base[i]
    xp = x.copy().reshape(-1)
    xm = xp.copy()
    xp[j] += eps
    xm[j] -= eps
    return (ev.at(i, xp.reshape(x.shape)) - ev.at(i, xm.reshape(x.shape))) / (2 * eps)
