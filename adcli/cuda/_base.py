"""What every corner of ``torch.cuda`` on a CPU build shares: its errors, word for word.

A CPU build of torch answers CUDA questions in a few ways: the lazy initialisation fails
(``AssertionError: Torch not compiled with CUDA enabled``), a binding that the build left out
is missing (``AttributeError: module 'torch._C' has no attribute ...``), or a class is one of
its dummy stand-ins (``RuntimeError: Tried to instantiate dummy base class ...``). adcli raises
the same errors in the same places, so code that catches them behaves as under torch.
"""

from __future__ import annotations

from typing import Any, NoReturn

from adcli.engine.device import NO_CUDA
from adcli.engine.device import device as _torch_device

Device = _torch_device | str | int | None


def not_compiled(*args: Any, **kwargs: Any) -> NoReturn:
    """torch.cuda's lazy initialisation on a CPU build."""
    raise AssertionError(NO_CUDA)


def no_binding(name: str) -> NoReturn:
    """A ``torch._C`` function that a CPU build does not have."""
    raise AttributeError(f"module 'torch._C' has no attribute '{name}'")


def dummy(name: str) -> NoReturn:
    """One of the placeholder classes a CPU build defines instead of CUDA's."""
    raise RuntimeError(f"Tried to instantiate dummy base class {name}")


def dummy_class(name: str, module: str, doc: str) -> type:
    """A class whose construction fails as torch's dummy stand-ins do, whatever the
    arguments."""

    def refuse(cls: type, *args: Any, **kwargs: Any) -> NoReturn:
        dummy(name)

    return type(name, (), {"__new__": refuse, "__module__": module, "__doc__": doc})


def no_nvml(*args: Any, **kwargs: Any) -> NoReturn:
    """The NVML queries (temperature, utilization, ...) import pynvml first."""
    raise ModuleNotFoundError("nvidia-ml-py does not seem to be installed or it can't be "
                              "imported.")


def is_available() -> bool:
    return False


def device_count() -> int:
    return 0


def is_initialized() -> bool:
    return False


def current_device() -> int:
    not_compiled()


def device_index(device: Any, optional: bool = False, allow_cpu: bool = False) -> int | None:
    """``torch.cuda._utils._get_device_index`` without CUDA: no current device to fall back
    on, so an unset index is None when ``optional``."""
    from . import device as cuda_device

    if isinstance(device, int):
        return device
    if isinstance(device, str):
        device = _torch_device(device)
    if isinstance(device, _torch_device):
        if allow_cpu:
            if device.type not in ("cuda", "cpu"):
                raise ValueError(f"Expected a cuda or cpu device, but got: {device}")
        elif device.type != "cuda":
            raise ValueError(f"Expected a cuda device, but got: {device}")
    if isinstance(device, cuda_device):
        return device.idx
    idx = None
    if isinstance(device, _torch_device):
        idx = -1 if device.type == "cpu" else device.index
    if idx is None and not optional:
        raise ValueError("Expected a torch.device with a specified index or an integer, but "
                         f"got:{device}")
    return idx


def exchange_device(idx: Any) -> int:
    """``torch.cuda._exchange_device`` of a CPU build: negative indices are no-ops."""
    if idx < 0:
        return -1
    raise RuntimeError("PyTorch was compiled without CUDA support")
