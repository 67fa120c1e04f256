"""Margin, embedding and likelihood losses and distances: ``cosine_embedding_loss``,
``margin_ranking_loss``, ``hinge_embedding_loss``, ``soft_margin_loss``,
``multilabel_soft_margin_loss``, ``multilabel_margin_loss``, ``multi_margin_loss``,
``triplet_margin_loss`` (+ ``_with_distance``), ``gaussian_nll_loss``, ``poisson_nll_loss``,
``pairwise_distance``, ``pdist``.

Where PyTorch composes a loss from other ops (in ATen or in ``torch.nn.functional``) adcli
composes it from the same ops in the same order, so the graph records PyTorch's nodes (C++
scalar overloads as ``AddBackward1``/``MulBackward1``, Python ones wrapped). Where PyTorch has a
kernel of its own (soft_margin, multi_margin, multilabel_margin, pdist) adcli has an op with
PyTorch's node name, and its backward kernel's double backward is PyTorch's (a formula, or a
node whose backward raises).
"""

from __future__ import annotations

import builtins
import math
from collections.abc import Callable
from typing import Any

import numpy as np

from ..dtypes import scalar_type_name
from ..errors import InvalidArgumentError, InvalidTypeError
from ..grad_mode import no_grad
from ..op import OpDef, defop
from ..tensor import Tensor
from .activations import logsigmoid
from .arithmetic import (
    NotImplementedOp,
    add,
    add_scalar_op,
    eq,
    le,
    mul,
    mul_scalar_op,
    ne,
    neg,
    sub,
    sub_scalar_op,
)
from .common import as_tensor, broadcast_shapes, check_no_requires_grad
from .kernels import KERNELS, kernel_op
from .losses import _legacy_reduction
from .pointwise import exp, log
from .pointwise_multi import clamp_min, clamp_min_, minimum, where
from .reductions import _norm, _norm_self, mean, sum
from .scatter import masked_fill

# PyTorch's Loss.cpp adds ``constexpr float EPSILON = 1e-12`` (a float, widened to double).
_EPSILON = float(np.float32(1e-12))


def _enum(reduction: str, size_average: Any = None, reduce: Any = None) -> str:
    """torch's ``_Reduction.get_enum`` / ``legacy_get_enum``: the reduction name, checked."""
    if size_average is not None or reduce is not None:
        return _legacy_reduction(size_average, reduce)
    if reduction not in ("mean", "sum", "none"):
        raise ValueError(f"{reduction} is not a valid value for reduction")
    return reduction


def _apply_reduction(out: Tensor, reduction: str) -> Tensor:
    """ATen's apply_loss_reduction."""
    if reduction == "mean":
        return mean(out)
    if reduction == "sum":
        return sum(out)
    return out


def _scalar_like(value: float, like: Tensor) -> Tensor:
    """A 0-d constant of ``like``'s dtype (C++ ``number - tensor`` fills one and subtracts)."""
    return Tensor._make(np.asarray(value, dtype=like._data.dtype), None, 0, None)


def _size(t: Tensor) -> str:
    return "[" + ", ".join(str(n) for n in t.shape) + "]"


# ==============================================================================================
# the table: ops with kernels of their own
# ==============================================================================================
def _norm_factor(x: Any, reduction: str) -> float:
    return 1.0 / max(x.size, 1) if reduction == "mean" else 1.0


def _soft_margin(x: np.ndarray, target: np.ndarray, reduction: str = "mean") -> np.ndarray:
    # PyTorch's in-place chain: log(exp(-input * target) + 1)
    out = np.asarray(np.log(np.exp(-x * target) + 1.0), dtype=x.dtype)
    if reduction == "mean":
        return np.asarray(out.mean(), dtype=x.dtype)
    if reduction == "sum":
        return np.asarray(out.sum(), dtype=x.dtype)
    return out


soft_margin_loss_op = defop("soft_margin_loss", "SoftMarginLossBackward0", _soft_margin,
                            save=("self",), torch="torch.nn.functional.soft_margin_loss")


@soft_margin_loss_op.grad("self")
def _soft_margin_self(g, s, B):
    "soft_margin_loss_backward(...) = -target * z / (1 + z) * grad / N, z = exp(-target * self)"
    return B.soft_margin_loss_backward(g, s.self, s.target, s.reduction)


def _soft_margin_loss_backward(g: Any, x: Any, target: Any, reduction: str) -> Any:
    z = np.exp(-target * x)
    return target * z * -_norm_factor(x, reduction) / (z + 1) * g


soft_margin_loss_backward_op = kernel_op(
    "soft_margin_loss_backward", _soft_margin_loss_backward, ("grad_output", "self"),
    ("target", "reduction"), save=("grad_output", "self"))


def _const(x: Any, B: Any) -> Any:
    return as_tensor(x) if B.tensors else x


@soft_margin_loss_backward_op.grad("grad_output")
def _soft_margin_backward_go(g, s, B):
    "soft_margin_loss_backward(grad, self, target, reduction), summed for a reduced loss"
    if s.reduction == "none":
        return B.soft_margin_loss_backward(g, s.self, s.target, s.reduction)
    r = B.soft_margin_loss_backward(B.ones_like(s.grad_output), s.self, s.target, s.reduction)
    return B.sum(r * g)


@soft_margin_loss_backward_op.grad("self")
def _soft_margin_backward_self(g, s, B):
    "target^2 * z / (z + 1)^2 * norm * grad * grad_output, z = exp(-self * target)"
    t = _const(s.target, B)
    gg = g * s.grad_output
    z = B.exp(s.self * -t)
    norm = 1.0 / max(math.prod(s.sizes[1]), 1) if s.reduction == "mean" else 1.0
    return (t * t) * z / (z + 1) / (z + 1) * norm * gg


# -- multi_margin_loss: PyTorch's CPU kernel, vectorised over the samples --
def _mm_rows(x: np.ndarray, target: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    xs = x.reshape(-1, x.shape[-1]) if x.ndim else x.reshape(1, 1)
    ts = np.atleast_1d(target).reshape(-1).astype(np.int64)
    return xs, ts


def _multi_margin(x: np.ndarray, target: np.ndarray, p: int = 1, margin: float = 1.0,
                  weight: Any = None, reduction: str = "mean") -> np.ndarray:
    xs, ts = _mm_rows(x, target)
    n, dim = xs.shape
    rows = np.arange(n)
    z = margin - xs[rows, ts][:, None] + xs
    h = np.where(z > 0, z if p == 1 else z * z, 0).astype(x.dtype)
    if weight is not None:
        h = h * weight[ts][:, None]
    h[rows, ts] = 0
    out = h.sum(axis=1) / dim
    if reduction == "mean":
        return np.asarray(out.sum() / n, dtype=x.dtype)
    if reduction == "sum":
        return np.asarray(out.sum(), dtype=x.dtype)
    return out.reshape(x.shape[:-1]) if x.ndim == 2 else out.reshape(())


multi_margin_loss_op = defop("multi_margin_loss", "MultiMarginLossBackward0", _multi_margin,
                             save=("self",), torch="torch.nn.functional.multi_margin_loss")


def _multi_margin_loss_backward(g: Any, x: Any, target: Any, p: int, margin: float,
                                weight: Any, reduction: str) -> Any:
    xs, ts = _mm_rows(x, target)
    n, dim = xs.shape
    rows = np.arange(n)
    scale = 1.0 / (n * dim) if reduction == "mean" else 1.0 / dim
    z = margin - xs[rows, ts][:, None] + xs
    h = np.where(z > 0, scale if p == 1 else 2 * scale * z, 0).astype(xs.dtype)
    if weight is not None:
        h = h * weight[ts][:, None]
    h[rows, ts] = 0
    h[rows, ts] = -h.sum(axis=1)
    go = np.asarray(g)
    if reduction == "none" and go.ndim:
        h = h * go.reshape(-1, 1)
    else:
        h = h * go.reshape(())
    return h.reshape(x.shape)


multi_margin_loss_backward_ni = NotImplementedOp(
    "multi_margin_loss_backward", "aten::multi_margin_loss_backward",
    lambda g, x, **a: _multi_margin_loss_backward(g, x, a["target"], a["p"], a["margin"],
                                                  a["weight"], a["reduction"]),
    inputs=("grad_output", "self"))


@multi_margin_loss_op.grad("self")
def _multi_margin_self(g, s, B):
    "multi_margin_loss_backward(grad, self, target, p, margin, weight, reduction)"
    if B.tensors:
        return multi_margin_loss_backward_ni(g, s.self, target=s.target, p=s.p,
                                             margin=s.margin, weight=s.weight,
                                             reduction=s.reduction)
    return _multi_margin_loss_backward(g, s.self, s.target, s.p, s.margin, s.weight,
                                       s.reduction)


# -- multilabel_margin_loss: targets are class indices up to the first -1 --
def _ml_targets(x: np.ndarray, target: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(rows of x, is_target mask, listed-target mask): one row per sample."""
    xs = x.reshape(-1, x.shape[-1]) if x.ndim else x.reshape(1, 1)
    ts = target.reshape(xs.shape).astype(np.int64)
    listed = np.cumprod(ts >= 0, axis=1).astype(bool)  # up to the first negative
    return xs, ts, listed


def _multilabel_margin(x: np.ndarray, target: np.ndarray, reduction: str = "mean") -> np.ndarray:
    xs, ts, listed = _ml_targets(x, target)
    n, dim = xs.shape
    is_t = np.zeros_like(xs, dtype=bool)
    rows = np.repeat(np.arange(n), dim)[listed.reshape(-1)]
    is_t[rows, ts[listed]] = True
    out = np.zeros(n, dtype=x.dtype)
    for j in range(dim):  # the j-th listed target of each sample
        on = listed[:, j]
        if not on.any():
            continue
        xt = xs[np.arange(n), np.where(on, ts[:, j], 0)]
        z = np.where(~is_t, 1 - xt[:, None] + xs, 0)
        out += np.where(on, np.where(z > 0, z, 0).sum(axis=1), 0).astype(x.dtype)
    out = out / dim
    if reduction == "mean":
        return np.asarray(out.sum() / n, dtype=x.dtype)
    if reduction == "sum":
        return np.asarray(out.sum(), dtype=x.dtype)
    return out if x.ndim == 2 else out.reshape(())


multilabel_margin_loss_op = defop(
    "multilabel_margin_loss", "MultilabelMarginLossBackward0", _multilabel_margin,
    save=("self",), torch="torch.nn.functional.multilabel_margin_loss")


def _multilabel_margin_loss_backward(g: Any, x: Any, target: Any, reduction: str) -> Any:
    xs, ts, listed = _ml_targets(x, target)
    n, dim = xs.shape
    scale = 1.0 / (n * dim) if reduction == "mean" else 1.0 / dim
    is_t = np.zeros_like(xs, dtype=bool)
    rows_all = np.arange(n)
    rows = np.repeat(rows_all, dim)[listed.reshape(-1)]
    is_t[rows, ts[listed]] = True
    grad = np.zeros_like(xs)
    for j in range(dim):
        on = listed[:, j]
        if not on.any():
            continue
        tj = np.where(on, ts[:, j], 0)
        xt = xs[rows_all, tj]
        hit = (~is_t) & (1 - xt[:, None] + xs > 0) & on[:, None]
        grad += hit * scale
        grad[rows_all, tj] -= hit.sum(axis=1) * scale
    go = np.asarray(g)
    grad = grad * (go.reshape(-1, 1) if reduction == "none" and go.ndim else go.reshape(()))
    return grad.reshape(x.shape).astype(xs.dtype, copy=False)


multilabel_margin_loss_backward_ni = NotImplementedOp(
    "multilabel_margin_loss_backward", "aten::multilabel_margin_loss_backward",
    lambda g, x, **a: _multilabel_margin_loss_backward(g, x, a["target"], a["reduction"]),
    inputs=("grad_output", "self"))


@multilabel_margin_loss_op.grad("self")
def _multilabel_margin_self(g, s, B):
    "multilabel_margin_loss_backward(grad, self, target, reduction, is_target) (no double backward)"
    if B.tensors:
        return multilabel_margin_loss_backward_ni(g, s.self, target=s.target,
                                                  reduction=s.reduction)
    return _multilabel_margin_loss_backward(g, s.self, s.target, s.reduction)


# -- pdist: the distances between the rows, i < j --
def _pairs(n: int) -> tuple[np.ndarray, np.ndarray]:
    return np.triu_indices(n, 1)


def _pdist(x: np.ndarray, p: float = 2.0) -> np.ndarray:
    i, j = _pairs(x.shape[0])
    d = np.abs(x[i] - x[j])
    return _norm(d, ord=p, dim=1) if d.size else np.zeros(len(i), dtype=x.dtype)


pdist_op = defop("pdist", "PdistBackward0", _pdist, save=("self", "result"),
                 torch="torch.nn.functional.pdist")


def _pdist_backward(g: Any, x: Any, dist: Any, p: float) -> Any:
    n, m = x.shape
    out = np.zeros_like(x)
    if n <= 1 or m == 0 or p == 0:
        return out
    i, j = _pairs(n)
    diff = x[i] - x[j]
    gd, dd = np.asarray(g)[:, None], np.asarray(dist)[:, None]
    with np.errstate(divide="ignore", invalid="ignore"):
        if p == 1:
            c = np.sign(diff) * gd
        elif p < 2:
            c = np.where((dd == 0) | ((diff == 0) & (p < 1)), 0,
                         np.sign(diff) * np.abs(diff) ** (p - 1) * gd / dd ** (p - 1))
        elif p == 2:
            c = np.where(dd == 0, 0, gd * diff / dd)
        elif p == math.inf:
            c = np.sign(diff) * (np.abs(diff) == dd) * gd
        else:
            c = np.where(dd == 0, 0, diff * np.abs(diff) ** (p - 2) * gd / dd ** (p - 1))
    c = c.astype(x.dtype, copy=False)
    np.add.at(out, i, c)
    np.add.at(out, j, -c)
    return out


# PyTorch has no derivative for _pdist_backward: its node (PdistBackwardBackward0) raises in
# backward. Not in the op table (no rule to show or test), as the NotImplemented ops.
def _pdist_backward_forward(g: Any, x: Any, pdist: Any, p: float = 2.0) -> Any:
    return _pdist_backward(g, x, pdist, p)


pdist_backward_op = OpDef("pdist_backward", "PdistBackwardBackward0", _pdist_backward_forward,
                          inputs=("grad", "self", "pdist"))


@pdist_backward_op.grad_all
def _pdist_backward_grads(g, s, B, needs):
    "not implemented, as in PyTorch"
    raise NotImplementedError("the derivative for '_pdist_backward' is not implemented.")


def _pdist_backward_recorded(g: Tensor, x: Tensor, pdist: Tensor, p: float) -> Tensor:
    return pdist_backward_op(g, x, pdist, p=p)


KERNELS["pdist_backward"] = (_pdist_backward, _pdist_backward_recorded)


@pdist_op.grad("self")
def _pdist_self(g, s, B):
    "_pdist_backward(grad, self, p, result)"
    return B.pdist_backward(g, s.self, s.result, s.p)


# pairwise_distance's ``at::norm(x, p, dim, keepdim)``: the norm.ScalarOpt_dim overload, whose
# node PyTorch names NormBackward1 (same formula as linalg_vector_norm's).
norm_dim_op = defop("norm_scalaropt_dim", "NormBackward1", _norm, save=("self", "result"),
                    torch="torch.pairwise_distance (aten::norm.ScalarOpt_dim)")
norm_dim_op.grad("self")(_norm_self)


# ==============================================================================================
# torch.nn.functional
# ==============================================================================================
def pairwise_distance(x1: Tensor, x2: Tensor, p: float = 2.0, eps: float = 1e-6,
                      keepdim: bool = False) -> Tensor:
    """``norm(x1 - x2 + eps, p, -1, keepdim)`` over the innermost dim of the broadcast."""
    dim = max(x1._data.ndim, x2._data.ndim) - 1
    d = add_scalar_op(sub(x1, x2), other=float(eps))
    return norm_dim_op(d, ord=float(p), dim=(dim,) if dim >= 0 else None, keepdim=keepdim)


def pdist(input: Tensor, p: float = 2.0) -> Tensor:
    if input._data.ndim != 2:
        raise InvalidArgumentError(f"pdist only supports 2D tensors, got: {input._data.ndim}D")
    if input._data.dtype.kind != "f":
        raise InvalidArgumentError("pdist only supports floating-point dtypes")
    if p < 0:
        raise InvalidArgumentError("pdist only supports non-negative p values")
    return pdist_op(input, p=float(p))


def cosine_embedding_loss(input1: Tensor, input2: Tensor, target: Tensor, margin: float = 0,
                          size_average: Any = None, reduce: Any = None,
                          reduction: str = "mean") -> Tensor:
    red = _enum(reduction, size_average, reduce)
    tdim = target._data.ndim
    if tdim not in (0, 1):
        raise InvalidArgumentError("0D or 1D target tensor expected, multi-target not supported")
    if tdim == 1 and input1._data.ndim != 2:
        raise InvalidArgumentError(
            "1D target tensor expects 2D input tensors, but found inputs with sizes "
            f"{_size(input1)} and {_size(input2)}.")
    if tdim == 0 and input1._data.ndim != 1:
        raise InvalidArgumentError(
            "0D target tensor expects 1D input tensors, but found inputs with sizes "
            f"{_size(input1)} and {_size(input2)}.")
    prod_sum = sum(mul(input1, input2), tdim)
    mag1 = add_scalar_op(sum(mul(input1, input1), tdim), other=_EPSILON)
    mag2 = add_scalar_op(sum(mul(input2, input2), tdim), other=_EPSILON)
    denom = mul(mag1, mag2).sqrt_()
    cos = prod_sum / denom
    zeros = Tensor._make(np.zeros_like(cos._data), None, 0, None)
    pos = sub(_scalar_like(1.0, cos), cos)
    negv = clamp_min_(sub_scalar_op(cos, other=float(margin)), 0)
    out = add(where(eq(target, 1), pos, zeros), where(eq(target, -1), negv, zeros))
    return _apply_reduction(out, red)


def margin_ranking_loss(input1: Tensor, input2: Tensor, target: Tensor, margin: float = 0,
                        size_average: Any = None, reduce: Any = None,
                        reduction: str = "mean") -> Tensor:
    red = _enum(reduction, size_average, reduce)
    if input1.dim() != input2.dim() or input1.dim() != target.dim():
        raise InvalidArgumentError(
            "margin_ranking_loss : All input tensors should have same dimension but got sizes: "
            f"input1: {input1.size()}, input2: {input2.size()}, target: {target.size()} ")
    return _margin_ranking(input1, input2, target, margin, red)


def _margin_ranking(input1: Tensor, input2: Tensor, target: Tensor, margin: float,
                    red: str) -> Tensor:
    """ATen's margin_ranking_loss (its dimension check is torch.nn.functional's)."""
    diff = sub(input1, input2)
    out = clamp_min_(add_scalar_op(mul(neg(target), diff), other=float(margin)), 0)
    return _apply_reduction(out, red)


def hinge_embedding_loss(input: Tensor, target: Tensor, margin: float = 1.0,
                         size_average: Any = None, reduce: Any = None,
                         reduction: str = "mean") -> Tensor:
    red = _enum(reduction, size_average, reduce)
    zeros = Tensor._make(np.zeros_like(input._data), None, 0, None)
    margin_clamp = clamp_min_(sub(_scalar_like(margin, input), input), 0)
    out_margin = where(ne(target, 1), margin_clamp, zeros)
    out_self = where(ne(target, -1), input, zeros)
    return _apply_reduction(add(out_margin, out_self), red)


def soft_margin_loss(input: Tensor, target: Tensor, size_average: Any = None,
                     reduce: Any = None, reduction: str = "mean") -> Tensor:
    red = _enum(reduction, size_average, reduce)
    t = as_tensor(target, input)
    check_no_requires_grad(t, "target", "soft_margin_loss")
    shape = broadcast_shapes(tuple(input.shape), tuple(t.shape))
    if tuple(shape) != tuple(input.shape):  # PyTorch multiplies the target in place
        raise InvalidArgumentError(
            f"output with shape {_size(input)} doesn't match the broadcast shape "
            f"[{', '.join(str(n) for n in shape)}]")
    tdata = np.broadcast_to(t._data.astype(input._data.dtype, copy=False), shape)
    return soft_margin_loss_op(input, target=tdata, reduction=red)


def multilabel_soft_margin_loss(input: Tensor, target: Tensor, weight: Tensor | None = None,
                                size_average: Any = None, reduce: Any = None,
                                reduction: str = "mean") -> Tensor:
    if size_average is not None or reduce is not None:
        reduction = _legacy_reduction(size_average, reduce)
    loss = -(target * logsigmoid(input) + (1 - target) * logsigmoid(-input))
    if weight is not None:
        loss = loss * weight
    class_dim = input.dim() - 1
    C = input.size(class_dim)
    loss = loss.sum(dim=class_dim) / C
    if reduction == "none":
        return loss
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    raise ValueError(reduction + " is not valid")


def _check_nd(input: Tensor) -> None:
    a = input._data
    if not ((a.ndim == 1 and a.size) or (a.ndim == 2 and a.shape[1]) or a.ndim == 0):
        raise InvalidArgumentError("Expected non-empty vector or matrix with optional 0-dim "
                                   f"batch size, but got: {_size(input)}")


def _long(target: Tensor) -> np.ndarray:
    if target._data.dtype != np.int64:
        raise InvalidArgumentError(
            f"expected scalar type Long but found {scalar_type_name(target._data.dtype)}")
    return target._data


def multi_margin_loss(input: Tensor, target: Tensor, p: int = 1, margin: float = 1.0,
                      weight: Tensor | None = None, size_average: Any = None,
                      reduce: Any = None, reduction: str = "mean") -> Tensor:
    red = _enum(reduction, size_average, reduce)
    if p != 1 and p != 2:
        raise ValueError("only p == 1 and p == 2 supported")
    if weight is not None and weight.dim() != 1:
        raise ValueError("weight must be one-dimensional")
    _check_nd(input)
    a = input._data
    nframe = 1 if a.ndim <= 1 else a.shape[0]
    dim = 1 if a.ndim == 0 else a.shape[-1]
    t = target._data
    if not (t.ndim <= 1 and t.size == nframe):
        raise InvalidArgumentError(
            "multi_margin_loss: target tensor should be 1-D with size equal to the number of "
            f"input samples (batch size). Expected target size [{nframe}], but got "
            f"{_size(target)}. Input has shape {_size(input)}.")
    check_no_requires_grad(weight, "weight", "multi_margin_loss")
    w = None
    if weight is not None:
        if weight._data.size != dim:
            raise InvalidArgumentError(
                f"inconsistent weight size, expected {dim} but got {_size(weight)}")
        if weight._data.dtype != a.dtype:
            raise InvalidArgumentError(
                f"expected scalar type {scalar_type_name(a.dtype)} but found "
                f"{scalar_type_name(weight._data.dtype)}")
        w = weight._data
    tt = _long(target)
    if tt.size and (tt.min() < 0 or tt.max() >= dim):
        raise InvalidArgumentError("target out of range")
    return multi_margin_loss_op(input, target=tt, p=int(p), margin=float(margin), weight=w,
                                reduction=red)


def multilabel_margin_loss(input: Tensor, target: Tensor, size_average: Any = None,
                           reduce: Any = None, reduction: str = "mean") -> Tensor:
    red = _enum(reduction, size_average, reduce)
    _check_nd(input)
    a, t = input._data, target._data
    ok = (t.shape == a.shape) if a.ndim else t.ndim <= 1 and t.size == 1
    if not ok:
        raise InvalidArgumentError(
            f"inconsistent target size: {_size(target)} for input of size: {_size(input)}")
    tt = _long(target)
    dim = 1 if a.ndim == 0 else a.shape[-1]
    rows = tt.reshape(-1, dim)
    listed = np.cumprod(rows >= 0, axis=1).astype(bool)
    if np.any(rows[listed] >= dim):
        raise InvalidArgumentError("argument #2 'target' is out of range")
    return multilabel_margin_loss_op(input, target=tt, reduction=red)


def triplet_margin_loss(anchor: Tensor, positive: Tensor, negative: Tensor,
                        margin: float = 1.0, p: float = 2, eps: float = 1e-6,
                        swap: bool = False, size_average: Any = None, reduce: Any = None,
                        reduction: str = "mean") -> Tensor:
    red = _enum(reduction, size_average, reduce)
    if margin <= 0:
        raise ValueError(f"margin must be greater than 0, got {margin}")
    return _triplet_margin(anchor, positive, negative, margin, p, eps, swap, red)


def _triplet_margin(anchor: Tensor, positive: Tensor, negative: Tensor, margin: float,
                    p: float, eps: float, swap: bool, red: str) -> Tensor:
    """ATen's triplet_margin_loss (the check of the margin is torch.nn.functional's)."""
    _check_triplet_dims(anchor, positive, negative)
    dist_pos = pairwise_distance(anchor, positive, p, eps)
    dist_neg = pairwise_distance(anchor, negative, p, eps)
    if swap:
        dist_swap = pairwise_distance(positive, negative, p, eps)
        dist_neg = minimum(dist_neg, dist_swap)
    out = clamp_min(sub(add_scalar_op(dist_pos, other=float(margin)), dist_neg), 0)
    return _apply_reduction(out, red)


def _check_triplet_dims(anchor: Tensor, positive: Tensor, negative: Tensor) -> None:
    a, p, n = anchor.ndim, positive.ndim, negative.ndim
    if not (a == p and p == n):
        raise InvalidArgumentError(
            "The anchor, positive, and negative tensors are expected to have the same number "
            f"of dimensions, but got: anchor {a}D, positive {p}D, and negative {n}D inputs")


def triplet_margin_with_distance_loss(
        anchor: Tensor, positive: Tensor, negative: Tensor, *,
        distance_function: Callable[[Tensor, Tensor], Tensor] | None = None,
        margin: float = 1.0, swap: bool = False, reduction: str = "mean") -> Tensor:
    if reduction not in ("mean", "sum", "none"):
        raise ValueError(f"{reduction} is not a valid value for reduction")
    if margin <= 0:
        raise ValueError(f"margin must be greater than 0, got {margin}")
    _check_triplet_dims(anchor, positive, negative)
    if distance_function is None:
        distance_function = pairwise_distance
    dist_pos = distance_function(anchor, positive)
    dist_neg = distance_function(anchor, negative)
    if swap:
        dist_swap = distance_function(positive, negative)
        dist_neg = minimum(dist_neg, dist_swap)
    loss = clamp_min(margin + dist_pos - dist_neg, 0)
    if reduction == "sum":
        return sum(loss)
    if reduction == "mean":
        return mean(loss)
    return loss


def _torch_any(x: Any) -> Any:
    """``torch.any(x)``: a Python bool (an int var's ``var < 0``) is refused with torch's
    TypeError."""
    if isinstance(x, Tensor):
        return x.any()
    raise TypeError(
        f"any() received an invalid combination of arguments - got ({type(x).__name__}), but "
        "expected one of:\n * (Tensor input, *, Tensor out = None)\n * (Tensor input, tuple of "
        "ints dim = None, bool keepdim = False, *, Tensor out = None)\n * (Tensor input, int "
        "dim, bool keepdim = False, *, Tensor out = None)\n")


def gaussian_nll_loss(input: Tensor, target: Tensor, var: Tensor | float, full: bool = False,
                      eps: float = 1e-6, reduction: str = "mean") -> Tensor:
    if isinstance(var, float):
        if var < 0:
            raise ValueError("var has negative entry/entries")
        var = var * input.new_ones(input.shape)
    elif bool(_torch_any(var < 0)):
        raise ValueError("var has negative entry/entries")
    if tuple(var.shape) != tuple(input.shape):
        if tuple(input.shape[:-1]) == tuple(var.shape):
            var = var.unsqueeze(-1)
        elif input.ndim == var.ndim and builtins.sum(
                y for x, y in zip(input.shape, var.shape, strict=True) if x != y) == 1:
            pass
        else:
            raise ValueError("var is of incorrect size")
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(reduction + " is not valid")
    var = var.clone()
    with no_grad():
        var.clamp_(min=eps)
    loss = 0.5 * (log(var) + (input - target) ** 2 / var)
    if full:
        loss += 0.5 * math.log(2 * math.pi)
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    return loss


def poisson_nll_loss(input: Tensor, target: Tensor, log_input: bool = True, full: bool = False,
                     size_average: Any = None, eps: float = 1e-8, reduce: Any = None,
                     reduction: str = "mean") -> Tensor:
    if size_average is not None or reduce is not None:
        reduction = _legacy_reduction(size_average, reduce)
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(reduction + " is not a valid value for reduction")
    # (C++ evaluates an operator's right operand first: its nodes are recorded first)
    if log_input:
        right = mul(target, input)
        loss = sub(exp(input), right)
    else:
        right = mul(target, log(add_scalar_op(input, other=float(eps))))
        loss = sub(input, right)
    if full:
        half_log = mul_scalar_op(log(mul_scalar_op(target, other=2 * math.pi)), other=0.5)
        stirling = add(sub(mul(target, log(target)), target), half_log)
        loss = loss.add_(masked_fill(stirling, le(target, 1), 0))
    return _apply_reduction(loss, reduction)


# ==============================================================================================
# torch.<loss>: ATen's functions, whose ``reduction`` is an int (0 none, 1 mean, 2 sum). Their
# Python binding parses the schema's default ``reduction=Mean`` as 0: called without it, torch's
# torch.hinge_embedding_loss & co return the unreduced loss (torch.nn.functional's pass it).
# ==============================================================================================
def _aten_reduction(fn: str, reduction: Any, position: int) -> str:
    """ATen's apply_loss_reduction: 1 mean, 2 sum, any other int none."""
    if isinstance(reduction, bool) or not isinstance(reduction, int | np.integer):
        raise InvalidTypeError(f"{fn}(): argument 'reduction' (position {position}) must be "
                               f"int, not {type(reduction).__name__}")
    return {1: "mean", 2: "sum"}.get(int(reduction), "none")


def aten_cosine_embedding_loss(input1: Tensor, input2: Tensor, target: Tensor,
                               margin: float = 0.0, reduction: int = 0) -> Tensor:
    red = _aten_reduction("cosine_embedding_loss", reduction, 5)
    return cosine_embedding_loss(input1, input2, target, margin, reduction=red)


def aten_margin_ranking_loss(input1: Tensor, input2: Tensor, target: Tensor,
                             margin: float = 0.0, reduction: int = 0) -> Tensor:
    red = _aten_reduction("margin_ranking_loss", reduction, 5)
    return _margin_ranking(input1, input2, target, margin, red)


def aten_hinge_embedding_loss(input: Tensor, target: Tensor, margin: float = 1.0,
                              reduction: int = 0) -> Tensor:
    red = _aten_reduction("hinge_embedding_loss", reduction, 4)
    return hinge_embedding_loss(input, target, margin, reduction=red)


def aten_triplet_margin_loss(anchor: Tensor, positive: Tensor, negative: Tensor,
                             margin: float = 1.0, p: float = 2, eps: float = 1e-06,
                             swap: bool = False, reduction: int = 0) -> Tensor:
    red = _aten_reduction("triplet_margin_loss", reduction, 8)
    return _triplet_margin(anchor, positive, negative, margin, p, eps, swap, red)


def aten_poisson_nll_loss(input: Tensor, target: Tensor, log_input: bool, full: bool,
                          eps: float, reduction: int) -> Tensor:
    red = _aten_reduction("poisson_nll_loss", reduction, 6)
    return poisson_nll_loss(input, target, log_input, full, eps=eps, reduction=red)


# ==============================================================================================
# the names this family adds: torch.<name>, Tensor.<name>, torch.nn.functional.<name>
# ==============================================================================================
TORCH: dict[str, Any] = {
    "pairwise_distance": pairwise_distance, "pdist": pdist,
    "cosine_embedding_loss": aten_cosine_embedding_loss,
    "margin_ranking_loss": aten_margin_ranking_loss,
    "hinge_embedding_loss": aten_hinge_embedding_loss,
    "triplet_margin_loss": aten_triplet_margin_loss, "poisson_nll_loss": aten_poisson_nll_loss,
}

METHODS: dict[str, Any] = {}

FUNCTIONAL: dict[str, Any] = {
    "pairwise_distance": pairwise_distance, "pdist": pdist,
    "cosine_embedding_loss": cosine_embedding_loss, "margin_ranking_loss": margin_ranking_loss,
    "hinge_embedding_loss": hinge_embedding_loss, "soft_margin_loss": soft_margin_loss,
    "multilabel_soft_margin_loss": multilabel_soft_margin_loss,
    "multilabel_margin_loss": multilabel_margin_loss, "multi_margin_loss": multi_margin_loss,
    "triplet_margin_loss": triplet_margin_loss,
    "triplet_margin_with_distance_loss": triplet_margin_with_distance_loss,
    "gaussian_nll_loss": gaussian_nll_loss, "poisson_nll_loss": poisson_nll_loss,
}
