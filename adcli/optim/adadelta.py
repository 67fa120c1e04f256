"""``Adadelta``, torch's single-tensor update."""

from __future__ import annotations

from typing import Any

from adcli.engine import ops

from .optimizer import (
    _check_nonnegative,
    _check_unsupported,
    _GroupwiseOptimizer,
    _to_scalar,
    _weight_decay,
)

__all__ = ["Adadelta"]


class Adadelta(_GroupwiseOptimizer):
    """Adadelta, as ``torch.optim.Adadelta``."""

    _BUFFERS = ("square_avg", "acc_delta")

    def __init__(self, params: Any, lr: float = 1.0, rho: float = 0.9, eps: float = 1e-6,
                 weight_decay: float = 0, foreach: bool | None = None, *,
                 capturable: bool = False, maximize: bool = False,
                 differentiable: bool = False) -> None:
        _check_nonnegative(lr=lr)
        if not 0.0 <= rho <= 1.0:
            raise ValueError(f"Invalid rho value: {rho}")
        _check_nonnegative(eps=eps, weight_decay=weight_decay)
        _check_unsupported(foreach, None, capturable, differentiable)
        defaults = {"lr": lr, "rho": rho, "eps": eps, "weight_decay": weight_decay,
                    "maximize": maximize, "capturable": capturable, "foreach": foreach,
                    "differentiable": differentiable}
        super().__init__(params, defaults)

    def _update_group(self, group: dict[str, Any]) -> None:
        lr, rho, eps = _to_scalar(group["lr"]), group["rho"], group["eps"]
        for p, grad, state in self._with_grads(group):
            grad = _weight_decay(p, grad, group, lr)
            square_avg, acc_delta = state["square_avg"], state["acc_delta"]
            ops.addcmul_(ops.mul_(square_avg, rho), grad, grad, value=1 - rho)
            std = ops.sqrt_(ops.add(square_avg, eps))
            delta = ops.sqrt_(ops.add(acc_delta, eps))
            ops.mul_(ops.div_(delta, std), grad)
            ops.addcmul_(ops.mul_(acc_delta, rho), delta, delta, value=1 - rho)
            ops.add_(p, delta, alpha=-lr)
