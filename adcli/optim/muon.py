"""``Muon``, torch 2.13's single-tensor update (``torch.optim.Muon``), for 2-D parameters.

The momentum update is orthogonalised by quintic Newton-Schulz iterations that torch runs in
bfloat16. adcli has no bfloat16 dtype, so the iteration is emulated on float32 arrays holding
bfloat16 values, with the roundings of torch's CPU bfloat16 GEMM (ATen's cpublas fallback,
used where oneDNN has no bfloat16 kernel, as on AVX2): products of two bfloat16 numbers are
exact in float32, sums are float32 in the kernel's order, ``beta * c + alpha * dot`` is one
fma, and the float32 result is rounded to the nearest bfloat16 (ties to even). On a CPU with
AVX512-BF16 or AMX, torch takes oneDNN's bfloat16 kernels for some shapes instead; there a
few entries differ from torch's by a bfloat16 ulp.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from adcli.engine import creation, ops
from adcli.engine.grad_mode import no_grad
from adcli.engine.rounding import fma
from adcli.engine.tensor import Tensor

from .optimizer import Optimizer, _step_with_hooks, _to_scalar

__all__ = ["Muon"]

EPS = 1e-7
DEFAULT_A, DEFAULT_B, DEFAULT_C = 3.4445, -4.7750, 2.0315
DEFAULT_NS_STEPS = 5


def _bf16(x: Any) -> np.ndarray:
    """Round to bfloat16 (nearest, ties to even), kept as float32; from float64 via float32,
    as c10::BFloat16 converts a double."""
    x = np.array(x, dtype=np.float32, order="C")
    u = x.view(np.uint32).astype(np.uint64)
    rounded = ((u + 0x7FFF + ((u >> 16) & 1)) >> 16) << 16
    return np.where(np.isnan(x), np.float32(np.nan), rounded.astype(np.uint32).view(np.float32))


def _f32(x: Any) -> np.ndarray:
    return np.asarray(x, dtype=np.float32)


def _dot(a: np.ndarray, b: np.ndarray, order: str) -> np.ndarray:
    """``a @ b`` of bfloat16 values in float32, summed in one of cpublas's orders:
    ``seq`` (gemm_transb_: one running sum), ``ilp4`` (gemm_notrans_'s ``sum``: four partial
    sums, the tail into the first, then added in order), ``lanes`` (gemm_transa_'s
    bf16_dot_with_fp32_arith on AVX2: 8 vectors of 8 lanes over 64-element blocks, reduced
    pairwise, then a vector of 8 lanes over 16-element blocks, then one by one)."""
    k = a.shape[1]

    def term(t: int) -> np.ndarray:
        return _f32(np.outer(a[:, t], b[t, :]))  # exact: 8-bit by 8-bit significands

    zero = np.zeros((a.shape[0], b.shape[1]), dtype=np.float32)
    if order == "seq":
        acc = zero
        for t in range(k):
            acc = _f32(acc + term(t))
        return acc
    if order == "ilp4":
        parts = [zero] * 4
        body = k - k % 4
        for t in range(body):
            parts[t % 4] = _f32(parts[t % 4] + term(t))
        for t in range(body, k):
            parts[0] = _f32(parts[0] + term(t))
        return _f32(_f32(_f32(parts[0] + parts[1]) + parts[2]) + parts[3])
    block, vec = k & ~63, k & ~15

    def reduce8(lanes: list[np.ndarray]) -> np.ndarray:
        # vec_reduce_all on AVX2: halves, then pairs, then neighbours
        h = [_f32(lanes[i] + lanes[i + 4]) for i in range(4)]
        q = [_f32(h[0] + h[2]), _f32(h[1] + h[3])]
        return _f32(q[0] + q[1])

    regs = [[zero] * 8 for _ in range(8)]
    for t in range(block):
        r, lane = (t % 64) // 8, t % 8
        regs[r][lane] = _f32(regs[r][lane] + term(t))
    for width in (4, 2, 1):
        for i in range(width):
            regs[i] = [_f32(x + y) for x, y in zip(regs[i], regs[i + width], strict=True)]
    total = reduce8(regs[0])
    tail = [zero] * 8
    for t in range(block, vec):
        tail[(t - block) % 8] = _f32(tail[(t - block) % 8] + term(t))
    total = _f32(total + reduce8(tail))
    for t in range(vec, k):
        total = _f32(total + term(t))
    return total


def _addmm(c: np.ndarray, a: np.ndarray, b: np.ndarray, beta: float, alpha: float,
           order: str) -> np.ndarray:
    """bfloat16 ``addmm``: ``fma(beta, c, alpha * dot)`` in float32 (``alpha * dot`` alone
    when ``beta`` is 0), rounded to bfloat16."""
    prod = _f32(np.float32(alpha) * _dot(a, b, order))
    if beta == 0:
        return _bf16(prod)
    return _bf16(fma(np.full_like(c, np.float32(beta)), c, prod))


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
    # a tall matrix is worked on as its transpose, a strided view in torch until the first
    # addmm makes a new tensor: the view's products take other kernels (other sum orders)
    tall = grad.size(0) > grad.size(1)
    if tall:
        x = x.T
    norm = _bf16(np.sqrt(np.sum(np.square(x, dtype=np.float64))))
    x = _bf16(_f32(x / np.maximum(norm, _bf16(eps))))
    view = tall
    for _ in range(ns_steps):
        gram = _bf16(_dot(x, x.T, "seq" if view else "lanes"))
        gram_update = _addmm(gram, gram, gram, b, c, "ilp4")
        x = _addmm(x, gram_update, x, a, 1.0, "lanes" if view else "ilp4")
        view = False
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
