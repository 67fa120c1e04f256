"""Gradient clipping: ``clip_grad_norm_``, ``clip_grad_value_``, ``get_total_norm``."""

from __future__ import annotations

import types
import warnings
from collections.abc import Iterable
from typing import Any

from adcli.engine import creation, ops
from adcli.engine.grad_mode import no_grad
from adcli.engine.tensor import Tensor

__all__ = ["clip_grad_norm_", "clip_grad_norm", "clip_grad_value_", "get_total_norm",
           "clip_grads_with_norm_"]


def _vector_norm(t: Tensor, p: float) -> Tensor:
    """``torch.linalg.vector_norm(t, p)``: the p-norm of all elements."""
    flat = ops.reshape(t, (-1,))
    if p == 0:
        return ops.sum(ops.ne(flat, 0)).to(t.dtype)
    return ops.norm(flat, p)


def get_total_norm(tensors: Tensor | Iterable[Tensor], norm_type: float = 2.0,
                   error_if_nonfinite: bool = False, foreach: bool | None = None) -> Tensor:
    """The norm of the per-tensor norms (the norm of all elements, concatenated)."""
    tensors = [tensors] if isinstance(tensors, Tensor) else list(tensors)
    norm_type = float(norm_type)
    if not tensors:
        return creation.tensor(0.0)
    if foreach:
        raise RuntimeError("foreach=True was passed, but can't use the foreach API on cpu tensors")
    with no_grad():
        norms = [_vector_norm(g, norm_type) for g in tensors]
        total = _vector_norm(ops.stack(norms), norm_type)
    if error_if_nonfinite and not bool(ops.isfinite(total).item()):
        raise RuntimeError(
            f"The total norm of order {norm_type} for gradients from `parameters` is non-finite, "
            "so it cannot be clipped. To disable this error and scale the gradients by the "
            "non-finite norm anyway, set `error_if_nonfinite=False`")
    return total


def clip_grads_with_norm_(parameters: Tensor | Iterable[Tensor], max_norm: float,
                          total_norm: Tensor, foreach: bool | None = None) -> None:
    """Scale the gradients by ``min(1, max_norm / (total_norm + 1e-6))``."""
    if isinstance(parameters, Tensor):
        parameters = [parameters]
    grads = [p.grad for p in parameters if p.grad is not None]
    max_norm = float(max_norm)
    if not grads:
        return
    if foreach:
        raise RuntimeError("foreach=True was passed, but can't use the foreach API on cpu tensors")
    with no_grad():
        clip_coef = max_norm / (total_norm + 1e-6)
        clamped = ops.clamp(clip_coef, max=1.0)
        for g in grads:
            ops.mul_(g, clamped)


def clip_grad_norm_(parameters: Tensor | Iterable[Tensor], max_norm: float,
                    norm_type: float = 2.0, error_if_nonfinite: bool = False,
                    foreach: bool | None = None) -> Tensor:
    """Rescale gradients in place so their total ``norm_type``-norm is at most ``max_norm``;
    returns the total norm before clipping."""
    if isinstance(parameters, Tensor):
        parameters = [parameters]
    else:
        is_generator = isinstance(parameters, types.GeneratorType)
        parameters = list(parameters)
        if is_generator and not parameters:
            warnings.warn("`parameters` is an empty generator, no gradient clipping will occur.",
                          stacklevel=2)
    grads = [p.grad for p in parameters if p.grad is not None]
    total_norm = get_total_norm(grads, norm_type, error_if_nonfinite, foreach)
    clip_grads_with_norm_(parameters, max_norm, total_norm, foreach)
    return total_norm


def clip_grad_norm(parameters: Any, max_norm: float, norm_type: float = 2.0,
                   error_if_nonfinite: bool = False, foreach: bool | None = None) -> Tensor:
    warnings.warn("`torch.nn.utils.clip_grad_norm` is now deprecated in favor of "
                  "`torch.nn.utils.clip_grad_norm_`.", FutureWarning, stacklevel=2)
    return clip_grad_norm_(parameters, max_norm, norm_type, error_if_nonfinite, foreach)


def clip_grad_value_(parameters: Tensor | Iterable[Tensor], clip_value: float,
                     foreach: bool | None = None) -> None:
    """Clamp every gradient to ``[-clip_value, clip_value]`` in place."""
    if isinstance(parameters, Tensor):
        parameters = [parameters]
    clip_value = float(clip_value)
    if foreach:
        raise RuntimeError("foreach=True was passed, but can't use the foreach API on cpu tensors")
    with no_grad():
        for p in parameters:
            if p.grad is not None:
                ops.clamp_(p.grad, min=-clip_value, max=clip_value)
