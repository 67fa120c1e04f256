"""``Adagrad`` (lr_decay, initial_accumulator_value), torch's single-tensor update."""

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

__all__ = ["Adagrad"]


class Adagrad(Optimizer):
    """Adagrad, as ``torch.optim.Adagrad``; its state exists from construction, as torch's."""

    def __init__(self, params: Any, lr: float = 1e-2, lr_decay: float = 0,
                 weight_decay: float = 0, initial_accumulator_value: float = 0,
                 eps: float = 1e-10, foreach: bool | None = None, *, maximize: bool = False,
                 differentiable: bool = False, fused: bool | None = None) -> None:
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if not lr >= 0.0:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not lr_decay >= 0.0:
            raise ValueError(f"Invalid lr_decay value: {lr_decay}")
        if not weight_decay >= 0.0:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if not initial_accumulator_value >= 0.0:
            raise ValueError(
                f"Invalid initial_accumulator_value value: {initial_accumulator_value}")
        if not eps >= 0.0:
            raise ValueError(f"Invalid epsilon value: {eps}")
        _check_unsupported(foreach, fused, False, differentiable)
        defaults = {"lr": lr, "lr_decay": lr_decay, "eps": eps, "weight_decay": weight_decay,
                    "initial_accumulator_value": initial_accumulator_value, "foreach": foreach,
                    "maximize": maximize, "differentiable": differentiable, "fused": fused}
        super().__init__(params, defaults)
        for group in self.param_groups:
            for p in group["params"]:
                self._init_state(p)

    def _init_state(self, p: Tensor) -> None:
        state = self.state[p]
        state["step"] = creation.tensor(0.0, dtype=_scalar_dtype())
        state["sum"] = creation.full_like(p, self.defaults["initial_accumulator_value"])

    def __setstate__(self, state: dict[str, Any]) -> None:
        super().__setstate__(state)
        for group in self.param_groups:
            group.setdefault("foreach", None)
            group.setdefault("maximize", False)
            group.setdefault("differentiable", False)
            group.setdefault("fused", None)
        for s in self.state.values():
            if s and not isinstance(s["step"], Tensor):
                s["step"] = creation.tensor(float(s["step"]), dtype=_scalar_dtype())

    @_step_with_hooks
    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """One Adagrad update of every parameter that has a gradient."""
        loss = self._closure_loss(closure)
        with no_grad():
            for group in self.param_groups:
                self._update_group(group)
        return loss

    def _update_group(self, group: dict[str, Any]) -> None:
        lr = _to_scalar(group["lr"])
        wd, lr_decay, eps = group["weight_decay"], group["lr_decay"], group["eps"]
        for p in group["params"]:
            if p.grad is None:
                continue
            state = self.state[p]
            if len(state) == 0:
                self._init_state(p)
            ops.add_(state["step"], 1)
            step = state["step"].item()
            grad = p.grad if not group["maximize"] else ops.neg(p.grad)
            if wd != 0:
                grad = ops.add(grad, p, alpha=wd)
            clr = lr / (1 + (step - 1) * lr_decay)
            ops.addcmul_(state["sum"], grad, grad, value=1)
            std = ops.add_(ops.sqrt(state["sum"]), eps)
            ops.addcdiv_(p, grad, std, value=-clr)
