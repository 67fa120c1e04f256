"""Reductions that skip nan or return two results, distances, covariance, integration and
counting: nansum, nanmean, var_mean, std_mean, dist, cdist, cov, corrcoef, trapezoid/trapz,
cumulative_trapezoid, histc, histogram, bincount.

Table ops with torch's nodes (NansumBackward0, VarMeanBackward0, StdMeanBackward0,
DistBackward0, CdistBackward0, EuclideanDistBackward0); ``nanmean`` is torch's composite
(``nansum / count of non-nan``, DivBackward0 over NansumBackward0). ``cov``, ``corrcoef``,
``trapezoid`` and ``cumulative_trapezoid`` record the ops of torch's ATen composites (C++ number
operands are torch's Scalar overloads: MulBackward1, DivBackward1); ``histc`` has no gradient and
``bincount`` with weights records torch's NotImplemented node.
"""

from __future__ import annotations

import builtins
import math
import types
import warnings
from typing import Any

import numpy as np

from .. import dtypes
from ..errors import InvalidArgumentError, InvalidTypeError, InvalidValueError, ShapeMismatchError
from ..op import OpDef, defop
from ..tensor import Tensor, _wrap_dim
from .arithmetic import NotImplementedOp, add, div, div_scalar_op, mul, mul_scalar_op, sub
from .common import _dims, _keep_shape, _unreduce, broadcast_shapes, result_dtype
from .conversion import to
from .inplace import zero_
from .kernels import KERNELS
from .linalg import mm
from .pointwise import sqrt
from .pointwise_multi import clamp
from .reductions import _correction, _norm_self, _var_backward
from .reductions import sum as tsum
from .scan_sort import cumsum
from .shape import diagonal, expand, select, slice_op, squeeze, unsqueeze, view
from .shape import t as transpose2d

# ==============================================================================================
# the table: forwards and derivative formulas
# ==============================================================================================


def _sum_backward(g: Any, s: Any, B: Any) -> Any:
    """torch's sum_backward: the reduced dims re-inserted, then expanded to the input."""
    return B.expand(_unreduce(g, s, B), s.in_shape)


def _nansum(a: np.ndarray, dim: Any = None, keepdim: bool = False) -> np.ndarray:
    if a.dtype.kind != "f":
        return np.asarray(np.sum(a, axis=dim, keepdims=keepdim, dtype=np.int64))
    return np.asarray(np.nansum(a, axis=dim, keepdims=keepdim), dtype=a.dtype)


nansum_op = defop("nansum", "NansumBackward0", _nansum, save=("self",))


@nansum_op.grad("self")
def _nansum_self(g, s, B):
    "grad expanded to self's shape, 0 where self is nan"
    keep = Tensor._make(~np.isnan(s.self._data if B.tensors else s.self), None, 0, None)
    return _sum_backward(g, s, B) * (keep if B.tensors else keep._data)


def _mean_backward(g: Any, s: Any, B: Any) -> Any:
    dims = range(len(s.in_shape)) if s.dim is None else s.dim
    n = math.prod(s.in_shape[d] for d in dims)
    return _sum_backward(g, s, B) / n


def _var_mean(a: np.ndarray, dim: Any = None, correction: Any = 1,
              keepdim: bool = False) -> list[np.ndarray]:
    with np.errstate(divide="ignore", invalid="ignore"):
        var = np.var(a, axis=dim, ddof=correction, keepdims=keepdim)
        mean = np.mean(a, axis=dim, keepdims=keepdim)
    return [np.asarray(var, dtype=a.dtype), np.asarray(mean, dtype=a.dtype)]


var_mean_op = defop("var_mean", "VarMeanBackward0", _var_mean, save=("self",),
                    multi_output=True, undefined_grads=True)


@var_mean_op.grad_all
def _var_mean_grads(gs, s, B, needs):
    "var_backward(grad_var) + mean_backward(grad_mean)"
    gvar, gmean = gs
    out = None
    if gvar is not None:
        out = _var_backward(gvar, s, B)
    if gmean is not None:
        aux = _mean_backward(gmean, s, B)
        out = aux if out is None else out + aux
    return (out,)


def _std_mean(a: np.ndarray, dim: Any = None, correction: Any = 1,
              keepdim: bool = False) -> list[np.ndarray]:
    var, mean = _var_mean(a, dim, correction, keepdim)
    return [np.sqrt(var), mean]


std_mean_op = defop("std_mean", "StdMeanBackward0", _std_mean, save=("self", "result0"),
                    multi_output=True, undefined_grads=True)


@std_mean_op.grad_all
def _std_mean_grads(gs, s, B, needs):
    "std_backward(grad_std) + mean_backward(grad_mean)"
    gstd, gmean = gs
    out = None
    if gstd is not None:
        with np.errstate(divide="ignore", invalid="ignore"):
            out = _var_backward(B.masked_fill(gstd / (s.result0 * 2), s.result0 == 0, 0), s, B)
    if gmean is not None:
        aux = _mean_backward(gmean, s, B)
        out = aux if out is None else out + aux
    return (out,)


def _aminmax(a: np.ndarray, dim: Any = None, keepdim: bool = False) -> list[np.ndarray]:
    return [np.asarray(np.min(a, axis=dim, keepdims=keepdim)),
            np.asarray(np.max(a, axis=dim, keepdims=keepdim))]


aminmax_op = defop("aminmax", "AminmaxBackward0", _aminmax,
                   save=("self", "result0", "result1"), multi_output=True, undefined_grads=True)


@aminmax_op.grad_all
def _aminmax_grads(gs, s, B, needs):
    "scale_grad_by_count(restore_reduced_dims(grad), restore_reduced_dims(result) == self, dim) for min and for max, summed"  # noqa: E501
    dims = tuple(range(len(s.in_shape))) if s.dim is None else (s.dim,)
    keep = _keep_shape(s.in_shape, dims)

    def restore(t: Any) -> Any:  # torch's restore_reduced_dims: a reshape (a view)
        return t if s.keepdim else B.reshape(t, keep)

    out = None
    for g, res in zip(gs, (s.result0, s.result1)):
        if g is None:
            continue
        mask = restore(res) == s.self
        part = (restore(g) / B.sum(mask, dims, True)) * mask
        out = part if out is None else out + part
    return (out,)


class AminmaxResult(tuple):
    """``(min, max)``, printed as ``torch.return_types.aminmax``."""

    __slots__ = ()
    _fields = ("min", "max")

    def __new__(cls, lo: Tensor, hi: Tensor) -> AminmaxResult:
        return tuple.__new__(cls, (lo, hi))

    @property
    def min(self) -> Tensor:
        return self[0]

    @property
    def max(self) -> Tensor:
        return self[1]

    def __repr__(self) -> str:
        return f"torch.return_types.aminmax(\nmin={self[0]!r},\nmax={self[1]!r})"


AminmaxResult.__module__ = "torch.return_types"
AminmaxResult.__name__ = AminmaxResult.__qualname__ = "aminmax"


def _vector_norm(x: np.ndarray, p: float) -> np.ndarray:
    a = np.abs(x)
    if p == 0:
        return np.asarray(np.count_nonzero(x), dtype=x.dtype)
    if p == 1:
        return np.asarray(a.sum(), dtype=x.dtype)
    if p == 2:
        return np.asarray(np.sqrt((a * a).sum()), dtype=x.dtype)
    if p == math.inf:
        return np.asarray(a.max() if a.size else 0, dtype=x.dtype)
    if p == -math.inf:
        return np.asarray(a.min() if a.size else math.inf, dtype=x.dtype)
    return np.asarray((a ** p).sum() ** (1.0 / p), dtype=x.dtype)


def _dist(a: np.ndarray, b: np.ndarray, p: float = 2.0) -> np.ndarray:
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        return _vector_norm(a - b, p)


dist_op = defop("dist", "DistBackward0", _dist, inputs=("self", "other"),
                save=("self", "other", "result"))


def _dist_grad(g, s, B):
    d = s.self - s.other
    ns = types.SimpleNamespace(ord=s.p, self=d, dim=None, keepdim=False, result=s.result,
                               in_shape=tuple(d.shape))
    return _norm_self(g, ns, B)


@dist_op.grad("self")
def _dist_self(g, s, B):
    "norm_backward(grad, self - other, p, result)"
    return _dist_grad(g, s, B)


@dist_op.grad("other")
def _dist_other(g, s, B):
    "-norm_backward(grad, self - other, p, result)"
    gd = _dist_grad(g, s, B)
    return None if gd is None else -gd


def _cdist_values(x1: np.ndarray, x2: np.ndarray, p: float) -> np.ndarray:
    d = np.abs(x1[..., :, None, :] - x2[..., None, :, :])
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        if p == 0:
            out = np.count_nonzero(d, axis=-1).astype(x1.dtype)
        elif p == 1:
            out = d.sum(-1)
        elif p == 2:
            out = np.sqrt((d * d).sum(-1))
        elif p == math.inf:
            out = d.max(-1) if d.shape[-1] else np.zeros(d.shape[:-1])
        else:
            out = (d ** p).sum(-1) ** (1.0 / p)
    return np.asarray(out, dtype=x1.dtype)


def _cdist_forward(x1: np.ndarray, x2: np.ndarray, p: float = 2.0) -> np.ndarray:
    batch = np.broadcast_shapes(x1.shape[:-2], x2.shape[:-2])
    x1 = np.broadcast_to(x1, (*batch, *x1.shape[-2:]))
    x2 = np.broadcast_to(x2, (*batch, *x2.shape[-2:]))
    return _cdist_values(x1, x2, p)


cdist_op = defop("cdist", "CdistBackward0", _cdist_forward, inputs=("x1", "x2"),
                 save=("x1", "x2", "result"), torch="torch.cdist (_cdist_forward)")


def _cdist_grad_np(g: np.ndarray, x1: np.ndarray, x2: np.ndarray, p: float,
                   dist: np.ndarray) -> np.ndarray:
    """torch's _cdist_backward for x1: the gradient of each distance, summed over x2's rows."""
    diff = x1[..., :, None, :] - x2[..., None, :, :]
    gg, dd = g[..., None], dist[..., None]
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        if p == 0:
            term = np.zeros_like(diff)
        elif p == 1:
            term = gg * np.sign(diff)
        elif p == 2:
            term = np.where(dd == 0, 0.0, gg * diff / dd)
        elif p == math.inf:
            term = gg * np.sign(diff) * (np.abs(diff) == dd)
        elif p < 1:
            term = np.where((dd == 0) | (diff == 0), 0.0,
                            np.sign(diff) * np.abs(diff) ** (p - 1) * gg / dd ** (p - 1))
        elif p < 2:
            term = np.where(dd == 0, 0.0, np.sign(diff) * np.abs(diff) ** (p - 1) * gg
                            / dd ** (p - 1))
        else:
            term = np.where(dd == 0, 0.0, diff * np.abs(diff) ** (p - 2) * gg / dd ** (p - 1))
    return term.sum(-2).astype(x1.dtype, copy=False)


# PyTorch has no derivative for _cdist_backward: its node (CdistBackwardBackward0) raises in
# double backward, so adcli records the kernel as one node that raises the same way.
def _cdist_backward_forward(g: Any, x1: Any, x2: Any, cdist: Any, p: float = 2.0) -> Any:
    batch = np.broadcast_shapes(x1.shape[:-2], x2.shape[:-2])
    return _cdist_grad_np(g, np.broadcast_to(x1, (*batch, *x1.shape[-2:])),
                          np.broadcast_to(x2, (*batch, *x2.shape[-2:])), p, cdist)


cdist_backward_op = OpDef("cdist_backward", "CdistBackwardBackward0", _cdist_backward_forward,
                          inputs=("grad", "x1", "x2", "cdist"))


@cdist_backward_op.grad_all
def _cdist_backward_grads(g, s, B, needs):
    "not implemented, as in PyTorch"
    raise NotImplementedError("the derivative for '_cdist_backward' is not implemented.")


KERNELS["cdist_backward"] = (
    _cdist_backward_forward,
    lambda g, x1, x2, cdist, p: cdist_backward_op(g, x1, x2, cdist, p=p))


@cdist_op.grad("x1")
def _cdist_x1(g, s, B):
    "sum over x2's rows of grad * d dist / d x1 (torch's _cdist_backward)"
    return B.cdist_backward(g, s.x1, s.x2, s.result, s.p)


@cdist_op.grad("x2")
def _cdist_x2(g, s, B):
    "_cdist_backward(grad.mT.contiguous(), x2, x1, p, result.mT.contiguous())"
    gt, rt = B.transpose(g, -1, -2), B.transpose(s.result, -1, -2)
    if B.tensors:  # contiguous() of a transposed tensor records torch's CloneBackward0
        gt, rt = (t.contiguous() for t in (gt, rt))
    return B.cdist_backward(gt, s.x2, s.x1, rt, s.p)


def _euclidean_dist(x1: np.ndarray, x2: np.ndarray) -> np.ndarray:
    # torch's _euclidean_dist: |x1|^2 + |x2|^2 - 2 x1.x2 as one matmul, clamped at 0
    n1 = (x1 ** 2).sum(-1, keepdims=True)
    n2 = (x2 ** 2).sum(-1, keepdims=True)
    a = np.concatenate([x1 * -2, n1, np.ones_like(n1)], -1)
    b = np.concatenate([x2, np.ones_like(n2), n2], -1)
    return np.sqrt(np.maximum(a @ np.swapaxes(b, -1, -2), 0))


euclidean_dist_op = defop("_euclidean_dist", "EuclideanDistBackward0", _euclidean_dist,
                          inputs=("x1", "x2"), save=("x1", "x2", "result"),
                          torch="torch.cdist (p=2 by matrix products)")


def _euclid_ratio(g, s, B):
    with np.errstate(divide="ignore", invalid="ignore"):
        return B.masked_fill(g / s.result, s.result == 0, 0)


@euclidean_dist_op.grad("x1")
def _euclid_x1(g, s, B):
    "x1 * ratio.sum(-1) - ratio @ x2, ratio = grad / result (0 where result == 0)"
    ratio = _euclid_ratio(g, s, B)
    return s.x1 * B.sum(ratio, (-1,), True) - B.matmul(ratio, s.x2)


@euclidean_dist_op.grad("x2")
def _euclid_x2(g, s, B):
    "x2 * ratio.sum(-2) - ratio.mT @ x1"
    ratio = _euclid_ratio(g, s, B)
    return s.x2 * B.unsqueeze(B.sum(ratio, (-2,)), -1) - B.matmul(B.transpose(ratio, -1, -2),
                                                                  s.x1)


# ==============================================================================================
# torch-level functions
# ==============================================================================================
def _reduce_dims(input: Tensor, dim: Any) -> Any:
    if dim is None or (isinstance(dim, list | tuple) and len(dim) == 0):
        return None
    return _dims(dim, input._data.ndim)


def nansum(input: Tensor, dim: Any = None, keepdim: bool = False, *, dtype: Any = None) -> Tensor:
    if dtype is not None:
        input = to(input, dtype)
    return nansum_op(input, dim=_reduce_dims(input, dim), keepdim=keepdim)


def nanmean(input: Tensor, dim: Any = None, keepdim: bool = False, *,
            dtype: Any = None) -> Tensor:
    if input._data.dtype.kind != "f":
        raise InvalidArgumentError("nanmean(): expected input to have floating point or complex "
                                   f"dtype but got {dtypes.scalar_type_name(input._data.dtype)}")
    dims = _reduce_dims(input, dim)
    factor = Tensor._make(np.asarray(np.sum(~np.isnan(input._data), axis=dims,
                                            keepdims=keepdim), dtype=np.int64), None, 0, None)
    return div(nansum(input, dim, keepdim, dtype=dtype), factor)


def _two_stats(op: Any, name: str, input: Tensor, dim: Any, unbiased: Any, keepdim: bool,
               correction: Any) -> tuple[Tensor, Tensor]:
    if isinstance(dim, bool):
        unbiased, dim = dim, None
    if input._data.dtype.kind != "f":
        raise InvalidArgumentError(f"{name} only support floating point and complex dtypes")
    return tuple(op(input, dim=_reduce_dims(input, dim),
                    correction=_correction(unbiased, correction), keepdim=keepdim))


def var_mean(input: Tensor, dim: Any = None, unbiased: Any = None, keepdim: bool = False, *,
             correction: Any = None) -> tuple[Tensor, Tensor]:
    return _two_stats(var_mean_op, "var_mean", input, dim, unbiased, keepdim, correction)


def std_mean(input: Tensor, dim: Any = None, unbiased: Any = None, keepdim: bool = False, *,
             correction: Any = None) -> tuple[Tensor, Tensor]:
    return _two_stats(std_mean_op, "std_mean", input, dim, unbiased, keepdim, correction)


def dist(input: Tensor, other: Tensor, p: Any = 2) -> Tensor:
    for t in (input, other):
        if t._data.dtype.kind != "f":
            raise InvalidArgumentError(
                "norm(): input dtype should be either floating point or complex. Got "
                f"{dtypes.scalar_type_name(t._data.dtype)} instead.")
    if input._data.dtype != other._data.dtype:
        raise InvalidArgumentError(
            f"expected scalar type {dtypes.scalar_type_name(input._data.dtype)} but found "
            f"{dtypes.scalar_type_name(other._data.dtype)}")
    broadcast_shapes(tuple(input.shape), tuple(other.shape))
    return dist_op(input, other, p=float(p))


_MODES = {"use_mm_for_euclid_dist_if_necessary": 0, "use_mm_for_euclid_dist": 1,
          "donot_use_mm_for_euclid_dist": 2}


def cdist(x1: Tensor, x2: Tensor, p: float = 2.0,
          compute_mode: str = "use_mm_for_euclid_dist_if_necessary") -> Tensor:
    if compute_mode not in _MODES:
        raise InvalidValueError(f"{compute_mode} is not a valid value for compute_mode")
    mode = _MODES[compute_mode]
    for name, t in (("X1", x1), ("X2", x2)):
        if t.dim() < 2:
            raise InvalidArgumentError(f"cdist only supports at least 2D tensors, {name} got: "
                                       f"{t.dim()}D")
    if x1.shape[-1] != x2.shape[-1]:
        raise ShapeMismatchError(f"X1 and X2 must have the same number of columns. X1: "
                                 f"{x1.shape[-1]} X2: {x2.shape[-1]}")
    for name, t in (("X1", x1), ("X2", x2)):
        if t._data.dtype.kind != "f":
            raise InvalidArgumentError(f"cdist only supports floating-point dtypes, {name} got: "
                                       f"{dtypes.scalar_type_name(t._data.dtype)}")
    if p < 0:
        raise InvalidArgumentError("cdist only supports non-negative p values")
    if result_dtype(x1._data, x2._data) != x1._data.dtype or x1._data.dtype != x2._data.dtype:
        raise InvalidArgumentError(f"expected scalar type {dtypes.scalar_type_name(x1._data.dtype)}"
                                   f" but found {dtypes.scalar_type_name(x2._data.dtype)}")
    r1, r2, c = x1.shape[-2], x2.shape[-2], x1.shape[-1]
    mm = p == 2 and (mode == 1 or (mode == 0 and (r1 > 25 or r2 > 25)))
    if not mm or x1.numel() == 0 or x2.numel() == 0:
        return cdist_op(x1, x2, p=float(p))
    batch = tuple(np.broadcast_shapes(tuple(x1.shape[:-2]), tuple(x2.shape[:-2])))
    n = math.prod(batch)
    if n == 1:
        d = euclidean_dist_op(x1, x2)
    else:
        a = view(expand(x1, (*batch, r1, c)).contiguous(), (n, r1, c))
        b = view(expand(x2, (*batch, r2, c)).contiguous(), (n, r2, c))
        d = euclidean_dist_op(a, b)
    return view(d, (*batch, r1, r2))


def _scalar_mul(x: Tensor, c: float) -> Tensor:
    """ATen's ``tensor * number`` (mul.Scalar, MulBackward1); integers promote to float."""
    return mul_scalar_op(x, other=c) if x._data.dtype.kind == "f" else mul(x, c)


def _scalar_div(x: Tensor, c: float) -> Tensor:
    """ATen's ``tensor / number`` (div.Scalar, DivBackward1); integers promote to float."""
    return div_scalar_op(x, other=c) if x._data.dtype.kind == "f" else div(x, c)


def _long(n: int) -> Tensor:
    return Tensor._make(np.asarray(n, dtype=np.int64), None, 0, None)


def _dtype_name(t: Tensor) -> str:
    return dtypes.scalar_type_name(t._data.dtype)


def cov(input: Tensor, *, correction: int = 1, fweights: Tensor | None = None,
        aweights: Tensor | None = None) -> Tensor:
    if isinstance(correction, float):
        raise InvalidTypeError("cov(): argument 'correction' must be int, not float")
    correction = int(correction)
    if input.dim() > 2:
        raise InvalidArgumentError(f"cov(): expected input to have two or fewer dimensions but "
                                   f"got an input with {input.dim()} dimensions")
    if input._data.dtype.kind == "b":
        raise InvalidArgumentError("cov(): bool dtype is not supported for input")
    x = view(input, (1, -1)) if input.dim() < 2 else input
    n = x.shape[1]
    w = None
    for name, wt in (("fweights", fweights), ("aweights", aweights)):
        if wt is None:
            continue
        if wt.dim() > 1:
            raise InvalidArgumentError(f"cov(): expected {name} to have one or fewer dimensions "
                                       f"but got {name} with {wt.dim()} dimensions")
        kind = wt._data.dtype.kind
        if name == "fweights" and kind not in "iu":
            raise InvalidArgumentError(f"cov(): expected fweights to have integral dtype but "
                                       f"got fweights with {_dtype_name(wt)} dtype")
        if name == "aweights" and kind != "f":
            raise InvalidArgumentError(f"cov(): expected aweights to have floating point dtype "
                                       f"but got aweights with {_dtype_name(wt)} dtype")
        if wt.numel() != n:
            raise InvalidArgumentError(f"cov(): expected {name} to have the same numel as there "
                                       f"are observations in the input but got {wt.numel()} != "
                                       f"{n}")
        if n and not wt._data.min() >= 0:
            raise InvalidArgumentError(f"cov(): {name} cannot be negative")
        w = wt if w is None else mul(w, wt)
    w_sum = tsum(w) if w is not None else _long(n)
    if w is not None and w_sum._data == 0:
        raise InvalidArgumentError("cov(): weights sum to zero, can't be normalized")
    avg = div(tsum(mul(x, w) if w is not None else x, 1), w_sum)
    if w is None:
        norm = _long(n - correction)
    elif correction == 0:
        norm = w_sum
    elif aweights is None:
        norm = sub(w_sum, correction)
    elif fweights is None and n == 1 and correction == 1:
        norm = _long(0)  # (torch's corner case, as NumPy)
    else:
        norm = sub(w_sum, div(_scalar_mul(tsum(mul(w, aweights)), correction), w_sum))
    if norm._data <= 0:
        warnings.warn("cov(): degrees of freedom is <= 0. Correction should be strictly less "
                      "than the number of observations.", UserWarning, stacklevel=2)
        norm = zero_(norm)
    if n == 1 and (fweights is None) != (aweights is None):
        # torch zeroes the (viewed) input in place here: one observation, one set of weights
        x = zero_(x)
        if x._data.dtype.kind in "iub":
            x = to(x, dtypes.float32)
    else:
        x = sub(x, unsqueeze(avg, 1))
    c = mm(x, transpose2d(mul(x, w) if w is not None else x))
    return squeeze(div(c, norm))


def corrcoef(input: Tensor) -> Tensor:
    if input.dim() > 2:
        raise InvalidArgumentError(f"corrcoef(): expected input to have two or fewer dimensions "
                                   f"but got an input with {input.dim()} dimensions")
    c = cov(input)
    if c.dim() == 0:
        return div(c, c)  # nan for a zero, inf or nan variance, else 1
    std = sqrt(diagonal(c))
    c = div(c, view(std, (-1, 1)))
    c = div(c, view(std, (1, -1)))
    return clamp(c, -1, 1)


def _trapezoid_x(fn: str, y: Tensor, x: Tensor, dim: int) -> Tensor:
    """torch's dx: x viewed to broadcast along ``dim`` of y, then its differences."""
    if y._data.dtype.kind == "b" or x._data.dtype.kind == "b":
        raise InvalidArgumentError(f"{fn}: received a bool input for `x` or `y`, but bool is not "
                                   "supported")
    if x.dim() == 1:
        if x.shape[0] != y.shape[dim]:
            raise InvalidArgumentError(f"{fn}: There must be one `x` value for each sample point")
        sizes = [1] * y.dim()
        sizes[dim] = x.shape[0]
        x = view(x, tuple(sizes))
    elif x.dim() < y.dim():
        x = view(x, (1,) * (y.dim() - x.dim()) + tuple(x.shape))
    left = _slice(x, dim, 0, -1)  # (torch slices left first: the backward's order follows)
    return sub(_slice(x, dim, 1), left)


def _slice(a: Tensor, dim: int, start: int, stop: int | None = None) -> Tensor:
    n = a.shape[dim]
    stop = n if stop is None else max(n + stop, 0) if stop < 0 else min(stop, n)
    return slice_op(a, dim=dim, start=min(start, n), stop=max(stop, min(start, n)), step=1)


def _dx_number(fn: str, y: Tensor, dx: Any) -> float:
    if y._data.dtype.kind == "b":
        raise InvalidArgumentError(f"{fn}: received a bool input for `y`, but bool is not "
                                   "supported")
    if isinstance(dx, bool | complex):
        raise InvalidArgumentError(f"{fn}: Currently, we only support dx as a real number.")
    return float(dx)


_TRAPEZOID_SIGNATURES = ("but expected one of:\n * (Tensor y, Tensor x, *, int dim = -1)\n"
                         " * (Tensor y, *, Number dx = 1, int dim = -1)\n")
_TRAPZ_SIGNATURES = ("but expected one of:\n * (Tensor y, *, float dx = 1, int dim = -1)\n"
                     " * (Tensor y, Tensor x, *, int dim = -1)\n")


def _check_x(fn: str, x: Any, signatures: str = _TRAPEZOID_SIGNATURES) -> None:
    """torch's argument parser: a positional ``x`` must be a Tensor."""
    if x is not None and not isinstance(x, Tensor):
        raise InvalidTypeError(f"{fn}() received an invalid combination of arguments - got "
                               f"(Tensor, {type(x).__name__}), " + signatures)


def _no_dims(dim: int) -> Exception:
    from ..errors import IndexOutOfRangeError

    return IndexOutOfRangeError(f"Dimension specified as {dim} but tensor has no dimensions")


def trapezoid(y: Tensor, x: Tensor | None = None, *, dx: Any = None, dim: int = -1) -> Tensor:
    return _trapezoid(y, x, dx, dim, "trapezoid")


def _trapezoid(y: Tensor, x: Any, dx: Any, dim: int, fn: str) -> Tensor:
    _check_x(fn, x, _TRAPZ_SIGNATURES if fn == "trapz" else _TRAPEZOID_SIGNATURES)
    if x is not None and dx is not None:
        raise InvalidTypeError("trapezoid() received an invalid combination of arguments - got "
                               f"(Tensor, Tensor, dx={type(dx).__name__}), "
                               + _TRAPEZOID_SIGNATURES)
    if x is None:
        if y.dim() == 0:
            raise _no_dims(dim)
        n = y.shape[_wrap_dim(dim, y.dim())]
        if n == 0:
            return _zeros_except(y, dim)
        step = _dx_number("trapezoid", y, 1 if dx is None else dx)
        ends = add(select(y, dim, 0), select(y, dim, -1))
        return _scalar_mul(sub(tsum(y, dim), _scalar_mul(ends, 0.5)), step)
    if y.dim() == 0:
        from ..errors import IndexOutOfRangeError

        # torch wraps the dim as for a 1-d tensor, then asks the 0-d y for its size
        raise IndexOutOfRangeError(f"Dimension specified as {_wrap_dim(dim, 1)} but tensor "
                                   "has no dimensions")
    d = _wrap_dim(dim, y.dim())
    if y.shape[d] == 0:
        return _zeros_except(y, d)
    step = _trapezoid_x("trapezoid", y, x, d)
    pairs = add(_slice(y, d, 0, -1), _slice(y, d, 1))
    return _scalar_div(tsum(mul(pairs, step), d), 2.0)


def _zeros_except(y: Tensor, dim: int) -> Tensor:
    shape = list(y.shape)
    del shape[_wrap_dim(dim, y.dim())]
    return Tensor._make(np.zeros(shape, dtype=y._data.dtype), None, 0, None)


def trapz(y: Tensor, x: Tensor | None = None, *, dx: Any = None, dim: int = -1) -> Tensor:
    return _trapezoid(y, x, dx, dim, "trapz")


def cumulative_trapezoid(y: Tensor, x: Tensor | None = None, *, dx: Any = None,
                         dim: int = -1) -> Tensor:
    _check_x("cumulative_trapezoid", x)
    if x is not None and dx is not None:
        raise InvalidTypeError(
            "cumulative_trapezoid() received an invalid combination of arguments - got (Tensor, "
            f"Tensor, dx={type(dx).__name__}), " + _TRAPEZOID_SIGNATURES)
    if y.dim() == 0:
        from ..errors import IndexOutOfRangeError

        raise IndexOutOfRangeError("slice() cannot be applied to a 0-dim tensor.")
    if x is None:
        step = _dx_number("cumulative_trapezoid", y, 1 if dx is None else dx)
        d = _wrap_dim(dim, y.dim())
        pairs = add(_slice(y, d, 0, -1), _slice(y, d, 1))
        if pairs._data.dtype.kind == "f":
            return cumsum(mul_scalar_op(pairs, other=step / 2.0), d)
        return cumsum(mul(pairs, step / 2.0), d)
    d = _wrap_dim(dim, y.dim())
    if y._data.dtype.kind == "b" or x._data.dtype.kind == "b":
        raise InvalidArgumentError("cumulative_trapezoid: received a bool input for `x` or `y`, "
                                   "but bool is not supported")
    step = _trapezoid_x("cumulative_trapezoid", y, x, d)
    pairs = add(_slice(y, d, 0, -1), _slice(y, d, 1))
    return _scalar_div(cumsum(mul(pairs, step), d), 2.0)


def _num(v: float) -> str:
    """A double as C++ streams print it (6 significant digits)."""
    return "nan" if math.isnan(v) else f"{v:g}"


def histc(input: Tensor, bins: int = 100, min: Any = 0, max: Any = 0) -> Tensor:
    if bins <= 0:
        raise InvalidArgumentError(f"torch.histogram(): bins must be > 0, but got {bins} for "
                                   "dimension 0")
    a = input._data
    lo, hi = float(min), float(max)
    if lo == hi and a.size:
        lo, hi = float(a.min()), float(a.max())
        if np.isnan(a).any():
            lo = hi = math.nan
    if lo == hi:
        lo, hi = lo - 1, hi + 1
    if not (math.isfinite(lo) and math.isfinite(hi)):
        raise InvalidArgumentError(f"torch.histc: range of [{_num(lo)}, {_num(hi)}] is not "
                                   "finite")
    if not lo < hi:
        raise InvalidArgumentError("torch.histc: max must be larger than min")
    if a.dtype.kind != "f":
        from .pointwise_misc import KernelNotImplementedError

        raise KernelNotImplementedError(
            f"\"histogram_cpu\" not implemented for '{dtypes.scalar_type_name(a.dtype)}'")
    dt = a.dtype.type
    left, right = dt(lo), dt(hi)
    x = a.reshape(-1)
    x = x[(x >= left) & (x <= right)]
    # torch's linear-interpolation bin, computed in the input's dtype
    with np.errstate(invalid="ignore", over="ignore"):
        pos = ((x - left) * dt(bins) / (right - left)).astype(np.int64)
    pos[pos == bins] = bins - 1
    counts = np.bincount(pos, minlength=bins)[:bins]
    return Tensor._make(counts.astype(a.dtype), None, 0, None)


def _bincount(a: np.ndarray, weights: np.ndarray, minlength: int = 0) -> np.ndarray:
    dt = weights.dtype if weights.dtype in (np.float32, np.float64) else np.float64
    n = builtins.max(int(a.max()) + 1 if a.size else 0, minlength)
    return np.bincount(a, weights.astype(np.float64), minlength=n).astype(dt)


bincount_ni_op = NotImplementedOp("bincount", "aten::bincount", _bincount,
                                  inputs=("self", "weights"))


def bincount(input: Tensor, weights: Tensor | None = None, minlength: int = 0) -> Tensor:
    a = input._data
    if a.dtype.kind not in "iu":
        from .pointwise_misc import KernelNotImplementedError

        raise KernelNotImplementedError(
            f"\"bincount_cpu\" not implemented for '{dtypes.scalar_type_name(a.dtype)}'")
    if minlength < 0:
        raise InvalidArgumentError("minlength should be >= 0")
    if a.ndim == 1 and a.size == 0:
        return Tensor._make(np.zeros(minlength, dtype=np.int64), None, 0, None)
    if a.ndim != 1 or a.min() < 0:
        raise InvalidArgumentError("bincount only supports 1-d non-negative integral inputs.")
    if weights is None:
        n = builtins.max(int(a.max()) + 1, minlength)
        return Tensor._make(np.bincount(a, minlength=n).astype(np.int64), None, 0, None)
    if weights.dim() != 1 or weights.shape[0] != a.shape[0]:
        raise InvalidArgumentError("weights should be 1-d and have the same length as input")
    return bincount_ni_op(input, weights, minlength=int(minlength))


def aminmax(input: Tensor, *, dim: int | None = None, keepdim: bool = False) -> AminmaxResult:
    if dim is not None and not isinstance(dim, int):
        raise InvalidTypeError(f"aminmax(): argument 'dim' must be int, not {type(dim).__name__}")
    a = input._data
    if dim is None:
        if a.size == 0:
            raise InvalidArgumentError("aminmax(): cannot compute aminmax over an empty "
                                       "dimension as the operation has no identity.")
        d = None
    else:
        d = _wrap_dim(dim, a.ndim)
        if a.ndim and a.shape[d] == 0:
            from ..errors import IndexOutOfRangeError

            raise IndexOutOfRangeError(f"aminmax: Expected reduction dim {d} to have non-zero "
                                       "size.")
        if not a.ndim:
            d = None
    lo, hi = aminmax_op(input, dim=d, keepdim=keepdim)
    return AminmaxResult(lo, hi)


def _histogram(a: np.ndarray, bins: np.ndarray, weight: Any = None,
               density: bool = False) -> list[np.ndarray]:
    """torch's histogramdd kernel for one dimension: edges[0] <= x <= edges[-1] counted (the
    last bin closed), a bin found by binary search over the edges."""
    x = a.reshape(-1)
    keep = (x >= bins[0]) & (x <= bins[-1])
    pos = np.searchsorted(bins, x[keep], side="right") - 1
    pos[pos == bins.size - 1] -= 1
    w = None if weight is None else weight.reshape(-1)[keep].astype(np.float64)
    hist = np.bincount(pos, w, minlength=bins.size - 1)[:bins.size - 1]
    if density:
        with np.errstate(divide="ignore", invalid="ignore"):
            hist = hist / hist.sum() / np.diff(bins.astype(np.float64))
    return [hist.astype(a.dtype), bins.copy()]


histogram_ni_op = NotImplementedOp("histogram", "aten::histogram", _histogram, inputs=("self",))
histogram_ni_op.multi_output = True  # (hist, bin_edges) share one node, as in torch
histogram_ni_op._plain = False


class HistogramResult(tuple):
    """``(hist, bin_edges)``, printed as ``torch.return_types.histogram``."""

    __slots__ = ()
    _fields = ("hist", "bin_edges")

    def __new__(cls, hist: Tensor, bin_edges: Tensor) -> HistogramResult:
        return tuple.__new__(cls, (hist, bin_edges))

    @property
    def hist(self) -> Tensor:
        return self[0]

    @property
    def bin_edges(self) -> Tensor:
        return self[1]

    def __repr__(self) -> str:
        return f"torch.return_types.histogram(\nhist={self[0]!r},\nbin_edges={self[1]!r})"


HistogramResult.__module__ = "torch.return_types"
HistogramResult.__name__ = HistogramResult.__qualname__ = "histogram"


def _dd_type(dt: np.dtype) -> str:
    return {"float32": "float", "float64": "double"}.get(str(dt), str(dt))


def _check_bin_edges(edges: np.ndarray, dt: np.dtype, dim: int) -> np.ndarray:
    """ATen's histogramdd checks of the bin edges given for dimension ``dim``."""
    if edges.dtype != dt:
        raise InvalidArgumentError(
            "torch.histogramdd: input tensor and bins tensors should have the same dtype, "
            f"but got input with dtype {_dd_type(dt)} and bins for dimension {dim} with "
            f"dtype {_dd_type(edges.dtype)}")
    if edges.ndim != 1:
        raise InvalidArgumentError(
            "torch.histogramdd: bins tensor should have one dimension, but got "
            f"{edges.ndim} dimensions in the bins tensor for dimension {dim}")
    if not edges.size:
        raise InvalidArgumentError(
            "torch.histogramdd: bins tensor should have at least 1 element, but got 0 "
            f"elements in the bins tensor for dimension {dim}")
    return edges


def _check_bin_range(lo: float, hi: float, dim: int) -> tuple[float, float]:
    """ATen's histogramdd checks of dimension ``dim``'s range; an empty range widened by 0.5
    at each end."""
    if not (math.isfinite(lo) and math.isfinite(hi)):
        raise InvalidArgumentError(f"torch.histogramdd: dimension {dim}'s range [{_num(lo)}, "
                                   f"{_num(hi)}] is not finite")
    if lo > hi:
        raise InvalidArgumentError(f"torch.histogramdd: min should not exceed max, but got "
                                   f"min {_num(lo)} max {_num(hi)} for dimension {dim}")
    return (lo - 0.5, hi + 0.5) if lo == hi else (lo, hi)


def _check_weight_dtype(wt: np.dtype, dt: np.dtype) -> None:
    if wt != dt:
        raise InvalidArgumentError(
            "torch.histogramdd: if weight tensor is provided, input tensor and weight tensor "
            f"should have the same dtype, but got input({_dd_type(dt)}), and "
            f"weight({_dd_type(wt)})")


def histogram(input: Tensor, bins: Any = 100, *, range: Any = None, weight: Tensor | None = None,
              density: bool = False) -> HistogramResult:
    from ..ranges import _linspace

    a = input._data
    if a.dtype.kind != "f":
        from .pointwise_misc import KernelNotImplementedError

        raise KernelNotImplementedError(
            f"\"histogramdd\" not implemented for '{dtypes.scalar_type_name(a.dtype)}'")
    if isinstance(bins, Tensor):
        edges = _check_bin_edges(bins._data, a.dtype, 0)
    else:
        if bins <= 0:
            raise InvalidArgumentError(f"torch.histogram(): bins must be > 0, but got {bins} "
                                       "for dimension 0")
        lo, hi = (0.0, 1.0) if range is None and not a.size else (
            (float(np.min(a)), float(np.max(a))) if range is None else
            (float(range[0]), float(range[1])))
        lo, hi = _check_bin_range(lo, hi, 0)
        edges = _linspace(lo, hi, int(bins) + 1, a.dtype)
    w = None
    if weight is not None:
        w = weight._data
        _check_weight_dtype(w.dtype, a.dtype)
        if w.size != a.size or (w.ndim != 1 and w.shape != a.shape):
            raise InvalidArgumentError(
                "torch.histogramdd: if weight tensor is provided it should have the same shape "
                "as the input tensor excluding its innermost dimension, but got input with shape "
                f"[{a.size}, 1] and weight with shape {list(w.shape)}")
    hist, bin_edges = histogram_ni_op(input, bins=np.asarray(edges), weight=w,
                                      density=bool(density))
    return HistogramResult(hist, bin_edges)


# ==============================================================================================
# the names this family adds: torch.<name>, Tensor.<name>, torch.nn.functional.<name>
# ==============================================================================================
TORCH: dict[str, Any] = {
    "nansum": nansum, "nanmean": nanmean, "var_mean": var_mean, "std_mean": std_mean,
    "dist": dist, "cdist": cdist, "cov": cov, "corrcoef": corrcoef, "trapezoid": trapezoid,
    "trapz": trapz, "cumulative_trapezoid": cumulative_trapezoid, "histc": histc,
    "bincount": bincount, "histogram": histogram, "aminmax": aminmax,
}

METHODS: dict[str, Any] = {
    "nansum": nansum, "nanmean": nanmean, "dist": dist, "cov": cov, "corrcoef": corrcoef,
    "histc": histc, "bincount": bincount, "histogram": histogram, "aminmax": aminmax,
}

FUNCTIONAL: dict[str, Any] = {}
