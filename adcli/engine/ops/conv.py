"""Convolution: sliding windows (im2col/col2im, F.unfold/F.fold), conv and transposed conv.

(Pooling, written with the same sliding windows, is ``pooling.py``.)
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..dtypes import scalar_type_name
from ..errors import InvalidArgumentError
from ..limits import check_shape
from ..op import defop
from ..tensor import Tensor
from .kernels import KERNELS
from .padding import constant_pad_nd_op
from .shape import squeeze, unsqueeze

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
                       torch="torch.nn.functional.conv1d / conv2d / conv3d / conv_transpose1d / 2d "
                             "/ 3d")


@convolution_op.grad_all
def _convolution_grads(g, s, B, needs):
    """convolution_backward(grad, input, weight): input: the transposed convolution of grad by
    weight (for a transposed op: the convolution); weight: windows of input times grad, summed
    over the batch and the output positions; bias: grad summed over the batch and spatial dims"""
    return B.convolution_backward(g, s.input, s.weight, needs, **_conv_attrs(s.__dict__))


_CONV_ATTRS = ("stride", "padding", "dilation", "transposed", "output_padding", "groups",
               "out_spatial")


def _conv_attrs(d: dict[str, Any]) -> dict[str, Any]:
    return {k: d[k] for k in _CONV_ATTRS}


def _conv_grad_input(B: Any, g: Any, w: Any, x_shape: tuple[int, ...], w_shape: tuple[int, ...],
                     a: dict[str, Any]) -> Any:
    """The gradient of a convolution's input: the transposed convolution of grad by weight."""
    n, grp, wc = x_shape[0], a["groups"], w_shape[1]
    spatial = tuple(x_shape[2:])
    ksize = tuple(w_shape[2:])
    k = int(np.prod(ksize))
    pads = _conv_pads(a["padding"], a["output_padding"])
    if not a["transposed"]:
        o = w_shape[0]
        gm = B.reshape(g, (n, grp, o // grp, -1))
        cols = B.matmul(B.transpose(B.reshape(w, (grp, o // grp, wc * k)), -1, -2), gm)
        return B.col2im(B.reshape(cols, (n, grp * wc * k, -1)), spatial, ksize, a["dilation"],
                        pads, a["stride"])
    cin = w_shape[0]
    cols = B.im2col(g, ksize, a["dilation"], pads, a["stride"])
    out = B.matmul(B.reshape(w, (grp, cin // grp, wc * k)),
                   B.reshape(cols, (n, grp, wc * k, -1)))
    return B.reshape(out, tuple(x_shape))


def _conv_grad_weight(B: Any, g: Any, x: Any, x_shape: tuple[int, ...],
                      w_shape: tuple[int, ...], a: dict[str, Any]) -> Any:
    """The gradient of a convolution's weight: windows of input times grad, summed."""
    n, grp, wc = x_shape[0], a["groups"], w_shape[1]
    ksize = tuple(w_shape[2:])
    k = int(np.prod(ksize))
    pads = _conv_pads(a["padding"], a["output_padding"])
    if not a["transposed"]:
        o = w_shape[0]
        cols = B.reshape(B.im2col(x, ksize, a["dilation"], pads, a["stride"]),
                         (n, grp, wc * k, -1))
        gm = B.reshape(g, (n, grp, o // grp, -1))
        dw = B.sum(B.matmul(gm, B.transpose(cols, -1, -2)), 0)
        return B.reshape(dw, tuple(w_shape))
    cin = w_shape[0]
    cols = B.reshape(B.im2col(g, ksize, a["dilation"], pads, a["stride"]), (n, grp, wc * k, -1))
    xm = B.reshape(x, (n, grp, cin // grp, -1))
    dw = B.sum(B.matmul(xm, B.transpose(cols, -1, -2)), 0)
    return B.reshape(dw, tuple(w_shape))


# ----------------------------------------------------------------------------------------------
# -- the backward kernel as an op (PyTorch's convolution_backward) --
# ----------------------------------------------------------------------------------------------
# Under create_graph PyTorch records the first derivative of a convolution as one node,
# ConvolutionBackwardBackward0 (edges: grad_output, input, weight; outputs: the gradients of
# input, weight and bias), whose derivative is _convolution_double_backward. The first-order
# formula calls ``B.convolution_backward``: NumPy on the fast path, the op under create_graph
# (both registered in ``kernels.KERNELS``).
def _np_convolution_backward(g: np.ndarray, x: np.ndarray, w: np.ndarray, mask: tuple[bool, ...],
                            **a: Any) -> tuple[Any, Any, Any]:
    from ..backend import NUMPY

    gi = _conv_grad_input(NUMPY, g, w, x.shape, w.shape, a) if mask[0] else None
    gw = _conv_grad_weight(NUMPY, g, x, x.shape, w.shape, a) if mask[1] else None
    gb = g.sum(axis=(0, *range(2, g.ndim))) if len(mask) > 2 and mask[2] else None
    return gi, gw, gb


def _convolution_backward_forward(g: np.ndarray, x: np.ndarray, w: np.ndarray,
                                  mask: tuple[bool, ...], **a: Any) -> list[np.ndarray]:
    outs = _np_convolution_backward(g, x, w, mask, **a)
    # an output nobody asked for is undefined in PyTorch; here it is zeros of its shape
    shapes = (x.shape, w.shape, (g.shape[1],))
    return [np.zeros(sh, x.dtype) if o is None else np.asarray(o, x.dtype)
            for o, sh in zip(outs, shapes)]


convolution_backward_op = defop(
    "convolution_backward", "ConvolutionBackwardBackward0", _convolution_backward_forward,
    inputs=("grad_output", "input", "weight"), save=("grad_output", "input", "weight"),
    multi_output=True, undefined_grads=True,
    torch="(double backward of conv1d / conv2d / conv_transpose1d / 2d)")


@convolution_backward_op.grad_all
def _convolution_double_backward(gs, s, B, needs):
    """PyTorch's _convolution_double_backward: grad_output: conv(ggI, weight) + conv(input,
    ggW) + ggB; input: convolution_backward's grad_input of grad_output by ggW; weight: its
    grad_weight of grad_output over ggI"""
    ggI, ggW, ggB = gs
    a = _conv_attrs(s.__dict__)
    gO, x, w = s.grad_output, s.input, s.weight
    ggO = gI = gW = None
    if needs[0]:
        parts = []
        if ggI is not None:
            parts.append(_conv_forward(B, ggI, w, a))
        if ggW is not None:
            parts.append(_conv_forward(B, x, ggW, a))
        if ggB is not None:
            nsp = len(a["out_spatial"])
            parts.append(B.expand(B.reshape(ggB, (1, -1) + (1,) * nsp), tuple(s.in_shape)))
        for p in parts:
            ggO = p if ggO is None else ggO + p
    if needs[1] and ggW is not None:
        gI = B.convolution_backward(gO, x, ggW, (True, False, False), **a)[0]
    if needs[2] and ggI is not None:
        gW = B.convolution_backward(gO, ggI, w, (False, True, False), **a)[1]
    return ggO, gI, gW


def _conv_forward(B: Any, x: Any, w: Any, a: dict[str, Any]) -> Any:
    if B.tensors:
        return convolution_op(x, w, None, **a)
    return _convolution_forward(x, w, None, **a)


def _rec_convolution_backward(g: Tensor, x: Tensor, w: Tensor, mask: tuple[bool, ...],
                            **a: Any) -> tuple[Any, Any, Any]:
    mask = tuple(mask) + (False,) * (3 - len(mask))
    outs = convolution_backward_op(g, x, w, mask=mask, **a)
    return tuple(o if m else None for o, m in zip(outs, mask))


KERNELS["convolution_backward"] = (_np_convolution_backward, _rec_convolution_backward)


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


def conv3d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride: Any = 1,
           padding: Any = 0, dilation: Any = 1, groups: int = 1) -> Tensor:
    return _F_conv3d(input, weight, bias, stride, padding, dilation, groups)


def conv_transpose3d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride: Any = 1,
                     padding: Any = 0, output_padding: Any = 0, groups: int = 1,
                     dilation: Any = 1) -> Tensor:
    return _F_conv_transpose3d(input, weight, bias, stride, padding, output_padding, groups,
                               dilation)


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
            if k == 3:
                names = ("depth", "height", "width")
                parts = [f"{what}_{n}: {v[i]}" for what, v in
                         (("output_padding", output_padding), ("stride", stride),
                          ("dilation", dilation)) for i, n in enumerate(names)]
                raise InvalidArgumentError("output padding must be smaller than either stride "
                                           "or dilation, but got " + " ".join(parts))
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


def _F_conv3d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride: Any = 1,
              padding: Any = 0, dilation: Any = 1, groups: int = 1) -> Tensor:
    return _conv_nd("conv3d", 3, input, weight, bias, stride, padding, dilation, groups)


def _F_conv_transpose3d(input: Tensor, weight: Tensor, bias: Tensor | None = None,
                        stride: Any = 1, padding: Any = 0, output_padding: Any = 0,
                        groups: int = 1, dilation: Any = 1) -> Tensor:
    return _conv_nd("conv_transpose3d", 3, input, weight, bias, stride, padding, dilation,
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


# ==============================================================================================
# the names this family adds: torch.<name>, Tensor.<name>, torch.nn.functional.<name>
# ==============================================================================================
TORCH: dict[str, Any] = {
    "conv1d": conv1d, "conv2d": conv2d, "conv_transpose1d": conv_transpose1d,
    "conv_transpose2d": conv_transpose2d, "conv3d": conv3d, "conv_transpose3d": conv_transpose3d,
}

METHODS: dict[str, Any] = {}

FUNCTIONAL: dict[str, Any] = {
    "conv1d": _F_conv1d, "conv2d": _F_conv2d, "conv_transpose1d": _F_conv_transpose1d,
    "conv_transpose2d": _F_conv_transpose2d, "unfold": unfold, "fold": fold,
    "conv3d": _F_conv3d, "conv_transpose3d": _F_conv_transpose3d,
}
