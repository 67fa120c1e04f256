"""Losses: mse, l1, smooth_l1/huber, binary cross entropy (with logits), nll, cross
entropy, kl_div; the shared ``reduction`` handling.
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np

from ..dtypes import scalar_type_name
from ..errors import (
    IndexOutOfRangeError,
    InvalidArgumentError,
    InvalidValueError,
    ShapeMismatchError,
)
from ..hooks import observers
from ..op import defop
from ..tensor import Tensor
from .activations import (
    _log_softmax,
    _logsigmoid,
    _np_softplus,
    log_softmax,
    log_softmax_op,
    logsigmoid_op,
)
from .arithmetic import add, div, div_scalar_op, eq, logical_not, mul, mul_scalar_op, neg, sub
from .common import _bin, as_tensor, broadcast_shapes, check_no_requires_grad
from .indexing import gather
from .kernels import kernel_op
from .pointwise import abs, exp
from .pointwise_multi import xlogy
from .reductions import mean, sum
from .scatter import masked_fill_, masked_select
from .shape import reshape, view

# ==============================================================================================
# the table: forwards and derivative formulas
# ==============================================================================================


def _reduce(x: np.ndarray, reduction: str) -> np.ndarray:
    if reduction == "mean":
        return np.asarray(x.mean())
    if reduction == "sum":
        return np.asarray(x.sum())
    if reduction == "none":
        return x
    raise InvalidArgumentError(f"{reduction} is not a valid value for reduction")


def _reduce_grad(g: Any, s: Any, B: Any) -> Any:
    """The gradient of the reduction, at the loss's elementwise shape."""
    if s.reduction == "none":
        return g
    if s.reduction == "mean":
        return B.expand(g / max(int(np.prod(s.out_shape)), 1), s.out_shape)
    return B.expand(g, s.out_shape)


def _mse(a: np.ndarray, b: np.ndarray, reduction: str = "mean",
         out_shape: Any = None) -> np.ndarray:
    d = a - b
    return _reduce(d * d, reduction)


mse_loss_op = defop("mse_loss", "MseLossBackward0", _bin(_mse), inputs=("self", "target"),
                    save=("self", "target"), torch="torch.nn.functional.mse_loss")


@mse_loss_op.grad("self")
def _mse_self(g, s, B):
    "mse_loss_backward(grad, self, target, reduction) = 2 * (self - target) * grad / N"
    return B.mse_loss_backward(g, s.self, s.target, s.reduction)


@mse_loss_op.grad("target")
def _mse_target(g, s, B):
    "mse_loss_backward(grad, target, self, reduction) = -2 * (self - target) * grad / N"
    return B.mse_loss_backward(g, s.target, s.self, s.reduction)


# -- the loss backward kernels (PyTorch's mse_loss_backward, ...: a node of their own under
# create_graph, see kernels.py). ``norm`` is 1 / numel for the mean, 1 otherwise.
def _norm(x: Any, reduction: str) -> float:
    return 1.0 / max(x.size, 1) if reduction == "mean" else 1.0


def _numel(s: Any) -> int:
    """numel of the (broadcast) input of a kernel with inputs (grad_output, self, target)."""
    return math.prod(np.broadcast_shapes(s.sizes[1], s.sizes[2]))


def _mean_scaled(t: Any, reduction: str, numel: int) -> Any:
    return t / numel if reduction == "mean" else t


def _mse_loss_backward(g: Any, x: Any, t: Any, reduction: str) -> Any:
    d = x - t
    return d * (2 * _norm(d, reduction)) * g


mse_loss_backward_op = kernel_op("mse_loss_backward", _mse_loss_backward,
                                 ("grad_output", "self", "target"), ("reduction",),
                                 save=("grad_output", "self", "target"))


@mse_loss_backward_op.grad("grad_output")
def _mse_backward_go(g, s, B):
    "mse_loss_backward(grad, self, target, reduction)"
    return B.mse_loss_backward(g, s.self, s.target, s.reduction)


@mse_loss_backward_op.grad("self")
def _mse_backward_self(g, s, B):
    "2 * grad * grad_output (/ numel for the mean)"
    return _mean_scaled(g * s.grad_output * 2, s.reduction, _numel(s))


@mse_loss_backward_op.grad("target")
def _mse_backward_target(g, s, B):
    "-2 * grad * grad_output (/ numel for the mean)"
    return -_mean_scaled(g * s.grad_output * 2, s.reduction, _numel(s))


def _smooth_l1(a: np.ndarray, b: np.ndarray, reduction: str = "mean", beta: float = 1.0,
               out_shape: Any = None) -> np.ndarray:
    d = np.abs(a - b)
    if beta == 0:
        loss = d
    else:
        loss = np.where(d < beta, 0.5 * d * d / beta, d - 0.5 * beta)
    return _reduce(loss, reduction)


smooth_l1_loss_op = defop("smooth_l1_loss", "SmoothL1LossBackward0", _bin(_smooth_l1),
                          inputs=("self", "target"), save=("self", "target"),
                          torch="torch.nn.functional.smooth_l1_loss")


@smooth_l1_loss_op.grad("self")
def _smooth_l1_self(g, s, B):
    "smooth_l1_loss_backward(...) = grad * (d / beta if |d| < beta else sign(d)) / N, d = x - t"
    return B.smooth_l1_loss_backward(g, s.self, s.target, s.reduction, s.beta)


@smooth_l1_loss_op.grad("target")
def _smooth_l1_target(g, s, B):
    "smooth_l1_loss_backward(grad, target, self, reduction, beta): -(the self gradient)"
    return B.smooth_l1_loss_backward(g, s.target, s.self, s.reduction, s.beta)


def _smooth_l1_loss_backward(g: Any, x: Any, t: Any, reduction: str, beta: float) -> Any:
    d = x - t
    slope = np.sign(d) if beta == 0 else np.where(np.abs(d) < beta, d / beta, np.sign(d))
    return slope * _norm(slope, reduction) * g


smooth_l1_loss_backward_op = kernel_op(
    "smooth_l1_loss_backward", _smooth_l1_loss_backward, ("grad_output", "self", "target"),
    ("reduction", "beta"), save=("grad_output", "self", "target"))


@smooth_l1_loss_backward_op.grad("grad_output")
def _smooth_l1_backward_go(g, s, B):
    "smooth_l1_loss_backward(grad, self, target, reduction, beta)"
    return B.smooth_l1_loss_backward(g, s.self, s.target, s.reduction, s.beta)


def _smooth_l1_double(g: Any, s: Any, B: Any) -> Any:
    gg = g * s.grad_output
    if s.beta == 0:
        return B.zeros_like(gg)
    inside = B.abs(s.self - s.target) < s.beta
    return _mean_scaled(gg * inside / s.beta, s.reduction, _numel(s))


@smooth_l1_loss_backward_op.grad("self")
def _smooth_l1_backward_self(g, s, B):
    "grad * grad_output * (|self - target| < beta) / beta (/ numel for the mean)"
    return _smooth_l1_double(g, s, B)


@smooth_l1_loss_backward_op.grad("target")
def _smooth_l1_backward_target(g, s, B):
    "-(the self gradient)"
    return -_smooth_l1_double(g, s, B)


_BCE_EPS = 1e-12


def _bce(p: np.ndarray, y: np.ndarray, weight: Any = None, reduction: str = "mean",
         out_shape: Any = None) -> np.ndarray:
    if np.any((p < 0) | (p > 1)):
        raise InvalidArgumentError("all elements of input should be between 0 and 1")
    if p.shape != y.shape:
        raise ShapeMismatchError(
            f"Using a target size ({list(y.shape)}) that is different to the input size "
            f"({list(p.shape)}) is deprecated. Please ensure they have the same size."
        )
    with np.errstate(divide="ignore"):
        # PyTorch clamps each log at -100.
        loss = -(y * np.maximum(np.log(p), -100) + (1 - y) * np.maximum(np.log1p(-p), -100))
    if weight is not None:
        loss = loss * weight
    return _reduce(loss, reduction)


binary_cross_entropy_op = defop(
    "binary_cross_entropy", "BinaryCrossEntropyBackward0", _bce, inputs=("self", "target"),
    save=("self", "target"), torch="torch.nn.functional.binary_cross_entropy")


@binary_cross_entropy_op.grad("self")
def _bce_self(g, s, B):
    "binary_cross_entropy_backward(...) = grad * weight * (x - target) / max(x (1 - x), eps) / N"
    return B.binary_cross_entropy_backward(g, s.self, s.target, s.weight, s.reduction)


@binary_cross_entropy_op.grad("target")
def _bce_target(g, s, B):
    "binary_cross_entropy_target_backward: -logit(self) * grad * weight (/ numel for the mean)"
    numel = math.prod(s.sizes[1])
    if B.tensors:  # torch's in-place chain: LogitBackward0, NegBackward0, MulBackward0, ...
        out = B.logit(s.self).neg_()
        out.mul_(g)
        if s.weight is not None:
            out.mul_(as_tensor(s.weight))
        return div_scalar_op.inplace(out, other=numel) if s.reduction == "mean" else out
    x = s.self
    with np.errstate(divide="ignore", invalid="ignore"):
        out = -np.log(x / (1 - x)) * g
    if s.weight is not None:
        out = out * s.weight
    return out / numel if s.reduction == "mean" else out


def _binary_cross_entropy_backward(g: Any, x: Any, t: Any, weight: Any,
                                   reduction: str) -> Any:
    out = (x - t) / np.maximum((1 - x) * x, _BCE_EPS) * g
    if weight is not None:
        out = out * weight
    return out * _norm(out, reduction) if reduction == "mean" else out


binary_cross_entropy_backward_op = kernel_op(
    "binary_cross_entropy_backward", _binary_cross_entropy_backward,
    ("grad_output", "self", "target"), ("weight", "reduction"),
    save=("grad_output", "self", "target"))


def _weighted_mean(x: Any, s: Any) -> Any:
    if s.weight is not None:
        x = x * s.weight
    return x / _numel(s) if s.reduction == "mean" else x


@binary_cross_entropy_backward_op.grad("grad_output")
def _bce_backward_go(g, s, B):
    "grad * weight * (self - target) / ((self + eps) * (1 - self + eps)) (/ numel for the mean)"
    x = s.self
    return _weighted_mean((x - s.target) / ((x + _BCE_EPS) * (1 - x + _BCE_EPS)) * g, s)


@binary_cross_entropy_backward_op.grad("self")
def _bce_backward_self(g, s, B):
    "grad * grad_output * weight * (x^2 - 2 x t + t) / ((x + eps)^2 (1 - x + eps)^2), x = self"
    x, t = s.self, s.target
    num = x * x - 2 * x * t + t
    den = B.pow(x + _BCE_EPS, 2) * B.pow(1 - x + _BCE_EPS, 2)
    return _weighted_mean(num / den * (g * s.grad_output), s)


@binary_cross_entropy_backward_op.grad("target")
def _bce_backward_target(g, s, B):
    "-grad * grad_output * weight / max((1 - self) * self, eps) (/ numel for the mean)"
    res = -g * s.grad_output
    if s.weight is not None:
        res = res * s.weight
    denom = (1 - s.self) * s.self
    res = res / B.where(denom < _BCE_EPS, _BCE_EPS, denom)
    return res / _numel(s) if s.reduction == "mean" else res


def _bce_logits(x: np.ndarray, y: np.ndarray, weight: Any = None, pos_weight: Any = None,
                reduction: str = "mean", out_shape: Any = None) -> np.ndarray:
    if x.shape != y.shape:
        raise ShapeMismatchError(
            f"Target size ({list(y.shape)}) must be the same as input size ({list(x.shape)})"
        )
    sp = _np_softplus(-x)
    if pos_weight is None:
        loss = (1 - y) * x + sp
    else:
        loss = (1 - y) * x + (1 + (pos_weight - 1) * y) * sp
    if weight is not None:
        loss = loss * weight
    return _reduce(loss, reduction)


binary_cross_entropy_with_logits_op = defop(
    "binary_cross_entropy_with_logits", "BinaryCrossEntropyWithLogitsBackward0", _bce_logits,
    inputs=("self", "target"), save=("self", "target"),
    torch="torch.nn.functional.binary_cross_entropy_with_logits")


def _const(x: Any, B: Any) -> Any:
    """A weight array as the formula's operand: a constant tensor under create_graph."""
    return as_tensor(x) if B.tensors else x


def _log_sigmoid(x: Any, B: Any) -> Any:
    return logsigmoid_op(x) if B.tensors else _logsigmoid(x)


def _bcel_scaled(out: Any, s: Any, B: Any) -> Any:
    if s.weight is not None:
        out = out * _const(s.weight, B)
    return out / math.prod(s.sizes[0]) if s.reduction == "mean" else out


@binary_cross_entropy_with_logits_op.grad("self")
def _bcel_self(g, s, B):
    "((pos_weight * target + 1 - target) * sigmoid(self) - pos_weight * target) * grad * weight"
    if s.pos_weight is None:
        d = B.sigmoid(s.self) - s.target
    else:
        t = _const(s.pos_weight, B) * s.target
        d = (t + 1 - s.target) * B.sigmoid(s.self) - t
    return _bcel_scaled(d * g, s, B)


@binary_cross_entropy_with_logits_op.grad("target")
def _bcel_target(g, s, B):
    "(log_sigmoid(-self) - pos_weight * log_sigmoid(self)) * grad * weight, or -self * grad"
    if s.pos_weight is None:
        d = -s.self * g
    else:
        pw = _const(s.pos_weight, B)
        d = (_log_sigmoid(-s.self, B) - _log_sigmoid(s.self, B) * pw) * g
    return _bcel_scaled(d, s, B)


def _nll(x: np.ndarray, target: np.ndarray, weight: Any = None, reduction: str = "mean",
         ignore_index: int = -100) -> np.ndarray:
    if x.ndim not in (1, 2):
        raise InvalidArgumentError(f"nll_loss: expected input of 1 or 2 dimensions, got {x.ndim}")
    xs = x[None] if x.ndim == 1 else x
    ts = target if target.ndim else target.reshape(1)
    if ts.shape[0] != xs.shape[0]:
        raise ShapeMismatchError(
            f"Expected input batch_size ({xs.shape[0]}) to match target batch_size ({ts.shape[0]})."
        )
    if target.dtype.kind not in "iu":
        raise InvalidArgumentError(
            "expected scalar type Long but found " + str(target.dtype)
        )
    n_cls = xs.shape[1]
    if weight is None and not 0 <= ignore_index < n_cls and ts.size \
            and np.minimum.reduce(ts) >= 0 and np.maximum.reduce(ts) < n_cls:
        # No weight and no target ignored (all in range): the same values with 2 reductions
        # instead of the masks (-picked summed is exactly -(the sum), the count n exactly).
        losses = -xs[np.arange(xs.shape[0]), ts]
        if reduction == "none":
            return losses if x.ndim == 2 else losses.reshape(())
        if reduction == "sum":
            return np.asarray(np.add.reduce(losses))
        if reduction == "mean":
            return np.asarray(np.add.reduce(losses) / x.dtype.type(losses.shape[0]))
        raise InvalidArgumentError(f"{reduction} is not a valid value for reduction")
    valid = ts != ignore_index
    bad = valid & ((ts < 0) | (ts >= n_cls))
    if np.any(bad):
        raise IndexOutOfRangeError(f"Target {int(ts[bad][0])} is out of bounds.")
    safe_t = np.where(valid, ts, 0)
    w = np.ones(n_cls, dtype=x.dtype) if weight is None else weight
    wt = w[safe_t] * valid
    picked = xs[np.arange(xs.shape[0]), safe_t]
    losses = -picked * wt
    if reduction == "none":
        return losses if x.ndim == 2 else losses.reshape(())
    if reduction == "sum":
        return np.asarray(losses.sum())
    if reduction == "mean":
        return np.asarray(losses.sum() / wt.sum())
    raise InvalidArgumentError(f"{reduction} is not a valid value for reduction")


nll_loss_op = defop("nll_loss", "NllLossBackward0", _nll, save=("self",),
                    torch="torch.nn.functional.nll_loss")


@nll_loss_op.grad("self")
def _nll_self(g, s, B):
    "nll_loss_backward(...): -grad * weight[target] at the target class (/ total weight for mean)"
    return B.nll_loss_backward(g, s.self, s.target, s.weight, s.reduction, s.ignore_index)


def _nll_loss_backward(g: Any, x: Any, target: Any, weight: Any, reduction: str,
                       ignore_index: int) -> Any:
    """-grad * weight[target] at the target class (divided by the total weight for mean)."""
    ts = target if target.ndim else target.reshape(1)
    n = ts.shape[0]
    if weight is None and not 0 <= ignore_index < x.shape[-1]:
        # The forward checked every target in range, and none can be ignored: -grad (/ n for
        # mean) at the target class, the values the general path below computes.
        dt = x.dtype
        if reduction == "mean":
            gg = g * (dt.type(1) / -dt.type(n))
        else:
            gg = -(np.reshape(g, (n,)) if reduction == "none" else g)
        out = np.zeros((n, x.shape[-1]), dtype=dt)
        out[np.arange(n), ts] = gg
        return out if x.ndim == 2 else out.reshape(x.shape)
    valid = ts != ignore_index
    safe_t = ts if valid.all() else np.where(valid, ts, 0)
    if weight is None:
        wt = valid.astype(x.dtype)
    else:
        wt = np.asarray(weight, dtype=x.dtype)[safe_t] * valid
    coef = wt / -wt.sum() if reduction == "mean" else -wt
    gg = np.reshape(g, (n,)) * coef if reduction == "none" else g * coef
    out = np.zeros((n, x.shape[-1]), dtype=x.dtype)
    out[np.arange(n), safe_t] = gg
    return out.reshape(x.shape)


nll_loss_backward_op = kernel_op(
    "nll_loss_backward", _nll_loss_backward, ("grad_output", "self"),
    ("target", "weight", "reduction", "ignore_index"), of="nll_loss, cross_entropy")


@nll_loss_backward_op.grad("grad_output")
def _nll_backward_go(g, s, B):
    "nll_loss(grad, target, weight, reduction, ignore_index)"
    if B.tensors:
        return nll_loss_op(g, target=s.target, weight=s.weight, reduction=s.reduction,
                           ignore_index=s.ignore_index)
    return _nll(g, s.target, s.weight, s.reduction, s.ignore_index)


@nll_loss_backward_op.grad("self")
def _nll_backward_self(g, s, B):
    "0"
    return B.zeros_like(g)


# -- nll_loss2d: spatial class targets ((N, C, H, W) input, (N, H, W) target) -----------------
def _rows(x: np.ndarray) -> np.ndarray:
    """(N, C, H, W) as (N * H * W, C): one row per target, in the kernel's (n, h, w) order."""
    return np.moveaxis(x, 1, -1).reshape(-1, x.shape[1])


def _nll2d(x: np.ndarray, target: np.ndarray, weight: Any = None, reduction: str = "mean",
           ignore_index: int = -100) -> np.ndarray:
    if x.ndim != 4:
        raise InvalidArgumentError("only batches of spatial inputs supported (4D tensors), but "
                                   f"got input of dimension: {x.ndim}")
    if target.ndim != 3:
        raise InvalidArgumentError("only batches of spatial targets supported (3D tensors) but "
                                   f"got targets of dimension: {target.ndim}")
    if x.shape[0] != target.shape[0] or x.shape[2:] != target.shape[1:]:
        raise InvalidArgumentError(f"size mismatch (got input: {list(x.shape)} , target: "
                                   f"{list(target.shape)}")
    with np.errstate(invalid="ignore", divide="ignore"):
        out = _nll(_rows(x), target.reshape(-1), weight, reduction, ignore_index)
    return out.reshape(target.shape) if reduction == "none" else out


nll_loss2d_op = defop("nll_loss2d", "NllLoss2DBackward0", _nll2d, save=("self",),
                      torch="torch.nn.functional.nll_loss (input of 3 or more dims)")


@nll_loss2d_op.grad("self")
def _nll2d_self(g, s, B):
    "nll_loss2d_backward(...): nll_loss_backward's values, per spatial position"
    return B.nll_loss2d_backward(g, s.self, s.target, s.weight, s.reduction, s.ignore_index)


def _nll2d_backward(g: Any, x: Any, target: Any, weight: Any, reduction: str,
                    ignore_index: int) -> Any:
    n, c, h, w = x.shape
    gr = np.reshape(g, (-1,)) if reduction == "none" else g
    rows = _nll_loss_backward(gr, np.empty((n * h * w, c), dtype=x.dtype), target.reshape(-1),
                              weight, reduction, ignore_index)
    return np.ascontiguousarray(np.moveaxis(rows.reshape(n, h, w, c), -1, 1))


nll_loss2d_backward_op = kernel_op(
    "nll_loss2d_backward", _nll2d_backward, ("grad_output", "self"),
    ("target", "weight", "reduction", "ignore_index"), of="nll_loss2d, cross_entropy",
    backward_name="NllLoss2DBackwardBackward0")  # torch's capital D


@nll_loss2d_backward_op.grad("grad_output")
def _nll2d_backward_go(g, s, B):
    "nll_loss2d(grad, target, weight, reduction, ignore_index)"
    if B.tensors:
        return nll_loss2d_op(g, target=s.target, weight=s.weight, reduction=s.reduction,
                             ignore_index=s.ignore_index)
    return _nll2d(g, s.target, s.weight, s.reduction, s.ignore_index)


nll_loss2d_backward_op.grad("self")(_nll_backward_self)


def _nll_nd(input: Tensor, t: Tensor, weight: Any, reduction: str,
            ignore_index: int) -> Tensor:
    """torch's nll_loss_nd for 3 or more dims: nll_loss2d, through views to (N, C, 1, L)."""
    shape = tuple(input.shape)
    if shape[0] != (t.shape[0] if t._data.ndim else 1):
        raise InvalidValueError(f"Expected input batch_size ({shape[0]}) to match target "
                                f"batch_size ({t.shape[0] if t._data.ndim else 1}).")
    attrs = {"weight": weight, "reduction": reduction, "ignore_index": ignore_index}
    if len(shape) == 4:
        return nll_loss2d_op(input, target=t._data, **attrs)
    n, c = shape[:2]
    out_size = (n, *shape[2:])
    if tuple(t.shape[1:]) != shape[2:]:
        raise InvalidArgumentError(f"Expected target size {list(out_size)}, got {list(t.shape)}")
    from .conversion import contiguous_copy

    x = input if input._data.flags.c_contiguous else contiguous_copy(input)
    x = view(x, (n, c, 1, -1) if input._data.size else (n, c, 0, 0))
    tt = t._data.reshape((n, 1, -1) if t._data.size else (n, 0, 0))
    out = nll_loss2d_op(x, target=np.ascontiguousarray(tt), **attrs)
    return out if reduction != "none" else view(out, out_size)


def _huber(a: np.ndarray, b: np.ndarray, reduction: str = "mean", delta: float = 1.0,
           out_shape: Any = None) -> np.ndarray:
    d = np.abs(a - b)
    loss = np.where(d < delta, 0.5 * d * d, delta * (d - 0.5 * delta))
    return _reduce(loss, reduction)


huber_loss_op = defop("huber_loss", "HuberLossBackward0", _bin(_huber), inputs=("self", "target"),
                      save=("self", "target"), torch="torch.nn.functional.huber_loss")


@huber_loss_op.grad("self")
def _huber_self(g, s, B):
    "huber_loss_backward(...) = grad * clamp(self - target, -delta, delta) / N"
    return B.huber_loss_backward(g, s.self, s.target, s.reduction, s.delta)


@huber_loss_op.grad("target")
def _huber_target(g, s, B):
    "huber_loss_backward(grad, target, self, reduction, delta): -(the self gradient)"
    return B.huber_loss_backward(g, s.target, s.self, s.reduction, s.delta)


def _huber_loss_backward(g: Any, x: Any, t: Any, reduction: str, delta: float) -> Any:
    slope = np.clip(x - t, -delta, delta)
    return slope * _norm(slope, reduction) * g


huber_loss_backward_op = kernel_op(
    "huber_loss_backward", _huber_loss_backward, ("grad_output", "self", "target"),
    ("reduction", "delta"), save=("grad_output", "self", "target"))


@huber_loss_backward_op.grad("grad_output")
def _huber_backward_go(g, s, B):
    "huber_loss_backward(grad, self, target, reduction, delta), summed for a reduced loss"
    if s.reduction == "none":
        return B.huber_loss_backward(g, s.self, s.target, s.reduction, s.delta)
    ones = B.ones_like(s.grad_output)
    return B.sum(B.huber_loss_backward(ones, s.self, s.target, s.reduction, s.delta) * g)


def _huber_double(g: Any, s: Any, B: Any) -> Any:
    inside = B.abs(s.self - s.target) < s.delta
    return _mean_scaled(g * s.grad_output * inside, s.reduction, _numel(s))


@huber_loss_backward_op.grad("self")
def _huber_backward_self(g, s, B):
    "grad * grad_output * (|self - target| < delta) (/ numel for the mean)"
    return _huber_double(g, s, B)


@huber_loss_backward_op.grad("target")
def _huber_backward_target(g, s, B):
    "-(the self gradient)"
    return -_huber_double(g, s, B)


# ==============================================================================================
# torch.nn.functional
# ==============================================================================================


_REDUCTIONS = ("mean", "sum", "none")


def _reduction(reduction: str) -> str:
    if reduction not in _REDUCTIONS:
        raise InvalidArgumentError(f"{reduction} is not a valid value for reduction")
    return reduction


def _check_same(input: Tensor, target: Tensor) -> None:
    if input.shape != target.shape:
        broadcast_shapes(tuple(input.shape), tuple(target.shape))


def _legacy(size_average: Any, reduce: Any, reduction: str, weight: Any = None) -> str:
    """torch's deprecated ``size_average``/``reduce`` (positional after target) win over
    ``reduction`` when given, with torch's warning."""
    if weight is not None:
        raise InvalidArgumentError("weight is not supported by adcli for this loss")
    if size_average is not None or reduce is not None:
        return _legacy_reduction(size_average, reduce)
    return reduction


def mse_loss(input: Tensor, target: Tensor, size_average: Any = None, reduce: Any = None,
             reduction: str = "mean", weight: Any = None) -> Tensor:
    reduction = _legacy(size_average, reduce, reduction, weight)
    _check_same(input, target)
    return mse_loss_op(input, as_tensor(target, input), reduction=_reduction(reduction))


def l1_loss(input: Tensor, target: Tensor, size_average: Any = None, reduce: Any = None,
            reduction: str = "mean", weight: Any = None) -> Tensor:
    reduction = _legacy(size_average, reduce, reduction, weight)
    # PyTorch composes it: abs(input - target), then the reduction.
    loss = abs(sub(input, target))
    r = _reduction(reduction)
    return mean(loss) if r == "mean" else sum(loss) if r == "sum" else loss


def smooth_l1_loss(input: Tensor, target: Tensor, size_average: Any = None, reduce: Any = None,
                   reduction: str = "mean", beta: float = 1.0) -> Tensor:
    reduction = _legacy(size_average, reduce, reduction)
    if beta < 0:
        raise InvalidArgumentError("smooth_l1_loss does not support negative values for beta.")
    if beta == 0.0:  # PyTorch's F.smooth_l1_loss is then l1_loss
        return l1_loss(input, target, reduction=reduction)
    _check_same(input, target)
    return smooth_l1_loss_op(input, as_tensor(target, input), reduction=_reduction(reduction),
                            beta=beta)


def _weight_array(w: Any, input: Tensor) -> Any:
    if w is None:
        return None
    arr = w._data if isinstance(w, Tensor) else np.asarray(w)
    return arr.astype(input._data.dtype, copy=False)


def _expanded_weight(weight: Tensor, target: Tensor, input: Tensor) -> Tensor:
    from .predicates import broadcast_shapes as torch_broadcast_shapes
    from .shape import expand

    shape = tuple(torch_broadcast_shapes(target.shape, weight.shape))
    if shape != tuple(input.shape):
        raise InvalidArgumentError(
            f"output with shape {list(input.shape)} doesn't match the broadcast shape "
            f"{list(shape)}")
    return expand(weight, shape)


def binary_cross_entropy(input: Tensor, target: Tensor, weight: Tensor | None = None,
                         reduction: str = "mean") -> Tensor:
    target = as_tensor(target, input)
    if weight is not None:  # as F.binary_cross_entropy: the weight expanded to the target
        weight = _expanded_weight(weight, target, input)
    check_no_requires_grad(weight, "weight", "binary_cross_entropy")
    return binary_cross_entropy_op(input, target,
                                  weight=_weight_array(weight, input),
                                  reduction=_reduction(reduction))


def binary_cross_entropy_with_logits(input: Tensor, target: Tensor,
                                     weight: Tensor | None = None, reduction: str = "mean",
                                     pos_weight: Tensor | None = None) -> Tensor:
    check_no_requires_grad(weight, "weight", "binary_cross_entropy_with_logits")
    check_no_requires_grad(pos_weight, "pos_weight", "binary_cross_entropy_with_logits")
    return binary_cross_entropy_with_logits_op(
        input, as_tensor(target, input), weight=_weight_array(weight, input),
        pos_weight=_weight_array(pos_weight, input), reduction=_reduction(reduction))


def nll_loss(input: Tensor, target: Tensor, weight: Tensor | None = None,
             ignore_index: int = -100, reduction: str = "mean") -> Tensor:
    t = as_tensor(target)
    nd = input._data.ndim
    check_no_requires_grad(weight, "weight", "nll_loss_forward" if nd < 3 else
                           "nll_loss2d_forward")
    if nd >= 3:
        return _nll_nd(input, t, _weight_array(weight, input), _reduction(reduction),
                       ignore_index)
    return nll_loss_op.call1(input, {"target": t._data, "weight": _weight_array(weight, input),
                                     "reduction": _reduction(reduction),
                                     "ignore_index": ignore_index})


def cross_entropy(input: Tensor, target: Tensor, weight: Tensor | None = None,
                  ignore_index: int = -100, reduction: str = "mean",
                  label_smoothing: float = 0.0) -> Tensor:
    """``nll_loss(log_softmax(input, 1), target)`` for class-index targets; probability targets
    (same shape as input) and ``label_smoothing`` composed as PyTorch composes them."""
    if type(input) is Tensor and type(target) is Tensor and weight is None \
            and label_smoothing == 0.0 and not observers:
        x = input._data
        t = target._data
        if x.ndim == 2 and t.ndim == 1 and x.dtype.kind == "f" and reduction in _REDUCTIONS:
            # The common case, as the last line below records it, without the layers between:
            # log_softmax over dim 1, then nll_loss with its attributes in the same order.
            logp = log_softmax_op.rec1(input, _log_softmax(x, 1), {"dim": 1})
            return nll_loss_op.rec1(logp, _nll(logp._data, t, None, reduction, ignore_index),
                                    {"target": t, "weight": None, "reduction": reduction,
                                     "ignore_index": ignore_index})
    t = as_tensor(target)
    dim = 0 if input._data.ndim == 1 else 1
    if not input._data.ndim:
        raise IndexOutOfRangeError("Dimension specified as 1 but tensor has no dimensions")
    if input._data.shape == t._data.shape:
        if t._data.dtype.kind != "f":
            raise InvalidArgumentError("Expected floating point type for target with class "
                                       f"probabilities, got {scalar_type_name(t._data.dtype)}")
        if ignore_index >= 0:
            raise InvalidArgumentError("ignore_index is not supported for floating point target")
        return _cross_entropy_probs(input, t, weight, _reduction(reduction), label_smoothing, dim)
    if label_smoothing > 0.0:
        if label_smoothing > 1.0:
            raise InvalidArgumentError(
                f"label_smoothing must be between 0.0 and 1.0. Got: {label_smoothing}")
        return _cross_entropy_smoothed(input, t, weight, ignore_index, _reduction(reduction),
                                       label_smoothing, dim)
    return nll_loss(log_softmax(input, dim), t, weight, ignore_index, reduction)


def _class_weight(weight: Tensor, ndim: int, dim: int) -> Tensor:
    shape = [1] * ndim
    shape[dim] = weight.shape[0]
    return view(weight, tuple(shape))


def _cross_entropy_probs(input: Tensor, target: Tensor, weight: Tensor | None, reduction: str,
                         label_smoothing: float, dim: int) -> Tensor:
    n_classes = input.shape[dim]
    if weight is not None and (weight._data.ndim != 1 or weight._data.size != n_classes):
        raise InvalidArgumentError(
            f"cross_entropy: weight tensor should be defined either for all {n_classes} classes "
            f"or no classes but got weight tensor of shape: {list(weight.shape)}")
    logp = log_softmax(input, dim)
    if label_smoothing > 0.0:
        if label_smoothing > 1.0:
            raise InvalidArgumentError(
                f"label_smoothing must be between 0.0 and 1.0. Got: {label_smoothing}")
        target = add(mul(target, 1 - label_smoothing), label_smoothing / n_classes)
    prod = mul(logp, target)
    if weight is not None:
        w = _class_weight(weight, input._data.ndim, 1) if input._data.ndim > 1 else weight
        prod = mul(prod, w)
    if reduction == "none":
        return neg(sum(prod, dim))
    total = neg(sum(prod))
    if reduction == "sum":
        return total
    # no classes: PyTorch's numel / n_classes is 0 / 0, a nan mean
    # C++'s Tensor / int: the scalar overload (DivBackward1)
    return div_scalar_op(total, other=input._data.size // n_classes if n_classes else math.nan)


def _cross_entropy_smoothed(input: Tensor, target: Tensor, weight: Tensor | None,
                            ignore_index: int, reduction: str, label_smoothing: float,
                            dim: int) -> Tensor:
    logp = log_softmax(input, dim)
    nll = nll_loss(logp, target, weight, ignore_index, reduction)
    n_classes = logp.shape[dim]
    if weight is not None:
        smooth = neg(sum(mul(logp, _class_weight(weight, logp._data.ndim, dim)), dim))
    else:
        smooth = neg(sum(logp, dim))
    ignore = eq(target, ignore_index)
    masked_fill_(smooth, ignore, 0.0)
    if reduction == "mean":
        if weight is not None:
            kept = reshape(masked_select(target, logical_not(ignore)), (-1,))
            ret = div(sum(smooth), sum(gather(weight, 0, kept)))
        else:
            ret = div(sum(smooth), sum(logical_not(ignore)))
    elif reduction == "sum":
        ret = sum(smooth)
    else:
        ret = smooth
    # C++'s double * Tensor: the scalar overloads (MulBackward1)
    return add(mul_scalar_op(nll, other=1 - label_smoothing),
               mul_scalar_op(ret, other=label_smoothing / n_classes))


def huber_loss(input: Tensor, target: Tensor, reduction: str = "mean", delta: float = 1.0,
               weight: Tensor | None = None) -> Tensor:
    if weight is not None:
        raise InvalidArgumentError("huber_loss: weight is not supported by adcli")
    if delta <= 0:
        raise InvalidArgumentError("huber_loss does not support non-positive values for delta.")
    _check_same(input, target)
    return huber_loss_op(input, as_tensor(target, input), reduction=_reduction(reduction),
                        delta=delta)


def _legacy_reduction(size_average: Any, reduce: Any) -> str:
    size_average = True if size_average is None else size_average
    reduce = True if reduce is None else reduce
    ret = "mean" if size_average and reduce else "sum" if reduce else "none"
    warnings.warn("size_average and reduce args will be deprecated, please use "
                  f"reduction='{ret}' instead.", stacklevel=3)
    return ret


def kl_div(input: Tensor, target: Tensor, size_average: Any = None, reduce: Any = None,
           reduction: str = "mean", log_target: bool = False) -> Tensor:
    """PyTorch's composition: ``xlogy(target, target) - target * input`` (or, for a log target,
    ``exp(target) * (target - input)``), reduced; batchmean is the sum over the batch size."""
    if size_average is not None or reduce is not None:
        reduction = _legacy_reduction(size_average, reduce)
    elif reduction == "mean":
        warnings.warn("reduction: 'mean' divides the total loss by both the batch size and the "
                      "support size.'batchmean' divides only by the batch size, and aligns with "
                      "the KL div math definition.'mean' will be changed to behave the same as "
                      "'batchmean' in the next major release.", stacklevel=2)
    if reduction != "batchmean":
        _reduction(reduction)
    t = as_tensor(target, input)
    # (PyTorch's C++ evaluates the right operand first: its nodes are recorded first)
    if log_target:
        diff = sub(t, input)
        out = mul(exp(t), diff)
    else:
        prod = mul(t, input)
        out = sub(xlogy(t, t), prod)
    if reduction == "mean":
        return mean(out)
    if reduction == "none":
        return out
    reduced = sum(out)
    if reduction == "batchmean" and input._data.ndim != 0:
        reduced = div(reduced, input.shape[0])
    return reduced


# ==============================================================================================
# the names this family adds: torch.<name>, Tensor.<name>, torch.nn.functional.<name>
# ==============================================================================================


def linear_cross_entropy(input: Tensor, linear_weight: Tensor, target: Tensor, *,
                         linear_bias: Tensor | None = None, weight: Tensor | None = None,
                         reduction: str = "mean", ignore_index: int | None = None,
                         label_smoothing: float = 0.0, options: Any = None) -> Tensor:
    """``cross_entropy(linear(input, linear_weight, linear_bias), target, ...)`` (torch's
    reference path; a ``(C, d1, ..., in_features)`` weight gives a K-dimensional loss)."""
    from .linalg import linear

    if input.dim() < 1 or input.dim() > 2:
        raise InvalidArgumentError(
            f"expected input with dimensionality 1 or 2, got {input.dim()}")
    if linear_weight.dim() < 2:
        raise InvalidArgumentError("expected linear_weight with dimensionality at least 2, got "
                                   f"{linear_weight.dim()}")
    batches = tuple(input.shape[:-1])
    in_features = input.shape[-1]
    if in_features != linear_weight.shape[-1]:
        raise InvalidArgumentError(
            "expected equal input and linear_weight last dimensions (in_features), got "
            f"{input.shape[-1]} and {linear_weight.shape[-1]}, respectively")
    n_classes = linear_weight.shape[0]
    out_features = tuple(linear_weight.shape[1:-1])
    if linear_bias is not None and tuple(linear_bias.shape) != (n_classes, *out_features):
        raise InvalidArgumentError(f"expected linear_bias shape {(n_classes, *out_features)}, "
                                   f"got {tuple(linear_bias.shape)}")
    if out_features and not batches:
        raise InvalidArgumentError(
            f"K-dimensional loss defined by linear_weight shape {tuple(linear_weight.shape)} "
            f"requires batched input, (N, {in_features}), got unbatched input with shape "
            f"{tuple(input.shape)}")
    logits_shape = (*batches, n_classes, *out_features)
    if tuple(target.shape) == logits_shape and ignore_index is not None:
        raise InvalidArgumentError(
            "ignore_index cannot be specified when target contains probabilities")
    if out_features:
        rows = math.prod(out_features, start=n_classes)
        linear_weight = reshape(linear_weight, (rows, in_features))
        if linear_bias is not None:
            linear_bias = reshape(linear_bias, (rows,))
    logits = reshape(linear(input, linear_weight, linear_bias), logits_shape)
    return cross_entropy(logits, target, weight=weight, reduction=reduction,
                         ignore_index=-100 if ignore_index is None else ignore_index,
                         label_smoothing=label_smoothing)


TORCH: dict[str, Any] = {}

METHODS: dict[str, Any] = {}

FUNCTIONAL: dict[str, Any] = {
    "mse_loss": mse_loss, "l1_loss": l1_loss, "smooth_l1_loss": smooth_l1_loss,
    "binary_cross_entropy": binary_cross_entropy,
    "binary_cross_entropy_with_logits": binary_cross_entropy_with_logits,
    "cross_entropy": cross_entropy, "nll_loss": nll_loss, "huber_loss": huber_loss,
    "kl_div": kl_div, "linear_cross_entropy": linear_cross_entropy,
}
