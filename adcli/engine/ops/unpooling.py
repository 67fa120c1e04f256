"""Max unpooling: ``F.max_unpool1d/2d/3d``, the partial inverse of max pooling (each value put
back where its window's maximum was, zeros elsewhere), as PyTorch's ``max_unpool2d/3d`` ops.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..dtypes import scalar_type_name
from ..errors import InvalidArgumentError, ShapeMismatchError
from ..limits import check_shape
from ..op import defop
from ..tensor import Tensor
from .conv import _int_tuple
from .shape import squeeze, unsqueeze

# ==============================================================================================
# the table: forwards and derivative formulas
# ==============================================================================================


def _max_unpool(a: np.ndarray, indices: np.ndarray, out_spatial: tuple[int, ...]) -> np.ndarray:
    nsp = len(out_spatial)
    lead = a.shape[:a.ndim - nsp]
    check_shape((*lead, *out_spatial))
    m = int(np.prod(out_spatial))
    out = np.zeros((*lead, m), dtype=a.dtype)
    # (a repeated index keeps the last value written, as PyTorch's CPU loop does)
    np.put_along_axis(out, indices.reshape((*lead, -1)), a.reshape((*lead, -1)), -1)
    return out.reshape((*lead, *out_spatial))


def _unpool_grad(g, s, B):
    "max_pool_double_backward(grad, indices): grad gathered where each value was put"
    from .pooling import _gather_at_indices

    return _gather_at_indices(g, s.indices, len(s.out_spatial), B)


max_unpool2d_op = defop("max_unpool2d", "MaxUnpool2DBackward0",
                        lambda a, indices, out_spatial: _max_unpool(a, indices, out_spatial),
                        torch="torch.nn.functional.max_unpool1d / max_unpool2d")
max_unpool3d_op = defop("max_unpool3d", "MaxUnpool3DBackward0",
                        lambda a, indices, out_spatial: _max_unpool(a, indices, out_spatial),
                        torch="torch.nn.functional.max_unpool3d")
max_unpool2d_op.grad("self")(_unpool_grad)
max_unpool3d_op.grad("self")(_unpool_grad)


# ==============================================================================================
# torch.nn.functional
# ==============================================================================================


def _unpool_output_size(input: Tensor, kernel_size: tuple[int, ...], stride: tuple[int, ...],
                        padding: tuple[int, ...], output_size: Any) -> list[int]:
    """torch.nn.functional._unpool_output_size: the default size, or the given one checked."""
    n = len(kernel_size)
    default = [(input.shape[input.dim() - n + d] - 1) * stride[d] + kernel_size[d]
               - 2 * padding[d] for d in range(n)]
    if output_size is None:
        ret = default
    else:
        given = output_size  # (printed as the caller passed it, tuple or list)
        output_size = list(output_size)
        if len(output_size) == n + 2:
            output_size = output_size[2:]
        if len(output_size) != n:
            raise ValueError(
                f"output_size should be a sequence containing {n} or {n + 2} elements, but it "
                f"has a length of '{len(output_size)}'")
        for d in range(n):
            lo, hi = default[d] - stride[d], default[d] + stride[d]
            if not lo < output_size[d] < hi:
                raise ValueError(f'invalid output_size "{given}" (dim {d} must be between {lo} '
                                 f"and {hi})")
        ret = output_size
    for d in range(n):
        if ret[d] < 0:
            raise ValueError("max_unpooling: output_size must contain non-negative spatial "
                             f"dimensions, but got output_size[{d}]={ret[d]}")
    return [int(v) for v in ret]


def _unpool(input: Tensor, indices: Tensor, out: list[int], nsp: int) -> Tensor:
    """PyTorch's max_unpooling{2,3}d_forward checks, then the op."""
    if indices._data.dtype != np.int64:
        raise InvalidArgumentError(f"elements in indices should be type int64 but got: "
                                   f"{scalar_type_name(indices._data.dtype)}")
    nd = input.dim()
    if nd not in (nsp + 1, nsp + 2):
        raise InvalidArgumentError(
            f"Input to max_unpooling{nsp}d should be a {nsp + 1}d or {nsp + 2}d Tensor, but got a "
            f"tensor with {nd} dimensions.")
    if tuple(input.shape) != tuple(indices.shape):
        raise ShapeMismatchError(
            f"Expected shape of indices to be same as that of the input tensor "
            f"({list(input.shape)}) but got indices tensor with shape: {list(indices.shape)}")
    for i in range(1, nd):
        if input.shape[i] <= 0:
            raise InvalidArgumentError(
                f"max_unpooling{nsp}d_forward_out_cpu(): Expected input to have non-zero size "
                f"for non-batch dimensions, but got {list(input.shape)} with dimension {i} "
                "being empty.")
    idx = indices._data
    m = int(np.prod(out))
    bad = idx[(idx < 0) | (idx >= m)]
    if bad.size:
        raise InvalidArgumentError(f"Found an invalid max index: {int(bad.reshape(-1)[0])} "
                                   f"(output volumes are of size {'x'.join(map(str, out))})")
    op = max_unpool2d_op if nsp == 2 else max_unpool3d_op
    return op(input, indices=idx, out_spatial=tuple(out))


def _unpool_args(kernel_size: Any, stride: Any, padding: Any, n: int) -> tuple:
    ks = _int_tuple(kernel_size, n)
    ks = ks * n if len(ks) == 1 else ks
    st = ks if stride is None else _int_tuple(stride, n)
    st = st * n if len(st) == 1 else st
    pad = _int_tuple(padding, n)
    pad = pad * n if len(pad) == 1 else pad
    return ks, st, pad


def max_unpool1d(input: Tensor, indices: Tensor, kernel_size: Any, stride: Any = None,
                 padding: Any = 0, output_size: Any = None) -> Tensor:
    """max_unpool2d of ``input.unsqueeze(-1)`` to (L, 1), squeezed back, as PyTorch."""
    ks, st, pad = _unpool_args(kernel_size, stride, padding, 1)
    out = _unpool_output_size(input, ks, st, pad, output_size)
    res = _unpool(unsqueeze(input, -1), unsqueeze(indices, -1), [*out, 1], 2)
    return squeeze(res, -1)


def max_unpool2d(input: Tensor, indices: Tensor, kernel_size: Any, stride: Any = None,
                 padding: Any = 0, output_size: Any = None) -> Tensor:
    """Each value put at its index in an (H_out, W_out) plane of zeros (MaxUnpool2DBackward0)."""
    ks, st, pad = _unpool_args(kernel_size, stride, padding, 2)
    return _unpool(input, indices, _unpool_output_size(input, ks, st, pad, output_size), 2)


def max_unpool3d(input: Tensor, indices: Tensor, kernel_size: Any, stride: Any = None,
                 padding: Any = 0, output_size: Any = None) -> Tensor:
    """Each value put at its index in a (D_out, H_out, W_out) volume of zeros
    (MaxUnpool3DBackward0)."""
    ks, st, pad = _unpool_args(kernel_size, stride, padding, 3)
    return _unpool(input, indices, _unpool_output_size(input, ks, st, pad, output_size), 3)


# ==============================================================================================
# the names this family adds: torch.<name>, Tensor.<name>, torch.nn.functional.<name>
# ==============================================================================================
TORCH: dict[str, Any] = {}
METHODS: dict[str, Any] = {}
FUNCTIONAL: dict[str, Any] = {
    "max_unpool1d": max_unpool1d, "max_unpool2d": max_unpool2d, "max_unpool3d": max_unpool3d,
}
