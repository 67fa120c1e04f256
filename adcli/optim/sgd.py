"""``SGD`` with momentum, dampening, Nesterov, weight decay and maximize (torch's rules)."""

from __future__ import annotations

from typing import Any

from adcli.engine import ops
from adcli.engine.tensor import Tensor

from .optimizer import _check_unsupported, _GroupwiseOptimizer, _to_scalar, _weight_decay

__all__ = ["SGD"]


class SGD(_GroupwiseOptimizer):
    """Stochastic gradient descent, as ``torch.optim.SGD`` (single-tensor implementation)."""

    _STEP = False
    _GROUP_DEFAULTS = {"nesterov": False, "maximize": False, "foreach": None,
                       "differentiable": False, "fused": False}

    def __init__(self, params: Any, lr: float = 1e-3, momentum: float = 0, dampening: float = 0,
                 weight_decay: float = 0, nesterov: bool = False, *, maximize: bool = False,
                 foreach: bool | None = None, differentiable: bool = False,
                 fused: bool | None = None) -> None:
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if lr < 0.0:
            raise ValueError(f"Invalid learning rate: {lr}")
        if momentum < 0.0:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if weight_decay < 0.0:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        _check_unsupported(foreach, fused, False, differentiable)
        defaults = {"lr": lr, "momentum": momentum, "dampening": dampening,
                    "weight_decay": weight_decay, "nesterov": nesterov, "maximize": maximize,
                    "foreach": foreach, "differentiable": differentiable, "fused": fused}
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        super().__init__(params, defaults)

    def _update_group(self, group: dict[str, Any]) -> None:
        momentum = group["momentum"]
        lr = _to_scalar(group["lr"])
        # Not _with_grads: torch's SGD keeps no state (not even an empty one) without momentum.
        for p in group["params"]:
            if p.grad is None:
                continue
            grad = p.grad if not group["maximize"] else ops.neg(p.grad)
            grad = _weight_decay(p, grad, group, lr)
            if momentum != 0:
                state = self.state[p]
                buf = state.get("momentum_buffer")
                if buf is None:
                    buf = ops.clone(grad.detach())
                    state["momentum_buffer"] = buf
                else:
                    ops.add_(ops.mul_(buf, momentum), grad, alpha=1 - group["dampening"])
                grad = ops.add(grad, buf, alpha=momentum) if group["nesterov"] else buf
            ops.add_(p, grad, alpha=-lr)
