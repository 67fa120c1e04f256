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
    mul = ops.mul_ if inplace else ops.mul
    if p == 1:
        return mul(input, 0.0)
    keep = generator().random(input._data.shape) >= p
    mask = (keep / (1 - p)).astype(input._data.dtype)
    return mul(input, Tensor._make(mask, None, 0, None))


# ----------------------------------------------------------------------------------------------
# -- activations, normalization, losses (elementwise / F area) --
# ----------------------------------------------------------------------------------------------
__all__ += [
    "relu6", "hardtanh", "logsigmoid", "softsign", "hardsigmoid", "hardswish", "mish", "selu",
    "celu", "softmin", "normalize", "cosine_similarity", "layer_norm", "one_hot", "huber_loss",
    "kl_div",
]

_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


def hardtanh(input: Tensor, min_val: float = -1.0, max_val: float = 1.0,
             inplace: bool = False) -> Tensor:
    if min_val > max_val:
        raise InvalidArgumentError("min_val cannot be greater than max_val")
    if inplace:
        return D.hardtanh.inplace(input, min_val=min_val, max_val=max_val)
    return D.hardtanh(input, min_val=min_val, max_val=max_val)


def relu6(input: Tensor, inplace: bool = False) -> Tensor:
    # PyTorch's relu6 is hardtanh(0, 6): it records HardtanhBackward0.
    return hardtanh(input, 0.0, 6.0, inplace)


def logsigmoid(input: Tensor) -> Tensor:
    return D.logsigmoid(input)


def softsign(input: Tensor) -> Tensor:
    """``input / (input.abs() + 1)``, composed as PyTorch composes it."""
    return ops.div(input, ops.add(ops.abs(input), 1))


def hardsigmoid(input: Tensor, inplace: bool = False) -> Tensor:
    return D.hardsigmoid.inplace(input) if inplace else D.hardsigmoid(input)


def hardswish(input: Tensor, inplace: bool = False) -> Tensor:
    return D.hardswish.inplace(input) if inplace else D.hardswish(input)


def mish(input: Tensor, inplace: bool = False) -> Tensor:
    return D.mish.inplace(input) if inplace else D.mish(input)


def selu(input: Tensor, inplace: bool = False) -> Tensor:
    # PyTorch records EluBackward0, or EluBackward1 (saving the result) in place.
    kw = {"alpha": _SELU_ALPHA, "scale": _SELU_SCALE, "input_scale": 1}
    return D.selu_inplace.inplace(input, **kw) if inplace else D.selu(input, **kw)


def celu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    if alpha == 0:
        raise InvalidArgumentError("ZeroDivisionError")
    if inplace:
        return D.celu_inplace.inplace(input, alpha=alpha)
    return D.celu(input, alpha=alpha)


def softmin(input: Tensor, dim: Any = None, _stacklevel: int = 3, dtype: Any = None) -> Tensor:
    """``softmax(-input, dim)``: NegBackward0 then SoftmaxBackward0, as PyTorch."""
    return softmax(ops.neg(input), dim, dtype=dtype)


def normalize(input: Tensor, p: float = 2.0, dim: int = 1, eps: float = 1e-12,
              out: Any = None) -> Tensor:
    """``input / norm(input, p, dim, keepdim=True).clamp_min(eps).expand_as(input)``."""
    if out is not None:
        raise InvalidArgumentError("normalize: out= is not supported by adcli")
    denom = ops.expand_as(ops.clamp_min(ops.norm(input, p, dim, keepdim=True), eps), input)
    return ops.div(input, denom)


def cosine_similarity(x1: Tensor, x2: Tensor, dim: int = 1, eps: float = 1e-8) -> Tensor:
    """PyTorch's composition: each input divided by its (cloned, clamped) norm, then summed."""
    from .grad_mode import no_grad
    from .tensor import _wrap_dim

    a = ops._float(ops.as_tensor(x1))
    b = ops._float(ops.as_tensor(x2, a))
    if a.shape != b.shape:
        shape = D.broadcast_shapes(tuple(a.shape), tuple(b.shape))
        a, b = ops.expand(a, shape), ops.expand(b, shape)
    d = _wrap_dim(dim, a._data.ndim)
    n1 = ops.clone(ops.norm(a, 2, d, keepdim=True))
    n2 = ops.clone(ops.norm(b, 2, d, keepdim=True))
    with no_grad():
        # As PyTorch: the clamp is not recorded (the gradient flows as if unclamped).
        ops.clamp_(n1, min=eps)
        ops.clamp_(n2, min=eps)
    return ops.sum(ops.mul(ops.div(a, n1), ops.div(b, n2)), d)


def layer_norm(input: Tensor, normalized_shape: Any, weight: Tensor | None = None,
               bias: Tensor | None = None, eps: float = 1e-5) -> Tensor:
    shape = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)
    return D.layer_norm(input, weight, bias, normalized_shape=tuple(int(n) for n in shape),
                        eps=eps)


def one_hot(tensor: Tensor, num_classes: int = -1) -> Tensor:
    """An int64 tensor of shape ``(*tensor.shape, num_classes)``; no gradient."""
    t = ops.as_tensor(tensor)
    idx = t._data
    if idx.dtype != np.int64:
        raise InvalidArgumentError(
            "one_hot is only applicable to index tensor of type LongTensor.")
    if idx.size == 0:
        if num_classes <= 0:
            raise InvalidArgumentError(
                "Can not infer total number of classes from empty tensor.")
    else:
        if idx.min() < 0:
            raise InvalidArgumentError("Class values must be non-negative.")
        if num_classes == -1:
            num_classes = int(idx.max()) + 1
        elif num_classes <= idx.max():
            raise InvalidArgumentError("Class values must be smaller than num_classes.")
    out = (idx[..., None] == np.arange(num_classes)).astype(np.int64)
    return Tensor._make(out, None, 0, None)


def huber_loss(input: Tensor, target: Tensor, reduction: str = "mean", delta: float = 1.0,
               weight: Tensor | None = None) -> Tensor:
    if weight is not None:
        raise InvalidArgumentError("huber_loss: weight is not supported by adcli")
    if delta <= 0:
        raise InvalidArgumentError("huber_loss does not support non-positive values for delta.")
    _check_same(input, target)
    return D.huber_loss(input, ops.as_tensor(target, input), reduction=_reduction(reduction),
                        delta=delta)


def _legacy_reduction(size_average: Any, reduce: Any) -> str:
    size_average = True if size_average is None else size_average
    reduce = True if reduce is None else reduce
    if size_average and reduce:
        return "mean"
    return "sum" if reduce else "none"


def kl_div(input: Tensor, target: Tensor, size_average: Any = None, reduce: Any = None,
           reduction: str = "mean", log_target: bool = False) -> Tensor:
    """PyTorch's composition: ``xlogy(target, target) - target * input`` (or, for a log target,
    ``exp(target) * (target - input)``), reduced; batchmean is the sum over the batch size."""
    if size_average is not None or reduce is not None:
        reduction = _legacy_reduction(size_average, reduce)
    if reduction != "batchmean":
        _reduction(reduction)
    t = ops.as_tensor(target, input)
    if log_target:
        out = ops.mul(ops.exp(t), ops.sub(t, input))
    else:
        out = ops.sub(ops.xlogy(t, t), ops.mul(t, input))
    if reduction == "mean":
        return ops.mean(out)
    if reduction == "none":
        return out
    reduced = ops.sum(out)
    if reduction == "batchmean" and input._data.ndim != 0:
        reduced = ops.div(reduced, input.shape[0])
    return reduced


__all__ += ["pad", "embedding"]


def pad(input: Tensor, pad: Any, mode: str = "constant", value: float | None = None) -> Tensor:
    """Constant padding (ConstantPadNdBackward0); negative amounts crop, as in PyTorch."""
    if mode != "constant":
        raise InvalidArgumentError(
            f"pad: mode {mode!r} is not supported by adcli (only 'constant')")
    amounts = tuple(int(p) for p in pad)
    if len(amounts) % 2:
        raise InvalidArgumentError("Padding length must be divisible by 2")
    nd = input._data.ndim
    if len(amounts) // 2 > nd:
        raise InvalidArgumentError(
            f"Padding length should be less than or equal to two times the input dimension but "
            f"got padding length {len(amounts)} and input of dimension {nd}")
    return D.constant_pad_nd(input, pad=amounts, value=0 if value is None else value)


def embedding(input: Tensor, weight: Tensor, padding_idx: int | None = None,
              max_norm: float | None = None, norm_type: float = 2.0,
              scale_grad_by_freq: bool = False, sparse: bool = False) -> Tensor:
    """``weight[input]``: rows looked up by index (EmbeddingBackward0)."""
    if max_norm is not None or sparse:
        raise InvalidArgumentError("embedding: max_norm and sparse are not supported by adcli")
    idx = ops.as_tensor(input)._data
    if idx.dtype.kind not in "iu":
        from . import dtypes

        legacy = dtypes.from_numpy(idx.dtype).legacy
        raise InvalidArgumentError(
            "Expected tensor for argument #1 'indices' to have one of the following scalar types: "
            f"Long, Int; but got torch.{legacy} instead (while checking arguments for embedding)")
    if weight._data.ndim != 2:
        raise InvalidArgumentError("'weight' must be 2-D")
    n = weight.shape[0]
    if padding_idx is None:
        padding_idx = -1
    elif padding_idx >= 0:
        if padding_idx >= n:
            raise InvalidArgumentError("Padding_idx must be within num_embeddings")
    else:
        if padding_idx < -n:
            raise InvalidArgumentError("Padding_idx must be within num_embeddings")
        padding_idx = n + padding_idx
    return D.embedding(weight, indices=idx.astype(np.int64, copy=False), padding_idx=padding_idx,
                       scale_grad_by_freq=scale_grad_by_freq)
