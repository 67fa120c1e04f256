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


def _max_pool(a: np.ndarray, kernel_size: tuple[int, ...], stride: tuple[int, ...],
              padding: tuple[int, ...], dilation: tuple[int, ...], ceil_mode: bool,
              out_spatial: tuple[int, ...]) -> tuple[np.ndarray, np.ndarray]:
    """Max over each window of the last ``len(kernel_size)`` dims, and where it is (an index
    into the flattened spatial dims, as PyTorch's)."""
    nsp = len(kernel_size)
    spatial = a.shape[a.ndim - nsp:]
    pads = _pool_pads(spatial, out_spatial, kernel_size, stride, padding, dilation)
    fill = -np.inf if a.dtype.kind == "f" else np.iinfo(a.dtype).min
    lead = a.shape[:a.ndim - nsp]
    k = int(np.prod(kernel_size))
    w = _windows(_pad_spatial(a, pads, fill), kernel_size, dilation, stride)
    w = w.reshape((*lead, k, *tuple(out_spatial)))
    axis = len(lead)
    # first maximum of each window (NaN counts as the maximum, as in PyTorch)
    arg = np.expand_dims(np.argmax(w, axis=axis), axis)
    out = np.take_along_axis(w, arg, axis).squeeze(axis)
    pos = _pad_spatial(np.arange(int(np.prod(spatial))).reshape(spatial), pads, -1)
    pw = _windows(pos, kernel_size, dilation, stride).reshape((k, *tuple(out_spatial)))
    idx = np.take_along_axis(np.broadcast_to(pw, w.shape), arg, axis).squeeze(axis)
    return out, idx.astype(np.int64)


def _adaptive_bounds(n: int, o: int) -> tuple[np.ndarray, np.ndarray]:
    """PyTorch's adaptive windows [floor(i*n/o), ceil((i+1)*n/o))."""
    i = np.arange(o)
    return (i * n) // o, -((-(i + 1) * n) // o)


def _adaptive_max_pool(a: np.ndarray, out_spatial: tuple[int, ...]) -> tuple[np.ndarray,
                                                                                np.ndarray]:
    """Max over each adaptive window of the last ``len(out_spatial)`` dims, and its flat index.
    Windows differ in length: each is read through clamped indices (a repeat of its last
    element, which cannot move the first maximum)."""
    nsp = len(out_spatial)
    spatial = a.shape[a.ndim - nsp:]
    lead = a.shape[:a.ndim - nsp]
    check_shape((*lead, *out_spatial))
    idx = []
    for n, o in zip(spatial, out_spatial):
        start, end = _adaptive_bounds(n, o)
        kmax = int((end - start).max()) if o else 0
        idx.append(np.minimum(start[:, None] + np.arange(kmax), end[:, None] - 1))
    check_shape((*lead, *(i.size for i in idx)))
    # (o0, k0, o1, k1, ...) grids of source positions, per spatial dim
    grids = np.ix_(*[i.reshape(-1) for i in idx])
    w = a[(Ellipsis, *grids)]
    w = w.reshape((*lead, *(s for i in idx for s in i.shape)))
    order = (*range(len(lead)), *(len(lead) + 2 * d for d in range(nsp)),
             *(len(lead) + 2 * d + 1 for d in range(nsp)))
    w = w.transpose(order).reshape((*lead, *out_spatial, -1))
    arg = np.argmax(w, axis=-1)[..., None]
    out = np.take_along_axis(w, arg, -1)[..., 0]
    # the flat index of each tap: sum of per-dim index times the spatial strides
    strides = np.cumprod((1, *spatial[::-1]))[:nsp][::-1]
    pos = np.zeros([s for i in idx for s in i.shape], dtype=np.int64)
    for d, (i, st) in enumerate(zip(idx, strides)):
        shape = [1] * (2 * nsp)
        shape[2 * d], shape[2 * d + 1] = i.shape
        pos = pos + (i * st).reshape(shape)
    pos = pos.transpose((*range(0, 2 * nsp, 2), *range(1, 2 * nsp, 2))).reshape((*out_spatial,
                                                                                -1))
    ind = np.take_along_axis(np.broadcast_to(pos, w.shape), arg, -1)[..., 0]
    return out, ind.astype(np.int64)


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


def _avg_pool(a: np.ndarray, **attrs: Any) -> np.ndarray:
    ks = attrs["kernel_size"]
    nsp = len(ks)
    spatial = a.shape[a.ndim - nsp:]
    cols = _im2col(a, ks, (1,) * nsp, _avg_pool_pads(spatial, attrs), attrs["stride"])
    lead = a.shape[:a.ndim - nsp]
    sums = cols.reshape((*lead, int(np.prod(ks)), -1)).sum(axis=-2)
    out = sums / _avg_divisor(spatial, attrs, a.dtype).reshape(-1)
    return out.reshape(lead + tuple(attrs["out_spatial"])).astype(a.dtype, copy=False)


_AVG_ATTRS = ("kernel_size", "stride", "padding", "ceil_mode", "count_include_pad",
              "divisor_override", "out_spatial")


def _avg_attrs(d: dict[str, Any]) -> dict[str, Any]:
    return {k: d[k] for k in _AVG_ATTRS}


def _adaptive_matrix(n: int, o: int, dtype: np.dtype) -> np.ndarray:
    """(o, n): row i averages PyTorch's adaptive window [floor(i*n/o), ceil((i+1)*n/o))."""
    start, end = _adaptive_bounds(n, o)
    j = np.arange(n)
    inside = (j >= start[:, None]) & (j < end[:, None])
    return (inside / (end - start)[:, None]).astype(dtype)


def _along(a: np.ndarray, m: np.ndarray, ax: int) -> np.ndarray:
    """``m @`` along axis ``ax`` of a."""
    return np.moveaxis(np.tensordot(m, a, axes=([1], [ax])), 0, ax)


def _adaptive_avg_pool(a: np.ndarray, out_spatial: tuple[int, ...]) -> np.ndarray:
    nsp = len(out_spatial)
    # Before allocating: the output size is user input, and so are the averaging matrices.
    check_shape((*a.shape[:a.ndim - nsp], *out_spatial))
    for i, o in enumerate(out_spatial):
        check_shape((o, a.shape[a.ndim - nsp + i]))
    if nsp == 2:  # (two matmuls: PyTorch's rounding for the common case)
        ah = _adaptive_matrix(a.shape[-2], out_spatial[0], a.dtype)
        aw = _adaptive_matrix(a.shape[-1], out_spatial[1], a.dtype)
        return (ah @ a @ aw.T).astype(a.dtype, copy=False)
    out = a
    for i, o in enumerate(out_spatial):
        ax = a.ndim - nsp + i
        out = _along(out, _adaptive_matrix(a.shape[ax], o, a.dtype), ax)
    return out.astype(a.dtype, copy=False)


# ----------------------------------------------------------------------------------------------
# -- the backward kernels as ops (PyTorch's max_pool2d_with_indices_backward, ...) --
# ----------------------------------------------------------------------------------------------
# Under create_graph PyTorch records the first derivative of a pooling as one node
# (MaxPool2DWithIndicesBackwardBackward0, AvgPool2DBackwardBackward0,
# AdaptiveAvgPool2DBackwardBackward0, the 3-d and adaptive max ones alike) with edges to the
# incoming gradient and to the input; each kernel is linear in the gradient and constant in
# the input (zeros). The first-order formulas call ``B.<kernel>``: NumPy on the fast path, the
# recorded op under create_graph (both registered in ``kernels.KERNELS``).
def _zeros_formula(g, s, B):
    "0 (the kernel does not depend on the input's values)"
    return B.zeros_like(g)


def _gather_at_indices(g: Any, idx: np.ndarray, nsp: int, B: Any) -> Any:
    """max_pool_double_backward: the gradient gathered at each window's maximum."""
    lead = idx.ndim - nsp
    flat = B.reshape(g, (*g.shape[:lead], -1))
    flat_idx = idx.reshape((*idx.shape[:lead], -1))
    if B.tensors:
        from .indexing import gather

        out = gather(flat, -1, Tensor._make(flat_idx, None, 0, None))
    else:
        out = np.take_along_axis(flat, flat_idx, -1)
    return B.reshape(out, idx.shape)


def _np_max_backward(nsp: int) -> Any:
    def kernel(g: np.ndarray, x: np.ndarray, indices: np.ndarray) -> np.ndarray:
        lead = x.shape[:x.ndim - nsp]
        m = int(np.prod(indices.shape[len(lead):]))
        out = np.zeros((*lead, int(np.prod(x.shape[len(lead):]))), dtype=g.dtype)
        full = (*(np.arange(n).reshape([-1 if j == i else 1 for j in range(len(lead) + 1)])
                  for i, n in enumerate(lead)), indices.reshape((*lead, m)))
        np.add.at(out, full, g.reshape((*lead, m)))
        return out.reshape(x.shape)

    return kernel


def _make_max_like(op_name: str, stem: str, forward: Any, nsp: int, what: str) -> Any:
    """A max-type pooling op (values + indices) with torch's grad_fn and its backward kernel
    (``<stem>BackwardBackward0``) as an op, registered as ``B.<op_name>_backward``."""
    op = defop(op_name, stem + "Backward0", forward, save=("self",), extras=("indices",),
               torch=f"torch.nn.functional.{what}")
    np_kernel = _np_max_backward(nsp)
    bw = defop(op_name + "_backward", stem + "BackwardBackward0",
               lambda g, x, indices: np_kernel(g, x, indices), inputs=("grad_output", "self"),
               torch=f"(double backward of {what})")
    kname = op_name + "_backward"

    def _self(g, s, B):
        return getattr(B, kname)(g, s.self, s.indices)

    _self.__doc__ = f"{kname}(grad, self, indices): grad added at each window's maximum"
    op.grad("self")(_self)

    def _go(g, s, B):
        return _gather_at_indices(g, s.indices, nsp, B)

    _go.__doc__ = "max_pool_double_backward: grad gathered at each window's maximum (indices)"
    bw.grad("grad_output")(_go)
    bw.grad("self")(_zeros_formula)

    def recorded(g: Tensor, x: Tensor, indices: np.ndarray) -> Tensor:
        return bw(g, x, indices=indices)

    KERNELS[kname] = (np_kernel, recorded)
    return op


def _make_avg(op_name: str, stem: str, nsp: int, what: str) -> Any:
    op = defop(op_name, stem + "Backward0", _avg_pool, save=("self",),
               torch=f"torch.nn.functional.{what}")
    kname = op_name + "_backward"

    def np_kernel(g: np.ndarray, x: np.ndarray, **attrs: Any) -> np.ndarray:
        from .conv import _col2im

        shape = x.shape
        spatial, lead = shape[x.ndim - nsp:], shape[:x.ndim - nsp]
        k = int(np.prod(attrs["kernel_size"]))
        m = int(np.prod(attrs["out_spatial"]))
        inv = (1 / _avg_divisor(spatial, attrs, g.dtype).reshape(-1)).astype(g.dtype)
        gm = g.reshape((*lead, 1, m)) * inv
        cols = np.broadcast_to(gm, (*lead, k, m)).reshape((*lead[:-1], lead[-1] * k, m))
        return _col2im(cols, spatial, attrs["kernel_size"], (1,) * nsp,
                       _avg_pool_pads(spatial, attrs), attrs["stride"])

    bw = defop(kname, stem + "BackwardBackward0", np_kernel, inputs=("grad_output", "self"),
               torch=f"(double backward of {what})")

    def _self(g, s, B):
        return getattr(B, kname)(g, s.self, **_avg_attrs(s.__dict__))

    _self.__doc__ = f"{kname}(grad, self): grad / divisor, spread over each window (col2im)"
    op.grad("self")(_self)

    def _go(g, s, B):
        a = _avg_attrs(s.__dict__)
        return op(g, **a) if B.tensors else _avg_pool(g, **a)

    _go.__doc__ = f"{op_name}(grad) with the same windows"
    bw.grad("grad_output")(_go)
    bw.grad("self")(_zeros_formula)
    KERNELS[kname] = (np_kernel, lambda g, x, **attrs: bw(g, x, **attrs))
    return op


def _make_adaptive_avg(op_name: str, stem: str, nsp: int, what: str) -> Any:
    op = defop(op_name, stem + "Backward0", _adaptive_avg_pool, save=("self",),
               torch=f"torch.nn.functional.{what}")
    kname = op_name + "_backward"

    def np_kernel(g: np.ndarray, x: np.ndarray) -> np.ndarray:
        if nsp == 2:
            h, w = x.shape[-2:]
            ah = _adaptive_matrix(h, g.shape[-2], g.dtype)
            aw = _adaptive_matrix(w, g.shape[-1], g.dtype)
            return np.matmul(np.matmul(ah.T, g), aw)
        out = g
        for i in range(nsp):
            ax = x.ndim - nsp + i
            out = _along(out, _adaptive_matrix(x.shape[ax], g.shape[ax], g.dtype).T, ax)
        return out.astype(g.dtype, copy=False)

    bw = defop(kname, stem + "BackwardBackward0", np_kernel, inputs=("grad_output", "self"),
               torch=f"(double backward of {what})")

    def _self(g, s, B):
        return getattr(B, kname)(g, s.self)

    _self.__doc__ = f"_{kname}(grad, self): grad spread evenly over each adaptive window"
    op.grad("self")(_self)

    def _go(g, s, B):
        out = tuple(s.sizes[0][len(s.sizes[0]) - nsp:])
        return op(g, out_spatial=out) if B.tensors else _adaptive_avg_pool(g, out)

    _go.__doc__ = f"_{op_name}(grad) to the incoming gradient's size"
    bw.grad("grad_output")(_go)
    bw.grad("self")(_zeros_formula)
    KERNELS[kname] = (np_kernel, lambda g, x: bw(g, x))
    return op


max_pool2d_op = _make_max_like(
    "max_pool2d_with_indices", "MaxPool2DWithIndices", _max_pool, 2,
    "max_pool1d / max_pool2d / max_pool1d_with_indices / max_pool2d_with_indices")
max_pool3d_op = _make_max_like("max_pool3d_with_indices", "MaxPool3DWithIndices", _max_pool, 3,
                               "max_pool3d / max_pool3d_with_indices")
adaptive_max_pool2d_op = _make_max_like(
    "adaptive_max_pool2d", "AdaptiveMaxPool2D", _adaptive_max_pool, 2,
    "adaptive_max_pool1d / adaptive_max_pool2d / adaptive_max_pool1d_with_indices / "
    "adaptive_max_pool2d_with_indices")
adaptive_max_pool3d_op = _make_max_like("adaptive_max_pool3d", "AdaptiveMaxPool3D",
                                        _adaptive_max_pool, 3,
                                        "adaptive_max_pool3d / adaptive_max_pool3d_with_indices")
avg_pool2d_op = _make_avg("avg_pool2d", "AvgPool2D", 2, "avg_pool1d / avg_pool2d")
avg_pool3d_op = _make_avg("avg_pool3d", "AvgPool3D", 3, "avg_pool3d")
adaptive_avg_pool2d_op = _make_adaptive_avg("adaptive_avg_pool2d", "AdaptiveAvgPool2D", 2,
                                            "adaptive_avg_pool1d / adaptive_avg_pool2d")
adaptive_avg_pool3d_op = _make_adaptive_avg("adaptive_avg_pool3d", "AdaptiveAvgPool3D", 3,
                                            "adaptive_avg_pool3d")


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


def _pool_param(v: Any, name: str, what: str, allow_empty: bool = False,
                n: int = 2) -> tuple[int, ...] | None:
    if v is None or (allow_empty and isinstance(v, list | tuple) and len(v) == 0):
        return None
    t = _int_tuple(v, n)
    if len(t) == 1:
        t = t * n
    if len(t) != n:
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


def _pool3d_check(input: Tensor, fn: str, ks: tuple[int, ...], st: tuple[int, ...],
                  dil: tuple[int, ...], pad: tuple[int, ...], out: tuple[int, ...],
                  check_input_size: bool) -> None:
    """PyTorch's pool3d_shape_check (after pooling_output_shape's own checks)."""
    if min(ks) <= 0:
        raise InvalidArgumentError(
            f"kernel size should be greater than zero, but got kT: {ks[0]} kH: {ks[1]} kW: "
            f"{ks[2]}")
    if min(st) <= 0:
        raise InvalidArgumentError(
            f"stride should be greater than zero, but got dT: {st[0]} dH: {st[1]} dW: {st[2]}")
    if min(dil) <= 0:
        raise InvalidArgumentError(
            f"dilation should be greater than zero, but got dilationT: {dil[0]} dilationH: "
            f"{dil[1]} dilationW: {dil[2]}")
    nd = input._data.ndim
    for i in range(1 if nd == 5 else 0, nd):
        if input.shape[i] == 0:
            raise InvalidArgumentError(
                f"{fn}: Expected input's non-batch dimensions to have positive length, but input "
                f"has a shape of {list(input.shape)} and non-batch dimension {i - (nd == 5)} "
                "has length zero!")
    c, t, h, w = input.shape[-4:]
    if check_input_size and (t < ks[0] or h < ks[1] or w < ks[2]):
        raise InvalidArgumentError(
            f"input image (T: {t} H: {h} W: {w}) smaller than kernel size (kT: {ks[0]} kH: "
            f"{ks[1]} kW: {ks[2]})")
    if min(out) < 1:
        raise InvalidArgumentError(
            f"Given input size: ({c}x{t}x{h}x{w}). Calculated output size: "
            f"({c}x{out[0]}x{out[1]}x{out[2]}). Output size is too small")


def _F_max_pool3d(input: Tensor, kernel_size: Any, stride: Any = None, padding: Any = 0,
                  dilation: Any = 1, ceil_mode: bool = False, return_indices: bool = False) -> Any:
    """Max over each 3-d window (MaxPool3DWithIndicesBackward0); indices index the flattened
    D*H*W."""
    ks = _pool_param(kernel_size, "max_pool3d",
                     "kernel_size must either be a single int, or a tuple of three ints", n=3)
    st = _pool_param(stride, "max_pool3d", "stride must either be omitted, a single int, or a "
                     "tuple of three ints", allow_empty=True, n=3) or ks
    pad = _pool_param(padding, "max_pool3d",
                      "padding must either be a single int, or a tuple of three ints", n=3)
    dil = _pool_param(dilation, "max_pool3d",
                      "dilation must be either a single int, or a tuple of three ints", n=3)
    if input._data.ndim not in (4, 5):
        raise InvalidArgumentError("non-empty 4D or 5D (batch mode) tensor expected for input")
    out = _pool_out(tuple(input.shape[-3:]), ks, st, pad, dil, ceil_mode)
    _pool3d_check(input, "max_pool3d_with_indices_out_cpu_template()", ks, st, dil, pad, out,
                  False)
    values, indices = max_pool3d_op(input, kernel_size=ks, stride=st, padding=pad, dilation=dil,
                                    ceil_mode=bool(ceil_mode), out_spatial=out)
    return (values, indices) if return_indices else values


def avg_pool3d(input: Tensor, kernel_size: Any, stride: Any = None, padding: Any = 0,
               ceil_mode: bool = False, count_include_pad: bool = True,
               divisor_override: int | None = None) -> Tensor:
    """Mean over each 3-d window (AvgPool3DBackward0)."""
    ks = _pool_param(kernel_size, "avg_pool3d",
                     "kernel_size must be a single int, or a tuple of three ints", n=3)
    st = _pool_param(stride, "avg_pool3d", "stride must be omitted, a single int, or a tuple of "
                     "three ints", allow_empty=True, n=3) or ks
    pad = _pool_param(padding, "avg_pool3d",
                      "padding must be a single int, or a tuple of three ints", n=3)
    if input._data.ndim not in (4, 5):
        raise InvalidArgumentError("non-empty 4D or 5D (batch mode) tensor expected for input")
    if divisor_override is not None and divisor_override == 0:
        raise InvalidArgumentError("divisor must be not zero")
    out = _pool_out(tuple(input.shape[-3:]), ks, st, pad, (1, 1, 1), ceil_mode)
    _pool3d_check(input, "avg_pool3d()", ks, st, (1, 1, 1), pad, out, True)
    return avg_pool3d_op(input, kernel_size=ks, stride=st, padding=pad, ceil_mode=bool(ceil_mode),
                         count_include_pad=bool(count_include_pad),
                         divisor_override=divisor_override, out_spatial=out)


def _adaptive_sizes(input: Tensor, output_size: Any, nsp: int, fn: str,
                    size_error: str) -> tuple[int, ...]:
    sizes = (output_size,) * nsp if isinstance(output_size, int | None) else tuple(output_size)
    if len(sizes) != nsp:
        raise InvalidArgumentError(size_error)
    nd = input._data.ndim
    return tuple(input.shape[nd - nsp + i] if s is None else int(s) for i, s in enumerate(sizes))


def _adaptive_check(input: Tensor, nsp: int, fn: str, colon: str) -> None:
    nd = input._data.ndim
    if nd not in (nsp + 1, nsp + 2):
        raise InvalidArgumentError(
            f"{fn}(): Expected {nsp + 1}D or {nsp + 2}D tensor, but got{colon} {list(input.shape)}")
    for i in range(1, nd):
        if input.shape[i] == 0:
            raise InvalidArgumentError(
                f"{fn}(): Expected input to have non-zero size for non-batch dimensions, but "
                f"input has sizes {list(input.shape)} with dimension {i} being empty")


def adaptive_avg_pool3d(input: Tensor, output_size: Any) -> Tensor:
    """Mean over adaptive 3-d windows (AdaptiveAvgPool3DBackward0); size 1 is a mean."""
    out = _adaptive_sizes(input, output_size, 3, "adaptive_avg_pool3d",
                          "adaptive_avg_pool3d: output_size must be 3")
    if out == (1, 1, 1):  # PyTorch takes the mean before any other check
        return mean(input, (-1, -2, -3), keepdim=True)
    _adaptive_check(input, 3, "adaptive_avg_pool3d", "")
    return adaptive_avg_pool3d_op(input, out_spatial=out)


def _F_adaptive_max_pool2d(input: Tensor, output_size: Any, return_indices: bool = False) -> Any:
    """Max over adaptive windows (AdaptiveMaxPool2DBackward0); indices index the flat H*W."""
    _adaptive_check(input, 2, "adaptive_max_pool2d", ":")
    out = _adaptive_sizes(input, output_size, 2, "adaptive_max_pool2d",
                          "adaptive_max_pool2d(): internal error: output_size.size() must be 2")
    values, indices = adaptive_max_pool2d_op(input, out_spatial=out)
    return (values, indices) if return_indices else values


def _F_adaptive_max_pool3d(input: Tensor, output_size: Any, return_indices: bool = False) -> Any:
    """Max over adaptive 3-d windows (AdaptiveMaxPool3DBackward0)."""
    _adaptive_check(input, 3, "adaptive_max_pool3d", ":")
    out = _adaptive_sizes(input, output_size, 3, "adaptive_max_pool3d",
                          "adaptive_max_pool3d(): internal error: output_size.size() must be 3")
    values, indices = adaptive_max_pool3d_op(input, out_spatial=out)
    return (values, indices) if return_indices else values


def _F_adaptive_max_pool1d(input: Tensor, output_size: Any, return_indices: bool = False) -> Any:
    """adaptive_max_pool2d of ``input.unsqueeze(-2)``, squeezed back, as PyTorch."""
    nd = input._data.ndim
    if nd not in (2, 3):
        raise InvalidArgumentError(
            f"Expected 2 to 3 dimensions, but got {nd}-dimensional tensor for argument #1 'self' "
            f"(while checking arguments for adaptive_max_pool1d)")
    n = _int_tuple(output_size, 1)
    if len(n) != 1:
        raise InvalidArgumentError(
            f"adaptive_max_pool1d() argument 'output_size' should contain one int (got {len(n)})")
    values, indices = _F_adaptive_max_pool2d(unsqueeze(input, -2), (1, n[0]), True)
    values, indices = squeeze(values, -2), squeeze(indices, -2)
    return (values, indices) if return_indices else values


def adaptive_max_pool1d(input: Tensor, output_size: Any) -> tuple[Tensor, Tensor]:
    return _F_adaptive_max_pool1d(input, output_size, True)


def max_pool1d_with_indices(input: Tensor, kernel_size: Any, stride: Any = (), padding: Any = 0,
                            dilation: Any = 1, ceil_mode: bool = False) -> tuple[Tensor, Tensor]:
    return _F_max_pool1d(input, kernel_size, stride, padding, dilation, ceil_mode, True)


def _F_max_pool1d_with_indices(input: Tensor, kernel_size: Any, stride: Any = None,
                               padding: Any = 0, dilation: Any = 1, ceil_mode: bool = False,
                               return_indices: bool = False) -> tuple[Tensor, Tensor]:
    return _F_max_pool1d(input, kernel_size, stride, padding, dilation, ceil_mode, True)


def _F_max_pool2d_with_indices(input: Tensor, kernel_size: Any, stride: Any = None,
                               padding: Any = 0, dilation: Any = 1, ceil_mode: bool = False,
                               return_indices: bool = False) -> tuple[Tensor, Tensor]:
    return _F_max_pool2d(input, kernel_size, stride, padding, dilation, ceil_mode, True)


def _F_max_pool3d_with_indices(input: Tensor, kernel_size: Any, stride: Any = None,
                               padding: Any = 0, dilation: Any = 1, ceil_mode: bool = False,
                               return_indices: bool = False) -> tuple[Tensor, Tensor]:
    return _F_max_pool3d(input, kernel_size, stride, padding, dilation, ceil_mode, True)


def _F_adaptive_max_pool1d_with_indices(input: Tensor, output_size: Any,
                                        return_indices: bool = False) -> tuple[Tensor, Tensor]:
    return _F_adaptive_max_pool1d(input, output_size, True)


def _F_adaptive_max_pool2d_with_indices(input: Tensor, output_size: Any,
                                        return_indices: bool = False) -> tuple[Tensor, Tensor]:
    return _F_adaptive_max_pool2d(input, output_size, True)


def _F_adaptive_max_pool3d_with_indices(input: Tensor, output_size: Any,
                                        return_indices: bool = False) -> tuple[Tensor, Tensor]:
    return _F_adaptive_max_pool3d(input, output_size, True)


def max_pool3d(input: Tensor, kernel_size: Any, stride: Any = (), padding: Any = 0,
               dilation: Any = 1, ceil_mode: bool = False) -> Tensor:
    return _F_max_pool3d(input, kernel_size, stride, padding, dilation, ceil_mode)


# ==============================================================================================
# the names this family adds: torch.<name>, Tensor.<name>, torch.nn.functional.<name>
# ==============================================================================================
TORCH: dict[str, Any] = {
    "max_pool1d": max_pool1d, "max_pool2d": max_pool2d, "max_pool3d": max_pool3d,
    "avg_pool1d": avg_pool1d, "adaptive_avg_pool1d": adaptive_avg_pool1d,
    "adaptive_max_pool1d": adaptive_max_pool1d, "max_pool1d_with_indices": max_pool1d_with_indices,
}

METHODS: dict[str, Any] = {}

FUNCTIONAL: dict[str, Any] = {
    "max_pool1d": _F_max_pool1d, "max_pool2d": _F_max_pool2d, "avg_pool1d": _F_avg_pool1d,
    "avg_pool2d": avg_pool2d, "adaptive_avg_pool1d": _F_adaptive_avg_pool1d,
    "adaptive_avg_pool2d": adaptive_avg_pool2d, "max_pool3d": _F_max_pool3d,
    "avg_pool3d": avg_pool3d, "adaptive_avg_pool3d": adaptive_avg_pool3d,
    "adaptive_max_pool1d": _F_adaptive_max_pool1d, "adaptive_max_pool2d": _F_adaptive_max_pool2d,
    "adaptive_max_pool3d": _F_adaptive_max_pool3d,
    "max_pool1d_with_indices": _F_max_pool1d_with_indices,
    "max_pool2d_with_indices": _F_max_pool2d_with_indices,
    "max_pool3d_with_indices": _F_max_pool3d_with_indices,
    "adaptive_max_pool1d_with_indices": _F_adaptive_max_pool1d_with_indices,
    "adaptive_max_pool2d_with_indices": _F_adaptive_max_pool2d_with_indices,
    "adaptive_max_pool3d_with_indices": _F_adaptive_max_pool3d_with_indices,
}
