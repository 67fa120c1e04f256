"""``NAdam``: Adam with Nesterov momentum, torch's single-tensor update."""

from __future__ import annotations

from typing import Any

from adcli.engine import creation, ops
from adcli.engine.tensor import Tensor

from .optimizer import (
    _check_betas,
    _check_unsupported,
    _GroupwiseOptimizer,
    _scalar_dtype,
    _to_scalar,
    _weight_decay,
)

__all__ = ["NAdam"]


class NAdam(_GroupwiseOptimizer):
    """NAdam, as ``torch.optim.NAdam`` (``momentum_decay``, ``decoupled_weight_decay``)."""

    _BUFFERS = ("exp_avg", "exp_avg_sq")

    def __init__(self, params: Any, lr: float = 2e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0, momentum_decay: float = 4e-3,
                 decoupled_weight_decay: bool = False, *, foreach: bool | None = None,
                 maximize: bool = False, capturable: bool = False,
                 differentiable: bool = False) -> None:
        _check_betas(lr, betas, eps, weight_decay)
        if not momentum_decay >= 0.0:
            raise ValueError(f"Invalid momentum_decay value: {momentum_decay}")
        _check_unsupported(foreach, None, capturable, differentiable)
        defaults = {"lr": lr, "betas": betas, "eps": eps, "weight_decay": weight_decay,
                    "momentum_decay": momentum_decay,
                    "decoupled_weight_decay": decoupled_weight_decay, "maximize": maximize,
                    "foreach": foreach, "capturable": capturable,
                    "differentiable": differentiable}
        super().__init__(params, defaults)

    def _init_state(self, p: Tensor, state: dict[str, Any], group: dict[str, Any]) -> None:
        state["step"] = creation.tensor(0.0, dtype=_scalar_dtype())
        # A scalar tensor, as torch's: its products round in the scalar dtype.
        state["mu_product"] = creation.tensor(1.0, dtype=_scalar_dtype())
        for name in self._BUFFERS:
            state[name] = creation.zeros_like(p)

    def _update_group(self, group: dict[str, Any]) -> None:
        beta1, beta2 = group["betas"]
        lr, eps = _to_scalar(group["lr"]), group["eps"]
        for p, grad, state in self._with_grads(group):
            exp_avg, exp_avg_sq, mu_product = (state["exp_avg"], state["exp_avg_sq"],
                                               state["mu_product"])
            step = state["step"].item()
            bias_correction2 = 1 - beta2**step
            grad = _weight_decay(p, grad, group, lr)
            mu = beta1 * (1.0 - 0.5 * (0.96 ** (step * group["momentum_decay"])))
            mu_next = beta1 * (1.0 - 0.5 * (0.96 ** ((step + 1) * group["momentum_decay"])))
            ops.mul_(mu_product, mu)
            ops.lerp_(exp_avg, grad, 1 - beta1)
            ops.addcmul_(ops.mul_(exp_avg_sq, beta2), grad, grad, value=1 - beta2)
            denom = ops.sqrt(ops.div(exp_avg_sq, bias_correction2))
            mu_product_next = mu_product.item() * mu_next
            ops.add_(denom, eps)
            ops.addcdiv_(p, grad, denom, value=(-lr * (1.0 - mu) / (1.0 - mu_product.item())))
            ops.addcdiv_(p, exp_avg, denom, value=(-lr * mu_next) / (1.0 - mu_product_next))
