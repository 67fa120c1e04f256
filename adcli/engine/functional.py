"""The ``F.`` ops (``torch.nn.functional``), composed from table ops as PyTorch composes them."""

from __future__ import annotations

from typing import Any

import numpy as np

from . import derivatives as D
from . import ops
from .dtypes import scalar_type_name
from .errors import InvalidArgumentError
from .limits import check_shape
from .random_ops import dropout_noise
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
    """Zero each element with probability p, scaling the rest by 1/(1-p): torch's CPU mask."""
    if not 0 <= p <= 1:
        raise InvalidArgumentError(f"dropout probability has to be between 0 and 1, but got {p}")
    if not training or p == 0:
        return input
    mul = ops.mul_ if inplace else ops.mul
    if p == 1:
        return mul(input, 0.0)
    return mul(input, Tensor._make(dropout_noise(input._data, p), None, 0, None))


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
    check_shape((*idx.shape, num_classes))  # before allocating: num_classes is user input
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


# ----------------------------------------------------------------------------------------------
# -- convolution, pooling, normalization --
# ----------------------------------------------------------------------------------------------
__all__ += [
    "conv1d", "conv2d", "conv_transpose1d", "conv_transpose2d", "unfold", "fold",
    "max_pool1d", "max_pool2d", "avg_pool1d", "avg_pool2d", "adaptive_avg_pool1d",
    "adaptive_avg_pool2d", "batch_norm", "group_norm", "instance_norm",
]


def _int_tuple(v: Any, n: int) -> tuple[int, ...]:
    """An int repeated n times, or the given sequence as a tuple of ints."""
    if isinstance(v, int | np.integer):
        return (int(v),) * n
    return tuple(int(i) for i in v)


def _expand_param(v: tuple[int, ...], name: str, k: int) -> tuple[int, ...]:
    # PyTorch's expand_param_if_needed
    if len(v) == 1:
        return v * k
    if len(v) != k:
        raise InvalidArgumentError(
            f"expected {name} to be a single integer value or a list of {k} values to match the "
            f"convolution dimensions, but got {name}={list(v)}")
    return v


def _convolution(x: Tensor, weight: Tensor, bias: Tensor | None, stride: tuple[int, ...],
                 padding: tuple[int, ...], dilation: tuple[int, ...], transposed: bool,
                 output_padding: tuple[int, ...], groups: int) -> Tensor:
    """PyTorch's at::_convolution checks, then one ConvolutionBackward0 node."""
    from .errors import ShapeMismatchError

    ws = tuple(weight.shape)
    xs = tuple(x.shape)
    k = len(ws) - 2
    if k <= 0:
        raise InvalidArgumentError("weight should have at least three dimensions")
    if groups <= 0:
        raise InvalidArgumentError("non-positive groups is not supported")
    stride = _expand_param(stride, "stride", k)
    padding = _expand_param(padding, "padding", k)
    dilation = _expand_param(dilation, "dilation", k)
    output_padding = _expand_param(output_padding, "output_padding", k)
    if any(p < 0 for p in padding):
        raise InvalidArgumentError("negative padding is not supported")
    if any(p < 0 for p in output_padding):
        raise InvalidArgumentError("negative output_padding is not supported")
    if any(s <= 0 for s in stride):
        raise InvalidArgumentError("non-positive stride is not supported")
    if any(d <= 0 for d in dilation):
        raise InvalidArgumentError(
            f"dilation should be greater than zero, but got {list(dilation)}")
    if len(ws) != len(xs):
        raise ShapeMismatchError(
            f"Expected {len(ws)}-dimensional input for {len(ws)}-dimensional weight {list(ws)}, "
            f"but got {len(xs)}-dimensional input of size {list(xs)} instead")
    if ws[0] < groups:
        raise ShapeMismatchError(
            f"Given groups={groups}, expected weight to be at least {groups} at dimension 0, but "
            f"got weight of size {list(ws)} instead")
    if ws[0] % groups:
        raise ShapeMismatchError(
            f"Given groups={groups}, expected weight to be divisible by {groups} at dimension 0, "
            f"but got weight of size [{list(ws)}] instead")
    bs = None if bias is None else list(bias.shape)
    if not transposed:
        if xs[1] != ws[1] * groups:
            raise ShapeMismatchError(
                f"Given groups={groups}, weight of size {list(ws)}, expected input{list(xs)} to "
                f"have {ws[1] * groups} channels, but got {xs[1]} channels instead")
        if bs is not None and bs != [ws[0]]:
            raise ShapeMismatchError(
                f"Given weight of size {list(ws)}, expected bias to be 1-dimensional with "
                f"{ws[0]} elements, but got bias of size {bs} instead")
        padded = [n + 2 * p for n, p in zip(xs[2:], padding)]
        kern = [d * (n - 1) + 1 for n, d in zip(ws[2:], dilation)]
        if any(p < kk for p, kk in zip(padded, kern)):
            raise ShapeMismatchError(
                f"Calculated padded input size per channel: ({' x '.join(map(str, padded))}). "
                f"Kernel size: ({' x '.join(map(str, kern))}). Kernel size can't be greater than "
                f"actual input size")
        out = tuple((p - kk) // s + 1 for p, kk, s in zip(padded, kern, stride))
    else:
        if xs[1] != ws[0]:
            raise ShapeMismatchError(
                f"Given transposed=1, weight of size {list(ws)}, expected input{list(xs)} to "
                f"have {ws[0]} channels, but got {xs[1]} channels instead")
        if bs is not None and bs != [ws[1] * groups]:
            raise ShapeMismatchError(
                f"Given transposed=1, weight of size {list(ws)}, expected bias to be "
                f"1-dimensional with {ws[1] * groups} elements, but got bias of size {bs} instead")
        if any(op >= s and op >= d for op, s, d in zip(output_padding, stride, dilation)):
            # (PyTorch reports a 1-d convolution as a 2-d one of height 1)
            lead = 2 - k
            ops_ = (0,) * lead + tuple(output_padding)
            st_ = (1,) * lead + tuple(stride)
            di_ = (1,) * lead + tuple(dilation)
            raise InvalidArgumentError(
                f"output padding must be smaller than either stride or dilation, but got "
                f"output_padding_height: {ops_[-2]} output_padding_width: {ops_[-1]} "
                f"stride_height: {st_[-2]} stride_width: {st_[-1]} dilation_height: {di_[-2]} "
                f"dilation_width: {di_[-1]}")
        out = tuple((n - 1) * s - 2 * p + d * (kk - 1) + op + 1 for n, s, p, d, kk, op in
                    zip(xs[2:], stride, padding, dilation, ws[2:], output_padding))
    xd, wd = x._data.dtype, weight._data.dtype
    if xd != wd:
        raise InvalidArgumentError(
            f"expected scalar type {scalar_type_name(xd)} but found {scalar_type_name(wd)}")
    if bias is not None and bias._data.dtype != xd:
        names = {"float32": "float", "float64": "double"}
        bd = bias._data.dtype
        raise InvalidArgumentError(
            f"Input type ({names.get(xd.name, xd.name)}) and bias type "
            f"({names.get(bd.name, bd.name)}) should be the same")
    return D.convolution(x, weight, bias, stride=stride, padding=padding, dilation=dilation,
                         transposed=transposed, output_padding=output_padding, groups=groups,
                         out_spatial=out)


def _conv_nd(name: str, nsp: int, input: Tensor, weight: Tensor, bias: Tensor | None,
             stride: Any, padding: Any, dilation: Any, groups: int, transposed: bool = False,
             output_padding: Any = 0) -> Tensor:
    nd = input._data.ndim
    if nd not in (nsp + 1, nsp + 2):
        raise InvalidArgumentError(
            f"Expected {nsp + 1}D (unbatched) or {nsp + 2}D (batched) input to {name}, but got "
            f"input of size: {list(input.shape)}")
    # As PyTorch: an unbatched input is unsqueezed, and the result squeezed back.
    x = ops.unsqueeze(input, 0) if nd == nsp + 1 else input
    stride = _int_tuple(stride, nsp)
    dilation = _int_tuple(dilation, nsp)
    if isinstance(padding, str):
        if padding == "valid":
            padding = (0,) * nsp
        elif padding != "same":
            raise InvalidArgumentError(f"Invalid padding string: {padding!r}")
        else:
            if any(s != 1 for s in _expand_param(stride, "stride", nsp)):
                raise InvalidArgumentError(
                    "padding='same' is not supported for strided convolutions")
            dil = _expand_param(dilation, "dilation", nsp)
            total = [d * (n - 1) for d, n in zip(dil, weight.shape[2:])]
            padding = tuple(t // 2 for t in total)
            extra = [t - 2 * (t // 2) for t in total]
            if any(extra):
                # PyTorch pads the odd remainder at the end first (ConstantPadNdBackward0).
                amounts = tuple(a for e in reversed(extra) for a in (0, e))
                x = D.constant_pad_nd(x, pad=amounts, value=0)
    out = _convolution(x, weight, bias, stride, _int_tuple(padding, nsp), dilation, transposed,
                       _int_tuple(output_padding, nsp), groups)
    return ops.squeeze(out, 0) if nd == nsp + 1 else out


def conv1d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride: Any = 1,
           padding: Any = 0, dilation: Any = 1, groups: int = 1) -> Tensor:
    return _conv_nd("conv1d", 1, input, weight, bias, stride, padding, dilation, groups)


def conv2d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride: Any = 1,
           padding: Any = 0, dilation: Any = 1, groups: int = 1) -> Tensor:
    return _conv_nd("conv2d", 2, input, weight, bias, stride, padding, dilation, groups)


def conv_transpose1d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride: Any = 1,
                     padding: Any = 0, output_padding: Any = 0, groups: int = 1,
                     dilation: Any = 1) -> Tensor:
    return _conv_nd("conv_transpose1d", 1, input, weight, bias, stride, padding, dilation,
                    groups, True, output_padding)


def conv_transpose2d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride: Any = 1,
                     padding: Any = 0, output_padding: Any = 0, groups: int = 1,
                     dilation: Any = 1) -> Tensor:
    return _conv_nd("conv_transpose2d", 2, input, weight, bias, stride, padding, dilation,
                    groups, True, output_padding)


def _fold_params(kernel_size: Any, dilation: Any, padding: Any, stride: Any) -> tuple:
    ks, dil, pad, st = (_int_tuple(v, 2) for v in (kernel_size, dilation, padding, stride))
    return ks, dil, tuple((p, p) for p in pad), st


def unfold(input: Tensor, kernel_size: Any, dilation: Any = 1, padding: Any = 0,
           stride: Any = 1) -> Tensor:
    """Sliding local blocks as columns, ``(N, C * kh * kw, L)`` (Im2ColBackward0)."""
    nd = input._data.ndim
    if nd == 2:
        raise InvalidArgumentError(
            "Dimension out of range (expected to be in range of [-2, 1], but got 2)")
    if nd not in (3, 4):
        raise InvalidArgumentError(
            f"Expected 3D or 4D (batch mode) tensor for input with possibly 0 batch size and "
            f"non-zero dimensions for input, but got: {list(input.shape)}")
    ks, dil, pads, st = _fold_params(kernel_size, dilation, padding, stride)
    n = [D._n_windows(s + 2 * p[0], k, t, d)
         for s, k, t, d, p in zip(input.shape[-2:], ks, st, dil, pads)]
    if any(m < 1 for m in n) or any(v <= 0 for v in ks + st + dil):
        raise InvalidArgumentError(
            f"Given input with spatial size {tuple(input.shape[-2:])}, kernel_size={ks}, "
            f"dilation={dil}, padding={tuple(p for p, _ in pads)}, calculated shape of the array "
            f"of sliding blocks as ({n[0]}, {n[1]}), but its components must be at least one.")
    return D.im2col(input, kernel_size=ks, dilation=dil, padding=pads, stride=st)


def fold(input: Tensor, output_size: Any, kernel_size: Any, dilation: Any = 1, padding: Any = 0,
         stride: Any = 1) -> Tensor:
    """Columns summed back into an image, the adjoint of unfold (Col2ImBackward0)."""
    from .errors import ShapeMismatchError

    nd = input._data.ndim
    if nd not in (2, 3):
        raise InvalidArgumentError(
            f"Expected 2D or 3D (batch mode) tensor for input with possibly 0 batch size and "
            f"non-zero dimensions for input, but got: {list(input.shape)}")
    out = _int_tuple(output_size, 2)
    ks, dil, pads, st = _fold_params(kernel_size, dilation, padding, stride)
    k = ks[0] * ks[1]
    if input.shape[-2] % k:
        raise ShapeMismatchError(
            f"Expected size of input's dimension 1 to be divisible by the product of "
            f"kernel_size, but got input.size(1)={input.shape[-2]} and kernel_size={ks}.")
    n = [D._n_windows(s + 2 * p[0], kk, t, d) for s, kk, t, d, p in zip(out, ks, st, dil, pads)]
    if n[0] * n[1] != input.shape[-1]:
        raise ShapeMismatchError(
            f"Given output_size={out}, kernel_size={ks}, dilation={dil}, "
            f"padding={tuple(p for p, _ in pads)}, stride={st}, expected size of input's "
            f"dimension 2 to match the calculated number of sliding blocks {n[0]} * {n[1]} = "
            f"{n[0] * n[1]}, but got input.size(2)={input.shape[-1]}.")
    return D.col2im(input, output_size=out, kernel_size=ks, dilation=dil, padding=pads,
                    stride=st)


def _pool_param(v: Any, name: str, what: str, allow_empty: bool = False) -> tuple[int, ...] | None:
    if v is None or (allow_empty and isinstance(v, list | tuple) and len(v) == 0):
        return None
    t = _int_tuple(v, 2)
    if len(t) == 1:
        t = t * 2
    if len(t) != 2:
        raise InvalidArgumentError(f"{name}: {what}")
    return t


def _pool_out(spatial: tuple[int, ...], ks: tuple[int, ...], st: tuple[int, ...],
              pad: tuple[int, ...], dil: tuple[int, ...], ceil_mode: bool) -> tuple[int, ...]:
    out = []
    for n, k, s, p, d in zip(spatial, ks, st, pad, dil):
        if s == 0:
            raise InvalidArgumentError("stride should not be zero")
        if p < 0:
            raise InvalidArgumentError(f"pad must be non-negative, but got pad: {p}")
        if p > ((k - 1) * d + 1) // 2:
            raise InvalidArgumentError(
                f"pad should be at most half of effective kernel size, but got pad={p}, "
                f"kernel_size={k} and dilation={d}")
        out.append(D.pool_output_size(n, k, s, p, d, ceil_mode))
    return tuple(out)


def _pool2d_check(input: Tensor, ks: tuple[int, ...], st: tuple[int, ...],
                  dil: tuple[int, ...], out: tuple[int, ...]) -> None:
    """PyTorch's pool2d_shape_check."""
    if ks[0] <= 0 or ks[1] <= 0:
        raise InvalidArgumentError(
            f"kernel size should be greater than zero, but got kH: {ks[0]} kW: {ks[1]}")
    if st[0] <= 0 or st[1] <= 0:
        raise InvalidArgumentError(
            f"stride should be greater than zero, but got dH: {st[0]} dW: {st[1]}")
    if dil[0] <= 0 or dil[1] <= 0:
        raise InvalidArgumentError(
            f"dilation should be greater than zero, but got dilationH: {dil[0]} dilationW: "
            f"{dil[1]}")
    c, h, w = input.shape[-3:]
    if out[0] < 1 or out[1] < 1:
        raise InvalidArgumentError(
            f"Given input size: ({c}x{h}x{w}). Calculated output size: ({c}x{out[0]}x{out[1]}). "
            f"Output size is too small")


def max_pool2d(input: Tensor, kernel_size: Any, stride: Any = None, padding: Any = 0,
               dilation: Any = 1, ceil_mode: bool = False, return_indices: bool = False) -> Any:
    """Max over each window (MaxPool2DWithIndicesBackward0); indices index the flattened H*W."""
    ks = _pool_param(kernel_size, "max_pool2d",
                     "kernel_size must either be a single int, or a tuple of two ints")
    st = _pool_param(stride, "max_pool2d", "stride must either be omitted, a single int, or a "
                     "tuple of two ints", allow_empty=True) or ks
    pad = _pool_param(padding, "max_pool2d",
                      "padding must either be a single int, or a tuple of two ints")
    dil = _pool_param(dilation, "max_pool2d",
                      "dilation must be either a single int, or a tuple of two ints")
    if input._data.ndim not in (3, 4) or input._data.size == 0:
        raise InvalidArgumentError("non-empty 3D or 4D (batch mode) tensor expected for input")
    out = _pool_out(tuple(input.shape[-2:]), ks, st, pad, dil, ceil_mode)
    _pool2d_check(input, ks, st, dil, out)
    values, indices = D.max_pool2d(input, kernel_size=ks, stride=st, padding=pad, dilation=dil,
                                   ceil_mode=bool(ceil_mode), out_spatial=out)
    return (values, indices) if return_indices else values


def _single(v: Any, name: str, what: str) -> int:
    t = _int_tuple(v, 1)
    if len(t) != 1:
        raise InvalidArgumentError(f"{name}() {what} but got size {len(t)}")
    return t[0]


def max_pool1d(input: Tensor, kernel_size: Any, stride: Any = None, padding: Any = 0,
               dilation: Any = 1, ceil_mode: bool = False, return_indices: bool = False) -> Any:
    """max_pool2d over (1, k) windows of ``input.unsqueeze(-2)``, squeezed back, as PyTorch."""
    nd = input._data.ndim
    if nd not in (2, 3):
        raise InvalidArgumentError(
            f"max_pool1d: Expected 2D or 3D (batch mode) tensor with optional 0 dim batch size "
            f"for input, but got:{list(input.shape)}")
    k = _single(kernel_size, "max_pool1d",
                "kernel_size must be an int, list of ints or tuple of ints of size 1")
    s = k if stride is None or (isinstance(stride, list | tuple) and not stride) else _single(
        stride, "max_pool1d",
        "stride must be None, an int, list of ints, or tuple of ints of size 1")
    p = _single(padding, "max_pool1d",
                "padding must be an int, list of ints, or tuple of ints of size 1")
    d = _single(dilation, "max_pool1d",
                "dilation must be an int, list of ints or tuple of ints of size 1")
    if k <= 0:
        raise InvalidArgumentError(
            f"max_pool1d() kernel_size must be greater than zero, but got {k}")
    if s <= 0:
        raise InvalidArgumentError(f"max_pool1d() stride must be greater than zero, but got {s}")
    if p < 0:
        raise InvalidArgumentError(f"max_pool1d() padding must be non-negative, but got {p}")
    if p > k // 2:
        raise InvalidArgumentError(
            f"max_pool1d() padding should be at most half of kernel size, but got padding={p} "
            f"and kernel_size={k}")
    if d <= 0:
        raise InvalidArgumentError(f"max_pool1d() dilation must be greater than zero, but got {d}")
    n = D.pool_output_size(input.shape[-1], k, s, p, d, ceil_mode)
    if n <= 0:
        raise InvalidArgumentError(f"max_pool1d() Invalid computed output size: {n}")
    values, indices = max_pool2d(ops.unsqueeze(input, -2), (1, k), (1, s), (0, p), (1, d),
                                 ceil_mode, True)
    values = ops.squeeze(values, -2)
    return (values, ops.squeeze(indices, -2)) if return_indices else values


def avg_pool2d(input: Tensor, kernel_size: Any, stride: Any = None, padding: Any = 0,
               ceil_mode: bool = False, count_include_pad: bool = True,
               divisor_override: int | None = None) -> Tensor:
    """Mean over each window (AvgPool2DBackward0)."""
    ks = _pool_param(kernel_size, "avg_pool2d",
                     "kernel_size must either be a single int, or a tuple of two ints")
    st = _pool_param(stride, "avg_pool2d", "stride must either be omitted, a single int, or a "
                     "tuple of two ints", allow_empty=True) or ks
    pad = _pool_param(padding, "avg_pool2d",
                      "padding must either be a single int, or a tuple of two ints")
    if divisor_override is not None and divisor_override == 0:
        raise InvalidArgumentError("divisor must be not zero")
    nd = input._data.ndim
    if nd < 3:
        raise InvalidArgumentError(
            f"Dimension out of range (expected to be in range of [{-max(nd, 1)}, "
            f"{max(nd, 1) - 1}], but got -3)")
    if nd > 4:
        raise InvalidArgumentError(
            f"Expected 3D or 4D (batch mode) tensor with optional 0 dim batch size for input, but "
            f"got:{list(input.shape)}")
    out = _pool_out(tuple(input.shape[-2:]), ks, st, pad, (1, 1), ceil_mode)
    _pool2d_check(input, ks, st, (1, 1), out)
    return D.avg_pool2d(input, kernel_size=ks, stride=st, padding=pad, ceil_mode=bool(ceil_mode),
                        count_include_pad=bool(count_include_pad),
                        divisor_override=divisor_override, out_spatial=out)


def _one_int(v: Any, name: str) -> int | None:
    if v is None or (isinstance(v, list | tuple) and not v):
        return None
    t = _int_tuple(v, 1)
    if len(t) != 1:
        raise InvalidArgumentError(
            f"avg_pool1d() argument '{name}' should contain one int (got {len(t)})")
    return t[0]


def avg_pool1d(input: Tensor, kernel_size: Any, stride: Any = None, padding: Any = 0,
               ceil_mode: bool = False, count_include_pad: bool = True) -> Tensor:
    """avg_pool2d over (1, k) windows of ``input.unsqueeze(-2)``, squeezed back, as PyTorch."""
    nd = input._data.ndim
    if nd not in (2, 3):
        raise InvalidArgumentError(
            f"Expected 2 to 3 dimensions, but got {nd}-dimensional tensor for argument #1 'self' "
            f"(while checking arguments for avg_pool1d)")
    k, s, p = (_one_int(v, name) for v, name in
               ((kernel_size, "kernel_size"), (stride, "stride"), (padding, "padding")))
    s = k if s is None else s
    out = avg_pool2d(ops.unsqueeze(input, -2), (1, k), (1, s), (0, p), ceil_mode,
                     count_include_pad)
    return ops.squeeze(out, -2)


def adaptive_avg_pool2d(input: Tensor, output_size: Any) -> Tensor:
    """Mean over adaptive windows; output size 1 is a mean over the last two dims, as PyTorch."""
    nd = input._data.ndim
    if nd not in (3, 4) or any(n == 0 for n in input.shape[-2:]):
        raise InvalidArgumentError(
            f"adaptive_avg_pool2d(): Expected 3D or 4D tensor, but got {list(input.shape)}")
    sizes = (output_size,) * 2 if isinstance(output_size, int) else tuple(output_size)
    out = tuple(input.shape[nd - 2 + i] if s is None else int(s) for i, s in enumerate(sizes))
    if out == (1, 1):
        return ops.mean(input, (-1, -2), keepdim=True)
    return D.adaptive_avg_pool2d(input, out_spatial=out)


def adaptive_avg_pool1d(input: Tensor, output_size: Any) -> Tensor:
    """adaptive_avg_pool2d of ``input.unsqueeze(-2)``, squeezed back, as PyTorch."""
    nd = input._data.ndim
    if nd not in (2, 3):
        raise InvalidArgumentError(
            f"Expected 2 to 3 dimensions, but got {nd}-dimensional tensor for argument #1 'self' "
            f"(while checking arguments for adaptive_avg_pool1d)")
    n = _int_tuple(output_size, 1)
    x = ops.unsqueeze(input, -2)
    return ops.squeeze(D.adaptive_avg_pool2d(x, out_spatial=(1, n[0])), -2)


def _check_features(name: str, expected: int, t: Tensor | None) -> None:
    if t is not None and t._data.size != expected:
        raise InvalidArgumentError(f"{name} should contain {expected} elements not {t._data.size}")


def _verify_batch_size(size: Any) -> None:
    prod = size[0] * int(np.prod(size[2:], dtype=np.int64))
    if prod == 1:
        raise InvalidArgumentError(
            f"Expected more than 1 value per channel when training, got input size {size!r}")


def _write_stat(t: Tensor, value: np.ndarray) -> None:
    from .op import _write

    if t._data.flags.writeable:
        np.copyto(t._data, value, casting="unsafe")
    else:
        _write(t, value)


def _batch_norm(input: Tensor, weight: Tensor | None, bias: Tensor | None,
                running_mean: Tensor | None, running_var: Tensor | None, training: bool,
                momentum: float, eps: float) -> Tensor:
    """torch.batch_norm: one NativeBatchNormBackward0; in training, the running statistics
    are updated in place (the variance unbiased)."""
    nd = input._data.ndim
    c = input.shape[1] if nd > 1 else 0
    for name, t in (("running_mean", running_mean), ("running_var", running_var)):
        if t is not None:
            _check_features(name, c, t)
        elif not training:
            raise InvalidArgumentError(f"{name} must be defined in evaluation mode")
    _check_features("weight", c, weight)
    _check_features("bias", c, bias)
    x = input._data
    if x.dtype.kind != "f":
        raise InvalidArgumentError(
            f"\"batch_norm\" not implemented for '{scalar_type_name(x.dtype)}'")
    stats = {}
    if not training:
        stats = {"running_mean": running_mean._data.copy(), "running_var": running_var._data.copy()}
    out = D.native_batch_norm(input, weight, bias, training=bool(training), eps=eps, **stats)
    if training and (running_mean is not None or running_var is not None):
        dims, _, n = D._bn_dims(x.shape)
        m = 0.0 if momentum is None else momentum
        # As PyTorch's kernel, the running statistics are written without a version bump.
        if running_mean is not None:
            _write_stat(running_mean, (1 - m) * running_mean._data + m * x.mean(axis=dims))
        if running_var is not None:
            var = x.var(axis=dims, ddof=1) if n > 1 else np.full(c, np.nan, x.dtype)
            _write_stat(running_var, (1 - m) * running_var._data + m * var)
    return out


def batch_norm(input: Tensor, running_mean: Tensor | None, running_var: Tensor | None,
               weight: Tensor | None = None, bias: Tensor | None = None, training: bool = False,
               momentum: float = 0.1, eps: float = 1e-5) -> Tensor:
    if training:
        _verify_batch_size(input.shape)
    return _batch_norm(input, weight, bias, running_mean, running_var, training, momentum, eps)


def group_norm(input: Tensor, num_groups: int, weight: Tensor | None = None,
               bias: Tensor | None = None, eps: float = 1e-5) -> Tensor:
    """Normalization over each group of channels (NativeGroupNormBackward0)."""
    nd = input._data.ndim
    if nd < 2:
        raise InvalidArgumentError(
            f"Expected at least 2 dimensions for input tensor but received {nd}")
    if num_groups == 0:
        raise InvalidArgumentError("integer division or modulo by zero")
    shape = list(input.shape)
    _verify_batch_size([shape[0] * shape[1] // num_groups, num_groups, *shape[2:]])
    from .errors import ShapeMismatchError

    n, c = shape[0], shape[1]
    if c % num_groups:
        raise ShapeMismatchError(
            f"Expected number of channels in input to be divisible by num_groups, but got input "
            f"of shape {shape} and num_groups={num_groups}")
    for name, t in (("weight", weight), ("bias", bias)):
        if t is not None and (t._data.ndim != 1 or t._data.size != c):
            raise ShapeMismatchError(
                f"Expected {name} to be a vector of size equal to the number of channels in "
                f"input, but got {name} of shape {list(t.shape)} and input of shape {shape}")
    return D.native_group_norm(input, weight, bias, N=n, C=c,
                               HxW=int(np.prod(shape[2:], dtype=np.int64)), group=num_groups,
                               eps=eps)


def instance_norm(input: Tensor, running_mean: Tensor | None = None,
                  running_var: Tensor | None = None, weight: Tensor | None = None,
                  bias: Tensor | None = None, use_input_stats: bool = True,
                  momentum: float = 0.1, eps: float = 1e-5) -> Tensor:
    """PyTorch's composition: batch_norm of the input viewed as (1, N * C, ...), with weight,
    bias and running statistics repeated N times; the running statistics are then averaged
    back over the batch."""
    from .op import _write

    if use_input_stats:
        shape = input.shape
        if int(np.prod(shape[2:], dtype=np.int64)) == 1:
            raise InvalidArgumentError(
                f"Expected more than 1 spatial element when training, got input size {shape!r}")
    elif running_mean is None or running_var is None:
        raise InvalidArgumentError(
            "Expected running_mean and running_var to be defined when use_input_stats is false")
    b, c = input.shape[0], input.shape[1]
    w = None if weight is None else ops.repeat(weight, b)
    bb = None if bias is None else ops.repeat(bias, b)
    stats = [None if t is None else Tensor._make(np.tile(t._data, b), None, 0, None)
             for t in (running_mean, running_var)]
    x = input if input._data.flags.c_contiguous else ops.clone(input)
    x = ops.view(x, (1, b * c, *tuple(input.shape[2:])))
    out = _batch_norm(x, w, bb, stats[0], stats[1], use_input_stats, momentum, eps)
    for t, rep in zip((running_mean, running_var), stats):
        if t is not None and use_input_stats:
            _write(t, rep._data.reshape(b, c).mean(axis=0))
    return ops.view(out, tuple(input.shape))


# ----------------------------------------------------------------------------------------------
# -- layers of adcli.nn --
# ----------------------------------------------------------------------------------------------
__all__ += ["bilinear"]


def bilinear(input1: Tensor, input2: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """``x1^T A x2 + b`` over the last dimension (torch composes it from _trilinear; adcli from
    einsum: the same values and gradients, other grad_fn names)."""
    n1, n2 = input1._data.ndim, input2._data.ndim
    if n1 != n2:
        raise InvalidArgumentError(f"bilinear(): input dimensions do not match: got {n1} and {n2}")
    for a, b in zip(input1.shape[:-1], input2.shape[:-1]):
        if a != b:
            raise InvalidArgumentError(
                f"bilinear(): input batch dimensions do not match: got {a} and {b}")
    if input1.shape[-1] != weight.shape[1]:
        raise InvalidArgumentError(
            f"bilinear(): input1 size does not match weight size: got {input1.shape[-1]} but "
            f"expected {weight.shape[1]}")
    if input2.shape[-1] != weight.shape[2]:
        raise InvalidArgumentError(
            f"bilinear(): input2 size does not match weight size: got {input2.shape[-1]} but "
            f"expected {weight.shape[2]}")
    if bias is not None and bias.shape[0] != weight.shape[0]:
        raise InvalidArgumentError(
            f"bilinear(): bias size does not match weight size: got {bias.shape[0]} but "
            f"expected {weight.shape[0]}")
    out = ops.einsum("...i,oij,...j->...o", input1, weight, input2)
    return out if bias is None else ops.add(out, bias)
