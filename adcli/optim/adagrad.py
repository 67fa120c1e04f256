"""``Adagrad`` (lr_decay, initial_accumulator_value), torch's single-tensor update."""

from __future__ import annotations

from typing import Any

from adcli.engine import creation, ops
from adcli.engine.tensor import Tensor

from .optimizer import (
    _check_nonnegative,
    _check_unsupported,
    _GroupwiseOptimizer,
    _to_scalar,
    _weight_decay,
)

__all__ = ["Adagrad"]


class Adagrad(_GroupwiseOptimizer):
    """Adagrad, as ``torch.optim.Adagrad``; its state exists from construction, as torch's."""

    _GROUP_DEFAULTS = {"foreach": None, "maximize": False, "differentiable": False,
                       "fused": None}

    def __init__(self, params: Any, lr: float = 1e-2, lr_decay: float = 0,
                 weight_decay: float = 0, initial_accumulator_value: float = 0,
                 eps: float = 1e-10, foreach: bool | None = None, *, maximize: bool = False,
                 differentiable: bool = False, fused: bool | None = None) -> None:
        _check_nonnegative(lr=lr, lr_decay=lr_decay, weight_decay=weight_decay,
                           initial_accumulator_value=initial_accumulator_value, eps=eps)
        _check_unsupported(foreach, fused, False, differentiable)
        defaults = {"lr": lr, "lr_decay": lr_decay, "eps": eps, "weight_decay": weight_decay,
                    "initial_accumulator_value": initial_accumulator_value, "foreach": foreach,
                    "maximize": maximize, "differentiable": differentiable, "fused": fused}
        super().__init__(params, defaults)
        for group in self.param_groups:
            for p in group["params"]:
                self._init_state(p, self.state[p], group)

    def _init_state(self, p: Tensor, state: dict[str, Any], group: dict[str, Any]) -> None:
        super()._init_state(p, state, group)
        state["sum"] = creation.full_like(p, self.defaults["initial_accumulator_value"])

    def _update_group(self, group: dict[str, Any]) -> None:
        lr = _to_scalar(group["lr"])
        lr_decay, eps = group["lr_decay"], group["eps"]
        for p, grad, state in self._with_grads(group):
            step = state["step"].item()
            grad = _weight_decay(p, grad, group, lr)
            clr = lr / (1 + (step - 1) * lr_decay)
            ops.addcmul_(state["sum"], grad, grad, value=1)
            std = ops.add_(ops.sqrt(state["sum"]), eps)
            ops.addcdiv_(p, grad, std, value=-clr)
