"""One-hot perturbations replayed sparsely: each batch item carries only what changed.

Perturbing one element of an input changes few elements of most intermediates: one row of
``x @ W``, the same row of ``tanh(x @ W)``, one number of its sum. :func:`replay_onehot`
replays the tape for a batch of ``±eps`` one-hot perturbations and represents each
intermediate by its recorded (unperturbed) value plus, per batch item, the values of a block
that may differ from it. A block is the tensor restricted to one index along each *hot* axis
(the same axes for every item, the index per item) and complete along the others; a tensor
with no hot axis is dense. Each op recomputes its result on its output block only, from the
operands' values there (so values are those of the function at the perturbed input, not a
linearisation); full sums over a hot axis add the sum of the changes to the recorded sum.
Ops without a sparse rule get dense operands and run the dense batched rule
(``adcli.check.trace._batched_call``).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from adcli.engine.tensor import Tensor

from .trace import (
    _DIM_OPS,
    _ELEMENTWISE,
    _RESHAPES,
    ReplayError,
    Tape,
    _batched_call,
    _lift,
    _shift,
)

# Elementwise too, though the dense replay runs them item by item.
_ELEMENTWISE_MORE = frozenset({"rsqrt", "rsub_tensor", "clamp_min", "clamp_max", "clamp_tensor"})


class Sparse:
    """``base`` (shape ``S``) with, for item ``b``, ``V[b]`` on the block at ``hot[a][b]``.

    A rule may give the change ``D = V - base`` (on the block, ``(B, *block)``) instead of
    ``V``, with ``bound`` (an upper bound of ``|D|``, nan or inf when ``D`` is not finite):
    linear ops and the ``_near`` rules then work on the change without subtracting the
    recorded values, and ``V`` is only formed (once) when a rule asks for it. A product of
    two changed operands may stay a pair (``prod``) until its change is asked for, so that a
    sum of it is taken as sums of products (no product array). A rank-one change (a changed
    column times a row of a matrix product) may stay its two factors ``r1 = (d, row)``, with
    ``D = d * row``: a constant factor then scales the row, and softmax over the row's axis
    takes its sums as matrix products of the factors.
    """

    __slots__ = ("_D", "_V", "base", "bound", "hot", "n", "prod", "r1")

    def __init__(self, base: np.ndarray, hot: dict[int, np.ndarray], V: np.ndarray | None = None,
                 D: np.ndarray | None = None, bound: float | None = None,
                 prod: tuple[Sparse, Sparse] | None = None, n: int = 0,
                 r1: tuple[np.ndarray, np.ndarray] | None = None) -> None:
        self.base = base
        self.hot = hot
        self._V = V
        self._D = D
        self.bound = bound
        self.prod = prod
        self.n = n
        self.r1 = r1

    @property
    def has_delta(self) -> bool:
        return self._D is not None or self.prod is not None or self.r1 is not None

    @property
    def D(self) -> np.ndarray | None:
        if self._D is None and self.r1 is not None:
            self._D = self.r1[0] * self.r1[1]
        if self._D is None and self.prod is not None:
            a, b = self.prod
            B = self.n // max(1, math.prod(_block(self.base.shape, self.hot)))
            Da, Db = _delta(a, B), _delta(b, B)
            # (a + Da)(b + Db) - ab, from the changes: no recorded value is subtracted
            D = _gather(a.base, a.hot, B) * Db
            D += Da * (_gather(b.base, b.hot, B) + Db)
            self._D = D
        return self._D

    @property
    def V(self) -> np.ndarray:
        if self._V is None:
            D = self.D
            assert D is not None
            self._V = _gather(self.base, self.hot, D.shape[0]) + D
        return self._V

    @property
    def size(self) -> int:
        arr = self._V if self._V is not None else self._D
        return self.n if arr is None else int(arr.size)


def _block(shape: tuple[int, ...], hot: dict[int, Any]) -> tuple[int, ...]:
    return tuple(1 if a in hot else n for a, n in enumerate(shape))


def _gather(base: np.ndarray, hot: dict[int, np.ndarray], B: int) -> np.ndarray:
    """``(B, *block)``: the base values on each item's block."""
    S = base.shape
    if not hot:
        return np.broadcast_to(base, (B, *S))
    axes = sorted(hot)
    rest = [a for a in range(len(S)) if a not in hot]
    g = base.transpose(axes + rest)[tuple(hot[a] for a in axes)]
    return g.reshape((B, *_block(S, hot)))


def _widen(x: Sparse, keep: Any) -> Sparse:
    """The same values on larger blocks: hot axes outside ``keep`` become complete."""
    drop = [a for a in x.hot if a not in keep]
    if not drop:
        return x
    B = x.V.shape[0]
    hot = {a: i for a, i in x.hot.items() if a in keep}
    full = _gather(x.base, hot, B)
    dtype = np.result_type(x.base, x.V)
    if not hot or full.dtype != dtype:
        full = np.array(full, dtype=dtype)  # a broadcast view, or the wrong dtype: a copy
    nd = x.base.ndim
    rest = [a for a in range(nd) if a not in drop]
    perm = [0, *[a + 1 for a in drop], *[a + 1 for a in rest]]
    vv = np.broadcast_to(x.V, (B, *_block(x.base.shape, x.hot))).transpose(perm)
    vv = vv.reshape((B, *[full.shape[a + 1] for a in rest]))
    full.transpose(perm)[(np.arange(B), *[x.hot[a] for a in drop])] = vv
    return Sparse(x.base, hot, full)


def _dense(x: Sparse) -> np.ndarray:
    return _widen(x, ()).V


def _same_idx(a: np.ndarray, b: np.ndarray) -> bool:
    return a is b or bool(np.array_equal(a, b))


# -- rules --------------------------------------------------------------------------------------
def _elementwise(fn: Any, vals: list[Any], kw: dict[str, Any], ref: np.ndarray,
                 B: int) -> Sparse:
    """``fn`` applied on the output block where any operand changed (broadcasting aware)."""
    out_shape = ref.shape
    nd = len(out_shape)
    common: dict[int, np.ndarray] | None = None
    for v in vals:
        if not isinstance(v, Sparse):
            continue
        off = nd - v.base.ndim
        # A hot axis broadcast to a longer output axis changes all of that axis.
        m = {a + off: i for a, i in v.hot.items() if out_shape[a + off] == v.base.shape[a]}
        if common is None:
            common = m
        else:
            common = {a: i for a, i in common.items() if a in m and _same_idx(m[a], i)}
    assert common is not None
    args = []
    for v in vals:
        if isinstance(v, Sparse):
            off = nd - v.base.ndim
            w = _widen(v, {a for a in v.hot if a + off in common})
            args.append(_lift(np.broadcast_to(w.V, (B, *_block(w.base.shape, w.hot))), True,
                              nd))
        elif isinstance(v, np.ndarray) and v.ndim > 0:
            args.append(_gather(np.broadcast_to(v, out_shape), common, B))
        else:
            args.append(v)
    out = np.asarray(fn(*args, **kw))
    return Sparse(ref, common, np.broadcast_to(out, (B, *_block(out_shape, common))))


_LINEAR = frozenset({"add", "sub", "rsub", "mul", "div", "neg"})


def _linear(name: str, vals: list[Any], ref: np.ndarray, B: int) -> Sparse | None:
    """A change ``D`` through ``x + c``, ``x - c``, ``c - x``, ``x * c``, ``x / c``, ``-x`` for a
    constant ``c`` that does not widen ``x``: the change is ``D``, ``-D``, ``D * c`` or
    ``D / c``, and no recorded values are subtracted. None when this does not apply."""
    k = [i for i, v in enumerate(vals) if isinstance(v, Sparse)]
    if len(k) != 1:
        return None
    x = vals[k[0]]
    if not x.has_delta or x.base.shape != ref.shape or ref.dtype.kind != "f":
        return None
    lazy = x.r1 if x._D is None else None  # rank-one factors: scale the row, not the change
    if name == "neg":
        if len(vals) != 1:
            return None
        if lazy is not None:
            return _factored(x, ref, lazy[0], -lazy[1], x.bound)
        return Sparse(ref, dict(x.hot), D=-x.D, bound=x.bound)
    if len(vals) != 2:
        return None
    c = vals[1 - k[0]]
    if isinstance(c, Tensor) or not isinstance(c, int | float | np.ndarray | np.generic) \
            or np.ndim(c) > ref.ndim or np.asarray(c).dtype.kind not in "fiub":
        return None
    if name == "add" or (name == "sub" and k[0] == 0) or (name == "rsub" and k[0] == 1):
        if lazy is not None:
            return _factored(x, ref, lazy[0], lazy[1], x.bound)
        return Sparse(ref, dict(x.hot), D=x.D, bound=x.bound)
    if name == "rsub" or (name == "sub" and k[0] == 1):
        if lazy is not None:
            return _factored(x, ref, lazy[0], -lazy[1], x.bound)
        return Sparse(ref, dict(x.hot), D=-x.D, bound=x.bound)
    if name == "div" and k[0] == 1:
        return None
    if lazy is not None and np.ndim(c) == 0 and x.bound is not None:
        cf = float(c)
        if name == "mul":
            return _factored(x, ref, lazy[0], lazy[1] * cf, x.bound * abs(cf))
        return _factored(x, ref, lazy[0], lazy[1] / cf, x.bound / abs(cf) if cf else math.inf)
    cg = _gather(np.broadcast_to(c, ref.shape), x.hot, B) if np.ndim(c) else c
    b = x.bound if x.bound is not None else _amax(x.D)
    if name == "mul":
        return Sparse(ref, dict(x.hot), D=x.D * cg, bound=b * _amax(c))
    cmin = float(np.abs(c).min()) if np.size(c) else 1.0
    return Sparse(ref, dict(x.hot), D=x.D / cg, bound=b / cmin if cmin else math.inf)


def _factored(x: Sparse, ref: np.ndarray, d: np.ndarray, row: np.ndarray,
              bound: float | None) -> Sparse:
    """A rank-one change ``d * row`` on ``x``'s blocks, kept as its factors."""
    return Sparse(ref, dict(x.hot), r1=(d, row), bound=bound, n=x.n)


def _product(a: Any, b: Any, ref: np.ndarray, B: int) -> Sparse | None:
    """``a * b`` of two changed float operands on the same blocks, kept as the pair (see
    :class:`Sparse`); None when the operands differ in shape or blocks."""
    if not (isinstance(a, Sparse) and isinstance(b, Sparse)):
        return None
    if any((v.D if v.has_delta else v.V).dtype.kind != "f" for v in (a, b)):  # type: ignore[union-attr]
        return None
    if a.base.shape != ref.shape or b.base.shape != ref.shape or ref.dtype.kind != "f" \
            or a.hot.keys() != b.hot.keys() \
            or not all(_same_idx(a.hot[k], b.hot[k]) for k in a.hot):
        return None
    return Sparse(ref, dict(a.hot), prod=(a, b), n=B * math.prod(_block(ref.shape, a.hot)))


def _sum_of_product(x: Sparse, B: int) -> np.ndarray:
    """``(B,)``: the sum of a dense product's change, ``sum(a Db + Da b + Da Db)``, as dot
    products (no product array)."""
    assert x.prod is not None
    a, b = x.prod
    Da, Db = _delta(a, B).reshape(B, -1), _delta(b, B).reshape(B, -1)
    # The item-wise dot product as a batched (1 x n) @ (n x 1) product: BLAS, several times
    # faster than einsum's loop.
    both = np.matmul(Da[:, None, :], Db[:, :, None])[:, 0, 0]
    return Db @ a.base.reshape(-1) + Da @ b.base.reshape(-1) + both


def _reduce_sum(x: Sparse, dims: tuple[int, ...], keepdim: bool, mean: bool, ref: np.ndarray,
                B: int) -> Sparse:
    """``sum``/``mean`` over ``dims``; over a hot axis: recorded result + summed change."""
    nd = x.base.ndim
    out_axis = {a: (a if keepdim else a - sum(d < a for d in dims))
                for a in range(nd) if a not in dims}
    hot_out = {out_axis[a]: i for a, i in x.hot.items() if a not in dims}
    count = math.prod(x.base.shape[d] for d in dims) if mean else 1
    baxes = tuple(d + 1 for d in dims)
    if x.prod is not None and x._D is None and not x.hot and len(dims) == nd and nd:
        change = _sum_of_product(x, B).reshape((B, *(1,) * (nd if keepdim else 0)))
        rec = _gather(ref, hot_out, B)
        if np.isfinite(change).all() and np.isfinite(rec).all():
            if mean:
                change = change / count
            return Sparse(ref, hot_out, rec + change, D=change)
    if x.base.dtype.kind == "f" and (any(a in dims for a in x.hot) or x.has_delta):
        change = _delta(x, B).sum(axis=baxes, keepdims=keepdim)
        rec = _gather(ref, hot_out, B)
        # Only between finite values is the change meaningful (inf - inf is nan); a finite
        # sum of changes means every value before and after was finite.
        if np.isfinite(change).all() and np.isfinite(rec).all():
            if mean:
                change = change / count
            return Sparse(ref, hot_out, rec + change, D=change)
    if any(a in dims for a in x.hot):
        x = _widen(x, {a for a in x.hot if a not in dims})
    V = np.broadcast_to(x.V, (B, *_block(x.base.shape, x.hot)))
    out = V.mean(axis=baxes, keepdims=keepdim) if mean else V.sum(axis=baxes, keepdims=keepdim)
    return Sparse(ref, hot_out, np.asarray(out, dtype=ref.dtype))


GEMM_WORK = 1 << 18  # multiply-adds per BLAS call: OpenBLAS stays on one thread below this


def _rows_matmul(A: np.ndarray, M: np.ndarray) -> np.ndarray:
    """``A @ M`` for a tall ``A``, in row blocks small enough for a single-threaded GEMM.

    One big product would go multi-threaded, which costs more than it saves at these sizes
    (and much more on a busy machine); one product per row would be call-bound.
    """
    n = A.shape[0]
    step = max(1, GEMM_WORK // max(1, A.shape[1] * (M.shape[1] if M.ndim == 2 else 1)))
    if n <= step:
        return A @ M
    out = np.empty((n, *M.shape[1:]), dtype=np.result_type(A, M))
    for s in range(0, n, step):
        np.matmul(A[s:s + step], M, out=out[s:s + step])
    return out


def _delta(x: Sparse, B: int) -> np.ndarray:
    """``(B, *block)``: each item's values minus the recorded ones on its block."""
    shape = (B, *_block(x.base.shape, x.hot))
    if x.has_delta:
        return _full(x.D, shape)
    return np.broadcast_to(x.V, shape) - _gather(x.base, x.hot, B)


_MEMO: dict[tuple[int, str], Any] = {}  # the running replay's tape's memo (see replay_onehot)


def _memo(arr: np.ndarray, tag: str, fn: Any) -> Any:
    """``fn(arr)``, computed once per recorded array (they stay alive with the tape)."""
    key = (id(arr), tag)
    got = _MEMO.get(key)
    if got is None:
        got = _MEMO[key] = (fn(arr),)
    return got[0]


def _tiled(arr: np.ndarray, tag: str, B: int) -> np.ndarray:
    """``arr`` repeated for ``B`` items, contiguous: NumPy multiplies two contiguous arrays
    at about twice the speed of one against a broadcast one."""
    t = _memo(arr, tag + "/tiled", lambda a: [None])
    if t[0] is None or t[0].shape[0] != B:
        t[0] = np.ascontiguousarray(np.broadcast_to(arr, (B, *arr.shape)))
    return t[0]


def _finite(arr: np.ndarray) -> bool:
    return bool(_memo(arr, "finite", lambda a: bool(np.isfinite(a).all())))


def _amax(a: Any) -> float:
    """``max |a|`` (nan when ``a`` holds a nan; 0 when empty)."""
    a = np.asarray(a)
    return float(np.abs(a).max()) if a.size else 0.0


def _matmul2(a: Any, b: Any, ref: np.ndarray, B: int, vec: bool) -> Sparse:
    """``mm`` (``vec`` False) or ``mv``: rows of a changed ``a`` / columns of a changed ``b``.

    A change confined to one column of ``a`` (one row of ``b``) is a rank-one update of the
    recorded product: ``ref + delta * row``, which costs the output block, not a product.
    """
    if isinstance(a, Sparse) and not isinstance(b, Sparse) and 1 in a.hot \
            and a.base.ndim == 2 and np.ndim(b) == (1 if vec else 2):
        hot = {0: a.hot[0]} if 0 in a.hot else {}
        d = _delta(a, B)  # (B, r or 1, 1)
        row = b[a.hot[1]]  # (B,) or (B, n): the row of ``b`` each changed column meets
        bound = _amax(d) * _amax(row)
        if vec:
            return Sparse(ref, hot, D=d[:, :, 0] * row[:, None], bound=bound)
        return Sparse(ref, hot, r1=(d, row[:, None, :]), bound=bound,
                      n=d.shape[0] * d.shape[1] * row.shape[1])
    if isinstance(b, Sparse) and not isinstance(a, Sparse) and 0 in b.hot \
            and np.ndim(a) == 2 and b.base.ndim == (1 if vec else 2):
        cols = a[:, b.hot[0]].T  # (B, r): the column of ``a`` each changed row meets
        d = _delta(b, B)
        bound = _amax(d) * _amax(cols)
        if vec:
            return Sparse(ref, {}, D=cols * d, bound=bound)
        hot = {1: b.hot[1]} if 1 in b.hot else {}
        return Sparse(ref, hot, D=cols[:, :, None] * d, bound=bound)
    # The batch is folded into one 2-D product: one BLAS call rather than one per item.
    if isinstance(a, Sparse) and not isinstance(b, Sparse):
        w = _widen(a, {0})
        V = np.broadcast_to(w.V, (B, *_block(w.base.shape, w.hot)))
        r, k = V.shape[1:]
        out = _rows_matmul(V.reshape(B * r, k), b)
        return Sparse(ref, dict(w.hot), out.reshape((B, r, *out.shape[1:])))
    if isinstance(b, Sparse) and not isinstance(a, Sparse) and not vec:
        w = _widen(b, {1})
        V = np.broadcast_to(w.V, (B, *_block(w.base.shape, w.hot)))
        k, c = V.shape[1:]
        out = _rows_matmul(V.transpose(0, 2, 1).reshape(B * c, k), a.T)
        return Sparse(ref, dict(w.hot), out.reshape(B, c, -1).transpose(0, 2, 1))
    av = _dense(a) if isinstance(a, Sparse) else a
    bv = _dense(b) if isinstance(b, Sparse) else b
    if vec:
        if isinstance(b, Sparse):
            return Sparse(ref, {}, np.matmul(av, bv[..., None])[..., 0])
        return Sparse(ref, {}, np.matmul(av, bv))
    return Sparse(ref, {}, np.matmul(av, bv))


_ULP = 2.0 ** -53


def _series(t: np.ndarray, bound: float, coef: tuple[float, ...], rem: Any,
            scale: float = 0.0, out: np.ndarray | None = None) -> np.ndarray | None:
    """``t * (coef[0] + t * (coef[1] + ...))`` with as few terms as make the part left out
    smaller than rounding, for ``|t| <= bound``: ``rem(bound, k)`` bounds it relative to ``|t|``
    (the change itself) and ``bound * rem(bound, k)`` in absolute terms, which suffices when it
    is below rounding of the result, whose size is at least ``scale``. None when more than
    ``len(coef)`` terms would be needed. A few multiply-adds cost a fraction of NumPy's
    exp/log, and the result is as exact. ``out`` (not ``t``) receives it when given."""
    k = _terms(bound, len(coef), rem, scale)
    return None if k is None else _poly(t, k, coef, out)


def _poly(t: np.ndarray, k: int, coef: tuple[float, ...], out: np.ndarray | None = None
          ) -> np.ndarray:
    """The first ``k`` terms of the series ``t * (coef[0] + t * (coef[1] + ...))``."""
    if k == 1:
        return np.multiply(t, coef[0], out=out)
    acc = np.multiply(t, coef[k - 1], out=out)
    for c in coef[k - 2:0:-1]:
        acc += c
        acc *= t
    acc += coef[0]
    acc *= t
    return acc


def _terms(bound: float, most: int, rem: Any, scale: float) -> int | None:
    """How many terms :func:`_series` takes (None: more than ``most``)."""
    for k in range(1, most + 1):
        r = rem(bound, k)
        if r < _ULP or bound * r < _ULP * scale:
            return k
    return None


_EXPM1 = (1.0, 1 / 2, 1 / 6, 1 / 24, 1 / 120)  # exp(t) - 1 = t (1 + t/2 + t^2/6 + ...)
_LOG1P = (1.0, -1 / 2, 1 / 3, -1 / 4, 1 / 5)


def _expm1_rem(b: float, k: int) -> float:
    return 2 * b ** k / math.factorial(k + 1)


def _expm1(t: np.ndarray, bound: float, scale: float = 0.0) -> np.ndarray:
    """``exp(t) - 1`` for ``|t| <= bound``, to rounding of ``|t|`` or of ``scale``."""
    out = _series(t, bound, _EXPM1, _expm1_rem, scale)
    return np.expm1(t) if out is None else out


def _log1p(t: np.ndarray, bound: float, scale: float = 0.0,
           out: np.ndarray | None = None) -> np.ndarray:
    """``log(1 + t)`` for ``|t| <= bound`` (< 1), to rounding of ``|t|`` or of ``scale``."""
    got = _series(t, bound, _LOG1P, _log1p_rem, scale, out)
    return np.log1p(t, out=out) if got is None else got


def _log1p_rem(b: float, k: int) -> float:
    return 2 * b ** k / (k + 1)


CACHE_ELEMENTS = 1 << 15  # per array in a pass done in pieces: a few such arrays stay in L2


def _pieces(B: int, item: int) -> tuple[int, list[tuple[int, int]]]:
    """Items per piece and the pieces ``(start, stop)`` of a batch of ``B`` items of ``item``
    values: a chain of passes over a piece runs in cache, not in memory."""
    step = max(1, min(B, CACHE_ELEMENTS // max(1, item)))
    return step, [(s, min(B, s + step)) for s in range(0, B, step)]


def _full(a: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    return a if a.shape == shape else np.broadcast_to(a, shape)


def _near(x: Sparse, B: int) -> tuple[np.ndarray, float] | None:
    """Each item's change from the recorded values and its largest size, when the base is
    float and every change finite and moderate (then ``f(x + dx)`` can be computed from the
    recorded ``f(x)`` and a function of ``dx``); None otherwise."""
    if x.base.dtype.kind != "f":
        return None
    if x.has_delta and x.D.dtype.kind == "f":  # type: ignore[union-attr]
        dx = _full(x.D, (B, *_block(x.base.shape, x.hot)))
        big = x.bound if x.bound is not None else _amax(dx)
    elif not x.has_delta and x.V.dtype.kind == "f":
        dx = _full(x.V, (B, *_block(x.base.shape, x.hot))) - _gather(x.base, x.hot, B)
        big = _amax(dx) if dx.size else math.nan
    else:
        return None
    if not big < 30.0:  # also nan and inf
        return None
    return dx, big


def _exp_near(x: Sparse, ref: np.ndarray, B: int) -> Sparse | None:
    """``exp(x + dx) = exp(x) * (1 + expm1(dx))`` from the recorded ``exp(x)``."""
    near = _near(x, B)
    if near is None or not _finite(ref):
        return None
    dx, big = near
    r = _tiled(ref, "", B) if not x.hot else _gather(ref, x.hot, B)
    # exp(x + dx) to rounding: expm1 to rounding of 1 + expm1 >= exp(-big)
    D = _expm1(dx, big, math.exp(-big))
    D *= r
    return Sparse(ref, dict(x.hot), D=D, bound=_memo(ref, "amax", _amax) * math.expm1(big))


def _log_near(x: Sparse, ref: np.ndarray, B: int) -> Sparse | None:
    """``log(x + dx) = log(x) + log1p(dx / x)`` from the recorded ``log(x)`` (x > 0)."""
    lo = _memo(x.base, "min", lambda a: float(a.min()) if a.size else math.nan)
    if not lo > 0 or not _finite(ref):
        return None
    near = _near(x, B)
    if near is None:
        return None
    dx, big = near
    bound = big / lo
    if not bound < 0.5:
        return None
    change = -math.log1p(-bound)  # |log1p(u)| for |u| <= bound
    # log(x + dx) to rounding: log1p to rounding of |log(x + dx)| >= min |log x| - change
    low = _memo(ref, "absmin", lambda a: float(np.abs(a).min()))
    scale = max(0.0, low - change)
    if x.hot or dx.shape != (B, *ref.shape) or dx.dtype != np.float64:
        u = dx / _gather(x.base, x.hot, B) if x.hot \
            else dx * _tiled(_memo(x.base, "inv", lambda a: 1.0 / a), "inv", B)
        return Sparse(ref, dict(x.hot), D=_log1p(u, bound, scale), bound=change)
    # Dense blocks: u = dx / x and its series piece by piece, in cache.
    inv = _memo(x.base, "inv", lambda a: 1.0 / a)
    step, pieces = _pieces(B, inv.size)
    inv_t = _tiled(inv, "inv", step)
    D = np.empty(dx.shape)
    u = np.empty((step, *ref.shape))
    k = _terms(bound, len(_LOG1P), _log1p_rem, scale)
    for s, e in pieces:
        us = np.multiply(dx[s:e], inv_t[:e - s], out=u[:e - s])
        if k is None:
            np.log1p(us, out=D[s:e])
        else:
            _poly(us, k, _LOG1P, out=D[s:e])
    return Sparse(ref, {}, D=D, bound=change)


def _softmax_lines(x: Sparse, d: int, log: bool, ref: np.ndarray, B: int) -> Sparse | None:
    """(log_)softmax over ``d`` on lines complete along ``d`` (``d`` not hot), from the
    recorded result ``y``: ``softmax(x + dx) = y * exp(dx) / sum(y * exp(dx))``, so no max
    pass and, for small changes, no exp per value. The result is given as its change
    ``y * (expm1(dx) - sig) / (1 + sig)`` with ``1 + sig = sum(y * exp(dx))``."""
    if x.r1 is not None and x._D is None and not x.hot and d == 1 and ref.ndim == 2 \
            and x.bound is not None and x.bound < 30.0 and _finite(ref):
        out = _softmax_rank_one(x, log, ref, B)
        if out is not None:
            return out
    near = _near(x, B)
    if near is None or not _finite(ref):
        return None
    dx, big = near
    yref = _memo(ref, "exp", np.exp) if log else ref
    em1 = _expm1(dx, big, math.exp(-big))  # to rounding of exp(dx) >= exp(-big)
    if em1 is dx:
        em1 = em1.copy()
    # sum(y) is 1 to rounding: its difference from 1 goes into sig
    off = _gather(_memo(yref, f"sum{d}", lambda a: a.sum(axis=d, keepdims=True) - 1.0),
                  x.hot, B)
    if not x.hot and d == ref.ndim - 1 and ref.ndim >= 1:
        # Lines along the last axis of dense blocks: the sums are matrix-vector products.
        K = ref.shape[-1]
        L = ref.size // K if K else 0
        y3 = yref.reshape(L, K, 1)
        sig = np.matmul(em1.reshape(B, L, K).transpose(1, 0, 2), y3).transpose(1, 0, 2)
        sig = sig.reshape((B, *ref.shape[:-1], 1)) + off
        smax = _amax(sig)
        if not smax < 0.5:
            return None
        if log:
            ls = np.log1p(sig)
            return Sparse(ref, {}, D=dx - ls, bound=big + _amax(ls))
        em1 -= sig
        em1 *= _tiled(yref, "y", B)
        em1 *= 1.0 / (1.0 + sig)
        return Sparse(ref, {}, D=em1, bound=_memo(yref, "amax", _amax)
                      * (math.expm1(big) + smax) / (1.0 - smax))
    y = _gather(yref, x.hot, B)
    ye = y * em1
    sig = ye.sum(axis=d + 1, keepdims=True)
    sig += off
    smax = _amax(sig)
    if not smax < 0.5:
        return None
    if log:
        ls = np.log1p(sig)
        return Sparse(ref, dict(x.hot), D=dx - ls, bound=big + _amax(ls))
    D = ye - y * sig
    D *= 1.0 / (1.0 + sig)
    return Sparse(ref, dict(x.hot), D=D,
                  bound=_memo(yref, "amax", _amax) * (math.expm1(big) + smax) / (1.0 - smax))


def _softmax_rank_one(x: Sparse, log: bool, ref: np.ndarray, B: int) -> Sparse | None:
    """:func:`_softmax_lines` of a matrix (rows are the lines) whose change is rank-one per
    item, ``dx[r, k] = d[r] * w[k]``: with ``expm1`` as its series ``sum_n d^n w^n / n!``,
    the line sums ``sum_k y[r, k] expm1(dx[r, k])`` are ``sum_n d[r]^n / n! (y @ w^n)[r]``
    (small matrix products), and the change ``y * (expm1(dx) - sig) / (1 + sig)`` is ``y``
    times one batched product of the per-row coefficients and the powers of ``w``: two passes
    over the result instead of one per operation."""
    d, w = x.r1  # type: ignore[misc]
    big = float(x.bound)  # type: ignore[arg-type]
    k = _terms(big, len(_EXPM1), _expm1_rem, math.exp(-big))
    if k is None or d.shape != (B, ref.shape[0], 1) or w.shape != (B, 1, ref.shape[1]):
        return None
    yref = _memo(ref, "exp", np.exp) if log else ref
    off = _memo(yref, "sum1", lambda a: a.sum(axis=1, keepdims=True) - 1.0)  # (R, 1)
    dd, ww = d[:, :, 0], w[:, 0, :]  # (B, R), (B, K)
    Q = np.empty((B, k + 1, ww.shape[1]))  # the powers of w, w^0 .. w^k
    Q[:, 0] = 1.0
    Q[:, 1] = ww
    for n in range(2, k + 1):
        np.multiply(Q[:, n - 1], ww, out=Q[:, n])
    # sig = sum_n c_n d^n (w^n @ y.T): all powers in one 2-D product, (B k, K) @ (K, R)
    M = (Q[:, 1:].reshape(B * k, -1) @ yref.T).reshape(B, k, -1)
    sig = np.broadcast_to(off[:, 0], dd.shape).copy()
    P = np.empty((B, ref.shape[0], k + 1))  # coefficients of w^n per row: d^n c_n
    dn = dd
    for n in range(1, k + 1):
        if n > 1:
            dn = dn * dd
        P[:, :, n] = dn * _EXPM1[n - 1]
        sig += P[:, :, n] * M[:, n - 1]
    smax = _amax(sig)
    if not smax < 0.5:
        return None
    if log:
        ls = np.log1p(sig)[:, :, None]
        D = x.D - ls  # type: ignore[operator]
        return Sparse(ref, {}, D=D, bound=big + _amax(ls))
    inv = 1.0 / (1.0 + sig)
    P[:, :, 0] = -sig
    P *= inv[:, :, None]
    D = np.matmul(P, Q)
    D *= _tiled(yref, "y", B)
    return Sparse(ref, {}, D=D, bound=_memo(yref, "amax", _amax)
                  * (math.expm1(big) + smax) / (1.0 - smax))


def _softmax_line(x: Sparse, d: int, log: bool, ref: np.ndarray, B: int) -> Sparse | None:
    """(log_)softmax over ``d`` where each item changed one element of its line along ``d``.

    With ``y`` the recorded line and ``dx`` the change at ``l``, the normaliser grows by
    ``r = 1 + g`` with ``g = y_l * expm1(dx)``: ``y' = y / r`` off ``l`` and
    ``y_l * exp(dx) / r`` at ``l`` (log: ``y - log r`` and ``y_l + dx - log r``). One exp per
    line instead of one per value; the result is given as its change (``-y * g / r`` off
    ``l``).
    """
    near = _near(x, B)
    if near is None or not _finite(ref):
        return None  # infinities: the dense rule computes these exactly
    dx = near[0]  # (B, *block), size 1 along d
    keep = {a: i for a, i in x.hot.items() if a != d}
    at = _gather(ref, x.hot, B)  # the recorded output at the changed element
    p = np.exp(at) if log else at
    em1 = np.expm1(dx)  # one value per line
    grow = p * em1  # > -1
    pos = x.hot[d].reshape((B,) + (1,) * (ref.ndim))
    shape = (B, *_block(ref.shape, keep))
    if log:
        lr = np.log1p(grow)
        D = np.array(np.broadcast_to(-lr, shape))
        new_at = dx - lr
    else:
        f = -grow / (1.0 + grow)
        D = (_tiled(ref, "", B) if not keep else _gather(ref, keep, B)) * f
        new_at = at * (em1 + f * (1.0 + em1))  # y_l * exp(dx) / r - y_l
    np.put_along_axis(D, np.broadcast_to(pos, new_at.shape), new_at, axis=d + 1)
    bound = _amax(lr) if log else _amax(f) * _memo(ref, "amax", _amax)
    return Sparse(ref, keep, D=D, bound=max(bound, _amax(new_at)))


def _reshape(x: Sparse, new_shape: tuple[int, ...], ref: np.ndarray, B: int) -> Sparse:
    """A reshape keeps a hot axis where the changed block stays a block in the new shape."""
    S = x.base.shape
    old_axes = [a for a, n in enumerate(S) if n != 1]
    new_axes = [a for a, n in enumerate(new_shape) if n != 1]
    s1 = [S[a] for a in old_axes]
    s2 = [new_shape[a] for a in new_axes]
    keep: set[int] = set()
    hot: dict[int, np.ndarray] = {}
    if x.hot:
        # Axis groups with equal products (sizes >= 2, so the greedy match is exact).
        i = j = 0
        while i < len(s1):
            gi, gj, p, q = [i], [j], s1[i], s2[j]
            while p != q:
                if p < q:
                    i += 1
                    p *= s1[i]
                    gi.append(i)
                else:
                    j += 1
                    q *= s2[j]
                    gj.append(j)
            i += 1
            j += 1
            k = 0
            while k < len(gi) and old_axes[gi[k]] in x.hot:
                k += 1
            if k == 0:
                continue
            tail = math.prod(s1[g] for g in gi[k:])
            t = next((t for t in range(1, len(gj) + 1)
                      if math.prod(s2[g] for g in gj[t:]) == tail), None)
            if t is None:
                continue  # not a block in the new shape: the group is widened
            flat = np.ravel_multi_index([x.hot[old_axes[g]] for g in gi[:k]],
                                        [s1[g] for g in gi[:k]])
            for g, ix in zip(gj[:t], np.unravel_index(flat, [s2[g] for g in gj[:t]])):
                hot[new_axes[g]] = ix
            keep.update(old_axes[g] for g in gi[:k])
    w = _widen(x, keep)
    V = np.broadcast_to(w.V, (B, *_block(S, w.hot)))
    return Sparse(ref, hot, V.reshape((B, *_block(new_shape, hot))))


def _permute(x: Sparse, perm: list[int], ref: np.ndarray, B: int) -> Sparse:
    hot = {k: x.hot[p] for k, p in enumerate(perm) if p in x.hot}
    V = np.broadcast_to(x.V, (B, *_block(x.base.shape, x.hot)))
    return Sparse(ref, hot, V.transpose((0, *[p + 1 for p in perm])))


def _expand(x: Sparse, ref: np.ndarray, B: int) -> Sparse:
    R, S = ref.shape, x.base.shape
    off = len(R) - len(S)
    hot = {a + off: i for a, i in x.hot.items() if R[a + off] == S[a]}
    V = _lift(np.broadcast_to(x.V, (B, *_block(S, x.hot))), True, len(R))
    return Sparse(ref, hot, np.broadcast_to(V, (B, *_block(R, hot))))


def _call(e: Any, vals: list[Any], B: int) -> list[Sparse | None]:
    """The entry's outputs (aligned with ``e.outputs``) on the batch."""
    op = e.op
    if op is not None and not op.multi_output and not op.extras:
        try:
            out = _sparse_rule(e, vals, B)
        except Exception:
            out = None  # the dense rule below decides (and raises if the op cannot run)
        if out is not None:
            return [out]
    flags = [isinstance(v, Sparse) for v in vals]
    dense = [_dense(v) if f else v for v, f in zip(vals, flags)]
    outs = _batched_call(e, dense, flags, B)
    return [Sparse(np.asarray(o._data), {}, arr) if isinstance(o, Tensor) else None
            for o, arr in zip(e.outputs, outs)]


def _sparse_rule(e: Any, vals: list[Any], B: int) -> Sparse | None:
    """The op's result on the changed blocks, or None when it has no sparse rule."""
    op = e.op
    name = op.name
    kw = e.kwargs
    ref = np.asarray(e.outputs[0]._data)
    x = vals[0]
    one = len(vals) == 1 and isinstance(x, Sparse)
    if one and name in ("exp", "log") and not kw:
        out = (_exp_near if name == "exp" else _log_near)(x, ref, B)
        if out is not None:
            return out
    if name == "rsub" and len(vals) == 1 and "other" in kw and kw.get("alpha", 1) == 1 \
            and set(kw) <= {"other", "alpha"}:
        out = _linear(name, [vals[0], kw["other"]], ref, B)  # other - x
        if out is not None:
            return out
    if name in _LINEAR and (not kw or (kw == {"alpha": 1} and name in ("add", "sub", "rsub"))):
        out = _linear(name, vals, ref, B)
        if out is not None:
            return out
    if name == "mul" and not kw and len(vals) == 2:
        out = _product(vals[0], vals[1], ref, B)
        if out is not None:
            return out
    if name in _ELEMENTWISE or name in _ELEMENTWISE_MORE:
        return _elementwise(op.forward, vals, kw, ref, B)
    if one and name in ("sum", "mean") and not kw:
        return _reduce_sum(x, tuple(range(x.base.ndim)), False, name == "mean", ref, B)
    if one and name in ("sum_dim", "mean_dim") and "dim" in kw:
        nd = x.base.ndim
        dims = kw["dim"] if isinstance(kw["dim"], tuple | list) else (kw["dim"],)
        dims = tuple(sorted({d % nd for d in dims})) if nd else ()
        return _reduce_sum(x, dims, bool(kw.get("keepdim", False)), name == "mean_dim", ref, B)
    if one and name in ("softmax", "log_softmax") and set(kw) == {"dim"} and x.base.ndim \
            and isinstance(kw["dim"], int):
        d = kw["dim"] % x.base.ndim
        rule = _softmax_line if d in x.hot else _softmax_lines
        out = rule(x, d, name == "log_softmax", ref, B)
        if out is not None:
            return out
    if one and name in _DIM_OPS and "dim" in kw and x.base.ndim:
        nd = x.base.ndim
        dims = kw["dim"] if isinstance(kw["dim"], tuple | list) else (kw["dim"],)
        dims = {d % nd for d in dims}
        w = _widen(x, {a for a in x.hot if a not in dims})
        keepdim = ref.ndim == nd
        out_axis = {a: (a if keepdim else a - sum(d < a for d in dims))
                    for a in range(nd) if a not in dims}
        hot = {out_axis[a]: i for a, i in w.hot.items()}
        V = np.broadcast_to(w.V, (B, *_block(w.base.shape, w.hot)))
        out = np.asarray(op.forward(V, **{**kw, "dim": _shift(kw["dim"])}))
        return Sparse(ref, hot, np.broadcast_to(out, (B, *_block(ref.shape, hot))))
    if one and name in _RESHAPES:
        return _reshape(x, ref.shape, ref, B)
    if one and name == "expand":
        return _expand(x, ref, B)
    if one and name == "t":
        perm = [1, 0] if x.base.ndim == 2 else list(range(x.base.ndim))
        return _permute(x, perm, ref, B)
    if one and name == "transpose":
        nd = x.base.ndim
        perm = list(range(nd))
        d0, d1 = kw["dim0"] % nd, kw["dim1"] % nd
        perm[d0], perm[d1] = perm[d1], perm[d0]
        return _permute(x, perm, ref, B)
    if one and name == "permute":
        nd = x.base.ndim
        return _permute(x, [d % nd for d in kw["dims"]], ref, B)
    # ``cm`` (mm/addmm): the inputs' column-major flags, read only by double-backward formulas
    kw = {k: v for k, v in kw.items() if k != "cm"} if name in ("mm", "addmm") else kw
    if name in ("mm", "mv") and len(vals) == 2 and not kw:
        return _matmul2(vals[0], vals[1], ref, B, name == "mv")
    if name == "addmm" and len(vals) == 3 and not kw:
        bias, a, b = vals
        if isinstance(a, Sparse) or isinstance(b, Sparse):
            prod = _matmul2(a, b, np.asarray(np.matmul(e.values[1], e.values[2])), B,
                            False)
        else:
            prod = np.matmul(a, b)
        return _elementwise(np.add, [prod, bias], {}, ref, B)
    return None


def replay_onehot(tape: Tape, leaves: list[Tensor], outputs: list[Tensor], which: int,
                  js: np.ndarray, eps: float, limit: int | None = None,
                  stats: dict[str, int] | None = None) -> tuple[list[np.ndarray], int]:
    """Outputs (each ``(2c, *shape)``) at ``+eps`` then ``-eps`` on each flat element ``js``.

    Also returns the largest number of values one batch item carried (outputs included), to
    size chunks; an intermediate of more than ``limit`` values raises :class:`ReplayError`.
    ``stats["values"]`` receives the number of values computed (the replay's cost).
    """
    if tape.inplace:
        raise ReplayError("the function writes in place")
    leaf = leaves[which]
    base = leaf._data
    js = np.asarray(js)
    c = js.size
    B = 2 * c
    flat = base.reshape(-1)
    shape = base.shape
    V = np.concatenate([flat[js] + eps, flat[js] - eps]).reshape((B, *(1,) * base.ndim))
    idx = np.unravel_index(np.concatenate([js, js]), shape) if base.ndim else ()
    env: dict[int, Sparse] = {id(leaf): Sparse(base, dict(enumerate(idx)), V)}
    global _MEMO
    saved, _MEMO = _MEMO, tape.__dict__.setdefault("sparse_memo", {})
    try:
        return _replay(tape, env, outputs, B, limit, stats)
    finally:
        _MEMO = saved


def _replay(tape: Tape, env: dict[int, Sparse], outputs: list[Tensor], B: int,
            limit: int | None, stats: dict[str, int] | None) -> tuple[list[np.ndarray], int]:
    item = max(1, sum(int(o._data.size) for o in outputs))
    values = 0
    for e in tape.entries:
        vals = [env.get(id(a)) if isinstance(a, Tensor) else None for a in e.args]
        if not any(v is not None for v in vals):
            continue
        vals = [v if v is not None else val for v, val in zip(vals, e.values)]
        outs = _call(e, vals, B)
        for o, sp in zip(e.outputs, outs):
            if isinstance(o, Tensor):
                env[id(o)] = sp
                item = max(item, sp.size // B)
                values += sp.size
                if limit is not None and sp.size > limit:
                    raise ReplayError("the perturbations do not stay sparse")
    result = []
    for o in outputs:
        sp = env.get(id(o))
        arr = np.broadcast_to(o._data, (B, *o._data.shape)) if sp is None else _dense(sp)
        if arr.shape != (B, *o._data.shape):
            raise ReplayError("sparse result has the wrong shape")
        result.append(arr)
    if stats is not None:
        stats["values"] = stats.get("values", 0) + values
    return result, item
