"""Writes by index that reduce: index_reduce(_) (prod/mean/amax/amin, include_self), put/put_
(accumulate), scatter's older ``reduce='add'|'multiply'`` argument; and unravel_index (flat
indices to coordinates, as torch computes them).

Table ops with torch's nodes: IndexReduceBackward0 (torch's ``index_reduce_backward``: prod
handles zeros in self and source, amax/amin share the gradient evenly among ties, mean divides
by the counts, ``include_self=False`` zeroes self's indexed slices) and PutBackward0. scatter's
``reduce=`` records torch's NotImplemented node (its derivative is not implemented there).
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from ..dtypes import scalar_type_name
from ..errors import IndexOutOfRangeError, InvalidArgumentError, InvalidTypeError
from ..op import defop
from ..tensor import Tensor, _wrap_dim
from . import indexing
from .arithmetic import NotImplementedOp
from .common import _scan_dim
from .indexing import (
    _along,
    _check_scatter,
    _index_arg,
    _leading,
    index_add_dim_op,
    index_fill_op,
    index_select_op,
    take_op,
)
from .scatter import _UFUNC, ReduceOps, _identity, reduce_backward

# ==============================================================================================
# the table: forwards and derivative formulas
# ==============================================================================================
_INDEX_REDUCES = ("prod", "mean", "amax", "amin")


def _moved(a: np.ndarray, dim: int) -> np.ndarray:
    """``a`` with ``dim`` first (a view: writes reach ``a``); a 0-d array as one element."""
    return a.reshape(1) if not a.ndim else np.moveaxis(a, dim, 0)


def _index_reduce(a: np.ndarray, source: np.ndarray, dim: int, index: np.ndarray, reduce: str,
                  include_self: bool = True) -> np.ndarray:
    out = a.copy()
    o, src, idx = _moved(out, dim), _moved(source, dim), index.reshape(-1)
    if not include_self:
        o[idx] = _identity(reduce, a.dtype)
    _UFUNC[reduce].at(o, idx, src)
    if reduce == "mean":
        count = np.full(o.shape[0], 1 if include_self else 0, dtype=np.int64)
        np.add.at(count, idx, 1)
        count = np.maximum(count, 1).reshape((-1,) + (1,) * (o.ndim - 1))
        if a.dtype.kind == "f":
            o[...] = o / count
        else:
            o[...] = np.floor_divide(o, count)
    return out


index_reduce_op = defop("index_reduce", "IndexReduceBackward0", _index_reduce,
                        inputs=("self", "source"), save=("self", "source", "result"))


class _IndexOps(ReduceOps):
    """index_select / index_add / index_fill / index_reduce of torch's index_reduce_backward,
    on arrays or recorded (create_graph) as the ops torch's formula calls."""

    reduce_op = index_reduce_op
    reduce_np = staticmethod(_index_reduce)

    def __init__(self, B: Any, dim: int, index: np.ndarray) -> None:
        # (not ReduceOps'; index_reduce addresses by a flat index along dim, not gather's)
        self.B, self.dim, self.index = B, dim, index
        self.flat = index.reshape(-1)

    def pick(self, x: Any) -> Any:
        if self.B.tensors:
            return index_select_op(x, dim=self.dim, index=self.index)
        return np.take(x, self.flat, axis=self.dim) if x.ndim else x.reshape(1)[self.flat]

    def add(self, x: Any, src: Any) -> Any:
        if self.B.tensors:
            return index_add_dim_op(x, src, dim=self.dim, index=self.index)
        out = np.array(x, copy=True)
        np.add.at(_moved(out, self.dim), self.flat, _moved(np.asarray(src), self.dim))
        return out

    def fill_zero(self, x: Any) -> Any:
        if self.B.tensors:
            return index_fill_op(x, dim=self.dim, index=self.index, value=0)
        out = np.array(x, copy=True)
        _moved(out, self.dim)[self.flat] = 0
        return out


@index_reduce_op.grad_all
def _index_reduce_grads(g, s, B, needs):
    "index_reduce_backward: prod: grad * result / self (zeros handled); mean: grad / count; amax/amin: grad shared evenly among the elements equal to the result; without include_self, self's indexed slices get 0"  # noqa: E501
    return reduce_backward(_IndexOps(B, s.dim, s.index), g, s.self, s.source, s.result,
                           s.reduce, s.include_self, B, needs, ("index_reduce", "source"))


def _put(a: np.ndarray, source: np.ndarray, index: np.ndarray,
         accumulate: bool = False) -> np.ndarray:
    out = a.copy()
    flat = out.reshape(-1)  # (a copy is C-ordered: a view)
    if accumulate:
        np.add.at(flat, index.reshape(-1) % max(a.size, 1), source.reshape(-1))
    else:
        flat[index.reshape(-1)] = source.reshape(-1)
    return out


put_op = defop("put", "PutBackward0", _put, inputs=("self", "source"))


@put_op.grad("self")
def _put_self(g, s, B):
    "grad if accumulate, else grad.put(index, zeros_like(source))"
    if s.accumulate:
        return g
    zeros = np.zeros(s.sizes[1], dtype=s._node.dtypes[1])
    if B.tensors:
        return put_op(g, Tensor._make(zeros, None, 0, None), index=s.index, accumulate=False)
    return _put(g, zeros, s.index)


@put_op.grad("source")
def _put_source(g, s, B):
    "grad.take(index).reshape_as(source)"
    shape = tuple(s.sizes[1])
    if B.tensors:
        from .shape import reshape

        return reshape(take_op(g, index=s.index), shape)
    return g.reshape(-1)[s.index].reshape(shape)


def _scatter_legacy(a: np.ndarray, src: np.ndarray, dim: int, index: np.ndarray,
                    reduce: str) -> np.ndarray:
    _check_scatter("scatter", a, dim, index, src)
    out = a.copy()
    if not a.ndim:
        if index.size:
            out = _UFUNC[reduce](out, src.reshape(()))
        return np.asarray(out, dtype=a.dtype)
    _UFUNC[reduce].at(out, _along(index, dim), src[_leading(index.shape)])
    return out


def _scatter_legacy_value(a: np.ndarray, dim: int, index: np.ndarray, reduce: str,
                          value: Any = 0) -> np.ndarray:
    return _scatter_legacy(a, np.full(index.shape, value, dtype=a.dtype), dim, index, reduce)


scatter_reduce_ni_op = NotImplementedOp("scatter", "aten::scatter", _scatter_legacy,
                                        inputs=("self", "src"))
scatter_reduce_inplace_ni_op = NotImplementedOp("scatter_", "aten::scatter_", _scatter_legacy,
                                                inputs=("self", "src"))
scatter_value_reduce_ni_op = NotImplementedOp("scatter", "aten::scatter",
                                              _scatter_legacy_value, inputs=("self",))
scatter_value_reduce_inplace_ni_op = NotImplementedOp("scatter_", "aten::scatter_",
                                                      _scatter_legacy_value, inputs=("self",))

# ==============================================================================================
# torch-level functions
# ==============================================================================================
_LEGACY = {"add": "sum", "multiply": "prod"}
_NO_REDUCE: Any = type("_NoReduce", (), {"__repr__": lambda self: "<not given>"})()
"""``reduce``'s default: torch's parser refuses ``reduce=None`` (no signature takes it)."""
_SCATTER_FORMS = ("Tensor src", "Tensor src, *, str reduce", "Number value",
                  "Number value, *, str reduce")


def _reduce_none(fn: str, method: bool, input: Tensor, dim: Any, index: Any, src: Any,
                 value: Any) -> InvalidTypeError:
    """torch's TypeError for ``reduce=None``: its argument parser matches no signature. The
    source (``src`` or a number) is shown as positional unless given as ``value=``."""
    got = [type(a).__name__ for a in (() if method else (input,)) + (dim, index)]
    if value is None:
        got.append(type(src).__name__)
    got.append("reduce=NoneType")
    if value is not None:
        got.append(f"value={type(value).__name__}")
    head = "int dim, Tensor index, " if method else "Tensor input, int dim, Tensor index, "
    out = "" if method else ", Tensor out = None"
    forms = "".join(f" * ({head}{f}{out if '*' in f else (', *' + out if out else '')})\n"
                    for f in _SCATTER_FORMS)
    return InvalidTypeError(f"{fn}() received an invalid combination of arguments - got "
                            f"({', '.join(got)}), but expected one of:\n{forms}")


def _scatter_call(fn: str, method: bool, inplace: bool, input: Tensor, dim: int, index: Tensor,
                  src: Any, value: Any, reduce: Any) -> Tensor:
    if reduce is None:
        raise _reduce_none(fn, method, input, dim, index, src, value)
    if reduce is _NO_REDUCE:
        plain = indexing.scatter_ if inplace else indexing.scatter
        return plain(input, dim, index, src, value=value)
    return _scatter_legacy_reduce(input, dim, index, src if value is None else value, reduce,
                                  inplace)


def scatter(input: Tensor, dim: int, index: Tensor, src: Any = None, *, value: Any = None,
            reduce: str | None = _NO_REDUCE) -> Tensor:
    return _scatter_call("scatter", False, False, input, dim, index, src, value, reduce)


def _scatter_method(self: Tensor, dim: int, index: Tensor, src: Any = None, *,
                    value: Any = None, reduce: str | None = _NO_REDUCE) -> Tensor:
    """``Tensor.scatter``: torch.scatter, with the method's argument list in its errors."""
    return _scatter_call("scatter", True, False, self, dim, index, src, value, reduce)


def scatter_(self: Tensor, dim: int, index: Tensor, src: Any = None, *, value: Any = None,
             reduce: str | None = _NO_REDUCE) -> Tensor:
    return _scatter_call("scatter_", True, True, self, dim, index, src, value, reduce)


def _scatter_legacy_reduce(input: Tensor, dim: int, index: Tensor, src: Any, reduce: Any,
                           inplace: bool) -> Tensor:
    """``scatter(dim, index, src|value, reduce='add'|'multiply')``: torch's deprecated form."""
    if reduce not in _LEGACY:
        raise InvalidArgumentError("reduce argument must be either add or multiply.")
    d, idx, red = _scan_dim(input, dim), _index_arg(index), _LEGACY[reduce]
    if isinstance(src, Tensor):
        warnings.warn("The reduce argument of torch.scatter with Tensor src is deprecated and "
                      "will be removed in a future PyTorch release. Use torch.scatter_reduce "
                      "instead for more reduction options.", UserWarning, stacklevel=3)
        if inplace:
            return scatter_reduce_inplace_ni_op.inplace(input, src, dim=d, index=idx, reduce=red)
        return scatter_reduce_ni_op(input, src, dim=d, index=idx, reduce=red)
    if src is None:
        raise InvalidArgumentError("scatter() missing the src tensor or the value")
    if inplace:
        return scatter_value_reduce_inplace_ni_op.inplace(input, dim=d, index=idx, reduce=red,
                                                          value=src)
    return scatter_value_reduce_ni_op(input, dim=d, index=idx, reduce=red, value=src)


def _index_reduce_args(fn: str, input: Tensor, dim: int, index: Tensor, source: Any,
                       reduce: Any) -> dict[str, Any]:
    if not isinstance(source, Tensor):
        raise InvalidTypeError(f"{fn}(): argument 'source' (position 3) must be Tensor, not "
                               f"{type(source).__name__}")
    warnings.warn("index_reduce() is in beta and the API may change at any time.", UserWarning,
                  stacklevel=3)
    if reduce not in _INDEX_REDUCES:
        raise InvalidArgumentError(f"index_reduce(): Expected reduce to be one of prod, mean, "
                                   f"amax or amin but got {reduce}.")
    a, src, idx = input._data, source._data, np.array(index._data)
    d = _wrap_dim(dim, a.ndim)
    if idx.ndim > 1:
        raise IndexOutOfRangeError(
            f"index_reduce_(): Index is supposed to be a vector, but got dim: {idx.ndim} with "
            f"type: {scalar_type_name(idx.dtype)} and size: {list(idx.shape)}")
    if idx.dtype.kind not in "iu":
        raise InvalidArgumentError("index_reduce_(): Expected dtype int32/int64 for index but "
                                   f"got: {scalar_type_name(idx.dtype)}")
    n_src = src.shape[d] if src.ndim else 1
    if idx.size != n_src:
        raise InvalidArgumentError(
            f"index_reduce_(): Number of indices ({idx.size}) should be equal to "
            f"source.size(dim): ({n_src}), for dim: {d}")
    if a.dtype != src.dtype:
        raise InvalidArgumentError(
            f"index_reduce_(): self ({scalar_type_name(a.dtype)}) and source "
            f"({scalar_type_name(src.dtype)}) must have the same scalar type")
    rest_a, rest_s = list(a.shape), list(src.shape)
    if a.ndim and src.ndim:
        del rest_a[d], rest_s[d]
    if rest_a != rest_s or (a.ndim == 0) != (src.ndim == 0):
        raise InvalidArgumentError(
            "source tensor shape must match self tensor shape, excluding the specified "
            f"dimension. Got self.shape = {list(a.shape)} source.shape = {list(src.shape)}")
    n = a.shape[d] if a.ndim else 1
    if idx.size and (idx.min() < 0 or idx.max() >= n):
        raise IndexOutOfRangeError("index out of range in self")
    return {"dim": d, "index": idx.astype(np.int64), "reduce": reduce}


def index_reduce(input: Tensor, dim: int, index: Tensor, source: Tensor, reduce: str, *,
                 include_self: bool = True) -> Tensor:
    kw = _index_reduce_args("index_reduce", input, dim, index, source, reduce)
    return index_reduce_op(input, source, include_self=bool(include_self), **kw)


def index_reduce_(self: Tensor, dim: int, index: Tensor, source: Tensor, reduce: str, *,
                  include_self: bool = True) -> Tensor:
    kw = _index_reduce_args("index_reduce_", self, dim, index, source, reduce)
    return index_reduce_op.inplace(self, source, include_self=bool(include_self), **kw)


def _put_args(fn: str, input: Tensor, index: Any, source: Any) -> np.ndarray:
    if not isinstance(index, Tensor):
        raise InvalidTypeError(f"{fn}(): argument 'index' (position 1) must be Tensor, not "
                               f"{type(index).__name__}")
    if not isinstance(source, Tensor):
        raise InvalidTypeError(f"{fn}(): argument 'source' (position 2) must be Tensor, not "
                               f"{type(source).__name__}")
    idx = np.array(index._data)
    if idx.dtype != np.int64:
        raise InvalidArgumentError(f"put_(): Expected a long tensor for index, but got "
                                   f"{scalar_type_name(idx.dtype)}")
    if input._data.dtype != source._data.dtype:
        raise InvalidArgumentError(
            "put_(): self and source expected to have the same dtype, but got self.dtype = "
            f"{scalar_type_name(input._data.dtype)} and source.dtype = "
            f"{scalar_type_name(source._data.dtype)}")
    if idx.size != source._data.size:
        raise IndexOutOfRangeError(
            "put_(): Expected source and index to have the same number of elements, but got "
            f"source.numel() = {source._data.size}, index.numel() = {idx.size}")
    n = input._data.size
    bad = (idx < -n) | (idx >= n)
    if bad.any():
        raise IndexOutOfRangeError(f"out of range: tried to access index "
                                   f"{int(idx[bad].flat[0])} on a tensor of {n} elements.")
    return idx % max(n, 1)


def put(input: Tensor, index: Tensor, source: Tensor, accumulate: bool = False) -> Tensor:
    idx = _put_args("put", input, index, source)
    return put_op(input, source, index=idx, accumulate=bool(accumulate))


def put_(self: Tensor, index: Tensor, source: Tensor, accumulate: bool = False) -> Tensor:
    idx = _put_args("put_", self, index, source)
    return put_op.inplace(self, source, index=idx, accumulate=bool(accumulate))


def unravel_index(indices: Tensor, shape: Any) -> tuple[Tensor, ...]:
    """torch's: ``indices.unsqueeze(-1) // coefs % shape`` in int64 (so out-of-range and
    negative indices wrap), one tensor per dim."""
    from .. import dtypes
    from ..errors import InvalidValueError

    a = indices._data
    if a.dtype.kind not in "iu":
        raise InvalidTypeError(f"expected 'indices' to be integer dtype, but got "
                               f"{dtypes.from_numpy(a.dtype)}")
    if isinstance(shape, int):
        shape = (shape,)
    shape = tuple(int(n) for n in shape)
    if any(n < 0 for n in shape):
        raise InvalidValueError(f"'shape' cannot have negative values, but got {shape}")
    if not shape:
        return ()
    coefs = np.cumprod((*shape[1:], 1)[::-1])[::-1].astype(np.int64)
    out = np.floor_divide(a.astype(np.int64)[..., None], coefs) % np.asarray(shape, np.int64)
    return tuple(Tensor._make(np.array(out[..., k]), None, 0, None)
                 for k in range(len(shape)))


# ==============================================================================================
# the names this family adds: torch.<name>, Tensor.<name>, torch.nn.functional.<name>
# ==============================================================================================
TORCH: dict[str, Any] = {
    "index_reduce": index_reduce, "put": put, "scatter": scatter,
    "unravel_index": unravel_index,
}

METHODS: dict[str, Any] = {
    "index_reduce": index_reduce, "index_reduce_": index_reduce_, "put": put, "put_": put_,
    "scatter": _scatter_method, "scatter_": scatter_,
}

FUNCTIONAL: dict[str, Any] = {}
