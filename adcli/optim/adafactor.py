"""``Adafactor``, torch 2.13's single-tensor update (``torch.optim.Adafactor``).

Parameters of two or more dims keep factored second moments: a row factor (last dim reduced)
and a column factor (next-to-last dim reduced), whose outer product over the row factor's
mean estimates the variance; vectors keep a full ``variance``. As torch: ``eps1=None`` means
the dtype's machine epsilon (taken from the first parameter with a gradient and then kept for
the group), ``lr`` caps the relative step ``min(lr, 1/sqrt(t))`` and scales the decoupled
weight decay.
"""

from __future__ import annotations

from typing import Any

from adcli.engine import creation, ops
from adcli.engine.tensor import Tensor
from adcli.engine.typeinfo import finfo

from .optimizer import _check_unsupported, _GroupwiseOptimizer, _to_scalar

__all__ = ["Adafactor"]


class Adafactor(_GroupwiseOptimizer):
    """Adafactor, as ``torch.optim.Adafactor`` (``maximize``, decoupled weight decay)."""

    _GROUP_DEFAULTS = {"foreach": None}

    def __init__(self, params: Any, lr: float | Tensor = 1e-2, beta2_decay: float = -0.8,
                 eps: tuple[float | None, float] = (None, 1e-3), d: float = 1.0,
                 weight_decay: float = 0.0, *, foreach: bool | None = None,
                 maximize: bool = False) -> None:
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if not lr >= 0.0:
            raise ValueError(f"Learning rate should be >= 0 but is: {lr}")
        if not beta2_decay <= 0.0:
            raise ValueError(f"beta2_decay should be <= 0 but is: {beta2_decay}")
        if eps[0] is not None and not eps[0] >= 0.0:
            raise ValueError(f"epsilon1 should be >= 0 but is: {eps[0]}")
        if not eps[1] >= 0.0:
            raise ValueError(f"epsilon2 should be >= 0 but is: {eps[1]}")
        if not d >= 1.0:
            raise ValueError(f"Clipping threshold d should be >= 1 but is: {d}")
        if not weight_decay >= 0.0:
            raise ValueError(f"weight_decay should be >= 0 but is: {weight_decay}")
        _check_unsupported(foreach)
        defaults = {"lr": lr, "beta2_decay": beta2_decay, "eps": eps, "d": d,
                    "weight_decay": weight_decay, "foreach": foreach, "maximize": maximize}
        super().__init__(params, defaults)

    def _init_state(self, p: Tensor, state: dict[str, Any], group: dict[str, Any]) -> None:
        super()._init_state(p, state, group)
        grad = p.grad
        if grad.dim() > 1:
            row_shape = list(grad.shape)
            row_shape[-1] = 1
            state["row_var"] = creation.zeros(row_shape, dtype=grad.dtype)
            col_shape = list(grad.shape)
            col_shape[-2] = 1
            state["col_var"] = creation.zeros(col_shape, dtype=grad.dtype)
        else:
            state["variance"] = creation.zeros_like(grad)

    def _update_group(self, group: dict[str, Any]) -> None:
        for p in group["params"]:
            if p.grad is not None and p.is_complex():
                raise RuntimeError("Adafactor does not support complex parameters")
        lr = _to_scalar(group["lr"])
        eps1, eps2 = group["eps"]
        d, beta2_decay, weight_decay = group["d"], group["beta2_decay"], group["weight_decay"]
        for p, grad, state in self._with_grads(group):
            if eps1 is None:
                eps1 = finfo(p.dtype).eps
            step = state["step"].item()
            one_minus_beta2_t = step**beta2_decay
            rho_t = min(lr, 1 / (step**0.5))
            alpha = max(eps2, p.norm(2).item() / (p.numel() ** 0.5)) * rho_t
            if weight_decay != 0:
                ops.mul_(p, 1 - lr * weight_decay)
            if grad.dim() > 1:
                row_var, col_var = state["row_var"], state["col_var"]
                # the mean of g*g along a dim, as torch: a norm squared, over the size
                row_mean = ops.div_(ops.square_(ops.norm(grad, dim=-1, keepdim=True)),
                                    grad.size(-1))
                ops.lerp_(row_var, row_mean, one_minus_beta2_t)
                col_mean = ops.div_(ops.square_(ops.norm(grad, dim=-2, keepdim=True)),
                                    grad.size(-2))
                ops.lerp_(col_var, col_mean, one_minus_beta2_t)
                var_estimate = ops.matmul(row_var, col_var)
                ops.div_(var_estimate, ops.clamp_(ops.mean(row_var, dim=-2, keepdim=True),
                                                  min=eps1))
            else:
                ops.lerp_(state["variance"], ops.mul(grad, grad), one_minus_beta2_t)
                var_estimate = ops.clone(state["variance"])
            update = ops.rsqrt_(ops.clamp_(var_estimate, min=eps1 * eps1))
            ops.mul_(update, grad)
            denom = max(1.0, update.norm(2).item() / ((update.numel() ** 0.5) * d))
            ops.add_(p, update, alpha=-alpha / denom)
