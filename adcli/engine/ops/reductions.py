"""Reductions: sum, mean, prod, max/min, amax/amin, logsumexp, var, std, norm, all/any,
argmax/argmin.
"""

from __future__ import annotations

import math
from typing import Any, NamedTuple

import numpy as np

from .. import dtypes
from ..errors import IndexOutOfRangeError, InvalidArgumentError
from ..layout import dense
from ..op import defop
from ..table import OPS
from ..tensor import Tensor, _wrap_dim
from .common import _dims, _py_max, _shape_arg, _unreduce, cj, max_keep
from .conversion import _float, to
from .pointwise_multi import maximum, minimum
from .shape import reshape

# ==============================================================================================
# the table: forwards and derivative formulas
# ==============================================================================================


# ----------------------------------------------------------------------------------------------
# reductions
# ----------------------------------------------------------------------------------------------
def _sum_all(a: np.ndarray) -> np.ndarray:
    if a.dtype.kind in "biu":
        return np.asarray(a.sum(dtype=np.int64))
    return np.asarray(a.sum())


sum_all_op = defop("sum", "SumBackward0", _sum_all, torch="torch.sum", complex_ok=True)


@sum_all_op.grad("self")
def _sum_all_self(g, s, B):
    "grad expanded to self's shape"
    return B.expand(g, s.in_shape)


def _sum_dim(a: np.ndarray, dim: tuple[int, ...], keepdim: bool = False,
             in_shape: Any = None) -> np.ndarray:
    if a.dtype.kind in "biu":
        return dense(np.asarray(a.sum(axis=dim, keepdims=keepdim, dtype=np.int64)))
    return dense(np.asarray(a.sum(axis=dim, keepdims=keepdim)))


sum_dim_op = defop("sum_dim", "SumBackward1", _sum_dim, torch="torch.sum(dim=...)", complex_ok=True)


@sum_dim_op.grad("self")
def _sum_dim_self(g, s, B):
    "grad (reduced dims re-inserted) expanded to self's shape"
    return B.expand(_unreduce(g, s, B), s.in_shape)


def _mean_all(a: np.ndarray) -> np.ndarray:
    return np.asarray(a.mean())


mean_all_op = defop("mean", "MeanBackward0", _mean_all, complex_ok=True)


@mean_all_op.grad("self")
def _mean_all_self(g, s, B):
    "grad / numel expanded to self's shape"
    n = _py_max(int(np.prod(s.in_shape)), 1)
    if not B.tensors:  # the same values; dividing before expanding touches one element
        return B.expand(g / n, s.in_shape)
    return B.expand(g, s.in_shape) / n


def _mean_dim(a: np.ndarray, dim: tuple[int, ...], keepdim: bool = False,
              in_shape: Any = None) -> np.ndarray:
    return dense(np.asarray(a.mean(axis=dim, keepdims=keepdim)))


mean_dim_op = defop("mean_dim", "MeanBackward1", _mean_dim, torch="torch.mean(dim=...)",
                    complex_ok=True)


@mean_dim_op.grad("self")
def _mean_dim_self(g, s, B):
    "grad / (reduced count), expanded to self's shape"
    n = _py_max(int(np.prod([s.in_shape[d] for d in s.dim])), 1)
    if not B.tensors:
        return B.expand(_unreduce(g, s, B) / n, s.in_shape)
    return B.expand(_unreduce(g, s, B), s.in_shape) / n


def _prod_all(a: np.ndarray) -> np.ndarray:
    # torch multiplies bools and integers in int64 (NumPy: uint8 in uint64)
    return np.asarray(a.prod(dtype=np.int64 if a.dtype.kind in "biu" else None))


prod_all_op = defop("prod", "ProdBackward0", _prod_all, save=("self", "result"),
                    complex_ok=True)


def _prod_grad(g: Any, x: Any, result: Any, axis: int | None, keepdim: bool, B: Any) -> Any:
    """d prod / d x_i = product of the others (conjugated for complex x); exact even where x
    has zeros."""
    if not len(x.shape):  # a 0-d input is its own product
        return g
    if B.tensors:  # recorded as PyTorch's prod_backward
        if axis is not None and not keepdim:
            g, result = B.unsqueeze(g, axis), B.unsqueeze(result, axis)
        if not (x._data == 0).any():
            return g * cj(result / x)
        if axis is None:
            return B.reshape(_prod_safe_zeros(g, B.reshape(x, (-1,)), 0, B), tuple(x.shape))
        return _prod_safe_zeros(g, x, axis, B)
    xs = x.reshape(-1) if axis is None else x
    ax = 0 if axis is None else axis
    if xs.shape[ax] == 0:  # an empty product is 1 and depends on nothing (torch: shape [0])
        return np.zeros(x.shape, dtype=np.result_type(x, g))
    ones_shape = list(xs.shape)
    ones_shape[ax] = 1
    ones = np.ones(ones_shape, dtype=xs.dtype)
    left = np.cumprod(np.concatenate([ones, np.delete(xs, -1, axis=ax)], axis=ax), axis=ax)
    right = np.flip(np.cumprod(np.concatenate(
        [ones, np.delete(np.flip(xs, ax), -1, axis=ax)], axis=ax), axis=ax), ax)
    others = cj(left * right)  # (complex: the conjugate of the derivative)
    if axis is None:
        return (g * others).reshape(x.shape)
    gg = g if keepdim else np.expand_dims(g, axis)
    return gg * others


def _prod_safe_zeros(g: Tensor, x: Tensor, dim: int, B: Any) -> Tensor:
    """grad * (exclusive cumprod from the left * exclusive cumprod from the right), recorded
    (PyTorch's prod_safe_zeros_backward)."""
    n = x.shape[dim]
    if n == 0:
        return B.expand(g, tuple(x.shape))
    ones_shape = list(x.shape)
    ones_shape[dim] = 1
    ones = Tensor._make(np.ones(ones_shape, dtype=x._data.dtype), None, 0, None)
    left = B.cumprod(B.cat([ones, B.slice(x, dim, 0, n - 1, 1)], dim), dim)
    rev = B.flip(B.slice(x, dim, 1, n, 1), (dim,))
    right = B.flip(B.cumprod(B.cat([ones, rev], dim), dim), (dim,))
    return g * cj(left * right)


@prod_all_op.grad("self")
def _prod_all_self(g, s, B):
    "grad * (product of the other elements)"
    return _prod_grad(g, s.self, s.result, None, True, B)


def _prod_dim(a: np.ndarray, dim: int, keepdim: bool = False) -> np.ndarray:
    return dense(np.asarray(a.prod(axis=dim, keepdims=keepdim,
                                   dtype=np.int64 if a.dtype.kind in "biu" else None)))


prod_dim_op = defop("prod_dim", "ProdBackward1", _prod_dim, save=("self", "result"),
                    torch="torch.prod(dim=...)", complex_ok=True)


@prod_dim_op.grad("self")
def _prod_dim_self(g, s, B):
    "grad * (product of the other elements along dim)"
    return _prod_grad(g, s.self, s.result, s.dim, s.keepdim, B)


def _extreme_all(fn: Any) -> Any:
    def forward(a: np.ndarray) -> np.ndarray:
        if a.size == 0:
            raise InvalidArgumentError(
                "max(): Expected reduction dim to be specified for input.numel() == 0. "
                "Specify the reduction dim with the 'dim' argument."
            )
        return np.asarray(fn(a))

    return forward


def _evenly(g, s, B):
    "grad shared evenly among the elements equal to the result"
    mask = B.where(s.self == s.result, 1.0, 0.0)
    count = B.sum(mask)
    return B.expand(g, s.in_shape) * mask / count


max_all_op = defop("max", "MaxBackward1", _extreme_all(np.max), save=("self", "result"))
max_all_op.grad("self")(_evenly)
min_all_op = defop("min", "MinBackward1", _extreme_all(np.min), save=("self", "result"))
min_all_op.grad("self")(_evenly)


def _extreme_dim(arg: Any, take: Any) -> Any:
    def forward(a: np.ndarray, dim: int, keepdim: bool = False, in_shape: Any = None) -> tuple:
        if not a.ndim:  # a 0-d input: itself, at index 0
            return a.copy(), np.zeros((), dtype=np.int64)
        if a.shape and a.shape[dim] == 0:
            raise InvalidArgumentError("cannot reduce over a zero-size dimension")
        idx = arg(a, axis=dim, keepdims=True)
        values = np.take_along_axis(a, idx, axis=dim)
        if not keepdim:
            values = np.squeeze(values, axis=dim)
            idx = np.squeeze(idx, axis=dim)
        return dense(values), dense(idx.astype(np.int64))

    return forward


def _select_at_indices(g, s, B):
    "zeros(self.shape).scatter_(dim, indices, grad) (grad placed at the selected indices)"
    idx = s.indices if s.keepdim else np.expand_dims(s.indices, s.dim)
    if B.tensors and len(s.in_shape):  # recorded as value_selecting_reduction_backward
        gg = g if s.keepdim else B.unsqueeze(g, s.dim)
        zeros = Tensor._make(np.zeros(s.in_shape, dtype=g._data.dtype), None, 0, None)
        return OPS["scatter"](zeros, gg, dim=s.dim, index=idx)
    gg = _unreduce(g, s, B)
    full = tuple(
        idx if d == s.dim
        else np.arange(n).reshape([-1 if k == d else 1 for k in range(len(s.in_shape))])
        for d, n in enumerate(s.in_shape)
    )
    return B.index_add(gg, s.in_shape, full, unique=True)


max_dim_op = defop("max_dim", "MaxBackward0", _extreme_dim(np.argmax, np.max), extras=("indices",),
                   torch="torch.max(dim=...)")
max_dim_op.grad("self")(_select_at_indices)
min_dim_op = defop("min_dim", "MinBackward0", _extreme_dim(np.argmin, np.min), extras=("indices",),
                   torch="torch.min(dim=...)")
min_dim_op.grad("self")(_select_at_indices)


def _amax(a: np.ndarray, dim: Any, keepdim: bool = False, in_shape: Any = None) -> np.ndarray:
    return dense(np.asarray(np.max(a, axis=dim, keepdims=keepdim)))


def _amin(a: np.ndarray, dim: Any, keepdim: bool = False, in_shape: Any = None) -> np.ndarray:
    return dense(np.asarray(np.min(a, axis=dim, keepdims=keepdim)))


def _evenly_dim(g, s, B):
    "grad shared evenly among the elements equal to the result along dim"
    r = _unreduce(s.result, s, B)
    mask = B.where(s.self == r, 1.0, 0.0)
    count = B.sum(mask, s.dim, True)
    return _unreduce(g, s, B) * mask / count


amax_op = defop("amax", "AmaxBackward0", _amax, save=("self", "result"))
amax_op.grad("self")(_evenly_dim)
amin_op = defop("amin", "AminBackward0", _amin, save=("self", "result"))
amin_op.grad("self")(_evenly_dim)


def _logsumexp(a: np.ndarray, dim: Any, keepdim: bool = False, in_shape: Any = None) -> np.ndarray:
    m = max_keep(a, dim)
    m = np.where(np.isfinite(m), m, 0)
    with np.errstate(divide="ignore"):
        out = np.log(np.sum(np.exp(a - m), axis=dim, keepdims=True)) + m
    return dense(np.asarray(out if keepdim else np.squeeze(out, axis=dim)))


logsumexp_op = defop("logsumexp", "LogsumexpBackward0", _logsumexp, save=("self", "result"))


@logsumexp_op.grad("self")
def _logsumexp_self(g, s, B):
    "grad * exp(self - result)"
    return _unreduce(g, s, B) * B.exp(s.self - _unreduce(s.result, s, B))


def _var(a: np.ndarray, dim: Any = None, correction: float = 1, keepdim: bool = False,
         in_shape: Any = None) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return dense(np.asarray(np.var(a, axis=dim, ddof=correction, keepdims=keepdim)))


def _count(s: Any) -> int:
    dims = range(len(s.in_shape)) if s.dim is None else s.dim
    return int(np.prod([s.in_shape[d] for d in dims]))


var_op = defop("var", "VarBackward0", _var, save=("self",))


def _var_backward(g: Any, s: Any, B: Any) -> Any:
    """PyTorch's var_backward: (2 / (N - correction)) * grad * (self - mean)."""
    d = _count(s) - s.correction
    # d == 0: torch's 2 / 0 is inf (nan gradients, or empty ones for an empty input).
    scale = 2.0 / d if d else math.inf
    if s.dim is None or not len(s.in_shape):
        return scale * g * (s.self - B.mean(s.self))
    if len(s.in_shape) > 1:
        g = _unreduce(g, s, B)
    return scale * g * (s.self - B.mean(s.self, s.dim, True))


@var_op.grad("self")
def _var_self(g, s, B):
    "grad * 2 * (self - mean) / (N - correction)"
    return _var_backward(g, s, B)


def _std(a: np.ndarray, dim: Any = None, correction: float = 1, keepdim: bool = False,
         in_shape: Any = None) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return dense(np.asarray(np.std(a, axis=dim, ddof=correction, keepdims=keepdim)))


std_op = defop("std", "StdBackward0", _std, save=("self", "result"))


@std_op.grad("self")
def _std_self(g, s, B):
    "grad * (self - mean) / ((N - correction) * result)  (0 where result == 0)"
    with np.errstate(divide="ignore", invalid="ignore"):
        return _var_backward(B.masked_fill(g / (s.result * 2), s.result == 0, 0), s, B)


def _norm(a: np.ndarray, ord: float = 2, dim: Any = None, keepdim: bool = False,
          in_shape: Any = None) -> np.ndarray:
    x = np.abs(a)  # (a complex input's norm is real: its moduli's)
    if ord == math.inf:
        out = np.max(x, axis=dim, keepdims=keepdim)
    elif ord == -math.inf:
        out = np.min(x, axis=dim, keepdims=keepdim)
    elif ord == 2:
        out = np.sqrt(np.sum(x * x, axis=dim, keepdims=keepdim))
    elif ord == 1:
        out = np.sum(x, axis=dim, keepdims=keepdim)
    elif ord == 0:
        out = np.sum(x != 0, axis=dim, keepdims=keepdim).astype(x.dtype)
    else:
        out = np.sum(x**ord, axis=dim, keepdims=keepdim) ** (1.0 / ord)
    return np.asarray(out, dtype=x.dtype)


norm_op = defop("norm", "LinalgVectorNormBackward0", _norm, save=("self", "result"),
                torch="torch.norm / torch.linalg.vector_norm", complex_ok=True)


@norm_op.grad("self")
def _norm_self(g, s, B):
    "grad * self * |self|**(p-2) / result**(p-1)  (p=2: grad * self / result; 0 where result == 0)"
    p = s.ord
    x = s.self
    if p == 0:
        return None  # as PyTorch: the 0-"norm" (a count) passes no gradient
    # As PyTorch's norm_backward (grad and norm re-expanded first when dims were reduced; a
    # full reduction's 0-d grad and norm broadcast as they are).
    if B.tensors and s.dim is None:
        gg, r = g, s.result
    else:
        gg = _unreduce(g, s, B)
        r = _unreduce(s.result, s, B)
    with np.errstate(divide="ignore", invalid="ignore"):
        if p == 1:
            return B.sgn(x) * gg
        if p == 2:
            return gg * B.masked_fill(x / r, r == 0, 0)
        if abs(p) == math.inf:
            ax = B.abs(x)
            mask = (ax == r) | (ax != ax)
            count = B.sum(B.where(mask, 1.0, 0.0), s.dim, True)
            return B.sgn(x) * ((gg / count) * B.where(mask, 1.0, 0.0))
        if p < 1:
            scaled = B.sgn(x) * B.masked_fill(B.abs(x) ** (p - 1), x == 0, 0)
            return scaled * gg * r ** (1 - p)
        scaled = B.sgn(x) * B.abs(x) ** (p - 1) if p < 2 else x * B.abs(x) ** (p - 2)
        return scaled * B.masked_fill(gg / r ** (p - 1), r == 0, 0)


# ==============================================================================================
# torch-level functions
# ==============================================================================================


def all(input: Tensor, dim: Any = None, keepdim: bool = False) -> Tensor:
    axis = None if dim is None else _dims(dim, input._data.ndim)
    return Tensor._make(np.asarray(np.all(input._data, axis=axis, keepdims=keepdim)), None, 0, None)


def any(input: Tensor, dim: Any = None, keepdim: bool = False) -> Tensor:
    axis = None if dim is None else _dims(dim, input._data.ndim)
    return Tensor._make(np.asarray(np.any(input._data, axis=axis, keepdims=keepdim)), None, 0, None)


def _nonempty(name: str, input: Tensor, dim: Any, wrap: bool = False) -> None:
    """PyTorch's refusals of an empty reduction (zero_numel_check_dims)."""
    a = input._data
    if a.size:
        return
    if dim is None or dim in ((), []):
        if name in ("argmax", "argmin"):
            raise IndexOutOfRangeError(
                f"{name}(): Expected reduction dim to be specified for input.numel() == 0.")
        raise InvalidArgumentError(
            f"{name}(): Expected reduction dim to be specified for input.numel() == 0. "
            "Specify the reduction dim with the 'dim' argument.")
    if not a.ndim:
        return
    for d in ((dim,) if isinstance(dim, int) else dim):
        w = _wrap_dim(d, a.ndim)
        if a.shape[w] == 0:
            raise IndexOutOfRangeError(
                f"{name}(): Expected reduction dim {w if wrap else d} to have non-zero size.")


def argmax(input: Tensor, dim: int | None = None, keepdim: bool = False) -> Tensor:
    _nonempty("argmax", input, dim, wrap=True)
    if dim is None:
        return Tensor._make(np.asarray(np.argmax(input._data), dtype=np.int64), None, 0, None)
    d = _wrap_dim(dim, input._data.ndim)
    out = np.argmax(input._data, axis=d, keepdims=keepdim).astype(np.int64)
    return Tensor._make(out, None, 0, None)


def argmin(input: Tensor, dim: int | None = None, keepdim: bool = False) -> Tensor:
    _nonempty("argmin", input, dim, wrap=True)
    if dim is None:
        return Tensor._make(np.asarray(np.argmin(input._data), dtype=np.int64), None, 0, None)
    d = _wrap_dim(dim, input._data.ndim)
    out = np.argmin(input._data, axis=d, keepdims=keepdim).astype(np.int64)
    return Tensor._make(out, None, 0, None)


# ----------------------------------------------------------------------------------------------
# reductions
# ----------------------------------------------------------------------------------------------
def sum(input: Tensor, dim: Any = None, keepdim: bool = False, *, dtype: Any = None) -> Tensor:
    if dtype is not None:
        input = to(input, dtype)
    if dim is None:
        return sum_all_op.call1(input)
    if isinstance(dim, list | tuple) and len(dim) == 0:
        # PyTorch: an empty dim list reduces every dim, but through the dim overload.
        dim = tuple(range(input._data.ndim))
    return sum_dim_op(input, dim=_dims(dim, input._data.ndim), keepdim=keepdim)


def mean(input: Tensor, dim: Any = None, keepdim: bool = False, *, dtype: Any = None) -> Tensor:
    if dtype is not None:
        input = to(input, dtype)
    if input._data.dtype.kind not in "fc":
        raise InvalidArgumentError(
            "mean(): could not infer output dtype. Input dtype must be either a floating point or "
            "complex dtype. Got: "
            f"{dtypes.scalar_type_name(input._data.dtype)}"
        )
    if dim is None:
        return mean_all_op.call1(input)
    if isinstance(dim, list | tuple) and len(dim) == 0:
        dim = tuple(range(input._data.ndim))
    return mean_dim_op(input, dim=_dims(dim, input._data.ndim), keepdim=keepdim)


def prod(input: Tensor, dim: int | None = None, keepdim: bool = False) -> Tensor:
    if dim is None:
        return prod_all_op(input)
    return prod_dim_op(input, dim=_wrap_dim(dim, input._data.ndim), keepdim=keepdim)


class ValuesIndices(NamedTuple):
    """``(values, indices)``, printed as ``torch.return_types.<kind>``."""

    values: Tensor
    indices: Tensor

    kind = "max"

    def __repr__(self) -> str:
        return (f"torch.return_types.{self.kind}(\nvalues={self.values!r},"
                f"\nindices={self.indices!r})")


class MaxResult(ValuesIndices):
    __slots__ = ()
    kind = "max"


class MinResult(ValuesIndices):
    __slots__ = ()
    kind = "min"


def _extreme(op_all: Any, op_dim: Any, binary: Any, input: Tensor, dim: Any,
             keepdim: bool, result: type[ValuesIndices] = MaxResult) -> Any:
    if isinstance(dim, Tensor):
        return binary(input, dim)
    _nonempty(result.kind, input, dim)
    if dim is None:
        return op_all(input)
    d = _wrap_dim(dim, input._data.ndim)
    values, indices = op_dim(input, dim=d, keepdim=keepdim)
    return result(values, indices)


def max(input: Tensor, dim: Any = None, keepdim: bool = False) -> Any:
    return _extreme(max_all_op, max_dim_op, maximum, input, dim, keepdim)


def min(input: Tensor, dim: Any = None, keepdim: bool = False) -> Any:
    return _extreme(min_all_op, min_dim_op, minimum, input, dim, keepdim, MinResult)


def amax(input: Tensor, dim: Any = (), keepdim: bool = False) -> Tensor:
    _nonempty("amax", input, dim)
    dims = tuple(range(input._data.ndim)) if dim in ((), [], None) else _dims(dim, input._data.ndim)
    return amax_op(input, dim=dims, keepdim=keepdim)


def amin(input: Tensor, dim: Any = (), keepdim: bool = False) -> Tensor:
    _nonempty("amin", input, dim)
    dims = tuple(range(input._data.ndim)) if dim in ((), [], None) else _dims(dim, input._data.ndim)
    return amin_op(input, dim=dims, keepdim=keepdim)


def logsumexp(input: Tensor, dim: Any, keepdim: bool = False) -> Tensor:
    return logsumexp_op(_float(input), dim=_dims(dim, input._data.ndim), keepdim=keepdim)


def _correction(unbiased: Any, correction: Any) -> float:
    if correction is not None:
        return correction
    if unbiased is None:
        return 1
    return 1 if unbiased else 0


def var(input: Tensor, dim: Any = None, unbiased: Any = None, keepdim: bool = False, *,
        correction: Any = None) -> Tensor:
    if isinstance(dim, bool):
        unbiased, dim = dim, None
    dims = None if dim is None else _dims(dim, input._data.ndim)
    return var_op(input, dim=dims, correction=_correction(unbiased, correction), keepdim=keepdim)


def std(input: Tensor, dim: Any = None, unbiased: Any = None, keepdim: bool = False, *,
        correction: Any = None) -> Tensor:
    if isinstance(dim, bool):
        unbiased, dim = dim, None
    dims = None if dim is None else _dims(dim, input._data.ndim)
    return std_op(input, dim=dims, correction=_correction(unbiased, correction), keepdim=keepdim)


def norm(input: Tensor, p: Any = "fro", dim: Any = None, keepdim: bool = False,
         dtype: Any = None) -> Tensor:
    if p in ("fro", None):
        p = 2
    if isinstance(p, str):
        raise InvalidArgumentError(f"norm: unsupported p={p!r}; use a number, inf or 'fro'")
    dims = None if dim is None else _dims(dim, input._data.ndim)
    return norm_op(_float(input), ord=float(p), dim=dims, keepdim=keepdim)


# ----------------------------------------------------------------------------------------------
# what formulas call under create_graph=True (B.<name>, where it differs from torch.<name>)
# ----------------------------------------------------------------------------------------------
def _B_sum(x: Tensor, dims: Any = None, keepdim: bool = False) -> Tensor:
    return sum(x, dims, keepdim)


def _B_sum_to(x: Tensor, shape: tuple[int, ...]) -> Tensor:
    return x.sum_to_size(shape)


# -- methods that are not one op --
def _max_method(self: Tensor, dim: Any = None, keepdim: bool = False) -> Any:
    return max(self, dim, keepdim)


def _min_method(self: Tensor, dim: Any = None, keepdim: bool = False) -> Any:
    return min(self, dim, keepdim)


def _sum_to_size(self: Tensor, *size: Any) -> Tensor:
    target = _shape_arg(size)
    if tuple(self.shape) == target:
        return self
    if not target:
        return sum_all_op(self)  # PyTorch's sum_to: a full sum (SumBackward0)
    lead = self._data.ndim - len(target)
    dims = tuple(range(lead)) + tuple(
        i + lead for i, n in enumerate(target) if n == 1 and self._data.shape[i + lead] != 1
    )
    out = sum(self, dims, keepdim=True) if dims else self
    return reshape(out, target) if tuple(out.shape) != target else out


# ==============================================================================================
# the names this family adds: torch.<name>, Tensor.<name>, torch.nn.functional.<name>
# ==============================================================================================
TORCH: dict[str, Any] = {
    "all": all, "any": any, "argmax": argmax, "argmin": argmin, "sum": sum, "mean": mean,
    "prod": prod, "max": max, "min": min, "amax": amax, "amin": amin, "logsumexp": logsumexp,
    "var": var, "std": std, "norm": norm,
}

METHODS: dict[str, Any] = {
    "all": all, "any": any, "argmax": argmax, "argmin": argmin, "sum": sum, "mean": mean,
    "prod": prod, "amax": amax, "amin": amin, "logsumexp": logsumexp, "var": var, "std": std,
    "norm": norm,
    "max": _max_method, "min": _min_method, "sum_to_size": _sum_to_size,
}

FUNCTIONAL: dict[str, Any] = {}
