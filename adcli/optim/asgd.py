"""``ASGD``: averaged stochastic gradient descent, torch's single-tensor update."""

from __future__ import annotations

from typing import Any

from adcli.engine import creation, ops
from adcli.engine.tensor import Tensor

from .optimizer import (
    _check_unsupported,
    _GroupwiseOptimizer,
    _scalar_dtype,
    _to_scalar,
    _weight_decay,
)

__all__ = ["ASGD"]


class ASGD(_GroupwiseOptimizer):
    """ASGD, as ``torch.optim.ASGD``: state ``step``, ``eta``, ``mu`` (scalar tensors) and the
    running average ``ax``."""

    _GROUP_DEFAULTS = {"foreach": None, "maximize": False, "differentiable": False,
                       "capturable": False}

    def __init__(self, params: Any, lr: float = 1e-2, lambd: float = 1e-4, alpha: float = 0.75,
                 t0: float = 1e6, weight_decay: float = 0, foreach: bool | None = None,
                 maximize: bool = False, differentiable: bool = False,
                 capturable: bool = False) -> None:
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if not lr >= 0.0:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not weight_decay >= 0.0:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        _check_unsupported(foreach, None, capturable, differentiable)
        defaults = {"lr": lr, "lambd": lambd, "alpha": alpha, "t0": t0,
                    "weight_decay": weight_decay, "foreach": foreach, "maximize": maximize,
                    "differentiable": differentiable, "capturable": capturable}
        super().__init__(params, defaults)

    def __setstate__(self, state: dict[str, Any]) -> None:
        super().__setstate__(state)
        for p_state in self.state.values():
            for key in ("eta", "mu"):
                if p_state and not isinstance(p_state[key], Tensor):
                    p_state[key] = creation.tensor(float(p_state[key]), dtype=_scalar_dtype())

    def _init_state(self, p: Tensor, state: dict[str, Any], group: dict[str, Any]) -> None:
        super()._init_state(p, state, group)
        state["eta"] = creation.tensor(float(_to_scalar(group["lr"])), dtype=_scalar_dtype())
        state["mu"] = creation.tensor(1.0, dtype=_scalar_dtype())
        state["ax"] = creation.zeros_like(p)

    def _update_group(self, group: dict[str, Any]) -> None:
        lr = _to_scalar(group["lr"])
        lambd, alpha, t0 = group["lambd"], group["alpha"], group["t0"]
        for p, grad, state in self._with_grads(group):
            mu, ax, eta = state["mu"], state["ax"], state["eta"]
            grad = _weight_decay(p, grad, group, lr)
            eta_value = eta.item()
            ops.mul_(p, 1 - lambd * eta_value)  # decay term
            ops.add_(p, grad, alpha=-eta_value)
            if mu.item() != 1:
                ops.add_(ax, ops.mul_(ops.sub(p, ax), mu))
            else:
                ops.copy_(ax, p)
            step = state["step"].item()
            # torch computes these in Python floats (float64) and copies them into the
            # scalar-dtype state tensors
            ops.copy_(eta, creation.tensor(lr / ((1 + lambd * lr * step) ** alpha)))
            ops.copy_(mu, creation.tensor(1 / max(1, step - t0)))
