"""``Rprop``: resilient backpropagation, torch's single-tensor update."""

from __future__ import annotations

from typing import Any

from adcli.engine import creation, ops
from adcli.engine.tensor import Tensor

from .optimizer import _check_unsupported, _GroupwiseOptimizer, _to_scalar

__all__ = ["Rprop"]


class Rprop(_GroupwiseOptimizer):
    """Rprop, as ``torch.optim.Rprop``: per-element step sizes grown by ``etas[1]`` while the
    gradient keeps its sign and shrunk by ``etas[0]`` when it flips."""

    _GROUP_DEFAULTS = {"foreach": None, "maximize": False, "differentiable": False,
                       "capturable": False}

    def __init__(self, params: Any, lr: float = 1e-2, etas: tuple[float, float] = (0.5, 1.2),
                 step_sizes: tuple[float, float] = (1e-6, 50), *, capturable: bool = False,
                 foreach: bool | None = None, maximize: bool = False,
                 differentiable: bool = False) -> None:
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if not lr >= 0.0:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 < etas[0] < 1.0 < etas[1]:
            raise ValueError(f"Invalid eta values: {etas[0]}, {etas[1]}")
        _check_unsupported(foreach, None, capturable, differentiable)
        defaults = {"lr": lr, "etas": etas, "step_sizes": step_sizes, "foreach": foreach,
                    "maximize": maximize, "differentiable": differentiable,
                    "capturable": capturable}
        super().__init__(params, defaults)

    def _init_state(self, p: Tensor, state: dict[str, Any], group: dict[str, Any]) -> None:
        super()._init_state(p, state, group)
        state["prev"] = creation.zeros_like(p)
        state["step_size"] = creation.full_like(p, _to_scalar(group["lr"]))

    def _update_group(self, group: dict[str, Any]) -> None:
        etaminus, etaplus = group["etas"]
        step_size_min, step_size_max = group["step_sizes"]
        for p, grad, state in self._with_grads(group):
            prev, step_size = state["prev"], state["step_size"]
            sign = ops.sign(ops.mul(grad, prev))
            ops.masked_fill_(sign, ops.gt(sign, 0), etaplus)
            ops.masked_fill_(sign, ops.lt(sign, 0), etaminus)
            ops.masked_fill_(sign, ops.eq(sign, 0), 1)
            ops.clamp_(ops.mul_(step_size, sign), step_size_min, step_size_max)
            grad = ops.clone(grad)
            ops.masked_fill_(grad, ops.eq(sign, etaminus), 0)
            ops.addcmul_(p, ops.sign(grad), step_size, value=-1)
            ops.copy_(prev, grad)
