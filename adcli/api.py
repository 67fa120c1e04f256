"""The ``torch``-like namespace behind ``import adcli`` (loaded on first attribute access)."""

from __future__ import annotations

from typing import Any

from .engine import creation, dtypes, ops
from .engine.backward import backward as _backward  # noqa: F401
from .engine.dtypes import (
    float32,
    float64,
    int64,
)
from .engine.registry import FUNCTIONAL, TORCH

float = float32
double = float64
long = int64


def __getattr__(name: str) -> Any:
    if name in ("gradcheck", "gradgradcheck"):
        from .check import gradcheck as _gc

        return getattr(_gc, name)
    if name in TORCH:
        return TORCH[name]
    raise AttributeError(name)


_exported = {k: v for k, v in TORCH.items() if not k.startswith("_")}
globals().update({k: v for k, v in _exported.items() if k not in globals()})
del _exported

__all__ = sorted(
    {
        "Tensor", "Size", "Function", "dtype", "float32", "float64", "int64", "bool", "float",
        "double", "long", "no_grad", "enable_grad", "set_grad_enabled", "is_grad_enabled",
        "set_default_dtype", "get_default_dtype", "register_op", "get_max_elements",
        "set_max_elements", "AdcliError", "GraphFreedError", "InplaceModifiedError",
        "InvalidArgumentError", "LeafInplaceError", "NoGradFnError", "NonscalarBackwardError",
        "ShapeMismatchError", "gradcheck", "gradgradcheck", "nn", "autograd",
    }
    | set(TORCH)
)
_ = (creation, dtypes, ops, FUNCTIONAL)
