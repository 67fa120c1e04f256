"""Custom autograd Functions behind some modules, as torch's ``torch.nn._functions``:
``CrossMapLRN2d`` (the legacy Lua-Torch cross-channel local response normalization).

Its forward and backward are torch's own Python Function, step for step (the running window
sum over channels and the ratio accumulation of its backward), so values and gradients are
torch's and its node is ``CrossMapLRN2dBackward``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from adcli.engine.errors import InvalidArgumentError
from adcli.engine.function import Function
from adcli.engine.tensor import Tensor


class CrossMapLRN2d(Function):
    """``x / (k + alpha/size * sum of squares over a window of channels) ** beta``."""

    @staticmethod
    def forward(ctx: Any, input: Tensor, size: int, alpha: float = 1e-4, beta: float = 0.75,
                k: float = 1) -> Tensor:
        ctx.size, ctx.alpha, ctx.beta, ctx.k = size, alpha, beta, k
        if input.dim() != 4:
            raise ValueError(
                f"CrossMapLRN2d: Expected input to be 4D, got {input.dim()}D instead.")
        x = input._data
        dt = x.dtype.type
        channels = x.shape[1]
        square = x * x
        scale = np.zeros_like(x)
        pre_pad = int((size - 1) / 2 + 1)
        # the first channel's window, then a running sum: add the entering channel, drop the
        # leaving one (torch drops it only past pre_pad, an asymmetry kept from Lua Torch)
        for c in range(min(pre_pad, channels)):
            scale[:, 0] += square[:, c]
        for c in range(1, channels):
            scale[:, c] = scale[:, c - 1]
            if c < channels - pre_pad + 1:
                scale[:, c] += square[:, c + pre_pad - 1]
            if c > pre_pad:
                scale[:, c] -= square[:, c - pre_pad]
        scale = scale * dt(alpha / size) + dt(k)
        ctx.scale = scale
        out = np.power(scale, dt(-beta)) * x
        result = Tensor._make(out, None, 0, None)
        ctx.save_for_backward(input, result)
        return result

    @staticmethod
    def backward(ctx: Any, grad_output: Tensor) -> Any:
        input, output = ctx.saved_tensors
        x, y, go = input._data, output._data, grad_output._data
        dt = x.dtype.type
        size, scale = ctx.size, ctx.scale
        batch, channels = x.shape[0], x.shape[1]
        padded = np.zeros((channels + size - 1, *x.shape[2:]), dtype=x.dtype)
        if int(size - (size - 1) / 2) + channels > channels + size - 1:  # torch's narrow
            raise InvalidArgumentError(
                f"start ({int(size - (size - 1) / 2)}) + length ({channels}) exceeds dimension "
                f"size ({channels + size - 1}).")
        cache = dt(2 * ctx.alpha * ctx.beta / size)
        inverse_pre_pad = int(size - (size - 1) / 2)
        grad = np.power(scale, dt(-ctx.beta)) * go
        for n in range(batch):
            padded[inverse_pre_pad:inverse_pre_pad + channels] = go[n] * y[n] / scale[n]
            accum = np.zeros(x.shape[2:], dtype=x.dtype)
            for r in range(size - 1):
                accum += padded[r]
            for c in range(channels):
                accum += padded[c + size - 1]
                grad[n, c] += -cache * x[n, c] * accum
                accum -= padded[c]
        return Tensor._make(grad, None, 0, None), None, None, None, None
