"""``RAdam``: rectified Adam, torch's single-tensor update."""

from __future__ import annotations

from typing import Any

from adcli.engine import ops

from .optimizer import (
    _check_betas,
    _check_unsupported,
    _GroupwiseOptimizer,
    _to_scalar,
    _weight_decay,
)

__all__ = ["RAdam"]


class RAdam(_GroupwiseOptimizer):
    """RAdam, as ``torch.optim.RAdam``: plain momentum until the variance estimate is usable."""

    _BUFFERS = ("exp_avg", "exp_avg_sq")

    def __init__(self, params: Any, lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0,
                 decoupled_weight_decay: bool = False, *, foreach: bool | None = None,
                 maximize: bool = False, capturable: bool = False,
                 differentiable: bool = False) -> None:
        _check_betas(lr, betas, eps, weight_decay)
        _check_unsupported(foreach, None, capturable, differentiable)
        defaults = {"lr": lr, "betas": betas, "eps": eps, "weight_decay": weight_decay,
                    "maximize": maximize, "foreach": foreach, "capturable": capturable,
                    "decoupled_weight_decay": decoupled_weight_decay,
                    "differentiable": differentiable}
        super().__init__(params, defaults)

    def _update_group(self, group: dict[str, Any]) -> None:
        beta1, beta2 = group["betas"]
        lr, eps = _to_scalar(group["lr"]), group["eps"]
        for p, grad, state in self._with_grads(group):
            exp_avg, exp_avg_sq = state["exp_avg"], state["exp_avg_sq"]
            step = state["step"].item()
            grad = _weight_decay(p, grad, group, lr)
            ops.lerp_(exp_avg, grad, 1 - beta1)
            ops.addcmul_(ops.mul_(exp_avg_sq, beta2), grad, grad, value=1 - beta2)
            bias_correction1 = 1 - beta1**step
            bias_correction2 = 1 - beta2**step
            corrected = ops.div(exp_avg, bias_correction1)
            rho_inf = 2 / (1 - beta2) - 1
            rho_t = rho_inf - 2 * step * (beta2**step) / bias_correction2
            if rho_t > 5.0:
                rect = ((rho_t - 4) * (rho_t - 2) * rho_inf
                        / ((rho_inf - 4) * (rho_inf - 2) * rho_t)) ** 0.5
                adaptive = ops.div(bias_correction2**0.5, ops.add_(ops.sqrt(exp_avg_sq), eps))
                update = ops.mul(ops.mul(ops.mul(corrected, lr), adaptive), rect)
            else:
                update = ops.mul(corrected, lr)
            ops.add_(p, update, alpha=-1.0)
