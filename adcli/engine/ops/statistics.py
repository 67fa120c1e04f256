"""Reductions that skip nan or return two results, and distances: nansum, nanmean, var_mean,
std_mean, dist, cdist.

Table ops with torch's nodes (NansumBackward0, VarMeanBackward0, StdMeanBackward0,
DistBackward0, CdistBackward0, EuclideanDistBackward0); ``nanmean`` is torch's composite
(``nansum / count of non-nan``, DivBackward0 over NansumBackward0).
"""

from __future__ import annotations

import math
import types
from typing import Any

import numpy as np

from .. import dtypes
from ..errors import InvalidArgumentError, InvalidValueError, ShapeMismatchError
from ..op import OpDef, defop
from ..tensor import Tensor
from .arithmetic import div
from .common import _dims, _unreduce, broadcast_shapes, result_dtype
from .conversion import to
from .kernels import KERNELS
from .reductions import _correction, _norm_self, _var_backward
from .shape import expand, view

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
        gt, rt = (B.clone(t) if not t.is_contiguous() else t for t in (gt, rt))
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


# ==============================================================================================
# the names this family adds: torch.<name>, Tensor.<name>, torch.nn.functional.<name>
# ==============================================================================================
TORCH: dict[str, Any] = {
    "nansum": nansum, "nanmean": nanmean, "var_mean": var_mean, "std_mean": std_mean,
    "dist": dist, "cdist": cdist,
}

METHODS: dict[str, Any] = {
    "nansum": nansum, "nanmean": nanmean, "dist": dist,
}

FUNCTIONAL: dict[str, Any] = {}
