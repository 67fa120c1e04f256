"""``torch.accelerator``: no accelerator on a CPU-only build."""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import Any

from adcli.engine.errors import AdcliError


def is_available() -> bool:
    return False


def current_accelerator(check_available: bool = False) -> None:
    return None


def device_count() -> int:
    return 0


def _none(*args: Any, **kwargs: Any) -> Any:
    raise AdcliError("Cannot access accelerator device when none is available.")


current_device_index = set_device_index = synchronize = _none


def get_device_module(device: Any = None) -> ModuleType:
    """``torch.get_device_module``: ``adcli.cpu`` by default (no accelerator), else the
    module of the device's type."""
    from adcli.engine.device import device as device_cls

    if device is None:
        name = "cpu"
    elif isinstance(device, device_cls | str):
        name = device_cls(device).type
    else:
        raise RuntimeError(f"Invalid value of device '{device}', expect torch.device, str, or "
                           "None")
    if name not in ("cpu", "cuda", "mps", "xpu", "mtia"):
        raise RuntimeError(f"Device '{name}' does not have a corresponding module registered "
                           f"as 'torch.{name}'.")
    return importlib.import_module(f"adcli.{name}")  # adcli.cuda, adcli.mps, ...
