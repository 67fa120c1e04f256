"""``RMSprop`` (centered, momentum), torch's single-tensor update."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from adcli.engine import creation, ops
from adcli.engine.grad_mode import no_grad
from adcli.engine.tensor import Tensor

from .optimizer import (
    Optimizer,
    _check_unsupported,
    _scalar_dtype,
    _step_with_hooks,
    _to_scalar,
)

__all__ = ["RMSprop"]


class RMSprop(Optimizer):
    """RMSprop, as ``torch.optim.RMSprop``."""

    def __init__(self, params: Any, lr: float = 1e-2, alpha: float = 0.99, eps: float = 1e-8,
                 weight_decay: float = 0, momentum: float = 0, centered: bool = False,
                 capturable: bool = False, foreach: bool | None = None, maximize: bool = False,
                 differentiable: bool = False) -> None:
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if not lr >= 0.0:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not eps >= 0.0:
            raise ValueError(f"Invalid epsilon value: {eps}")
        if not momentum >= 0.0:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if not weight_decay >= 0.0:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if not alpha >= 0.0:
            raise ValueError(f"Invalid alpha value: {alpha}")
        _check_unsupported(foreach, None, capturable, differentiable)
        defaults = {"lr": lr, "momentum": momentum, "alpha": alpha, "eps": eps,
                    "centered": centered, "weight_decay": weight_decay, "capturable": capturable,
                    "foreach": foreach, "maximize": maximize, "differentiable": differentiable}
        super().__init__(params, defaults)

    def __setstate__(self, state: dict[str, Any]) -> None:
        super().__setstate__(state)
        for group in self.param_groups:
            group.setdefault("momentum", 0)
            group.setdefault("centered", False)
            group.setdefault("foreach", None)
            group.setdefault("maximize", False)
            group.setdefault("differentiable", False)
            group.setdefault("capturable", False)
            for p in group["params"]:
                p_state = self.state.get(p, {})
                if p_state and not isinstance(p_state["step"], Tensor):
                    p_state["step"] = creation.tensor(float(p_state["step"]),
                                                      dtype=_scalar_dtype())

    @_step_with_hooks
    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """One RMSprop update of every parameter that has a gradient."""
        loss = self._closure_loss(closure)
        with no_grad():
            for group in self.param_groups:
                self._update_group(group)
        return loss

    def _update_group(self, group: dict[str, Any]) -> None:
        lr = _to_scalar(group["lr"])
        alpha, eps, wd = group["alpha"], group["eps"], group["weight_decay"]
        momentum, centered = group["momentum"], group["centered"]
        for p in group["params"]:
            if p.grad is None:
                continue
            state = self.state[p]
            if len(state) == 0:
                state["step"] = creation.zeros((), dtype=_scalar_dtype())
                state["square_avg"] = creation.zeros_like(p)
                if momentum > 0:
                    state["momentum_buffer"] = creation.zeros_like(p)
                if centered:
                    state["grad_avg"] = creation.zeros_like(p)
            grad = p.grad if not group["maximize"] else ops.neg(p.grad)
            square_avg = state["square_avg"]
            ops.add_(state["step"], 1)
            if wd != 0:
                grad = ops.add(grad, p, alpha=wd)
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
