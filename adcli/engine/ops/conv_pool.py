"""Convolution and pooling: sliding windows (im2col/col2im, F.unfold/F.fold), conv and
transposed conv, max/avg/adaptive pooling.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..dtypes import scalar_type_name
from ..errors import InvalidArgumentError
from ..limits import check_shape
from ..op import defop
from ..tensor import Tensor
from .reductions import mean
from .shape import constant_pad_nd_op, squeeze, unsqueeze

# ==============================================================================================
# the table: forwards and derivative formulas
# ==============================================================================================


# ----------------------------------------------------------------------------------------------
# -- sliding windows, convolution, pooling --
# ----------------------------------------------------------------------------------------------
# Sliding windows are ``im2col`` (a table op, F.unfold) and its adjoint ``col2im`` (F.fold):
# convolution and average pooling are written with them, matmul and reshapes, so their
# derivative formulas are themselves recorded ops and second derivatives come for free.
# Spatial parameters are per-dim tuples; ``padding`` holds (low, high) pairs per spatial dim.
def _n_windows(size: int, k: int, s: int, d: int) -> int:
    return (size - d * (k - 1) - 1) // s + 1


def _window_slices(off: tuple[int, ...], dilation: tuple[int, ...], stride: tuple[int, ...],
                   n: tuple[int, ...]) -> tuple[slice, ...]:
    """Where kernel offset ``off`` reads, in the padded input, for each of the ``n`` windows."""
    return tuple(slice(o * d, o * d + s * (m - 1) + 1, s)
                 for o, d, s, m in zip(off, dilation, stride, n))


def _windows(xp: np.ndarray, kernel_size: tuple[int, ...], dilation: tuple[int, ...],
             stride: tuple[int, ...]) -> np.ndarray:
    """``(*lead, *kernel, *windows)``: every window of the (already padded) last dims of xp."""
    nsp = len(kernel_size)
    n = tuple(_n_windows(xp.shape[xp.ndim - nsp + i], k, s, d)
              for i, (k, s, d) in enumerate(zip(kernel_size, stride, dilation)))
    check_shape(xp.shape[:xp.ndim - nsp] + tuple(kernel_size) + n)  # sizes are user input
    out = np.empty(xp.shape[:xp.ndim - nsp] + tuple(kernel_size) + n, dtype=xp.dtype)
    tail = (slice(None),) * nsp
    # one strided copy per kernel offset (not per output position)
    for off in np.ndindex(*kernel_size):
        out[(Ellipsis, *off, *tail)] = xp[(Ellipsis, *_window_slices(off, dilation, stride, n))]
    return out


def _pad_spatial(a: np.ndarray, padding: tuple[tuple[int, int], ...], value: Any = 0) -> np.ndarray:
    """Pad the last dims by (low, high) pairs; a negative high amount crops instead (trailing
    positions that no window reads: output_padding, pooling windows that stop short)."""
    nsp = len(padding)
    if any(hi < 0 for _, hi in padding):
        a = a[(Ellipsis, *(slice(0, n + min(hi, 0))
                           for n, (_, hi) in zip(a.shape[a.ndim - nsp:], padding)))]
    if any(lo > 0 or hi > 0 for lo, hi in padding):
        check_shape(a.shape[:a.ndim - nsp] + tuple(
            n + lo + max(hi, 0) for n, (lo, hi) in zip(a.shape[a.ndim - nsp:], padding)))
        a = np.pad(a, ((0, 0),) * (a.ndim - nsp) + tuple((lo, max(hi, 0)) for lo, hi in padding),
                   constant_values=value)
    return a


def _im2col(a: np.ndarray, kernel_size: tuple[int, ...], dilation: tuple[int, ...],
            padding: tuple[tuple[int, int], ...], stride: tuple[int, ...]) -> np.ndarray:
    nsp = len(kernel_size)
    w = _windows(_pad_spatial(a, padding), kernel_size, dilation, stride)
    lead = a.shape[:a.ndim - nsp - 1]
    k = int(np.prod(kernel_size))
    return w.reshape((*lead, a.shape[a.ndim - nsp - 1] * k, -1))


def _col2im(cols: np.ndarray, output_size: tuple[int, ...], kernel_size: tuple[int, ...],
            dilation: tuple[int, ...], padding: tuple[tuple[int, int], ...],
            stride: tuple[int, ...]) -> np.ndarray:
    nsp = len(kernel_size)
    k = int(np.prod(kernel_size))
    padded = tuple(o + lo + hi for o, (lo, hi) in zip(output_size, padding))
    n = tuple(_n_windows(p, kk, s, d) for p, kk, s, d in zip(padded, kernel_size, stride, dilation))
    lead = cols.shape[:-2]
    c = cols.shape[-2] // k
    parts = cols.reshape((*lead, c, *tuple(kernel_size), *n))
    # (a negative high padding leaves trailing output positions that no window writes)
    size = tuple(max(p, lo + o) for p, o, (lo, _) in zip(padded, output_size, padding))
    check_shape((*lead, c, *size))
    out = np.zeros((*lead, c, *size), dtype=cols.dtype)
    tail = (slice(None),) * nsp
    for off in np.ndindex(*kernel_size):
        out[(Ellipsis, *_window_slices(off, dilation, stride, n))] += parts[(Ellipsis, *off, *tail)]
    crop = tuple(slice(lo, lo + o) for o, (lo, _) in zip(output_size, padding))
    return out[(Ellipsis, *crop)]


im2col_op = defop("im2col", "Im2ColBackward0", _im2col, torch="torch.nn.functional.unfold")


@im2col_op.grad("self")
def _im2col_self(g, s, B):
    "col2im(grad): each window's column added back where it was read"
    nsp = len(s.kernel_size)
    return B.col2im(g, tuple(s.in_shape[len(s.in_shape) - nsp:]), s.kernel_size, s.dilation,
                    s.padding, s.stride)


col2im_op = defop("col2im", "Col2ImBackward0", _col2im, torch="torch.nn.functional.fold")


@col2im_op.grad("self")
def _col2im_self(g, s, B):
    "im2col(grad)"
    return B.im2col(g, s.kernel_size, s.dilation, s.padding, s.stride)


def _conv_pads(padding: tuple[int, ...], output_padding: tuple[int, ...]) -> tuple:
    """im2col/col2im padding of a convolution; output_padding extends a transposed output."""
    return tuple((p, p - op) for p, op in zip(padding, output_padding))


def _conv_geometry(s: Any) -> tuple[int, int, int, tuple[int, ...], int]:
    """Batch size, groups, channels per group of weight dim 1, spatial input sizes, kernel size."""
    x_shape, w_shape = s.sizes[0], s.sizes[1]
    return x_shape[0], s.groups, w_shape[1], tuple(x_shape[2:]), int(np.prod(w_shape[2:]))


def _conv_apply(B: Any, x: Any, w: Any, x_shape: tuple[int, ...], w_shape: tuple[int, ...],
                attrs: dict[str, Any]) -> Any:
    """The convolution (or transposed convolution) of x by w, without bias."""
    n, grp = x_shape[0], attrs["groups"]
    ksize = tuple(w_shape[2:])
    k = int(np.prod(ksize))
    pads = _conv_pads(attrs["padding"], attrs["output_padding"])
    if not attrs["transposed"]:
        o, cg = w_shape[0], w_shape[1]
        cols = B.im2col(x, ksize, attrs["dilation"], pads, attrs["stride"])
        m = cols.shape[-1]
        out = B.matmul(B.reshape(w, (grp, o // grp, cg * k)), B.reshape(cols, (n, grp, cg * k, m)))
        return B.reshape(out, (n, o) + attrs["out_spatial"])
    cin, og = w_shape[0], w_shape[1]
    m = int(np.prod(x_shape[2:]))
    wm = B.reshape(w, (grp, cin // grp, og * k))
    cols = B.matmul(B.transpose(wm, -1, -2), B.reshape(x, (n, grp, cin // grp, m)))
    return B.col2im(B.reshape(cols, (n, grp * og * k, m)), attrs["out_spatial"], ksize,
                    attrs["dilation"], pads, attrs["stride"])


def _convolution_forward(x: np.ndarray, w: np.ndarray, b: Any, stride: tuple[int, ...],
                         padding: tuple[int, ...], dilation: tuple[int, ...], transposed: bool,
                         output_padding: tuple[int, ...], groups: int,
                         out_spatial: tuple[int, ...]) -> np.ndarray:
    from ..backend import NUMPY

    attrs = {"groups": groups, "padding": padding, "dilation": dilation, "stride": stride,
             "transposed": transposed, "output_padding": output_padding,
             "out_spatial": out_spatial}
    out = _conv_apply(NUMPY, x, w, x.shape, w.shape, attrs)
    if b is not None:
        out = out + b.reshape((1, -1) + (1,) * len(out_spatial))
    return out.astype(x.dtype, copy=False)


convolution_op = defop("convolution", "ConvolutionBackward0", _convolution_forward,
                       inputs=("input", "weight", "bias"), save=("input", "weight"),
                       torch="torch.nn.functional.conv1d / conv2d / conv_transpose1d / 2d")


@convolution_op.grad("input")
def _convolution_input(g, s, B):
    "the transposed convolution of grad by weight (for a transposed op: the convolution)"
    n, grp, wc, spatial, k = _conv_geometry(s)
    pads = _conv_pads(s.padding, s.output_padding)
    ksize = tuple(s.sizes[1][2:])
    if not s.transposed:
        o = s.sizes[1][0]
        gm = B.reshape(g, (n, grp, o // grp, -1))
        cols = B.matmul(B.transpose(B.reshape(s.weight, (grp, o // grp, wc * k)), -1, -2), gm)
        return B.col2im(B.reshape(cols, (n, grp * wc * k, -1)), spatial, ksize, s.dilation,
                        pads, s.stride)
    cin = s.sizes[1][0]
    cols = B.im2col(g, ksize, s.dilation, pads, s.stride)
    out = B.matmul(B.reshape(s.weight, (grp, cin // grp, wc * k)),
                   B.reshape(cols, (n, grp, wc * k, -1)))
    return B.reshape(out, s.sizes[0])


@convolution_op.grad("weight")
def _convolution_weight(g, s, B):
    "windows of input times grad, summed over the batch and the output positions"
    n, grp, wc, _spatial, k = _conv_geometry(s)
    pads = _conv_pads(s.padding, s.output_padding)
    ksize = tuple(s.sizes[1][2:])
    if not s.transposed:
        o = s.sizes[1][0]
        cols = B.reshape(B.im2col(s.input, ksize, s.dilation, pads, s.stride),
                         (n, grp, wc * k, -1))
        gm = B.reshape(g, (n, grp, o // grp, -1))
        dw = B.sum(B.matmul(gm, B.transpose(cols, -1, -2)), 0)
        return B.reshape(dw, s.sizes[1])
    cin = s.sizes[1][0]
    cols = B.reshape(B.im2col(g, ksize, s.dilation, pads, s.stride), (n, grp, wc * k, -1))
    xm = B.reshape(s.input, (n, grp, cin // grp, -1))
    dw = B.sum(B.matmul(xm, B.transpose(cols, -1, -2)), 0)
    return B.reshape(dw, s.sizes[1])


@convolution_op.grad("bias")
def _convolution_bias(g, s, B):
    "grad summed over the batch and spatial dims"
    return B.sum(g, (0, *tuple(range(2, len(s.sizes[0])))))


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
    "grad added at the position of each window's maximum (indices)"
    shape = tuple(s.in_shape)
    lead = shape[:-2]
    m = int(np.prod(s.indices.shape[len(lead):]))
    idx = s.indices.reshape((*lead, m))
    full = (*(np.arange(n).reshape([-1 if j == i else 1 for j in range(len(lead) + 1)])
              for i, n in enumerate(lead)), idx)
    flat = B.index_add(B.reshape(g, (*lead, m)), (*lead, shape[-2] * shape[-1]), full)
    return B.reshape(flat, shape)


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
    "col2im of grad / divisor, repeated over each window"
    shape = tuple(s.in_shape)
    spatial, lead = shape[-2:], shape[:-2]
    attrs = s.__dict__
    k = int(np.prod(s.kernel_size))
    m = int(np.prod(s.out_spatial))
    inv = 1 / _avg_divisor(spatial, attrs, s.dtype).reshape(-1)
    gm = B.reshape(g, (*lead, 1, m)) * inv.astype(s.dtype)
    cols = B.reshape(B.expand(gm, (*lead, k, m)), (*lead[:-1], lead[-1] * k, m))
    return B.col2im(cols, spatial, s.kernel_size, (1, 1), _avg_pool_pads(spatial, attrs),
                    s.stride)


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
                               _adaptive_avg_pool2d,
                               torch="torch.nn.functional.adaptive_avg_pool1d / "
                                     "adaptive_avg_pool2d")


@adaptive_avg_pool2d_op.grad("self")
def _adaptive_avg_pool2d_self(g, s, B):
    "grad spread evenly over each adaptive window"
    h, w = s.in_shape[-2:]
    ah = _adaptive_matrix(h, s.out_spatial[0], s.dtype)
    aw = _adaptive_matrix(w, s.out_spatial[1], s.dtype)
    return B.matmul(B.matmul(ah.T.copy(), g), aw)


# ==============================================================================================
# torch-level functions
# ==============================================================================================


# ----------------------------------------------------------------------------------------------
# -- sliding windows, convolution, pooling --
# ----------------------------------------------------------------------------------------------
def _B_im2col(x: Tensor, kernel_size: tuple[int, ...], dilation: tuple[int, ...],
              padding: tuple[tuple[int, int], ...], stride: tuple[int, ...]) -> Tensor:
    return im2col_op(x, kernel_size=kernel_size, dilation=dilation, padding=padding, stride=stride)


def _B_col2im(x: Tensor, output_size: tuple[int, ...], kernel_size: tuple[int, ...],
              dilation: tuple[int, ...], padding: tuple[tuple[int, int], ...],
              stride: tuple[int, ...]) -> Tensor:
    return col2im_op(x, output_size=tuple(output_size), kernel_size=kernel_size,
                    dilation=dilation, padding=padding, stride=stride)


def conv1d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride: Any = 1,
           padding: Any = 0, dilation: Any = 1, groups: int = 1) -> Tensor:
    return _F_conv1d(input, weight, bias, stride, padding, dilation, groups)


def conv2d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride: Any = 1,
           padding: Any = 0, dilation: Any = 1, groups: int = 1) -> Tensor:
    return _F_conv2d(input, weight, bias, stride, padding, dilation, groups)


def conv_transpose1d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride: Any = 1,
                     padding: Any = 0, output_padding: Any = 0, groups: int = 1,
                     dilation: Any = 1) -> Tensor:
    return _F_conv_transpose1d(input, weight, bias, stride, padding, output_padding,
                                       groups, dilation)


def conv_transpose2d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride: Any = 1,
                     padding: Any = 0, output_padding: Any = 0, groups: int = 1,
                     dilation: Any = 1) -> Tensor:
    return _F_conv_transpose2d(input, weight, bias, stride, padding, output_padding,
                                       groups, dilation)


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
    from ..errors import ShapeMismatchError

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
    return convolution_op(x, weight, bias, stride=stride, padding=padding, dilation=dilation,
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
    x = unsqueeze(input, 0) if nd == nsp + 1 else input
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
                x = constant_pad_nd_op(x, pad=amounts, value=0)
    out = _convolution(x, weight, bias, stride, _int_tuple(padding, nsp), dilation, transposed,
                       _int_tuple(output_padding, nsp), groups)
    return squeeze(out, 0) if nd == nsp + 1 else out


def _F_conv1d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride: Any = 1,
              padding: Any = 0, dilation: Any = 1, groups: int = 1) -> Tensor:
    return _conv_nd("conv1d", 1, input, weight, bias, stride, padding, dilation, groups)


def _F_conv2d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride: Any = 1,
              padding: Any = 0, dilation: Any = 1, groups: int = 1) -> Tensor:
    return _conv_nd("conv2d", 2, input, weight, bias, stride, padding, dilation, groups)


def _F_conv_transpose1d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride: Any = 1,
                        padding: Any = 0, output_padding: Any = 0, groups: int = 1,
                        dilation: Any = 1) -> Tensor:
    return _conv_nd("conv_transpose1d", 1, input, weight, bias, stride, padding, dilation,
                    groups, True, output_padding)


def _F_conv_transpose2d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride: Any = 1,
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
    n = [_n_windows(s + 2 * p[0], k, t, d)
         for s, k, t, d, p in zip(input.shape[-2:], ks, st, dil, pads)]
    if any(m < 1 for m in n) or any(v <= 0 for v in ks + st + dil):
        raise InvalidArgumentError(
            f"Given input with spatial size {tuple(input.shape[-2:])}, kernel_size={ks}, "
            f"dilation={dil}, padding={tuple(p for p, _ in pads)}, calculated shape of the array "
            f"of sliding blocks as ({n[0]}, {n[1]}), but its components must be at least one.")
    return im2col_op(input, kernel_size=ks, dilation=dil, padding=pads, stride=st)


def fold(input: Tensor, output_size: Any, kernel_size: Any, dilation: Any = 1, padding: Any = 0,
         stride: Any = 1) -> Tensor:
    """Columns summed back into an image, the adjoint of unfold (Col2ImBackward0)."""
    from ..errors import ShapeMismatchError

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
    n = [_n_windows(s + 2 * p[0], kk, t, d) for s, kk, t, d, p in zip(out, ks, st, dil, pads)]
    if n[0] * n[1] != input.shape[-1]:
        raise ShapeMismatchError(
            f"Given output_size={out}, kernel_size={ks}, dilation={dil}, "
            f"padding={tuple(p for p, _ in pads)}, stride={st}, expected size of input's "
            f"dimension 2 to match the calculated number of sliding blocks {n[0]} * {n[1]} = "
            f"{n[0] * n[1]}, but got input.size(2)={input.shape[-1]}.")
    return col2im_op(input, output_size=out, kernel_size=ks, dilation=dil, padding=pads,
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
    "conv1d": conv1d, "conv2d": conv2d, "conv_transpose1d": conv_transpose1d,
    "conv_transpose2d": conv_transpose2d, "max_pool1d": max_pool1d, "max_pool2d": max_pool2d,
    "avg_pool1d": avg_pool1d, "adaptive_avg_pool1d": adaptive_avg_pool1d,
}

METHODS: dict[str, Any] = {}

FUNCTIONAL: dict[str, Any] = {
    "conv1d": _F_conv1d, "conv2d": _F_conv2d, "conv_transpose1d": _F_conv_transpose1d,
    "conv_transpose2d": _F_conv_transpose2d, "unfold": unfold, "fold": fold,
    "max_pool1d": _F_max_pool1d, "max_pool2d": _F_max_pool2d, "avg_pool1d": _F_avg_pool1d,
    "avg_pool2d": avg_pool2d, "adaptive_avg_pool1d": _F_adaptive_avg_pool1d,
    "adaptive_avg_pool2d": adaptive_avg_pool2d,
}
