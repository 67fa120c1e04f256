"""``torch.autograd.function``: ``Function``, ``FunctionCtx`` and ``once_differentiable``."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from adcli.engine.errors import AdcliError
from adcli.engine.function import Function, FunctionCtx
from adcli.engine.grad_mode import is_grad_enabled, no_grad
from adcli.engine.node import Node, next_seq
from adcli.engine.tensor import Tensor

__all__ = ["DelayedError", "Function", "FunctionCtx", "once_differentiable"]


class DelayedError(Node):
    """A node whose backward raises: what ``once_differentiable`` puts on its results."""

    def __init__(self, msg: str, n: int) -> None:
        super().__init__()
        self.seq_nr = next_seq()
        self.msg = msg
        self.n_outputs = n
        self.next_functions = tuple((None, 0) for _ in range(n))

    def name(self) -> str:
        return "torch::autograd::Error"  # PyTorch's name for this node

    def apply(self, grads: list[Any], as_tensors: bool) -> tuple[Any, ...]:
        raise AdcliError(self.msg)

    def describe(self) -> str:
        return f"raises: {self.msg}"


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
