"""``Adadelta``, torch's single-tensor update."""

from __future__ import annotations

from typing import Any

from adcli.engine import creation, ops
from adcli.engine.tensor import Tensor

from .optimizer import _check_unsupported, _GroupwiseOptimizer, _scalar_dtype, _to_scalar

__all__ = ["Adadelta"]


class Adadelta(_GroupwiseOptimizer):
    """Adadelta, as ``torch.optim.Adadelta``."""

    def __init__(self, params: Any, lr: float = 1.0, rho: float = 0.9, eps: float = 1e-6,
                 weight_decay: float = 0, foreach: bool | None = None, *,
                 capturable: bool = False, maximize: bool = False,
                 differentiable: bool = False) -> None:
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if not lr >= 0.0:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 <= rho <= 1.0:
            raise ValueError(f"Invalid rho value: {rho}")
        if not eps >= 0.0:
            raise ValueError(f"Invalid epsilon value: {eps}")
        if not weight_decay >= 0.0:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        _check_unsupported(foreach, None, capturable, differentiable)
        defaults = {"lr": lr, "rho": rho, "eps": eps, "weight_decay": weight_decay,
                    "maximize": maximize, "capturable": capturable, "foreach": foreach,
                    "differentiable": differentiable}
        super().__init__(params, defaults)

    def _update_group(self, group: dict[str, Any]) -> None:
        lr, rho = _to_scalar(group["lr"]), group["rho"]
        eps, wd = group["eps"], group["weight_decay"]
        for p in group["params"]:
            if p.grad is None:
                continue
            state = self.state[p]
            if len(state) == 0:
                state["step"] = creation.zeros((), dtype=_scalar_dtype())
                state["square_avg"] = creation.zeros_like(p)
                state["acc_delta"] = creation.zeros_like(p)
            ops.add_(state["step"], 1)
            grad = p.grad if not group["maximize"] else ops.neg(p.grad)
            if wd != 0:
                grad = ops.add(grad, p, alpha=wd)
            square_avg, acc_delta = state["square_avg"], state["acc_delta"]
            ops.addcmul_(ops.mul_(square_avg, rho), grad, grad, value=1 - rho)
            std = ops.sqrt_(ops.add(square_avg, eps))
            delta = ops.sqrt_(ops.add(acc_delta, eps))
            ops.mul_(ops.div_(delta, std), grad)
            ops.addcmul_(ops.mul_(acc_delta, rho), delta, delta, value=1 - rho)
            ops.add_(p, delta, alpha=-lr)
