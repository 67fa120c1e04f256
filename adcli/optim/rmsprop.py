"""``RMSprop`` (centered, momentum), torch's single-tensor update."""

from __future__ import annotations

from typing import Any

from adcli.engine import creation, ops
from adcli.engine.tensor import Tensor

from .optimizer import (
    _check_nonnegative,
    _check_unsupported,
    _GroupwiseOptimizer,
    _to_scalar,
    _weight_decay,
)

__all__ = ["RMSprop"]


class RMSprop(_GroupwiseOptimizer):
    """RMSprop, as ``torch.optim.RMSprop``."""

    _BUFFERS = ("square_avg",)
    _GROUP_DEFAULTS = {"momentum": 0, "centered": False, "foreach": None, "maximize": False,
                       "differentiable": False, "capturable": False}

    def __init__(self, params: Any, lr: float = 1e-2, alpha: float = 0.99, eps: float = 1e-8,
                 weight_decay: float = 0, momentum: float = 0, centered: bool = False,
                 capturable: bool = False, foreach: bool | None = None, maximize: bool = False,
                 differentiable: bool = False) -> None:
        _check_nonnegative(lr=lr, eps=eps, momentum=momentum, weight_decay=weight_decay,
                           alpha=alpha)
        _check_unsupported(foreach, None, capturable, differentiable)
        defaults = {"lr": lr, "momentum": momentum, "alpha": alpha, "eps": eps,
                    "centered": centered, "weight_decay": weight_decay, "capturable": capturable,
                    "foreach": foreach, "maximize": maximize, "differentiable": differentiable}
        super().__init__(params, defaults)

    def _init_state(self, p: Tensor, state: dict[str, Any], group: dict[str, Any]) -> None:
        super()._init_state(p, state, group)
        if group["momentum"] > 0:
            state["momentum_buffer"] = creation.zeros_like(p)
        if group["centered"]:
            state["grad_avg"] = creation.zeros_like(p)

    def _update_group(self, group: dict[str, Any]) -> None:
        lr = _to_scalar(group["lr"])
        alpha, eps = group["alpha"], group["eps"]
        momentum, centered = group["momentum"], group["centered"]
        for p, grad, state in self._with_grads(group):
            square_avg = state["square_avg"]
            grad = _weight_decay(p, grad, group, lr)
            ops.addcmul_(ops.mul_(square_avg, alpha), grad, grad, value=1 - alpha)
            if centered:
                grad_avg = state["grad_avg"]
                ops.lerp_(grad_avg, grad, 1 - alpha)
                avg = ops.sqrt_(ops.addcmul(square_avg, grad_avg, grad_avg, value=-1))
            else:
                avg = ops.sqrt(square_avg)
            avg = ops.add_(avg, eps)
            if momentum > 0:
                buf = state["momentum_buffer"]
                ops.addcdiv_(ops.mul_(buf, momentum), grad, avg)
                ops.add_(p, buf, alpha=-lr)
            else:
                ops.addcdiv_(p, grad, avg, value=-lr)
