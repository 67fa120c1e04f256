"""Scans and sorting: cumsum, cumprod, diff, sort, topk.
"""

from __future__ import annotations

import builtins
from typing import Any

import numpy as np

from .. import dtypes
from ..errors import InvalidArgumentError
from ..layout import dense
from ..op import defop
from ..tensor import Tensor, _wrap_dim
from .arithmetic import sub
from .common import _py_min, _scan_dim, as_tensor
from .indexing import _along
from .inplace import copy_
from .reductions import ValuesIndices
from .shape import _basic_index, cat, narrow

# ==============================================================================================
# the table: forwards and derivative formulas
# ==============================================================================================


def _scan(fn: Any) -> Any:
    def forward(a: np.ndarray, dim: int, dtype: Any = None) -> np.ndarray:
        if dtype is None and a.dtype.kind in "biu":
            dtype = np.dtype(np.int64)  # as PyTorch: integer scans accumulate in int64
        if not a.ndim:
            return a.astype(dtype) if dtype is not None else a.copy()
        if a.dtype == np.float16 and dtype is None:  # torch accumulates half in float32
            return dense(fn(a, axis=dim, dtype=np.float32).astype(np.float16))
        return dense(fn(a, axis=dim, dtype=dtype))  # torch: a contiguous result

    forward.__name__ = fn.__name__
    return forward


cumsum_op = defop("cumsum", "CumsumBackward0", _scan(np.cumsum))


def _reverse_cumsum(x: Any, dim: int, B: Any) -> Any:
    return B.flip(B.cumsum(B.flip(x, (dim,)), dim), (dim,))


@cumsum_op.grad("self")
def _cumsum_self(g, s, B):
    "grad.flip(dim).cumsum(dim).flip(dim)"
    return _reverse_cumsum(g, s.dim, B) if len(s.in_shape) else g


cumprod_op = defop("cumprod", "CumprodBackward0", _scan(np.cumprod), save=("self", "result"))


@cumprod_op.grad("self")
def _cumprod_self(g, s, B):
    "sum over j >= i of grad_j * prod_{k <= j, k != i} self_k  (exact where self has zeros)"
    x, dim = s.self, s.dim
    if not len(s.in_shape):
        return g
    data = x._data if B.tensors else x
    if not (data == 0).any():
        return _reverse_cumsum(s.result * g, dim, B) / x
    if not B.tensors:
        return _cumprod_grad_exact(g, x, dim)
    return _cumprod_grad_recorded(g, x, dim, B)


def _cumprod_grad_exact(g: np.ndarray, x: np.ndarray, dim: int) -> np.ndarray:
    """grad_i = (prod_{k<i} x_k) * S_i with S_i = g_i + x_{i+1} * S_{i+1}: no division."""
    gm, xm = np.moveaxis(g, dim, -1), np.moveaxis(x, dim, -1)
    n = xm.shape[-1]
    before = np.ones_like(xm)
    before[..., 1:] = np.cumprod(xm[..., :-1], axis=-1)
    acc = np.empty(np.broadcast_shapes(gm.shape, xm.shape), dtype=np.result_type(gm, xm))
    acc[..., n - 1] = gm[..., n - 1]
    for i in range(n - 2, -1, -1):
        acc[..., i] = gm[..., i] + xm[..., i + 1] * acc[..., i + 1]
    return np.moveaxis(before * acc, -1, dim)


def _cumprod_grad_recorded(g: Tensor, x: Tensor, dim: int, B: Any) -> Tensor:
    """The same sum, recorded as PyTorch's double-differentiable cumprod_backward: for each k,
    the products of x without x_k (prod of the ones before times cumprod of the ones after),
    times grad[k:], summed, and copied into row k of a zeros tensor (CopySlices)."""
    n = x.shape[dim]
    dt = x._data.dtype
    out = Tensor._make(np.zeros(x.shape, dtype=dt), None, 0, None)
    if n == 1:
        return g
    ones_shape = list(x.shape)
    ones_shape[dim] = 1
    ones = Tensor._make(np.ones(ones_shape, dtype=dt), None, 0, None)
    for k in range(n):
        if k == 0:
            omitted = B.cat([ones, B.cumprod(B.slice(x, dim, 1, None, 1), dim)], dim)
        else:
            before = B.prod(B.slice(x, dim, 0, k, 1), dim, True)
            if k == n - 1:
                omitted = before
            else:
                after = B.cumprod(B.slice(x, dim, k + 1, None, 1), dim)
                omitted = B.cat([before, B.expand(before, tuple(after.shape)) * after], dim)
        row = B.sum(B.slice(g, dim, k, None, 1) * omitted, (dim,))
        copy_(B.select(out, dim, k), row)
    return out


def _argsort(a: np.ndarray, dim: int, descending: bool) -> np.ndarray:
    if a.dtype == np.bool_:
        a = a.astype(np.int8)
    if not descending:
        return np.argsort(a, axis=dim, kind="stable")
    # Descending and stable, with NaN first (as PyTorch): the ascending order of the reversed
    # array, reversed.
    n = a.shape[dim]
    rev = np.argsort(np.flip(a, dim), axis=dim, kind="stable")
    return np.flip(n - 1 - rev, dim)


def _sort(a: np.ndarray, dim: int = -1, descending: bool = False) -> tuple[np.ndarray, ...]:
    if not a.ndim:
        return a.copy(), np.zeros((), dtype=np.int64)
    idx = _argsort(a, dim, descending)
    return np.take_along_axis(a, idx, dim), idx.astype(np.int64)


sort_op = defop("sort", "SortBackward0", _sort, extras=("indices",))


def _topk(a: np.ndarray, k: int, dim: int = -1, largest: bool = True,
          sorted: bool = True) -> tuple[np.ndarray, ...]:
    n = a.shape[dim] if a.ndim else 1
    if not 0 <= k <= n:
        raise InvalidArgumentError("selected index k out of range")
    if not a.ndim:
        return a.copy(), np.zeros((), dtype=np.int64)
    idx = _argsort(a, dim, largest)[_basic_index(a.ndim, dim, slice(0, k))]
    return np.take_along_axis(a, idx, dim), idx.astype(np.int64)


topk_op = defop("topk", "TopkBackward0", _topk, extras=("indices",))


@topk_op.grad("self")
@sort_op.grad("self")
def _sort_self(g, s, B):
    "grad placed back at the positions the values came from (indices), zeros elsewhere"
    if B.tensors and len(s.in_shape):
        # PyTorch's value_selecting_reduction_backward: zeros(sizes).scatter(dim, indices, grad)
        from .indexing import scatter

        idx = s.indices
        if not isinstance(idx, Tensor):
            idx = Tensor._make(np.asarray(idx), None, 0, None)
        zeros = Tensor._make(np.zeros(s.in_shape, dtype=g._data.dtype), None, 0, None)
        return scatter(zeros, s.dim, idx, g)
    return B.index_add(g, s.in_shape, _along(s.indices, s.dim), unique=True)


# ==============================================================================================
# torch-level functions
# ==============================================================================================


def cumsum(input: Tensor, dim: int, *, dtype: Any = None) -> Tensor:
    dt = None if dtype is None else dtypes.to_dtype(dtype).np
    return cumsum_op(input, dim=_scan_dim(input, dim), dtype=dt)


def cumprod(input: Tensor, dim: int, *, dtype: Any = None) -> Tensor:
    dt = None if dtype is None else dtypes.to_dtype(dtype).np
    return cumprod_op(input, dim=_scan_dim(input, dim), dtype=dt)


_CPP_NAMES = {"float32": "float", "float64": "double", "int64": "long int", "int32": "int",
              "int16": "short int", "int8": "signed char", "uint8": "unsigned char",
              "bool": "bool", "float16": "c10::Half"}


def _inplace_scan_dtype(self: Tensor, dtype: Any) -> Any:
    if dtype is None:
        return None
    dt = dtypes.to_dtype(dtype).np
    if dt != self._data.dtype:
        raise InvalidArgumentError(
            f"Bad in-place call: input tensor dtype {_CPP_NAMES.get(self._data.dtype.name)} and "
            f"output tensor dtype {_CPP_NAMES.get(dt.name)} should match")
    return dt


def cumsum_(self: Tensor, dim: int, *, dtype: Any = None) -> Tensor:
    dt = _inplace_scan_dtype(self, dtype)
    return cumsum_op.inplace(self, dim=_scan_dim(self, dim), dtype=dt)


def cumprod_(self: Tensor, dim: int, *, dtype: Any = None) -> Tensor:
    dt = _inplace_scan_dtype(self, dtype)
    return cumprod_op.inplace(self, dim=_scan_dim(self, dim), dtype=dt)


class SortResult(ValuesIndices):
    __slots__ = ()
    kind = "sort"


class TopkResult(ValuesIndices):
    __slots__ = ()
    kind = "topk"


def sort(input: Tensor, dim: int = -1, descending: bool = False, *,
         stable: bool = False) -> SortResult:
    # Always stable (PyTorch's unstable order of ties is unspecified).
    values, indices = sort_op(input, dim=_scan_dim(input, dim), descending=bool(descending))
    return SortResult(values, indices)


def topk(input: Tensor, k: int, dim: int = -1, largest: bool = True,
         sorted: bool = True) -> TopkResult:
    values, indices = topk_op(input, k=int(k), dim=_scan_dim(input, dim), largest=bool(largest),
                             sorted=bool(sorted))
    return TopkResult(values, indices)


def msort(input: Tensor) -> Tensor:
    return sort(input, 0).values


def diff(input: Tensor, n: int = 1, dim: int = -1, prepend: Any = None,
         append: Any = None) -> Tensor:
    nd = input._data.ndim
    if nd == 0:
        raise InvalidArgumentError("diff expects input to be at least one-dimensional")
    if n < 0:
        raise InvalidArgumentError(f"order must be non-negative but got {n}")
    d = _wrap_dim(dim, nd)
    parts = [as_tensor(p, input) for p in (prepend, input, append) if p is not None]
    if builtins.any(p._data.ndim != nd for p in parts):
        raise InvalidArgumentError(
            "diff expects prepend or append to be the same dimension as input")
    x = cat(parts, d) if len(parts) > 1 else input
    if n == 0:
        # As PyTorch: a copy into a new tensor (CopyBackwards), not a clone.
        return copy_(Tensor._make(np.empty_like(x._data), None, 0, None), x)
    # As PyTorch: n times narrow(1, len) - narrow(0, len), at most size(dim) times.
    length = x._data.shape[d] - 1
    for _ in range(_py_min(n, x._data.shape[d])):
        x = sub(narrow(x, d, 1, length), narrow(x, d, 0, length))
        length -= 1
    return x


# ==============================================================================================
# the names this family adds: torch.<name>, Tensor.<name>, torch.nn.functional.<name>
# ==============================================================================================
TORCH: dict[str, Any] = {
    "cumsum": cumsum, "cumprod": cumprod, "sort": sort, "topk": topk, "diff": diff,
    "msort": msort,
}

METHODS: dict[str, Any] = {
    "cumsum": cumsum, "cumprod": cumprod, "sort": sort, "topk": topk, "diff": diff,
    "msort": msort, "cumsum_": cumsum_, "cumprod_": cumprod_,
}

FUNCTIONAL: dict[str, Any] = {}
