"""``Adamax``: Adam with the infinity norm, torch's single-tensor update."""

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

__all__ = ["Adamax"]


class Adamax(_GroupwiseOptimizer):
    """Adamax, as ``torch.optim.Adamax``."""

    _BUFFERS = ("exp_avg", "exp_inf")

    def __init__(self, params: Any, lr: float = 2e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0, foreach: bool | None = None, *,
                 maximize: bool = False, differentiable: bool = False,
                 capturable: bool = False) -> None:
        _check_betas(lr, betas, eps, weight_decay)
        _check_unsupported(foreach, None, capturable, differentiable)
        defaults = {"lr": lr, "betas": betas, "eps": eps, "weight_decay": weight_decay,
                    "foreach": foreach, "maximize": maximize, "differentiable": differentiable,
                    "capturable": capturable}
        super().__init__(params, defaults)

    def _update_group(self, group: dict[str, Any]) -> None:
        beta1, beta2 = group["betas"]
        lr, eps = _to_scalar(group["lr"]), group["eps"]
        for p, grad, state in self._with_grads(group):
            exp_avg, exp_inf = state["exp_avg"], state["exp_inf"]
            grad = _weight_decay(p, grad, group, lr)
            ops.lerp_(exp_avg, grad, 1 - beta1)
            ops.copy_(exp_inf, ops.maximum(ops.mul_(exp_inf, beta2),
                                           ops.add_(ops.abs(grad), eps)))
            clr = lr / (1 - beta1 ** state["step"].item())
            ops.addcdiv_(p, exp_avg, exp_inf, value=-clr)
