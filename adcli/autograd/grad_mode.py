"""Grad-mode context managers, as ``torch.autograd.grad_mode``."""

from __future__ import annotations

from typing import Any

from adcli.engine.grad_mode import (
    _GradModeContext,
    enable_grad,
    is_grad_enabled,
    no_grad,
    set_grad_enabled,
)

__all__ = ["enable_grad", "inference_mode", "is_grad_enabled", "no_grad", "set_grad_enabled"]


class inference_mode(_GradModeContext):  # noqa: N801 - mirrors torch.inference_mode
    """As ``no_grad`` (adcli has no separate inference tensors); ``inference_mode(False)``
    leaves grad mode as it is."""

    def __new__(cls, mode: Any = True) -> Any:
        if callable(mode):  # used as a bare decorator
            return cls(True)(mode)
        return object.__new__(cls)

    def __init__(self, mode: Any = True) -> None:
        super().__init__()
        self.active = bool(mode)

    def __enter__(self) -> None:
        if self.active:
            super().__enter__()

    def __exit__(self, *exc: object) -> None:
        if self.active:
            super().__exit__(*exc)

    def __call__(self, fn: Any) -> Any:
        import functools

        active = self.active

        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with inference_mode(active):
                return fn(*args, **kwargs)

        return wrapper

    mode = False
