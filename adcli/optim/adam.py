"""``Adam`` (and, with decoupled weight decay, ``AdamW``), torch's single-tensor update."""

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

__all__ = ["Adam"]


class Adam(Optimizer):
    """Adam, as ``torch.optim.Adam`` (``amsgrad``, ``maximize``, L2 or decoupled decay)."""

    def __init__(self, params: Any, lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0, amsgrad: bool = False, *,
                 foreach: bool | None = None, maximize: bool = False, capturable: bool = False,
                 differentiable: bool = False, fused: bool | None = None,
                 decoupled_weight_decay: bool = False) -> None:
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if not lr >= 0.0:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not eps >= 0.0:
            raise ValueError(f"Invalid epsilon value: {eps}")
        if not 0.0 <= betas[0] < 1.0:
            raise ValueError(f"Invalid beta parameter at index 0: {betas[0]}")
        if not 0.0 <= betas[1] < 1.0:
            raise ValueError(f"Invalid beta parameter at index 1: {betas[1]}")
        if not weight_decay >= 0.0:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
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

    def __setstate__(self, state: dict[str, Any]) -> None:
        super().__setstate__(state)
        for group in self.param_groups:
            group.setdefault("amsgrad", False)
            group.setdefault("maximize", False)
            group.setdefault("foreach", None)
            group.setdefault("capturable", False)
            group.setdefault("differentiable", False)
            group.setdefault("decoupled_weight_decay", False)
            group.setdefault("fused", None)
            for p in group["params"]:
                p_state = self.state.get(p, {})
                if p_state and not isinstance(p_state["step"], Tensor):
                    p_state["step"] = creation.tensor(float(p_state["step"]),
                                                      dtype=_scalar_dtype())

    @_step_with_hooks
    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """One Adam update of every parameter that has a gradient."""
        loss = self._closure_loss(closure)
        with no_grad():
            for group in self.param_groups:
                self._update_group(group)
        return loss

    def _update_group(self, group: dict[str, Any]) -> None:
        beta1, beta2 = group["betas"]
        lr = _to_scalar(group["lr"])
        wd = group["weight_decay"]
        eps = group["eps"]
        amsgrad = group["amsgrad"]
        for p in group["params"]:
            if p.grad is None:
                continue
            state = self.state[p]
            if len(state) == 0:
                state["step"] = creation.tensor(0.0, dtype=_scalar_dtype())
                state["exp_avg"] = creation.zeros_like(p)
                state["exp_avg_sq"] = creation.zeros_like(p)
                if amsgrad:
                    state["max_exp_avg_sq"] = creation.zeros_like(p)
            grad = p.grad if not group["maximize"] else ops.neg(p.grad)
            exp_avg, exp_avg_sq, step_t = state["exp_avg"], state["exp_avg_sq"], state["step"]
            ops.add_(step_t, 1)
            if wd != 0:
                if group["decoupled_weight_decay"]:
                    ops.mul_(p, 1 - lr * wd)
                else:
                    grad = ops.add(grad, p, alpha=wd)
            ops.lerp_(exp_avg, grad, 1 - beta1)
            ops.addcmul_(ops.mul_(exp_avg_sq, beta2), grad, grad, value=1 - beta2)
            step = step_t.item()
            bias_correction1 = 1 - beta1**step
            bias_correction2 = 1 - beta2**step
            step_size = lr / bias_correction1
            bias_correction2_sqrt = bias_correction2**0.5
            if amsgrad:
                ops.copy_(state["max_exp_avg_sq"], ops.maximum(state["max_exp_avg_sq"],
                                                               exp_avg_sq))
                denom = ops.add_(ops.div(ops.sqrt(state["max_exp_avg_sq"]),
                                         bias_correction2_sqrt), eps)
            else:
                denom = ops.add_(ops.div(ops.sqrt(exp_avg_sq), bias_correction2_sqrt), eps)
            ops.addcdiv_(p, exp_avg, denom, value=-step_size)
