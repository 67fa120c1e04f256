"""Normalization: batch, group, instance and layer norm, F.normalize,
cosine_similarity.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..dtypes import scalar_type_name
from ..errors import InvalidArgumentError, ShapeMismatchError
from ..op import defop
from ..tensor import Tensor
from .arithmetic import add, add_scalar_op, div, mul, pow
from .common import as_tensor, broadcast_shapes
from .conversion import _float, clone, contiguous_copy
from .norm_backward import group_norm_grads, ln_stats
from .pointwise import rsqrt
from .pointwise_multi import clamp_, clamp_min
from .reductions import mean, norm, sum
from .shape import expand, expand_as, repeat, view

# ==============================================================================================
# the table: forwards and derivative formulas
# ==============================================================================================


def _layer_norm(a: np.ndarray, weight: Any, bias: Any, normalized_shape: tuple[int, ...],
                eps: float = 1e-5) -> np.ndarray:
    k = len(normalized_shape)
    if k == 0 or a.ndim < k or tuple(a.shape[a.ndim - k:]) != tuple(normalized_shape):
        raise ShapeMismatchError(
            f"Given normalized_shape={list(normalized_shape)}, expected input with shape "
            f"[*, {', '.join(str(n) for n in normalized_shape)}], but got input of size"
            f"{list(a.shape)}"
        )
    for name, p in (("weight", weight), ("bias", bias)):
        if p is not None and tuple(p.shape) != tuple(normalized_shape):
            raise ShapeMismatchError(
                f"Expected {name} to be of same shape as normalized_shape, but got {name} of "
                f"shape {list(p.shape)} and normalized_shape = {list(normalized_shape)}"
            )
    mean, rstd = ln_stats(a, tuple(normalized_shape), eps)
    out = (a - mean) * rstd
    if weight is not None:
        out = out * weight
    if bias is not None:
        out = out + bias
    # mean and 1/std per row are kept for backward (PyTorch's result1 and result2)
    return out.astype(a.dtype, copy=False), mean, rstd


layer_norm_op = defop("layer_norm", "NativeLayerNormBackward0", _layer_norm,
                      inputs=("input", "weight", "bias"), save=("input", "weight", "bias"),
                      extras=("mean", "rstd"), torch="torch.nn.functional.layer_norm")


@layer_norm_op.grad_all
def _layer_norm_grads(g, s, B, needs):
    """native_layer_norm_backward(grad, input, mean, rstd, weight, bias): input: rstd * (dy -
    mean(dy) - xhat * mean(dy * xhat)) over the normalized dims, dy = grad * weight; weight:
    grad * xhat, bias: grad, summed over the batch dims"""
    return B.native_layer_norm_backward(g, s.input, s.mean, s.rstd, s.weight, s.bias,
                                        s.normalized_shape, needs, s.eps)


def _bn_dims(shape: tuple[int, ...]) -> tuple[tuple[int, ...], tuple[int, ...], int]:
    """Reduced dims, the (1, C, 1, ...) shape of a per-channel vector, values per channel."""
    dims = (0, *tuple(range(2, len(shape))))
    per_channel = int(np.prod(shape)) // shape[1] if shape[1] else 0
    return dims, (1, shape[1]) + (1,) * (len(shape) - 2), per_channel


def _native_batch_norm(x: np.ndarray, w: Any, b: Any, training: bool, eps: float,
                       running_mean: Any = None, running_var: Any = None) -> np.ndarray:
    dims, cshape, _ = _bn_dims(x.shape)
    if training:
        mean = x.mean(axis=dims, keepdims=True)
        invstd = 1 / np.sqrt(((x - mean) ** 2).mean(axis=dims, keepdims=True) + eps)
        # the batch statistics are kept for backward (PyTorch's result1 and result2)
        saved = (mean.reshape(-1), invstd.reshape(-1))
    else:
        mean = running_mean.reshape(cshape)
        invstd = 1 / np.sqrt(running_var.reshape(cshape) + eps)
        saved = (np.empty(0, x.dtype), np.empty(0, x.dtype))
    out = (x - mean) * invstd
    if w is not None:
        out = out * w.reshape(cshape)
    if b is not None:
        out = out + b.reshape(cshape)
    return out.astype(x.dtype, copy=False), *saved


native_batch_norm_op = defop("native_batch_norm", "NativeBatchNormBackward0", _native_batch_norm,
                             inputs=("input", "weight", "bias"), save=("input", "weight"),
                             extras=("save_mean", "save_invstd"),
                             torch="torch.nn.functional.batch_norm / instance_norm")


@native_batch_norm_op.grad_all
def _native_batch_norm_grads(g, s, B, needs):
    """native_batch_norm_backward(grad, input, weight, running stats, saved stats): input:
    training: rstd * (dy - mean(dy) - xhat * mean(dy * xhat)) per channel, dy = grad * weight;
    eval: dy * rstd (running statistics); weight: grad * xhat, bias: grad, summed per channel"""
    train = s.training
    return B.native_batch_norm_backward(
        g, s.input, s.weight, getattr(s, "running_mean", None), getattr(s, "running_var", None),
        s.save_mean if train else None, s.save_invstd if train else None, train, s.eps, needs)


def _native_group_norm(x: np.ndarray, w: Any, b: Any, N: int, C: int, HxW: int, group: int,
                       eps: float) -> list[np.ndarray]:
    _, cshape, _ = _bn_dims(x.shape)
    xr = x.reshape(N, group, -1)
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = xr.mean(axis=2, keepdims=True)
        xc = xr - mean
        rstd = 1 / np.sqrt((xc * xc).mean(axis=2, keepdims=True) + eps)
    out = (xc * rstd).reshape(x.shape)
    if w is not None:
        out = out * w.reshape(cshape)
    if b is not None:
        out = out + b.reshape(cshape)
    # as PyTorch: the mean and 1/std of each group are outputs too (differentiable ones)
    return [out.astype(x.dtype, copy=False), mean.reshape(N, group).astype(x.dtype, copy=False),
            rstd.reshape(N, group).astype(x.dtype, copy=False)]


native_group_norm_op = defop("native_group_norm", "NativeGroupNormBackward0", _native_group_norm,
                             inputs=("input", "weight", "bias"),
                             save=("input", "weight", "result1", "result2"), multi_output=True,
                             undefined_grads=True, torch="torch.nn.functional.group_norm")
native_group_norm_op.grad_all(group_norm_grads)


# ==============================================================================================
# torch-level functions
# ==============================================================================================


def batch_norm(input: Tensor, weight: Tensor | None, bias: Tensor | None,
               running_mean: Tensor | None, running_var: Tensor | None, training: bool,
               momentum: float, eps: float, cudnn_enabled: bool = False) -> Tensor:
    """torch.batch_norm (note the argument order: weight and bias come first)."""
    return _batch_norm(input, weight, bias, running_mean, running_var, training,
                                  momentum, eps)


def group_norm(input: Tensor, num_groups: int, weight: Tensor | None = None,
               bias: Tensor | None = None, eps: float = 1e-5, cudnn_enabled: bool = True) -> Tensor:
    return _F_group_norm(input, num_groups, weight, bias, eps)


def instance_norm(input: Tensor, weight: Tensor | None, bias: Tensor | None,
                  running_mean: Tensor | None, running_var: Tensor | None,
                  use_input_stats: bool, momentum: float, eps: float,
                  cudnn_enabled: bool = False) -> Tensor:
    """torch.instance_norm (torch's argument order)."""
    return _F_instance_norm(input, running_mean, running_var, weight, bias,
                                    use_input_stats, momentum, eps)


# ==============================================================================================
# torch.nn.functional
# ==============================================================================================


def normalize(input: Tensor, p: float = 2.0, dim: int = 1, eps: float = 1e-12,
              out: Any = None) -> Tensor:
    """``input / norm(input, p, dim, keepdim=True).clamp_min(eps).expand_as(input)``."""
    denom = expand_as(clamp_min(norm(input, p, dim, keepdim=True), eps), input)
    if out is not None:
        from ..out import with_out

        return with_out("div", div)(input, denom, out=out)
    return div(input, denom)


def cosine_similarity(x1: Tensor, x2: Tensor, dim: int = 1, eps: float = 1e-8) -> Tensor:
    """PyTorch's composition: each input divided by its (cloned, clamped) norm, then summed."""
    from ..grad_mode import no_grad
    from ..tensor import _wrap_dim

    a = _float(as_tensor(x1))
    b = _float(as_tensor(x2, a))
    if a.shape != b.shape:
        shape = broadcast_shapes(tuple(a.shape), tuple(b.shape))
        a, b = expand(a, shape), expand(b, shape)
    d = _wrap_dim(dim, a._data.ndim)
    n1 = clone(norm(a, 2, d, keepdim=True))
    n2 = clone(norm(b, 2, d, keepdim=True))
    with no_grad():
        # As PyTorch: the clamp is not recorded (the gradient flows as if unclamped).
        clamp_(n1, min=eps)
        clamp_(n2, min=eps)
    return sum(mul(div(a, n1), div(b, n2)), d)


def layer_norm(input: Tensor, normalized_shape: Any, weight: Tensor | None = None,
               bias: Tensor | None = None, eps: float = 1e-5) -> Tensor:
    shape = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)
    out, _, _ = layer_norm_op(input, weight, bias,
                              normalized_shape=tuple(int(n) for n in shape), eps=eps)
    return out


def rms_norm(input: Tensor, normalized_shape: Any, weight: Tensor | None = None,
             eps: float | None = None) -> Tensor:
    """``x / sqrt(mean(x**2) + eps) * weight`` over the last dims (torch's CPU composite:
    pow, mean, add, rsqrt, mul; ``eps`` defaults to the dtype's machine epsilon)."""
    shape = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)
    shape = tuple(int(n) for n in shape)
    if weight is not None and tuple(weight.shape) != shape:
        raise InvalidArgumentError(
            f"Expected weight to be of same shape as normalized_shape, but got weight of shape "
            f"{list(weight.shape)} and normalized_shape = {list(shape)}")
    nd = len(shape)
    if input.dim() < nd or tuple(input.shape[input.dim() - nd:]) != shape:
        raise InvalidArgumentError(
            f"Given normalized_shape={list(shape)}, expected input with shape "
            f"[*{', '.join(map(str, shape))}], but got input of size{list(input.shape)}")
    if eps is None:
        eps = float(np.finfo(input._data.dtype).eps)
    dims = list(range(input.dim() - nd, input.dim()))
    # torch adds eps as a C++ Scalar: AddBackward1 (Python's ``+ eps`` would record AddBackward0)
    out = mul(input, rsqrt(add_scalar_op(mean(pow(input, 2), dims, keepdim=True), other=eps)))
    return out if weight is None else mul(out, weight)


def local_response_norm(input: Tensor, size: int, alpha: float = 1e-4, beta: float = 0.75,
                        k: float = 1.0) -> Tensor:
    """Each value divided by (k + alpha * mean of squares over ``size`` neighbouring channels)
    ** beta: torch's composite (mul, constant_pad_nd, avg_pool2d/3d, view, add, pow, div)."""
    from .padding import pad
    from .pooling import avg_pool2d, avg_pool3d

    dim = input.dim()
    if dim < 3:
        raise ValueError(f"Expected 3D or higher dimensionality                          input "
                         f"(got {dim} dimensions)")
    if input.numel() == 0:
        return input
    div_ = input.mul(input)
    if dim == 3:
        div_ = div_.unsqueeze(1)
        div_ = pad(div_, (0, 0, size // 2, (size - 1) // 2))
        div_ = avg_pool2d(div_, (size, 1), stride=1).squeeze(1)
    else:
        sizes = tuple(input.shape)
        div_ = div_.view(sizes[0], 1, sizes[1], sizes[2], -1)
        div_ = pad(div_, (0, 0, 0, 0, size // 2, (size - 1) // 2))
        div_ = avg_pool3d(div_, (size, 1, 1), stride=1).squeeze(1)
        div_ = div_.view(sizes)
    div_ = div_.mul(alpha).add(k).pow(beta)
    return input / div_


def _check_features(name: str, expected: int, t: Tensor | None) -> None:
    if t is not None and t._data.size != expected:
        raise InvalidArgumentError(f"{name} should contain {expected} elements not {t._data.size}")


def _verify_batch_size(size: Any) -> None:
    prod = size[0] * int(np.prod(size[2:], dtype=np.int64))
    if prod == 1:
        raise InvalidArgumentError(
            f"Expected more than 1 value per channel when training, got input size {size!r}")


def _write_stat(t: Tensor, value: np.ndarray) -> None:
    from ..views import _write

    if t._data.flags.writeable:
        np.copyto(t._data, value, casting="unsafe")
    else:
        _write(t, value)


def _batch_norm(input: Tensor, weight: Tensor | None, bias: Tensor | None,
                running_mean: Tensor | None, running_var: Tensor | None, training: bool,
                momentum: float, eps: float, stats_too: bool = False) -> Any:
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
    if not x.size:
        # PyTorch: an empty input is cloned (never a view, never a fresh empty tensor), scaled
        # by weight[0] and shifted by bias[0]; nothing is normalized or updated.
        out = clone(input)
        if weight is not None:
            out = mul(out, weight[0])
        if bias is not None:
            out = add(out, bias[0])
        return out
    stats = {}
    if not training:
        stats = {"running_mean": running_mean._data.copy(), "running_var": running_var._data.copy()}
    out, save_mean, save_invstd = native_batch_norm_op(input, weight, bias,
                                                       training=bool(training), eps=eps, **stats)
    if training and (running_mean is not None or running_var is not None):
        dims, _, n = _bn_dims(x.shape)
        m = 0.0 if momentum is None else momentum
        # As PyTorch's kernel, the running statistics are written without a version bump.
        if running_mean is not None:
            _write_stat(running_mean, (1 - m) * running_mean._data + m * x.mean(axis=dims))
        if running_var is not None:
            var = x.var(axis=dims, ddof=1) if n > 1 else np.full(c, np.nan, x.dtype)
            _write_stat(running_var, (1 - m) * running_var._data + m * var)
    # torch.native_batch_norm: the saved statistics too (empty in evaluation)
    return (out, save_mean, save_invstd) if stats_too else out


def _F_batch_norm(input: Tensor, running_mean: Tensor | None, running_var: Tensor | None,
                  weight: Tensor | None = None, bias: Tensor | None = None, training: bool = False,
                  momentum: float = 0.1, eps: float = 1e-5) -> Tensor:
    if training:
        _verify_batch_size(input.shape)
    return _batch_norm(input, weight, bias, running_mean, running_var, training, momentum, eps)


def _F_group_norm(input: Tensor, num_groups: int, weight: Tensor | None = None,
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
    from ..errors import ShapeMismatchError

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
    return native_group_norm_op(input, weight, bias, N=n, C=c,
                                HxW=int(np.prod(shape[2:], dtype=np.int64)), group=num_groups,
                                eps=eps)[0]


def _F_instance_norm(input: Tensor, running_mean: Tensor | None = None,
                     running_var: Tensor | None = None, weight: Tensor | None = None,
                     bias: Tensor | None = None, use_input_stats: bool = True,
                     momentum: float = 0.1, eps: float = 1e-5) -> Tensor:
    """PyTorch's composition: batch_norm of the input viewed as (1, N * C, ...), with weight,
    bias and running statistics repeated N times; the running statistics are then averaged
    back over the batch."""
    from ..views import _write

    if use_input_stats:
        shape = input.shape
        if int(np.prod(shape[2:], dtype=np.int64)) == 1:
            raise InvalidArgumentError(
                f"Expected more than 1 spatial element when training, got input size {shape!r}")
    elif running_mean is None or running_var is None:
        raise InvalidArgumentError(
            "Expected running_mean and running_var to be defined when use_input_stats is false")
    b, c = input.shape[0], input.shape[1]
    w = None if weight is None else repeat(weight, b)
    bb = None if bias is None else repeat(bias, b)
    stats = [None if t is None else Tensor._make(np.tile(t._data, b), None, 0, None)
             for t in (running_mean, running_var)]
    x = input if input._data.flags.c_contiguous else contiguous_copy(input)
    x = view(x, (1, b * c, *tuple(input.shape[2:])))
    out = _batch_norm(x, w, bb, stats[0], stats[1], use_input_stats, momentum, eps)
    for t, rep in zip((running_mean, running_var), stats):
        if t is not None and use_input_stats:
            _write(t, rep._data.reshape(b, c).mean(axis=0))
    return view(out, tuple(input.shape))


# ==============================================================================================
# the names this family adds: torch.<name>, Tensor.<name>, torch.nn.functional.<name>
# ==============================================================================================
TORCH: dict[str, Any] = {"rms_norm": rms_norm,
    "batch_norm": batch_norm, "group_norm": group_norm, "instance_norm": instance_norm,
}

METHODS: dict[str, Any] = {}

FUNCTIONAL: dict[str, Any] = {
    "normalize": normalize, "cosine_similarity": cosine_similarity, "layer_norm": layer_norm,
    "rms_norm": rms_norm, "local_response_norm": local_response_norm,
    "batch_norm": _F_batch_norm, "group_norm": _F_group_norm, "instance_norm": _F_instance_norm,
}
