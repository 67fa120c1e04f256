"""``Adam`` (and, with decoupled weight decay, ``AdamW``), torch's single-tensor update."""

from __future__ import annotations

from typing import Any

from adcli.engine import creation, ops
from adcli.engine.tensor import Tensor

from .optimizer import (
    _check_betas,
    _check_unsupported,
    _GroupwiseOptimizer,
    _to_scalar,
    _weight_decay,
)

__all__ = ["Adam"]


class Adam(_GroupwiseOptimizer):
    """Adam, as ``torch.optim.Adam`` (``amsgrad``, ``maximize``, L2 or decoupled decay)."""

    _BUFFERS = ("exp_avg", "exp_avg_sq")
    _GROUP_DEFAULTS = {"amsgrad": False, "maximize": False, "foreach": None,
                       "capturable": False, "differentiable": False,
                       "decoupled_weight_decay": False, "fused": None}

    def __init__(self, params: Any, lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0, amsgrad: bool = False, *,
                 foreach: bool | None = None, maximize: bool = False, capturable: bool = False,
                 differentiable: bool = False, fused: bool | None = None,
                 decoupled_weight_decay: bool = False) -> None:
        _check_betas(lr, betas, eps, weight_decay)
        if not ((isinstance(betas[0], float) and isinstance(betas[1], float))
                or (isinstance(betas[0], Tensor) and isinstance(betas[1], Tensor))):
            raise ValueError("betas must be either both floats or both Tensors")
        _check_unsupported(foreach, fused, capturable, differentiable)
        betas = (_to_scalar(betas[0]), _to_scalar(betas[1]))
        defaults = {"lr": lr, "betas": betas, "eps": eps, "weight_decay": weight_decay,
                    "amsgrad": amsgrad, "maximize": maximize, "foreach": foreach,
                    "capturable": capturable, "differentiable": differentiable, "fused": fused,
                    "decoupled_weight_decay": decoupled_weight_decay}
        super().__init__(params, defaults)

    def _init_state(self, p: Tensor, state: dict[str, Any], group: dict[str, Any]) -> None:
        super()._init_state(p, state, group)
        if group["amsgrad"]:
            state["max_exp_avg_sq"] = creation.zeros_like(p)

    def _update_group(self, group: dict[str, Any]) -> None:
        beta1, beta2 = group["betas"]
        lr = _to_scalar(group["lr"])
        eps = group["eps"]
        for p, grad, state in self._with_grads(group):
            exp_avg, exp_avg_sq = state["exp_avg"], state["exp_avg_sq"]
            grad = _weight_decay(p, grad, group, lr)
            ops.lerp_(exp_avg, grad, 1 - beta1)
            ops.addcmul_(ops.mul_(exp_avg_sq, beta2), grad, grad, value=1 - beta2)
            step = state["step"].item()
            bias_correction1 = 1 - beta1**step
            bias_correction2 = 1 - beta2**step
            step_size = lr / bias_correction1
            bias_correction2_sqrt = bias_correction2**0.5
            if group["amsgrad"]:
                ops.copy_(state["max_exp_avg_sq"], ops.maximum(state["max_exp_avg_sq"],
                                                               exp_avg_sq))
                denom = ops.add_(ops.div(ops.sqrt(state["max_exp_avg_sq"]),
                                         bias_correction2_sqrt), eps)
            else:
                denom = ops.add_(ops.div(ops.sqrt(exp_avg_sq), bias_correction2_sqrt), eps)
            ops.addcdiv_(p, exp_avg, denom, value=-step_size)
