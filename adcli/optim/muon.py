"""``Muon``, torch 2.13's single-tensor update (``torch.optim.Muon``), for 2-D parameters.

The momentum update is orthogonalised by five quintic Newton-Schulz iterations that torch runs
in bfloat16. adcli has no bfloat16 dtype, so the iteration is emulated on float32 arrays that
hold bfloat16 values: each product is formed exactly enough (float64) and rounded, as torch's
CPU bfloat16 kernels round their float32 accumulations, to the nearest bfloat16 (ties to even).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from adcli.engine import creation, ops
from adcli.engine.grad_mode import no_grad
from adcli.engine.tensor import Tensor

from .optimizer import Optimizer, _step_with_hooks, _to_scalar

__all__ = ["Muon"]

EPS = 1e-7
DEFAULT_A, DEFAULT_B, DEFAULT_C = 3.4445, -4.7750, 2.0315
DEFAULT_NS_STEPS = 5


def _bf16(x: np.ndarray) -> np.ndarray:
    """Round to bfloat16 (nearest, ties to even), kept as float32; from float64 via float32,
    as c10::BFloat16 converts a double."""
    u = np.ascontiguousarray(x, dtype=np.float32).view(np.uint32).astype(np.uint64)
    rounded = ((u + 0x7FFF + ((u >> 16) & 1)) >> 16) << 16
    out = rounded.astype(np.uint32).view(np.float32)
    return np.where(np.isnan(x), np.float32(np.nan), out)


def _mm(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return a.astype(np.float64) @ b.astype(np.float64)


def _zeropower_via_newtonschulz(grad: Tensor, ns_coefficients: tuple[float, float, float],
                                ns_steps: int, eps: float) -> np.ndarray:
    """The Newton-Schulz orthogonalisation of ``grad`` (as bfloat16 values in float32)."""
    if ns_steps >= 100:
        raise ValueError("Number of steps must be less than 100 for computational efficiency")
    if len(grad.shape) != 2:
        raise ValueError("Input tensor gradient must be a 2D matrix")
    if len(ns_coefficients) != 3:
        raise ValueError("Coefficients must be a tuple of exactly 3 values")
    a, b, c = ns_coefficients
    x = _bf16(grad.detach().numpy())
    tall = grad.size(0) > grad.size(1)
    if tall:
        x = x.T
    # spectral norm at most 1: divide by the Frobenius norm (a bfloat16 result, clamped)
    norm = _bf16(np.sqrt(np.sum(np.square(x, dtype=np.float64))))
    x = _bf16(x / np.maximum(norm, _bf16(np.float64(eps))))
    for _ in range(ns_steps):
        gram = _bf16(_mm(x, x.T))
        gram_update = _bf16(b * gram.astype(np.float64) + c * _mm(gram, gram))
        x = _bf16(a * x.astype(np.float64) + _mm(gram_update, x))
    return x.T if tall else x


def _adjust_lr(lr: float, adjust_lr_fn: str | None, param_shape: Any) -> float:
    """Keller Jordan's ``sqrt(max(1, A/B))`` or Moonshot's ``0.2 sqrt(max(A, B))``."""
    rows, cols = param_shape[:2]
    if adjust_lr_fn is None or adjust_lr_fn == "original":
        ratio = math.sqrt(max(1, rows / cols))
    elif adjust_lr_fn == "match_rms_adamw":
        ratio = 0.2 * math.sqrt(max(rows, cols))
    else:
        ratio = 1.0
    return lr * ratio


class Muon(Optimizer):
    """Muon, as ``torch.optim.Muon``: momentum, then Newton-Schulz orthogonalised steps."""

    def __init__(self, params: Any, lr: float = 1e-3, weight_decay: float = 0.1,
                 momentum: float = 0.95, nesterov: bool = True,
                 ns_coefficients: tuple[float, float, float] = (DEFAULT_A, DEFAULT_B,
                                                                DEFAULT_C),
                 eps: float = EPS, ns_steps: int = DEFAULT_NS_STEPS,
                 adjust_lr_fn: str | None = None) -> None:
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if not lr >= 0.0:
            raise ValueError(f"Learning rate should be >= 0 but is: {lr}")
        if not momentum >= 0.0:
            raise ValueError(f"momentum should be >= 0 but is: {momentum}")
        if not weight_decay >= 0.0:
            raise ValueError(f"weight decay should be >= 0 but is: {weight_decay}")
        if adjust_lr_fn is not None and adjust_lr_fn not in ["original", "match_rms_adamw"]:
            raise ValueError(f"Adjust learning rate function {adjust_lr_fn} is not supported")
        defaults = {"lr": lr, "weight_decay": weight_decay, "momentum": momentum,
                    "nesterov": nesterov, "ns_coefficients": ns_coefficients, "eps": eps,
                    "ns_steps": ns_steps, "adjust_lr_fn": adjust_lr_fn}
        super().__init__(params, defaults)
        for group in self.param_groups:
            for p in group["params"]:
                if p.ndim != 2:
                    raise ValueError("Muon only supports 2D parameters whereas we found a "
                                     f"parameter with size: {p.size()}")

    @_step_with_hooks
    def step(self, closure: Any = None) -> Any:
        """One Muon update of every parameter that has a gradient; returns ``closure()``."""
        loss = self._closure_loss(closure)
        with no_grad():
            for group in self.param_groups:
                self._update_group(group)
        return loss

    def _update_group(self, group: dict[str, Any]) -> None:
        with_grad = []
        for p in group["params"]:
            if p.grad is None:
                continue
            if p.is_complex():
                raise RuntimeError("Muon does not support complex parameters")
            state = self.state[p]
            if "momentum_buffer" not in state:
                state["momentum_buffer"] = creation.zeros_like(p.grad)
            with_grad.append(p)
        lr = _to_scalar(group["lr"])
        momentum, weight_decay = group["momentum"], group["weight_decay"]
        for p in with_grad:
            grad = p.grad
            if grad.ndim != 2:
                raise ValueError("Param gradient must be a 2D matrix")
            buf = self.state[p]["momentum_buffer"]
            ops.lerp_(buf, grad, 1 - momentum)
            update = ops.lerp(grad, buf, momentum) if group["nesterov"] else buf
            ortho = _zeropower_via_newtonschulz(update, group["ns_coefficients"],
                                                group["ns_steps"], group["eps"])
            adjusted_lr = _adjust_lr(lr, group["adjust_lr_fn"], p.shape)
            ops.mul_(p, 1 - lr * weight_decay)
            # the bfloat16 update is promoted to the parameter's dtype (exactly), then added
            ops.add_(p, creation.tensor(ortho, dtype=p.dtype), alpha=-adjusted_lr)
