"""``torch.autograd.function``: ``Function``, ``FunctionCtx`` and ``once_differentiable``."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from adcli.engine.function import DelayedError, Function, FunctionCtx
from adcli.engine.grad_mode import is_grad_enabled, no_grad
from adcli.engine.tensor import Tensor

__all__ = ["DelayedError", "Function", "FunctionCtx", "once_differentiable"]


def once_differentiable(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Decorate a custom Function's ``backward``: it runs under ``no_grad``, and differentiating
    its result again raises PyTorch's error."""

    @functools.wraps(fn)
    def wrapper(ctx: Any, *args: Any) -> Any:
        with no_grad():
            outputs = fn(ctx, *args)
        if not is_grad_enabled():
            return outputs
        # As PyTorch: only when a gradient flowing in requires grad is there a graph to poison.
        if not any(isinstance(a, Tensor) and a.requires_grad for a in args):
            return outputs
        single = not isinstance(outputs, tuple)
        outs = (outputs,) if single else outputs
        err = DelayedError("trying to differentiate twice a function that was marked with "
                           "@once_differentiable", len(outs))
        wrapped = []
        for i, o in enumerate(outs):
            if isinstance(o, Tensor):
                o = Tensor._make(o._data, err, i, o._vc)
            wrapped.append(o)
        return wrapped[0] if single else tuple(wrapped)

    return wrapper
