"""``SparseAdam``: torch's constructor and checks. adcli has no sparse tensors, so every gradient
is dense and ``step`` raises torch's error for dense gradients (use ``Adam``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from adcli.engine.tensor import Tensor

from .optimizer import Optimizer, _step_with_hooks

__all__ = ["SparseAdam"]


class SparseAdam(Optimizer):
    """``torch.optim.SparseAdam``: Adam for sparse gradients (which adcli never produces)."""

    def __init__(self, params: Any, lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, maximize: bool = False) -> None:
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if not lr > 0.0:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not eps > 0.0:
            raise ValueError(f"Invalid epsilon value: {eps}")
        for i, beta in enumerate(betas):
            if not 0.0 <= beta < 1.0:
                raise ValueError(f"Invalid beta parameter at index {i}: {beta}")
        super().__init__(params, {"lr": lr, "betas": betas, "eps": eps, "maximize": maximize})

    @_step_with_hooks
    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """torch's step: any (dense) gradient is refused."""
        loss = self._closure_loss(closure)
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is not None and not getattr(p.grad, "is_sparse", False):
                    raise RuntimeError("SparseAdam does not support dense gradients, please "
                                       "consider Adam instead")
        return loss
