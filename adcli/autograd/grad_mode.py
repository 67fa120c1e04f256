"""Grad-mode context managers, as ``torch.autograd.grad_mode``."""

from __future__ import annotations

from adcli.engine.grad_mode import (
    enable_grad,
    inference_mode,
    is_grad_enabled,
    no_grad,
    set_grad_enabled,
)

__all__ = ["enable_grad", "inference_mode", "is_grad_enabled", "no_grad", "set_grad_enabled"]
