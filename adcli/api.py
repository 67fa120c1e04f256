"""The ``torch``-like namespace behind ``import adcli`` (loaded on first attribute access)."""

from __future__ import annotations

from typing import Any

from .engine import settings as _settings

# Re-exports use the `name as name` form: they are the public API, not unused imports.
from .engine.anomaly import is_anomaly_check_nan_enabled as is_anomaly_check_nan_enabled
from .engine.anomaly import is_anomaly_enabled as is_anomaly_enabled
from .engine.anomaly import set_anomaly_enabled as set_anomaly_enabled
from .engine.dtypes import bool_ as bool  # noqa: F401 - torch.bool
from .engine.dtypes import dtype as dtype
from .engine.dtypes import float32 as float32
from .engine.dtypes import float64 as float64
from .engine.dtypes import get_default_dtype as get_default_dtype
from .engine.dtypes import int64 as int64
from .engine.dtypes import set_default_dtype as set_default_dtype
from .engine.dtypes import uint8 as uint8
from .engine.errors import AdcliError as AdcliError
from .engine.errors import GraphFreedError as GraphFreedError
from .engine.errors import InplaceModifiedError as InplaceModifiedError
from .engine.errors import InvalidArgumentError as InvalidArgumentError
from .engine.errors import LeafInplaceError as LeafInplaceError
from .engine.errors import NoGradFnError as NoGradFnError
from .engine.errors import NonscalarBackwardError as NonscalarBackwardError
from .engine.errors import ShapeMismatchError as ShapeMismatchError
from .engine.function import Function as Function
from .engine.grad_mode import enable_grad as enable_grad
from .engine.grad_mode import is_grad_enabled as is_grad_enabled
from .engine.grad_mode import no_grad as no_grad
from .engine.grad_mode import set_grad_enabled as set_grad_enabled
from .engine.limits import get_max_elements as get_max_elements
from .engine.limits import set_max_elements as set_max_elements
from .engine.registry import TORCH
from .engine.registry import register_op as register_op
from .engine.tensor import Size as Size
from .engine.tensor import Tensor as Tensor

globals().update({_n: getattr(_settings, _n) for _n in _settings.SETTERS})

float = float32
double = float64
long = int64

# torch's top-level autocast names, served by adcli.amp
_AMP = {"autocast": "autocast", "GradScaler": "GradScaler",
        "is_autocast_enabled": "is_autocast_enabled", "get_autocast_dtype": "get_autocast_dtype",
        **{n: n for n in (
            "set_autocast_enabled", "set_autocast_dtype", "is_autocast_cache_enabled",
            "set_autocast_cache_enabled", "clear_autocast_cache", "autocast_increment_nesting",
            "autocast_decrement_nesting", "get_autocast_gpu_dtype", "set_autocast_gpu_dtype",
            *(f"{a}_autocast_{k}_{b}" for k in ("cpu", "ipu", "xla")
              for a, b in (("is", "enabled"), ("set", "enabled"), ("get", "dtype"),
                           ("set", "dtype"))))}}
# torch.get_device_module hands out modules: served by adcli.accelerator, not the registry
# (the rest of what a CPU build says about itself is there, engine/machine.py)
_MACHINE = ("get_device_module",)


_OWN = {
    "Tensor", "Size", "Function", "dtype", "float32", "float64", "int64", "bool", "float",
    "double", "long", "no_grad", "enable_grad", "set_grad_enabled", "is_grad_enabled",
    "set_default_dtype", "get_default_dtype", "register_op", "get_max_elements",
    "set_max_elements", "AdcliError", *_MACHINE, "GraphFreedError", "InplaceModifiedError",
    "InvalidArgumentError", "LeafInplaceError", "NoGradFnError", "NonscalarBackwardError",
    "ShapeMismatchError", "gradcheck", "gradgradcheck", "is_anomaly_enabled",
    "is_anomaly_check_nan_enabled", "set_anomaly_enabled", "uint8", *_settings.SETTERS, "save",
    "load", "vmap", *_AMP, "frombuffer", "from_file", "from_dlpack", "to_dlpack",
}


def __getattr__(name: str) -> Any:
    if name in ("save", "load"):
        from . import serialization

        return getattr(serialization, name)
    if name in ("frombuffer", "from_file", "from_dlpack", "to_dlpack"):
        # memory and files: Python API only, never in the spec whitelist (TORCH)
        from .engine import interop

        return getattr(interop, name)
    if name in _AMP:
        from . import amp

        return amp.AUTOCAST_STATE.get(name) or getattr(amp, _AMP[name])
    if name in _MACHINE:
        from . import accelerator

        return getattr(accelerator, name)
    if name == "vmap":
        from .func import vmap

        return vmap
    if name in ("gradcheck", "gradgradcheck"):
        from .check import gradcheck as _gc

        return getattr(_gc, name)
    if name in TORCH:
        # Ops registered after import (plugins) resolve here.
        return TORCH[name]
    raise AttributeError(name)


# The torch-level ops (adcli.matmul, adcli.tensor, ...), without shadowing the names above.
globals().update({k: v for k, v in TORCH.items() if k not in _OWN and not k.startswith("_")})

__all__ = sorted(_OWN | {k for k in TORCH if not k.startswith("_")})
