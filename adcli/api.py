"""The ``torch``-like namespace behind ``import adcli`` (loaded on first attribute access)."""

from __future__ import annotations

from typing import Any

from .engine import creation, dtypes, ops
from .engine.backward import backward as _backward  # noqa: F401
from .engine.dtypes import (
    bool_ as bool,  # noqa: A004
)
from .engine.dtypes import (
    dtype,
    float32,
    float64,
    get_default_dtype,
    int64,
    set_default_dtype,
)
from .engine.errors import (
    AdcliError,
    GraphFreedError,
    InplaceModifiedError,
    InvalidArgumentError,
    LeafInplaceError,
    NoGradFnError,
    NonscalarBackwardError,
    ShapeMismatchError,
)
from .engine.function import Function
from .engine.grad_mode import enable_grad, is_grad_enabled, no_grad, set_grad_enabled
from .engine.limits import get_max_elements, set_max_elements
from .engine.registry import FUNCTIONAL, TORCH, register_op
from .engine.tensor import Size, Tensor

float = float32  # noqa: A001
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
