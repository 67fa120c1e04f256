"""``torch.cuda.amp.autocast_mode``: torch's deprecated CUDA spellings of
``torch.amp.autocast`` and ``custom_fwd``/``custom_bwd`` (each warns as torch's does)."""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

from adcli import amp as _amp
from adcli.amp import cuda_autocast as autocast

__all__ = ["autocast", "custom_bwd", "custom_fwd"]


def _deprecated(name: str) -> None:
    warnings.warn(f"`torch.cuda.amp.{name}(args...)` is deprecated. Please use "
                  f"`torch.amp.{name}(args..., device_type='cuda')` instead.",
                  FutureWarning, stacklevel=3)


def custom_fwd(*args: Any, **kwargs: Any) -> Any:
    """``torch.cuda.amp.custom_fwd(fwd=None, *, cast_inputs=None)`` (deprecated):
    ``torch.amp.custom_fwd(device_type='cuda')``. Warns before its arguments are checked,
    as torch's deprecation decorator does."""
    _deprecated("custom_fwd")

    def inner(fwd: Callable[..., Any] | None = None, *, cast_inputs: Any = None) -> Any:
        return _amp.custom_fwd(fwd, device_type="cuda", cast_inputs=cast_inputs)

    inner.__name__ = inner.__qualname__ = "custom_fwd"
    return inner(*args, **kwargs)


def custom_bwd(*args: Any, **kwargs: Any) -> Any:
    """``torch.cuda.amp.custom_bwd(bwd)`` (deprecated):
    ``torch.amp.custom_bwd(device_type='cuda')``."""
    _deprecated("custom_bwd")

    def inner(bwd: Callable[..., Any]) -> Any:
        return _amp.custom_bwd(bwd, device_type="cuda")

    inner.__name__ = inner.__qualname__ = "custom_bwd"
    return inner(*args, **kwargs)
