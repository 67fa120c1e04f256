"""Pooling: max, average and adaptive average pooling (1-d through the 2-d ops, as PyTorch),
with their backward kernels as ops (what double backward records).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..errors import InvalidArgumentError
from ..limits import check_shape
from ..op import defop
from ..tensor import Tensor
from .conv import _im2col, _int_tuple, _pad_spatial, _windows
from .kernels import KERNELS
from .reductions import mean
from .shape import squeeze, unsqueeze

# ==============================================================================================
# the table: forwards and derivative formulas
# ==============================================================================================


def pool_output_size(size: int, k: int, s: int, p: int, d: int, ceil_mode: bool) -> int:
    """PyTorch's pooling_output_shape: the last window must start inside input or left pad."""
    out = (size + 2 * p - d * (k - 1) - 1 + (s - 1 if ceil_mode else 0)) // s + 1
    if ceil_mode and (out - 1) * s >= size + p:
        out -= 1
    return out


def _pool_pads(in_sizes: tuple[int, ...], out_sizes: tuple[int, ...], kernel_size: tuple[int, ...],
               stride: tuple[int, ...], padding: tuple[int, ...],
               dilation: tuple[int, ...]) -> tuple[tuple[int, int], ...]:
    """(low, high) padding so that exactly ``out_sizes`` windows fit (ceil_mode may need more
    high padding than ``padding``; windows that stop short need less)."""
    return tuple((p, (o - 1) * s + d * (k - 1) + 1 - n - p)
                 for n, o, k, s, p, d in zip(in_sizes, out_sizes, kernel_size, stride, padding,
                                             dilation))


def _max_pool2d(a: np.ndarray, kernel_size: tuple[int, ...], stride: tuple[int, ...],
                padding: tuple[int, ...], dilation: tuple[int, ...], ceil_mode: bool,
                out_spatial: tuple[int, ...]) -> tuple[np.ndarray, np.ndarray]:
    spatial = a.shape[-2:]
    pads = _pool_pads(spatial, out_spatial, kernel_size, stride, padding, dilation)
    fill = -np.inf if a.dtype.kind == "f" else np.iinfo(a.dtype).min
    lead = a.shape[:-2]
    k = int(np.prod(kernel_size))
    w = _windows(_pad_spatial(a, pads, fill), kernel_size, dilation, stride)
    w = w.reshape((*lead, k, *tuple(out_spatial)))
    axis = len(lead)
    # first maximum of each window (NaN counts as the maximum, as in PyTorch)
    arg = np.expand_dims(np.argmax(w, axis=axis), axis)
    out = np.take_along_axis(w, arg, axis).squeeze(axis)
    pos = _pad_spatial(np.arange(spatial[0] * spatial[1]).reshape(spatial), pads, -1)
    pw = _windows(pos, kernel_size, dilation, stride).reshape((k, *tuple(out_spatial)))
    idx = np.take_along_axis(np.broadcast_to(pw, w.shape), arg, axis).squeeze(axis)
    return out, idx.astype(np.int64)


max_pool2d_op = defop("max_pool2d_with_indices", "MaxPool2DWithIndicesBackward0", _max_pool2d,
                      save=("self",), extras=("indices",),
                      torch="torch.nn.functional.max_pool1d / max_pool2d")


@max_pool2d_op.grad("self")
def _max_pool2d_self(g, s, B):
    "max_pool2d_with_indices_backward(grad, self, indices): grad added at each window's maximum"
    return B.max_pool2d_with_indices_backward(g, s.self, s.indices)


def _avg_divisor(in_sizes: tuple[int, ...], attrs: dict[str, Any], dtype: np.dtype) -> np.ndarray:
    """What each window's sum is divided by: PyTorch's pool_size (clipped to the padded input)
    with count_include_pad, else the number of input elements the window covers."""
    if attrs["divisor_override"]:
        return np.full(attrs["out_spatial"], attrs["divisor_override"], dtype=dtype)
    div = np.ones((), dtype=np.int64)
    for n, o, k, s, p in zip(in_sizes, attrs["out_spatial"], attrs["kernel_size"], attrs["stride"],
                             attrs["padding"]):
        start = np.arange(o) * s - p
        end = np.minimum(start + k, n + p)
        size = end - start if attrs["count_include_pad"] else (
            np.minimum(end, n) - np.maximum(start, 0))
        div = np.multiply.outer(div, size)
    return div.astype(dtype)


def _avg_pool_pads(in_sizes: tuple[int, ...], attrs: dict[str, Any]) -> tuple:
    return _pool_pads(in_sizes, attrs["out_spatial"], attrs["kernel_size"], attrs["stride"],
                      attrs["padding"], (1,) * len(in_sizes))


def _avg_pool2d(a: np.ndarray, **attrs: Any) -> np.ndarray:
    spatial = a.shape[-2:]
    ks = attrs["kernel_size"]
    cols = _im2col(a, ks, (1, 1), _avg_pool_pads(spatial, attrs), attrs["stride"])
    lead = a.shape[:-2]
    sums = cols.reshape((*lead, int(np.prod(ks)), -1)).sum(axis=-2)
    out = sums / _avg_divisor(spatial, attrs, a.dtype).reshape(-1)
    return out.reshape(lead + tuple(attrs["out_spatial"])).astype(a.dtype, copy=False)


avg_pool2d_op = defop("avg_pool2d", "AvgPool2DBackward0", _avg_pool2d, save=("self",),
                      torch="torch.nn.functional.avg_pool1d / avg_pool2d")


@avg_pool2d_op.grad("self")
def _avg_pool2d_self(g, s, B):
    "avg_pool2d_backward(grad, self): grad / divisor, spread over each window (col2im)"
    return B.avg_pool2d_backward(g, s.self, **_avg_attrs(s.__dict__))


_AVG_ATTRS = ("kernel_size", "stride", "padding", "ceil_mode", "count_include_pad",
              "divisor_override", "out_spatial")


def _avg_attrs(d: dict[str, Any]) -> dict[str, Any]:
    return {k: d[k] for k in _AVG_ATTRS}


def _adaptive_matrix(n: int, o: int, dtype: np.dtype) -> np.ndarray:
    """(o, n): row i averages PyTorch's adaptive window [floor(i*n/o), ceil((i+1)*n/o))."""
    i = np.arange(o)
    start = (i * n) // o
    end = -((-(i + 1) * n) // o)
    j = np.arange(n)
    inside = (j >= start[:, None]) & (j < end[:, None])
    return (inside / (end - start)[:, None]).astype(dtype)


def _adaptive_avg_pool2d(a: np.ndarray, out_spatial: tuple[int, int]) -> np.ndarray:
    # Before allocating: the output size is user input, and so are the averaging matrices.
    check_shape((*a.shape[:-2], *out_spatial))
    check_shape((out_spatial[0], a.shape[-2]))
    check_shape((out_spatial[1], a.shape[-1]))
    ah = _adaptive_matrix(a.shape[-2], out_spatial[0], a.dtype)
    aw = _adaptive_matrix(a.shape[-1], out_spatial[1], a.dtype)
    return (ah @ a @ aw.T).astype(a.dtype, copy=False)


adaptive_avg_pool2d_op = defop("adaptive_avg_pool2d", "AdaptiveAvgPool2DBackward0",
                               _adaptive_avg_pool2d, save=("self",),
                               torch="torch.nn.functional.adaptive_avg_pool1d / "
                                     "adaptive_avg_pool2d")


@adaptive_avg_pool2d_op.grad("self")
def _adaptive_avg_pool2d_self(g, s, B):
    "_adaptive_avg_pool2d_backward(grad, self): grad spread evenly over each adaptive window"
    return B.adaptive_avg_pool2d_backward(g, s.self)


# ----------------------------------------------------------------------------------------------
# -- the backward kernels as ops (PyTorch's max_pool2d_with_indices_backward, ...) --
# ----------------------------------------------------------------------------------------------
# Under create_graph PyTorch records the first derivative of a pooling as one node
# (MaxPool2DWithIndicesBackwardBackward0, AvgPool2DBackwardBackward0,
# AdaptiveAvgPool2DBackwardBackward0) with edges to the incoming gradient and to the input;
# each kernel is linear in the gradient and constant in the input (zeros). The first-order
# formulas call ``B.<kernel>``: NumPy (``_np_<kernel>``) on the fast path, the recorded op
# (``_rec_<kernel>``) under create_graph (both registered in ``kernels.KERNELS``).
def _zeros_formula(g, s, B):
    "0 (the kernel does not depend on the input's values)"
    return B.zeros_like(g)


def _np_max_pool2d_with_indices_backward(g: np.ndarray, x: np.ndarray,
                                        indices: np.ndarray) -> np.ndarray:
    shape = x.shape
    lead = shape[:-2]
    m = int(np.prod(indices.shape[len(lead):]))
    out = np.zeros((*lead, shape[-2] * shape[-1]), dtype=g.dtype)
    full = (*(np.arange(n).reshape([-1 if j == i else 1 for j in range(len(lead) + 1)])
              for i, n in enumerate(lead)), indices.reshape((*lead, m)))
    np.add.at(out, full, g.reshape((*lead, m)))
    return out.reshape(shape)


max_pool2d_backward_op = defop(
    "max_pool2d_with_indices_backward", "MaxPool2DWithIndicesBackwardBackward0",
    lambda g, x, indices: _np_max_pool2d_with_indices_backward(g, x, indices),
    inputs=("grad_output", "self"), torch="(double backward of max_pool1d / max_pool2d)")


@max_pool2d_backward_op.grad("grad_output")
def _max_pool2d_backward_go(g, s, B):
    "max_pool_double_backward: grad gathered at each window's maximum (indices)"
    idx = s.indices
    lead = idx.ndim - 2
    flat = B.reshape(g, (*g.shape[:lead], -1))
    flat_idx = idx.reshape((*idx.shape[:lead], -1))
    if B.tensors:
        from .indexing import gather

        out = gather(flat, -1, Tensor._make(flat_idx, None, 0, None))
    else:
        out = np.take_along_axis(flat, flat_idx, -1)
    return B.reshape(out, idx.shape)


max_pool2d_backward_op.grad("self")(_zeros_formula)


def _rec_max_pool2d_with_indices_backward(g: Tensor, x: Tensor, indices: np.ndarray) -> Tensor:
    return max_pool2d_backward_op(g, x, indices=indices)


def _np_avg_pool2d_backward(g: np.ndarray, x: np.ndarray, **attrs: Any) -> np.ndarray:
    from .conv import _col2im

    shape = x.shape
    spatial, lead = shape[-2:], shape[:-2]
    k = int(np.prod(attrs["kernel_size"]))
    m = int(np.prod(attrs["out_spatial"]))
    inv = (1 / _avg_divisor(spatial, attrs, g.dtype).reshape(-1)).astype(g.dtype)
    gm = g.reshape((*lead, 1, m)) * inv
    cols = np.broadcast_to(gm, (*lead, k, m)).reshape((*lead[:-1], lead[-1] * k, m))
    return _col2im(cols, spatial, attrs["kernel_size"], (1, 1), _avg_pool_pads(spatial, attrs),
                   attrs["stride"])


avg_pool2d_backward_op = defop(
    "avg_pool2d_backward", "AvgPool2DBackwardBackward0", _np_avg_pool2d_backward,
    inputs=("grad_output", "self"), torch="(double backward of avg_pool1d / avg_pool2d)")


@avg_pool2d_backward_op.grad("grad_output")
def _avg_pool2d_backward_go(g, s, B):
    "avg_pool2d(grad) with the same windows"
    a = _avg_attrs(s.__dict__)
    return avg_pool2d_op(g, **a) if B.tensors else _avg_pool2d(g, **a)


avg_pool2d_backward_op.grad("self")(_zeros_formula)


def _rec_avg_pool2d_backward(g: Tensor, x: Tensor, **attrs: Any) -> Tensor:
    return avg_pool2d_backward_op(g, x, **attrs)


def _np_adaptive_avg_pool2d_backward(g: np.ndarray, x: np.ndarray) -> np.ndarray:
    h, w = x.shape[-2:]
    ah = _adaptive_matrix(h, g.shape[-2], g.dtype)
    aw = _adaptive_matrix(w, g.shape[-1], g.dtype)
    return np.matmul(np.matmul(ah.T, g), aw)


adaptive_avg_pool2d_backward_op = defop(
    "adaptive_avg_pool2d_backward", "AdaptiveAvgPool2DBackwardBackward0",
    _np_adaptive_avg_pool2d_backward, inputs=("grad_output", "self"),
    torch="(double backward of adaptive_avg_pool1d / adaptive_avg_pool2d)")


@adaptive_avg_pool2d_backward_op.grad("grad_output")
def _adaptive_avg_pool2d_backward_go(g, s, B):
    "_adaptive_avg_pool2d(grad) to the incoming gradient's size"
    out = tuple(s.sizes[0][-2:])
    if B.tensors:
        return adaptive_avg_pool2d_op(g, out_spatial=out)
    return _adaptive_avg_pool2d(g, out)


adaptive_avg_pool2d_backward_op.grad("self")(_zeros_formula)


def _rec_adaptive_avg_pool2d_backward(g: Tensor, x: Tensor) -> Tensor:
    return adaptive_avg_pool2d_backward_op(g, x)


KERNELS.update({
    "max_pool2d_with_indices_backward": (_np_max_pool2d_with_indices_backward,
                                         _rec_max_pool2d_with_indices_backward),
    "avg_pool2d_backward": (_np_avg_pool2d_backward, _rec_avg_pool2d_backward),
    "adaptive_avg_pool2d_backward": (_np_adaptive_avg_pool2d_backward,
                                     _rec_adaptive_avg_pool2d_backward),
})


# ==============================================================================================
# torch-level functions
# ==============================================================================================


def max_pool1d(input: Tensor, kernel_size: Any, stride: Any = (), padding: Any = 0,
               dilation: Any = 1, ceil_mode: bool = False) -> Tensor:
    return _F_max_pool1d(input, kernel_size, stride, padding, dilation, ceil_mode)


def max_pool2d(input: Tensor, kernel_size: Any, stride: Any = (), padding: Any = 0,
               dilation: Any = 1, ceil_mode: bool = False) -> Tensor:
    return _F_max_pool2d(input, kernel_size, stride, padding, dilation, ceil_mode)


def avg_pool1d(input: Tensor, kernel_size: Any, stride: Any = (), padding: Any = 0,
               ceil_mode: bool = False, count_include_pad: bool = True) -> Tensor:
    return _F_avg_pool1d(input, kernel_size, stride, padding, ceil_mode,
                                 count_include_pad)


def adaptive_avg_pool1d(input: Tensor, output_size: Any) -> Tensor:
    return _F_adaptive_avg_pool1d(input, output_size)


# ==============================================================================================
# torch.nn.functional
# ==============================================================================================


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
        out.append(pool_output_size(n, k, s, p, d, ceil_mode))
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


def _F_max_pool2d(input: Tensor, kernel_size: Any, stride: Any = None, padding: Any = 0,
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
    values, indices = max_pool2d_op(input, kernel_size=ks, stride=st, padding=pad, dilation=dil,
                                   ceil_mode=bool(ceil_mode), out_spatial=out)
    return (values, indices) if return_indices else values


def _single(v: Any, name: str, what: str) -> int:
    t = _int_tuple(v, 1)
    if len(t) != 1:
        raise InvalidArgumentError(f"{name}() {what} but got size {len(t)}")
    return t[0]


def _F_max_pool1d(input: Tensor, kernel_size: Any, stride: Any = None, padding: Any = 0,
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
    n = pool_output_size(input.shape[-1], k, s, p, d, ceil_mode)
    if n <= 0:
        raise InvalidArgumentError(f"max_pool1d() Invalid computed output size: {n}")
    values, indices = _F_max_pool2d(unsqueeze(input, -2), (1, k), (1, s), (0, p), (1, d),
                                    ceil_mode, True)
    values = squeeze(values, -2)
    return (values, squeeze(indices, -2)) if return_indices else values


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
    return avg_pool2d_op(input, kernel_size=ks, stride=st, padding=pad, ceil_mode=bool(ceil_mode),
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


def _F_avg_pool1d(input: Tensor, kernel_size: Any, stride: Any = None, padding: Any = 0,
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
    out = avg_pool2d(unsqueeze(input, -2), (1, k), (1, s), (0, p), ceil_mode,
                     count_include_pad)
    return squeeze(out, -2)


def adaptive_avg_pool2d(input: Tensor, output_size: Any) -> Tensor:
    """Mean over adaptive windows; output size 1 is a mean over the last two dims, as PyTorch."""
    nd = input._data.ndim
    sizes = (output_size,) * 2 if isinstance(output_size, int) else tuple(output_size)
    if sizes == (1, 1):  # PyTorch takes the mean before any other check
        return mean(input, (-1, -2), keepdim=True)
    if nd not in (3, 4):
        raise InvalidArgumentError(
            f"adaptive_avg_pool2d(): Expected 3D or 4D tensor, but got {list(input.shape)}")
    for i in range(1, nd):
        if input.shape[i] == 0:
            raise InvalidArgumentError(
                "adaptive_avg_pool2d(): Expected input to have non-zero size for non-batch "
                f"dimensions, but input has sizes {list(input.shape)} with dimension {i} being "
                "empty")
    out = tuple(input.shape[nd - 2 + i] if s is None else int(s) for i, s in enumerate(sizes))
    if out == (1, 1):
        return mean(input, (-1, -2), keepdim=True)
    return adaptive_avg_pool2d_op(input, out_spatial=out)


def _F_adaptive_avg_pool1d(input: Tensor, output_size: Any) -> Tensor:
    """adaptive_avg_pool2d of ``input.unsqueeze(-2)``, squeezed back, as PyTorch."""
    nd = input._data.ndim
    if nd not in (2, 3):
        raise InvalidArgumentError(
            f"Expected 2 to 3 dimensions, but got {nd}-dimensional tensor for argument #1 'self' "
            f"(while checking arguments for adaptive_avg_pool1d)")
    n = _int_tuple(output_size, 1)
    return squeeze(adaptive_avg_pool2d(unsqueeze(input, -2), (1, n[0])), -2)


# ==============================================================================================
# the names this family adds: torch.<name>, Tensor.<name>, torch.nn.functional.<name>
# ==============================================================================================
TORCH: dict[str, Any] = {
    "max_pool1d": max_pool1d, "max_pool2d": max_pool2d, "avg_pool1d": avg_pool1d,
    "adaptive_avg_pool1d": adaptive_avg_pool1d,
}

METHODS: dict[str, Any] = {}

FUNCTIONAL: dict[str, Any] = {
    "max_pool1d": _F_max_pool1d, "max_pool2d": _F_max_pool2d, "avg_pool1d": _F_avg_pool1d,
    "avg_pool2d": avg_pool2d, "adaptive_avg_pool1d": _F_adaptive_avg_pool1d,
    "adaptive_avg_pool2d": adaptive_avg_pool2d,
}
