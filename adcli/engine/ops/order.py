"""Order statistics and running extremes: median/nanmedian, quantile/nanquantile, mode,
kthvalue, cummax/cummin, logcumsumexp.

Which index torch returns on ties is part of its behaviour, so each op picks it the way torch's
CPU kernel does: median as ``nth_element`` with the index as tie-break (the stable order),
kthvalue as ATen's quick-select, mode as libstdc++'s ``std::sort`` followed by a scan for the
longest run, cummax/cummin with ``>=``/``<=`` (the latest of equal values).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import dtypes
from ..errors import IndexOutOfRangeError, InvalidArgumentError
from ..op import defop
from ..tensor import Tensor, _wrap_dim
from .indexing import _along, gather_op, scatter_add_op
from .reductions import ValuesIndices, _select_at_indices
from .scan_sort import sort_op
from .scatter import masked_fill_tensor_op
from .shape import squeeze_inplace_op, transpose_op, unsqueeze_op, view_op
from .shape_inplace import transpose_inplace_op

# ==============================================================================================
# median, nanmedian (no dim: the lower median; with dim: values and indices)
# ==============================================================================================


def _median_all(a: np.ndarray, ignore_nan: bool = False) -> np.ndarray:
    flat = a.reshape(-1)
    if not flat.size:
        return np.asarray(np.nan, dtype=a.dtype)
    nan = np.isnan(flat) if a.dtype.kind == "f" else np.zeros(flat.shape, bool)
    if nan.any() and not ignore_nan:
        return np.asarray(np.nan, dtype=a.dtype)
    kept = np.sort(flat[~nan]) if ignore_nan else np.sort(flat)
    if not kept.size:
        return np.asarray(np.nan, dtype=a.dtype)
    return np.asarray(kept[(kept.size - 1) // 2], dtype=a.dtype)


median_all_op = defop("median", "MedianBackward0", _median_all, save=("self", "result"),
                      torch="torch.median (no dim)")
nanmedian_all_op = defop("nanmedian", "NanmedianBackward0",
                         lambda a: _median_all(a, ignore_nan=True), save=("self", "result"),
                         torch="torch.nanmedian (no dim)")


@median_all_op.grad("self")
@nanmedian_all_op.grad("self")
def _evenly_distribute(g, s, B):
    "zeros.masked_fill_(self == result (or both nan), grad / count): shared evenly"
    x, res = s.self, s.result
    xd = x._data if B.tensors else x
    rd = res._data if B.tensors else res
    mask = np.isnan(xd) if np.isnan(rd) else (xd == rd)
    count = int(mask.sum())
    if B.tensors:  # as PyTorch's CPU evenly_distribute_backward
        zeros = Tensor._make(np.zeros(xd.shape, dtype=g._data.dtype), None, 0, None)
        n = Tensor._make(np.asarray(count, dtype=np.int64), None, 0, None)
        return masked_fill_tensor_op(zeros, g / n, mask=mask)
    out = np.zeros(xd.shape, dtype=g.dtype)
    out[mask] = g / count
    return out


def _stable_rows(a: np.ndarray, dim: int) -> np.ndarray:
    """Indices of the stable ascending order along ``dim``, NaN last."""
    return np.argsort(a, axis=dim, kind="stable")


def _pick(a: np.ndarray, dim: int, keepdim: bool, pos: np.ndarray) -> tuple[np.ndarray, ...]:
    """Values and indices at the positions ``pos`` (indices into ``a`` along ``dim``, with
    ``dim`` kept as size 1)."""
    idx = pos.astype(np.int64)
    values = np.take_along_axis(a, idx, axis=dim)
    if not keepdim:
        values, idx = np.squeeze(values, dim), np.squeeze(idx, dim)
    return values, idx


def _median_dim(a: np.ndarray, dim: int, keepdim: bool = False,
                ignore_nan: bool = False) -> tuple[np.ndarray, ...]:
    name = "nanmedian" if ignore_nan else "median"
    if not a.ndim:
        return a.copy(), np.zeros((), dtype=np.int64)
    n = a.shape[dim]
    if n == 0:
        raise IndexOutOfRangeError(
            f"{name}(): Expected reduction dim {dim} to have non-zero size.")
    order = _stable_rows(a, dim)
    nan = np.isnan(a) if a.dtype.kind == "f" else np.zeros(a.shape, bool)
    n_nan = nan.sum(axis=dim, keepdims=True)
    if ignore_nan:
        k = np.trunc((n - n_nan - 1) / 2).astype(np.int64)  # C++'s division: -1 / 2 == 0
    else:
        k = np.full(n_nan.shape, (n - 1) // 2, dtype=np.int64)
    pos = np.take_along_axis(order, k, axis=dim)
    if ignore_nan and (n_nan == n).any():
        # A row of NaNs only: every element is "equal" under nanmedian's comparator, so the
        # index is where std::nth_element's partitioning leaves position 0.
        pos = np.where(n_nan == n, _all_equal_nth(n), pos)
    if not ignore_nan:
        # torch.median returns the first NaN of a row that has one
        first_nan = np.argmax(nan, axis=dim, keepdims=True)
        pos = np.where(n_nan > 0, first_nan, pos)
    return _pick(a, dim, keepdim, pos)


def _all_equal_nth(n: int) -> int:
    """The index libstdc++'s std::nth_element(first, first, last) leaves first when no
    element compares less than another (its introselect's pivot swaps and partitions)."""
    idx = list(range(n))
    lo, hi = 0, n
    while hi - lo > 3:
        mid = lo + (hi - lo) // 2
        idx[lo], idx[mid] = idx[mid], idx[lo]  # __move_median_to_first: all equal, the middle
        first, last = lo + 1, hi
        while True:  # __unguarded_partition: nothing is less, so every pair is swapped
            last -= 1
            if not first < last:
                break
            idx[first], idx[last] = idx[last], idx[first]
            first += 1
        hi = first  # the cut is past nth (= lo)
    return idx[lo]


median_dim_op = defop("median_dim", "MedianBackward1", _median_dim, extras=("indices",),
                      torch="torch.median(dim=...)")
nanmedian_dim_op = defop("nanmedian_dim", "NanmedianBackward1",
                         lambda a, dim, keepdim=False: _median_dim(a, dim, keepdim, True),
                         extras=("indices",), torch="torch.nanmedian(dim=...)")
median_dim_op.grad("self")(_select_at_indices)
nanmedian_dim_op.grad("self")(_select_at_indices)


# ==============================================================================================
# kthvalue (ATen's quick-select), mode (libstdc++'s std::sort, then the longest run)
# ==============================================================================================
def _gt_or_nan(x: Any, y: Any) -> bool:
    return (x != x and y == y) or x > y


def _quick_select(vals: list[Any], idx: list[int], k: int) -> None:
    """ATen's quick_select_template (median-of-three, Numerical Recipes' select): the k-th
    smallest ends at position k, NaN counting as the largest; ``vals`` and ``idx`` in place."""
    def swap(i: int, j: int) -> None:
        vals[i], vals[j] = vals[j], vals[i]
        idx[i], idx[j] = idx[j], idx[i]

    lo, hi = 0, len(vals) - 1
    while True:
        if hi <= lo:
            return
        if hi == lo + 1:
            if _gt_or_nan(vals[lo], vals[hi]):
                swap(lo, hi)
            return
        p = lo + (hi - lo) // 2
        swap(p, lo + 1)
        if _gt_or_nan(vals[lo + 1], vals[hi]):
            swap(lo + 1, hi)
        if _gt_or_nan(vals[lo], vals[hi]):
            swap(lo, hi)
        if _gt_or_nan(vals[lo + 1], vals[lo]):
            swap(lo + 1, lo)
        i, j = lo + 1, hi
        piv = vals[lo]
        while True:
            i += 1
            while _gt_or_nan(piv, vals[i]):
                i += 1
            j -= 1
            while _gt_or_nan(vals[j], piv):
                j -= 1
            if j < i:
                break
            swap(i, j)
        swap(lo, j)
        if j <= k:
            lo = i
        if j >= k:
            hi = j - 1


def _rows(a: np.ndarray, dim: int) -> tuple[np.ndarray, tuple[int, ...]]:
    moved = np.moveaxis(a, dim, -1)
    return moved.reshape(-1, moved.shape[-1]), moved.shape[:-1]


def _unrows(flat: np.ndarray, lead: tuple[int, ...], dim: int, keepdim: bool) -> np.ndarray:
    out = flat.reshape(lead)
    return np.expand_dims(out, dim) if keepdim else out


def _kthvalue(a: np.ndarray, k: int, dim: int = -1, keepdim: bool = False) -> tuple[Any, ...]:
    n = a.shape[dim] if a.ndim else 1
    if not 1 <= k <= n:
        raise InvalidArgumentError(
            f"kthvalue(): selected number k out of range for dimension {dim if a.ndim else 0}")
    if not a.ndim:
        return a.copy(), np.zeros((), dtype=np.int64)
    rows, lead = _rows(a, dim)
    values = np.empty(rows.shape[0], dtype=a.dtype)
    indices = np.empty(rows.shape[0], dtype=np.int64)
    for r, row in enumerate(rows):
        vals, idx = row.tolist(), list(range(n))
        _quick_select(vals, idx, k - 1)
        values[r], indices[r] = vals[k - 1], idx[k - 1]
    return _unrows(values, lead, dim, keepdim), _unrows(indices, lead, dim, keepdim)


kthvalue_op = defop("kthvalue", "KthvalueBackward0", _kthvalue, extras=("indices",))
kthvalue_op.grad("self")(_select_at_indices)


def _lt(a: Any, b: Any) -> bool:
    return a[0] < b[0]


def _insertion_sort(v: list[Any], lo: int, hi: int) -> None:
    """libstdc++'s __insertion_sort of v[lo:hi] by ``_lt``."""
    for i in range(lo + 1, hi):
        val = v[i]
        if _lt(val, v[lo]):
            v[lo + 1:i + 1] = v[lo:i]
            v[lo] = val
        else:
            j = i
            while _lt(val, v[j - 1]):
                v[j] = v[j - 1]
                j -= 1
            v[j] = val


def _unguarded_insertion_sort(v: list[Any], lo: int, hi: int) -> None:
    for i in range(lo, hi):
        val = v[i]
        j = i
        while _lt(val, v[j - 1]):
            v[j] = v[j - 1]
            j -= 1
        v[j] = val


def _median_to_first(v: list[Any], res: int, a: int, b: int, c: int) -> None:
    if _lt(v[a], v[b]):
        m = b if _lt(v[b], v[c]) else c if _lt(v[a], v[c]) else a
    elif _lt(v[a], v[c]):
        m = a
    elif _lt(v[b], v[c]):
        m = c
    else:
        m = b
    v[res], v[m] = v[m], v[res]


def _introsort_loop(v: list[Any], lo: int, hi: int, depth: int) -> bool:
    """libstdc++'s __introsort_loop; False where it would fall back to heap sort."""
    while hi - lo > 16:
        if depth == 0:
            return False
        depth -= 1
        _median_to_first(v, lo, lo + 1, lo + (hi - lo) // 2, hi - 1)
        first, last = lo + 1, hi
        while True:  # __unguarded_partition around v[lo]
            while _lt(v[first], v[lo]):
                first += 1
            last -= 1
            while _lt(v[lo], v[last]):
                last -= 1
            if not first < last:
                break
            v[first], v[last] = v[last], v[first]
            first += 1
        if not _introsort_loop(v, first, hi, depth):
            return False
        hi = first
    return True


def _std_sort(v: list[Any]) -> None:
    """libstdc++'s std::sort (introsort, then the final insertion sort), comparing values only:
    equal values end in the order it leaves them, as in PyTorch's mode kernel."""
    n = len(v)
    if n < 2:
        return
    if not _introsort_loop(v, 0, n, 2 * (n.bit_length() - 1)):
        v.sort(key=lambda p: p[0])  # (heap-sort fallback not reproduced: stable instead)
        return
    if n > 16:
        _insertion_sort(v, 0, 16)
        _unguarded_insertion_sort(v, 16, n)
    else:
        _insertion_sort(v, 0, n)


def _mode(a: np.ndarray, dim: int = -1, keepdim: bool = False) -> tuple[Any, ...]:
    if not a.ndim:
        return a.copy(), np.zeros((), dtype=np.int64)
    if a.shape[dim] == 0:
        raise IndexOutOfRangeError(
            f"mode(): Expected reduction dim {dim} to have non-zero size.")
    rows, lead = _rows(a, dim)
    values = np.empty(rows.shape[0], dtype=a.dtype)
    indices = np.empty(rows.shape[0], dtype=np.int64)
    for r, row in enumerate(rows):
        pairs = list(zip(row.tolist(), range(row.size), strict=True))
        _std_sort(pairs)
        best, best_i, best_n, run = pairs[0][0], 0, 0, 0
        for i, (val, where) in enumerate(pairs):
            run += 1
            if i == len(pairs) - 1 or val != pairs[i + 1][0]:
                if run > best_n:
                    best, best_i, best_n = val, where, run
                run = 0
        values[r], indices[r] = best, best_i
    return _unrows(values, lead, dim, keepdim), _unrows(indices, lead, dim, keepdim)


mode_op = defop("mode", "ModeBackward0", _mode, extras=("indices",))
mode_op.grad("self")(_select_at_indices)


# ==============================================================================================
# cummax, cummin, logcumsumexp
# ==============================================================================================
def _cum_extreme(largest: bool) -> Any:
    def forward(a: np.ndarray, dim: int) -> tuple[np.ndarray, ...]:
        if not a.ndim:
            return a.copy(), np.zeros((), dtype=np.int64)
        x = np.moveaxis(a, dim, 0)
        vals = np.empty_like(x)
        idx = np.zeros(x.shape, dtype=np.int64)
        if x.shape[0]:
            cur, at = x[0].copy(), np.zeros(x.shape[1:], dtype=np.int64)
            vals[0], idx[0] = cur, at
            floating = a.dtype.kind == "f"
            for i in range(1, x.shape[0]):
                xi = x[i]
                # as PyTorch's kernel: >= (<=) keeps the latest of equal values; a NaN wins
                take = (xi >= cur) if largest else (xi <= cur)
                if floating:
                    take = take | np.isnan(xi)
                cur = np.where(take, xi, cur)
                at = np.where(take, i, at)
                vals[i], idx[i] = cur, at
        return np.moveaxis(vals, 0, dim), np.moveaxis(idx, 0, dim)

    return forward


cummax_op = defop("cummax", "CummaxBackward0", _cum_extreme(True), extras=("indices",))
cummin_op = defop("cummin", "CumminBackward0", _cum_extreme(False), extras=("indices",))


@cummax_op.grad("self")
@cummin_op.grad("self")
def _cummaxmin_self(g, s, B):
    "zeros(self.shape).scatter_add_(dim, indices, grad) (cummaxmin_backward)"
    if not len(s.in_shape):
        return g
    if B.tensors:
        zeros = Tensor._make(np.zeros(s.in_shape, dtype=g._data.dtype), None, 0, None)
        return scatter_add_op(zeros, g, dim=s.dim, index=s.indices)
    out = np.zeros(s.in_shape, dtype=g.dtype)
    np.add.at(out, _along(s.indices, s.dim), g)
    return out


def _logcumsumexp_np(a: np.ndarray, dim: int) -> np.ndarray:
    if not a.ndim:
        return a.copy()
    with np.errstate(over="ignore", invalid="ignore"):
        return np.logaddexp.accumulate(a, axis=dim)


def _logcumsumexp(a: np.ndarray, dim: int) -> np.ndarray:
    if a.dtype.kind != "f":
        raise InvalidArgumentError("\"logcumsumexp_out_cpu\" not implemented for "
                                   f"'{dtypes.scalar_type_name(a.dtype)}'")
    return _logcumsumexp_np(a, dim)


logcumsumexp_op = defop("logcumsumexp", "LogcumsumexpBackward0", _logcumsumexp,
                        save=("self", "result"))


@logcumsumexp_op.grad("self")
def _logcumsumexp_self(g, s, B):
    "exp(revcumlogsumexp(log|grad+| - result) + self) - the same for grad- (logcumsumexp_backward)"
    x, res, dim = s.self, s.result, s.dim
    if not len(s.in_shape):
        return g
    if B.tensors:
        def rev(t):
            return B.flip(logcumsumexp(B.flip(t, (dim,)), dim), (dim,))
        lowest = Tensor._make(np.asarray(np.finfo(g._data.dtype).min, g._data.dtype), None, 0,
                              None)
        log_abs = B.log(B.abs(g))
        pos = B.where(g > 0, log_abs, lowest)
        neg = B.where(g < 0, log_abs, lowest)
        return B.exp(rev(pos - res) + x) - B.exp(rev(neg - res) + x)
    low = np.finfo(g.dtype).min
    with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
        log_abs = np.log(np.abs(g))
        pos = np.where(g > 0, log_abs, low)
        neg = np.where(g < 0, log_abs, low)

        def rev_np(t):
            return np.flip(_logcumsumexp_np(np.flip(t, dim), dim), dim)
        return np.exp(rev_np(pos - res) + x) - np.exp(rev_np(neg - res) + x)


# ==============================================================================================
# torch-level functions
# ==============================================================================================
class MedianResult(ValuesIndices):
    __slots__ = ()
    kind = "median"


class NanmedianResult(ValuesIndices):
    __slots__ = ()
    kind = "nanmedian"


class ModeResult(ValuesIndices):
    __slots__ = ()
    kind = "mode"


class KthvalueResult(ValuesIndices):
    __slots__ = ()
    kind = "kthvalue"


class CummaxResult(ValuesIndices):
    __slots__ = ()
    kind = "cummax"


class CumminResult(ValuesIndices):
    __slots__ = ()
    kind = "cummin"


def _dim(input: Tensor, dim: int) -> int:
    return _wrap_dim(dim, max(input._data.ndim, 1)) if input._data.ndim else 0


def median(input: Tensor, dim: int | None = None, keepdim: bool = False) -> Any:
    if dim is None:
        return median_all_op(input)
    values, indices = median_dim_op(input, dim=_dim(input, dim), keepdim=bool(keepdim))
    return MedianResult(values, indices)


def nanmedian(input: Tensor, dim: int | None = None, keepdim: bool = False) -> Any:
    if dim is None:
        return nanmedian_all_op(input)
    values, indices = nanmedian_dim_op(input, dim=_dim(input, dim), keepdim=bool(keepdim))
    return NanmedianResult(values, indices)


def kthvalue(input: Tensor, k: int, dim: int = -1, keepdim: bool = False) -> KthvalueResult:
    values, indices = kthvalue_op(input, k=int(k), dim=_dim(input, dim), keepdim=bool(keepdim))
    return KthvalueResult(values, indices)


def mode(input: Tensor, dim: int = -1, keepdim: bool = False) -> ModeResult:
    values, indices = mode_op(input, dim=_dim(input, dim), keepdim=bool(keepdim))
    return ModeResult(values, indices)


def cummax(input: Tensor, dim: int) -> CummaxResult:
    values, indices = cummax_op(input, dim=_dim(input, dim))
    return CummaxResult(values, indices)


def cummin(input: Tensor, dim: int) -> CumminResult:
    values, indices = cummin_op(input, dim=_dim(input, dim))
    return CumminResult(values, indices)


def logcumsumexp(input: Tensor, dim: int) -> Tensor:
    return logcumsumexp_op(input, dim=_dim(input, dim))


_MODES = ("linear", "lower", "higher", "midpoint", "nearest")


def _rank_weights(q: Tensor, nan_rows: np.ndarray, n: int, below: np.ndarray,
                  shape: tuple[int, ...], ignore_nan: bool, dtype: Any) -> Tensor:
    """torch's ``ranks - ranks_below`` with the ranks computed from ``q`` by recorded ops (q *
    count, masked_fill, sub): a q that requires grad gets lerp's weight gradient, as in torch."""
    from .arithmetic import mul, mul_scalar_op, sub
    from .scatter import masked_fill_op

    if ignore_nan:
        counts = (np.logical_not(nan_rows).sum(-1, keepdims=True) - 1).astype(dtype)
        ranks = mul(q, Tensor._make(counts, None, 0, None))
        ranks = masked_fill_op(ranks, mask=np.asarray(ranks._data < 0), value=0.0)
    else:
        ranks = mul_scalar_op(q, other=float(n - 1))
        ranks_shape = np.broadcast_shapes(tuple(ranks.shape), (*nan_rows.shape[:-1], 1))
        if tuple(ranks.shape) != ranks_shape:
            ranks = ranks.expand(*ranks_shape)
        any_nan = np.broadcast_to(nan_rows.any(-1, keepdims=True), ranks_shape).copy()
        ranks = masked_fill_op(ranks, mask=any_nan, value=float(n - 1))
    if tuple(ranks.shape) != tuple(shape):
        ranks = ranks.expand(*shape)
    return sub(ranks, Tensor._make(np.broadcast_to(below, shape).astype(dtype), None, 0, None))


def _quantile(input: Tensor, q: Any, dim: int | None, keepdim: bool, interpolation: str,
              ignore_nan: bool) -> Tensor:
    """PyTorch's quantile_compute, op for op: sort, view, ranks, gather (and lerp), squeeze."""
    name = "nanquantile" if ignore_nan else "quantile"
    a = input._data
    if not a.size:
        raise InvalidArgumentError(f"{name}() input tensor must be non-empty")
    if isinstance(q, Tensor):
        if q._data.ndim > 1:
            raise InvalidArgumentError(f"{name}() q must be a scalar or 1D tensor")
        if a.dtype.kind != "f":
            raise InvalidArgumentError(
                f"{name}() input tensor must be either float or double dtype")
        if q._data.dtype != a.dtype:
            raise InvalidArgumentError(
                f"{name}() q tensor must be same dtype as the input tensor")
        qa = np.array(q._data)
    else:
        if a.dtype.kind != "f":
            raise InvalidArgumentError(
                f"{name}() input tensor must be either float or double dtype")
        qa = np.asarray(float(q), dtype=a.dtype)
    if ((qa < 0) | (qa > 1)).any():
        if qa.ndim:
            raise InvalidArgumentError(f"{name}() q values must be in the range [0, 1]")
        raise InvalidArgumentError(f"{name}() q must be in the range [0, 1] but got {float(qa)}")
    if interpolation not in _MODES:
        raise InvalidArgumentError(
            f"{name}() interpolation must be one of linear, lower, higher, midpoint or nearest, "
            f"but got {interpolation}")
    nd = a.ndim
    if dim is None:
        out_shape = [1] * nd if keepdim else []
        sorted_, _ = sort_op(view_op(input, shape=(a.size,)) if nd != 1 else input, dim=0,
                             descending=False)
    else:
        d = _wrap_dim(dim, max(nd, 1))
        shape = list(a.shape) if nd else []
        if nd:
            if keepdim:
                shape[d] = 1
            else:
                del shape[d]
        out_shape = shape
        if nd == 0 or d == nd - 1:
            sorted_, _ = sort_op(input, dim=-1 % max(nd, 1) if nd else 0, descending=False)
        else:
            moved = transpose_op(unsqueeze_op(input, dim=nd), dim0=d, dim1=nd)
            sorted_, _ = sort_op(moved, dim=nd, descending=False)
    n = sorted_._data.shape[-1] if sorted_._data.ndim else 1
    sorted_ = view_op(sorted_, shape=(*out_shape, n))
    sd = sorted_._data
    nan_rows = np.isnan(sd)
    if ignore_nan:
        ranks = qa * (np.logical_not(nan_rows).sum(-1, keepdims=True) - 1)
        ranks = np.where(ranks < 0, 0, ranks).astype(a.dtype)
    else:
        last = n - 1
        scaled, any_nan = np.broadcast_arrays(qa * last, nan_rows.any(-1, keepdims=True))
        ranks = np.where(any_nan, last, scaled).astype(a.dtype)
    if interpolation == "lower":
        ranks = np.floor(ranks)
    elif interpolation == "higher":
        ranks = np.ceil(ranks)
    elif interpolation == "nearest":
        ranks = np.round(ranks)
    below = ranks.astype(np.int64)
    values = gather_op(sorted_, dim=sd.ndim - 1, index=np.broadcast_to(
        below, (*sd.shape[:-1], below.shape[-1])).copy())
    if interpolation in ("linear", "midpoint"):
        weights = (np.full_like(ranks, 0.5) if interpolation == "midpoint"
                   else ranks - below).astype(a.dtype)
        above = np.ceil(ranks).astype(np.int64)
        values_above = gather_op(sorted_, dim=sd.ndim - 1, index=np.broadcast_to(
            above, (*sd.shape[:-1], above.shape[-1])).copy())
        if interpolation == "linear" and isinstance(q, Tensor) and q.requires_grad:
            w = _rank_weights(q, nan_rows, n, below, values._data.shape, ignore_nan, a.dtype)
        else:
            w = Tensor._make(np.broadcast_to(weights, values._data.shape).copy(), None, 0,
                             None)
        from .pointwise_multi import lerp_tensor_op

        values = lerp_tensor_op(values, values_above, w)
    last_dim = values._data.ndim - 1
    if not qa.ndim:
        return squeeze_inplace_op(values, dim=last_dim)
    from .norm_backward import unsqueeze_inplace_op

    values = unsqueeze_inplace_op(values, dim=0)
    values = transpose_inplace_op(values, dim0=0, dim1=values._data.ndim - 1)
    return squeeze_inplace_op(values, dim=values._data.ndim - 1)


def quantile(input: Tensor, q: Any, dim: int | None = None, keepdim: bool = False, *,
             interpolation: str = "linear") -> Tensor:
    return _quantile(input, q, dim, keepdim, interpolation, False)


def nanquantile(input: Tensor, q: Any, dim: int | None = None, keepdim: bool = False, *,
                interpolation: str = "linear") -> Tensor:
    return _quantile(input, q, dim, keepdim, interpolation, True)


# ==============================================================================================
# the names this family adds: torch.<name>, Tensor.<name>, torch.nn.functional.<name>
# ==============================================================================================
TORCH: dict[str, Any] = {
    "median": median, "nanmedian": nanmedian, "quantile": quantile, "nanquantile": nanquantile,
    "mode": mode, "kthvalue": kthvalue, "cummax": cummax, "cummin": cummin,
    "logcumsumexp": logcumsumexp,
}

METHODS: dict[str, Any] = dict(TORCH)

FUNCTIONAL: dict[str, Any] = {}

