"""What a CPU build of torch says about itself at the top level: ``torch.Stream`` and
``torch.Event`` for the CPU, the ``has_*`` build flags, ``get_device_module``, and the error
classes that only accelerators raise.

The build flags are the CPU build's answers (``has_lapack``, ``has_mkl`` ... are True there):
code that probes them picks code paths adcli runs the same way. What is about this machine
(``torch.backends.cpu.get_cpu_capability``) is adcli's own answer instead.
"""

from __future__ import annotations

from typing import Any

from .device import device as device_cls
from .ops.predicates import _need_tensor
from .tensor import Tensor

__all__ = ["AcceleratorError", "Event", "OutOfMemoryError", "Stream", "compiled_with_cxx11_abi",
           "get_device", "has_lapack", "has_mkl", "has_openmp",
           "has_spectral", "init_num_threads", "is_distributed", "is_vulkan_available"]
# the torch-level names the op registry serves (specs reach them)
REGISTERED = tuple(__all__)

has_lapack: bool = True
has_mkl: bool = True
has_openmp: bool = True
has_spectral: bool = True


class OutOfMemoryError(RuntimeError):
    """An accelerator ran out of memory (never raised on the CPU)."""


class AcceleratorError(RuntimeError):
    """An accelerator's runtime failed (never raised on the CPU)."""


def compiled_with_cxx11_abi() -> bool:
    """Returns whether PyTorch was built with _GLIBCXX_USE_CXX11_ABI=1"""
    return True


def init_num_threads() -> None:
    """Propagates the thread count to a new thread: adcli's work runs in NumPy, nothing to
    do."""


def is_vulkan_available(*args: Any, **kwargs: Any) -> bool:
    """False: no Vulkan backend (torch's binding ignores any arguments, and so does this)."""
    return False


def get_device(input: Tensor) -> int:
    """``torch.get_device(t)``: -1 for a CPU tensor, as ``t.get_device()``."""
    _need_tensor("get_device", input)
    return int(input.get_device())


def is_distributed(input: Tensor) -> bool:
    """Whether a tensor is distributed: never."""
    _need_tensor("is_distributed", input)
    return False


def _device_type(device: Any) -> str:
    """A device's type for the stream look-ups; an index means an accelerator."""
    if isinstance(device, int) and not isinstance(device, bool):
        device_cls(device)  # torch's "Cannot access accelerator device ..." error
    return device_cls(device).type


# Device types a CPU build links with: the CPU, and meta (which has no work to wait for).
_LINKED = ("cpu", "meta")


def _linked(device: Any) -> str:
    kind = _device_type("cpu" if device is None else device)
    if kind not in _LINKED:
        raise RuntimeError(f"PyTorch is not linked with support for {kind} devices")
    return kind


class Stream:
    """``torch.Stream`` on the CPU: one stream, always done; events cannot be recorded."""

    def __init__(self, device: Any = None, *, priority: int = 0, **kwargs: Any) -> None:
        self._type = _linked(device)
        self.device = device_cls(self._type)
        self.device_index = -1
        self.device_type = 0 if self._type == "cpu" else 14  # c10::DeviceType numbers
        self.stream_id = 0

    def query(self) -> bool:
        return True

    def synchronize(self) -> None:
        """Nothing to wait for."""

    def wait_event(self, event: Event) -> None:
        """Nothing to wait for."""

    def wait_stream(self, stream: Stream) -> None:
        self.record_event()

    def record_event(self, event: Event | None = None) -> Event:
        raise RuntimeError(f"{self._type} backend doesn't support events.")

    @property
    def native_handle(self) -> int:
        raise RuntimeError("Backend doesn't support getting stream native handle.")

    def __enter__(self) -> Stream:
        return self

    def __exit__(self, *exc: Any) -> None:
        return None

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Stream) and (other._type, other.stream_id) == (
            self._type, self.stream_id)

    def __hash__(self) -> int:
        return hash((self._type, self.device_index, self.stream_id))

    def __getattr__(self, name: str) -> Any:
        raise AttributeError(f"'torch.Stream' object has no attribute '{name}'")

    def __repr__(self) -> str:
        return (f"torch.Stream device_type={self._type}, device_index={self.device_index}, "
                f"stream_id={self.stream_id}")


class Event:
    """``torch.Event`` on the CPU: always complete; recording one fails as in torch."""

    def __init__(self, device: Any = None, *, enable_timing: bool = False,
                 blocking: bool = False, interprocess: bool = False) -> None:
        self._type = _linked(device)
        self.device = device_cls(self._type)
        self.event_id = 0
        self._flag = 1 if enable_timing else 0

    def query(self) -> bool:
        return True

    def record(self, stream: Stream | None = None) -> None:
        raise RuntimeError(f"{self._type} backend doesn't support events.")

    def synchronize(self) -> None:
        """Nothing to wait for."""

    def wait(self, stream: Stream | None = None) -> None:
        """Nothing to wait for."""

    def elapsed_time(self, end_event: Event) -> float:
        if not (self._flag and end_event._flag):
            raise ValueError("Both events must be created with argument 'enable_timing=True'.")
        raise ValueError("Both events must be recorded before calculating elapsed time.")

    def __getattr__(self, name: str) -> Any:
        raise AttributeError(f"'torch.Event' object has no attribute '{name}'")

    def __repr__(self) -> str:
        return (f"torch.Event device_type={self._type}, device_index=-1, "
                f"event_flag={self._flag}, event_id={self.event_id}")


for _c in (OutOfMemoryError, AcceleratorError, Stream, Event):
    _c.__module__ = "torch"
