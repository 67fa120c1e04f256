"""The ``F.`` ops (``torch.nn.functional``), composed from table ops as PyTorch composes them."""

from __future__ import annotations

from typing import Any

import numpy as np

from . import derivatives as D
from . import ops
from .creation import generator
from .errors import InvalidArgumentError
from .tensor import Tensor

__all__ = [
    "relu", "relu_", "leaky_relu", "gelu", "elu", "silu", "softplus", "sigmoid", "tanh",
    "softmax", "log_softmax", "linear", "mse_loss", "l1_loss", "smooth_l1_loss",
    "binary_cross_entropy", "binary_cross_entropy_with_logits", "cross_entropy", "nll_loss",
    "dropout",
]

_REDUCTIONS = ("mean", "sum", "none")


def _reduction(reduction: str) -> str:
    if reduction not in _REDUCTIONS:
        raise InvalidArgumentError(f"{reduction} is not a valid value for reduction")
    return reduction


def relu(input: Tensor, inplace: bool = False) -> Tensor:
    return ops.relu_(input) if inplace else D.relu(input)


def relu_(input: Tensor) -> Tensor:
    return ops.relu_(input)


def leaky_relu(input: Tensor, negative_slope: float = 0.01, inplace: bool = False) -> Tensor:
    if inplace:
        return D.leaky_relu.inplace(input, negative_slope=negative_slope)
    return D.leaky_relu(input, negative_slope=negative_slope)


def gelu(input: Tensor, approximate: str = "none") -> Tensor:
    return D.gelu(input, approximate=approximate)


def elu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    return D.elu(input, alpha=alpha)


def silu(input: Tensor, inplace: bool = False) -> Tensor:
    return D.silu(input)


def softplus(input: Tensor, beta: float = 1.0, threshold: float = 20.0) -> Tensor:
    return D.softplus(input, beta=beta, threshold=threshold)


def sigmoid(input: Tensor) -> Tensor:
    return D.sigmoid(input)


def tanh(input: Tensor) -> Tensor:
    return D.tanh(input)


def _softmax_dim(input: Tensor, dim: Any) -> int:
    if dim is None:
        # PyTorch's legacy implicit choice.
        return 0 if input._data.ndim in (0, 1, 3) else 1
    from .tensor import _wrap_dim

    return _wrap_dim(dim, input._data.ndim)


def softmax(input: Tensor, dim: Any = None, dtype: Any = None) -> Tensor:
    x = ops.to(input, dtype) if dtype is not None else ops._float(input)
    return D.softmax(x, dim=_softmax_dim(x, dim))


def log_softmax(input: Tensor, dim: Any = None, dtype: Any = None) -> Tensor:
    x = ops.to(input, dtype) if dtype is not None else ops._float(input)
    return D.log_softmax(x, dim=_softmax_dim(x, dim))


def linear(input: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """``input @ weight.T + bias``, built as PyTorch builds it (Addmm, or matmul then add)."""
    wt = ops.t(weight)
    nd = input._data.ndim
    if nd == 2 and bias is not None:
        return D.addmm(bias, input, wt)
    if bias is not None and input._data.flags.c_contiguous and (nd == 3 or bias._data.ndim == 1):
        # PyTorch's _flatten_nd_linear: reshape to 2D, addmm, view back.
        k = input.shape[-1]
        folded = ops.reshape(input, (int(np.prod(input.shape[:-1])), k))
        out = D.addmm(bias, folded, wt)
        return ops.view(out, (*input.shape[:-1], out.shape[1]))
    out = ops.matmul(input, wt)
    return out if bias is None else ops.add(out, bias)


def _check_same(input: Tensor, target: Tensor) -> None:
    if input.shape != target.shape:
        D.broadcast_shapes(tuple(input.shape), tuple(target.shape))


def mse_loss(input: Tensor, target: Tensor, reduction: str = "mean") -> Tensor:
    _check_same(input, target)
    return D.mse_loss(input, ops.as_tensor(target, input), reduction=_reduction(reduction))


def l1_loss(input: Tensor, target: Tensor, reduction: str = "mean") -> Tensor:
    # PyTorch composes it: abs(input - target), then the reduction.
    loss = ops.abs(ops.sub(input, target))
    r = _reduction(reduction)
    return ops.mean(loss) if r == "mean" else ops.sum(loss) if r == "sum" else loss


def smooth_l1_loss(input: Tensor, target: Tensor, reduction: str = "mean",
                   beta: float = 1.0) -> Tensor:
    if beta < 0:
        raise InvalidArgumentError("smooth_l1_loss does not support negative values for beta.")
    _check_same(input, target)
    return D.smooth_l1_loss(input, ops.as_tensor(target, input), reduction=_reduction(reduction),
                            beta=beta)


def _weight_array(w: Any, input: Tensor) -> Any:
    if w is None:
        return None
    arr = w._data if isinstance(w, Tensor) else np.asarray(w)
    return arr.astype(input._data.dtype, copy=False)


def binary_cross_entropy(input: Tensor, target: Tensor, weight: Tensor | None = None,
                         reduction: str = "mean") -> Tensor:
    return D.binary_cross_entropy(input, ops.as_tensor(target, input),
                                  weight=_weight_array(weight, input),
                                  reduction=_reduction(reduction))


def binary_cross_entropy_with_logits(input: Tensor, target: Tensor,
                                     weight: Tensor | None = None, reduction: str = "mean",
                                     pos_weight: Tensor | None = None) -> Tensor:
    return D.binary_cross_entropy_with_logits(
        input, ops.as_tensor(target, input), weight=_weight_array(weight, input),
        pos_weight=_weight_array(pos_weight, input), reduction=_reduction(reduction))


def nll_loss(input: Tensor, target: Tensor, weight: Tensor | None = None,
             ignore_index: int = -100, reduction: str = "mean") -> Tensor:
    t = ops.as_tensor(target)
    return D.nll_loss(input, target=t._data, weight=_weight_array(weight, input),
                      reduction=_reduction(reduction), ignore_index=ignore_index)


def cross_entropy(input: Tensor, target: Tensor, weight: Tensor | None = None,
                  ignore_index: int = -100, reduction: str = "mean",
                  label_smoothing: float = 0.0) -> Tensor:
    """``nll_loss(log_softmax(input, 1), target)`` for class-index targets, as PyTorch does."""
    if label_smoothing:
        raise InvalidArgumentError("cross_entropy: label_smoothing is not supported by adcli")
    t = ops.as_tensor(target)
    if t._data.dtype.kind == "f":
        raise InvalidArgumentError(
            "cross_entropy: adcli supports class-index targets (int64), not probabilities"
        )
    dim = 0 if input._data.ndim == 1 else 1
    return nll_loss(log_softmax(input, dim), t, weight, ignore_index, reduction)


def dropout(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:
    """Zero each element with probability p (seeded), scaling the rest by 1/(1-p)."""
    if not 0 <= p <= 1:
        raise InvalidArgumentError(f"dropout probability has to be between 0 and 1, but got {p}")
    if not training or p == 0:
        return input
    if p == 1:
        return ops.mul(input, 0.0)
    keep = generator().random(input._data.shape) >= p
    mask = (keep / (1 - p)).astype(input._data.dtype)
    return ops.mul(input, Tensor._make(mask, None, 0, None))
