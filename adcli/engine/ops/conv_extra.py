"""``torch.conv_tbc`` / ``F.conv_tbc`` (a 1-d convolution over time-batch-channel input, node
``ConvTbcBackward0``) and ``torch.convolution`` (the generic entry point of the conv family).

conv_tbc follows ATen's CPU kernel: the bias broadcast into the output, then one
``addmm_`` per kernel tap into a time window of it. Its backward is ATen's
``conv_tbc_backward``, a composite of ``addmm_`` into windows of zero tensors: under
``create_graph`` adcli runs the same composite on tensors, so the recorded graph is torch's
(``CopySlices`` nodes).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..creation import empty_like, zeros_like
from ..dtypes import scalar_type_name
from ..errors import InvalidArgumentError
from ..op import defop
from ..tensor import Tensor
from .conv import _convolution
from .kernels import KERNELS


def _trunc_half(n: int) -> int:
    """C++'s n / 2 (truncates toward zero)."""
    return -((-n) // 2) if n < 0 else n // 2


def _taps(ilen: int, olen: int, kw: int, real_pad: int) -> Any:
    """(tap, input start, output start, length) of every tap that touches the output."""
    for k in range(kw):
        i_shift = max(0, k - real_pad)
        o_shift = max(0, real_pad - k)
        t = min(ilen + real_pad - k, olen) - o_shift
        if t > 0:
            yield k, i_shift, o_shift, t


def _geometry(x_shape: tuple[int, ...], w_shape: tuple[int, ...], pad: int) -> tuple[int, ...]:
    ilen, kw = x_shape[0], w_shape[0]
    olen = ilen - kw + 1 + pad * 2
    return ilen, olen, kw, _trunc_half(olen - ilen + kw - 1)


def _forward(x: np.ndarray, w: np.ndarray, b: np.ndarray, pad: int) -> np.ndarray:
    ilen, olen, kw, real_pad = _geometry(x.shape, w.shape, pad)
    batch, cin, cout = x.shape[1], x.shape[2], w.shape[2]
    out = np.empty((olen, batch, cout), dtype=x.dtype)
    out[...] = b
    for k, i0, o0, t in _taps(ilen, olen, kw, real_pad):
        window = out[o0:o0 + t].reshape(t * batch, cout)
        window += x[i0:i0 + t].reshape(t * batch, cin) @ w[k]
    return out


def _backward(g: np.ndarray, x: np.ndarray, w: np.ndarray, pad: int) -> tuple[np.ndarray, ...]:
    """ATen's conv_tbc_backward on arrays: (grad input, grad weight, grad bias)."""
    ilen, olen, kw, real_pad = _geometry(x.shape, w.shape, pad)
    batch, cin, cout = x.shape[1], x.shape[2], w.shape[2]
    gi, gw = np.zeros_like(x), np.zeros_like(w)
    taps = list(_taps(ilen, olen, kw, real_pad))
    for k, i0, o0, t in taps:
        window = gi[i0:i0 + t].reshape(t * batch, cin)
        window += g[o0:o0 + t].reshape(t * batch, cout) @ w[k].T
    for k, i0, o0, t in taps:
        gw[k] += x[i0:i0 + t].reshape(t * batch, cin).T @ g[o0:o0 + t].reshape(t * batch, cout)
    return gi, gw, g.sum(0).sum(0)


def _backward_recorded(g: Tensor, x: Tensor, w: Tensor, pad: int) -> tuple[Tensor, ...]:
    """ATen's conv_tbc_backward composite, run on tensors (recorded: CopySlices of addmm_)."""
    ilen, olen, kw, real_pad = _geometry(tuple(x.shape), tuple(w.shape), pad)
    batch, cin, cout = x.shape[1], x.shape[2], w.shape[2]
    gi, gw = zeros_like(x), zeros_like(w)
    taps = list(_taps(ilen, olen, kw, real_pad))
    for k, i0, o0, t in taps:
        gi.narrow(0, i0, t).view(t * batch, cin).addmm_(
            g.narrow(0, o0, t).view(t * batch, cout), w[k].t())
    for k, i0, o0, t in taps:
        gw[k].addmm_(x.narrow(0, i0, t).view(t * batch, cin).t(),
                     g.narrow(0, o0, t).view(t * batch, cout))
    # (ATen copies the bias gradient into its result: a CopyBackwards node)
    summed = g.sum(0).sum(0)
    gb = empty_like(summed)
    gb.copy_(summed)
    return gi, gw, gb


KERNELS["conv_tbc_backward"] = (_backward, _backward_recorded)

conv_tbc_op = defop("conv_tbc", "ConvTbcBackward0",
                    lambda x, w, b, pad: _forward(x, w, b, pad),
                    inputs=("self", "weight", "bias"), save=("self", "weight"),
                    torch="torch.conv_tbc")


@conv_tbc_op.grad_all
def _conv_tbc_grads(g, s, B, needs):
    "conv_tbc_backward(grad, self, weight, bias, pad): addmm_ per tap into zero tensors"
    return B.conv_tbc_backward(g, s.self, s.weight, s.pad)


def conv_tbc(input: Tensor, weight: Tensor, bias: Tensor, pad: int = 0) -> Tensor:
    """1-d convolution of ``input`` (time, batch, in_channels) with ``weight`` (kernel_width,
    in_channels, out_channels) plus ``bias`` (out_channels), ``pad`` zeros at each end of
    time."""
    if not isinstance(bias, Tensor):
        raise TypeError("conv_tbc(): argument 'bias' (position 3) must be Tensor, not "
                        f"{'NoneType' if bias is None else type(bias).__name__}")
    if input._data.ndim != 3:
        raise InvalidArgumentError("Input must have 3 dims: time, batch, in_channel")
    if weight._data.ndim != 3:
        raise InvalidArgumentError(
            "Weight tensor must have 3 dims: kernel_width, in_channels, out_channels.")
    if bias._data.ndim != 1:
        raise InvalidArgumentError("Bias must be 1-D")
    if input.shape[2] != weight.shape[1]:
        raise InvalidArgumentError(
            "Input dim 2 (input channels) is not == dim 1 in the weight tensor")
    if weight.shape[2] != bias.shape[0]:
        raise InvalidArgumentError(
            "Bias size must equal dim 2 in the weight tensor (output channels).")
    pad = int(pad)
    _, olen, _, _ = _geometry(tuple(input.shape), tuple(weight.shape), pad)
    if olen < 0:
        raise InvalidArgumentError(f"Trying to create tensor with negative dimension {olen}: "
                                   f"[{olen}, {input.shape[1]}, {weight.shape[2]}]")
    if input._data.dtype != weight._data.dtype:
        raise InvalidArgumentError(
            f"self and mat2 must have the same dtype, but got "
            f"{scalar_type_name(input._data.dtype)} and {scalar_type_name(weight._data.dtype)}")
    if bias._data.dtype != input._data.dtype:
        from .conversion import to

        bias = to(bias, input.dtype)  # ATen copies the bias into the output (a cast)
    return conv_tbc_op(input, weight, bias, pad=pad)


def convolution(input: Tensor, weight: Tensor, bias: Tensor | None, stride: Any,
                padding: Any, dilation: Any, transposed: bool, output_padding: Any,
                groups: int) -> Tensor:
    """ATen's generic convolution (the one every conv*d and conv_transpose*d calls): every
    argument explicit, one ConvolutionBackward0 node."""
    return _convolution(input, weight, bias, tuple(int(v) for v in stride),
                        tuple(int(v) for v in padding), tuple(int(v) for v in dilation),
                        bool(transposed), tuple(int(v) for v in output_padding), int(groups))


# ==============================================================================================
# the names this family adds: torch.<name>, Tensor.<name>, torch.nn.functional.<name>
# ==============================================================================================
TORCH: dict[str, Any] = {"conv_tbc": conv_tbc, "convolution": convolution}

METHODS: dict[str, Any] = {}

FUNCTIONAL: dict[str, Any] = {"conv_tbc": conv_tbc}
