"""``torch.cuda`` as a CPU build of torch has it: every public name, each answering as there.

Queries that need no device answer (``is_available()`` is False, ``device_count()`` 0, the
memory statistics are zero or empty, seeding is accepted and dropped); everything that needs
CUDA raises what the CPU build raises, word for word (mostly ``AssertionError: Torch not
compiled with CUDA enabled``; see :mod:`adcli.cuda._base` for the other kinds). The
submodules load on first use.
"""

from __future__ import annotations

from typing import Any

from adcli.engine.device import NO_CUDA as NO_CUDA
from adcli.engine.machine import AcceleratorError as AcceleratorError
from adcli.engine.machine import OutOfMemoryError as OutOfMemoryError
from adcli.lazy import lazy_submodules

from . import graphs as graphs
from . import memory as memory
from . import random as random
from . import streams as streams
from ._base import Device as Device
from ._base import current_device as current_device
from ._base import device_count as device_count
from ._base import device_index, exchange_device, no_nvml, not_compiled
from ._base import is_available as is_available
from ._base import is_initialized as is_initialized
from ._legacy import STORAGE_TYPES, TENSOR_TYPES
from .graphs import CUDAGraph as CUDAGraph
from .graphs import graph as graph
from .graphs import graph_pool_handle as graph_pool_handle
from .graphs import is_current_stream_capturing as is_current_stream_capturing
from .graphs import make_graphed_callables as make_graphed_callables
from .green_contexts import GreenContext as GreenContext
from .memory import *  # noqa: F403 - torch.cuda re-exports torch.cuda.memory
from .memory import __all__ as _memory_all
from .random import *  # noqa: F403 - torch.cuda re-exports torch.cuda.random
from .random import __all__ as _random_all
from .streams import Event as Event
from .streams import ExternalStream as ExternalStream
from .streams import Stream as Stream

globals().update(TENSOR_TYPES)
globals().update(STORAGE_TYPES)

_SUBMODULES = ("amp", "gds", "green_contexts", "jiterator", "nccl", "nvtx", "profiler",
               "sparse", "tunable")

has_half: bool = True
has_magma: bool = False
default_generators: tuple[Any, ...] = ()


def init() -> None:
    not_compiled()


def is_bf16_supported(including_emulation: bool = True) -> bool:
    return False


def is_tf32_supported() -> bool:
    return False


def get_arch_list() -> list[str]:
    """The CUDA architectures the build was compiled for: none."""
    return []


def get_gencode_flags() -> str:
    return ""


def set_device(device: Device) -> None:
    """torch's ``set_device``: a negative index is a no-op; any other index fails as a CPU
    build's (its ``_cuda_setDevice`` binding is missing)."""
    idx = device_index(device)
    if idx is not None and idx >= 0:
        raise AttributeError("module 'torch._C' has no attribute '_cuda_setDevice'")


def synchronize(device: Device = None) -> None:
    not_compiled()


def ipc_collect() -> None:
    not_compiled()


def cudart() -> Any:
    not_compiled()


def current_blas_handle() -> int:
    not_compiled()


def current_solver_handle() -> int:
    not_compiled()


def current_stream(device: Device = None) -> Stream:
    not_compiled()


def default_stream(device: Device = None) -> Stream:
    not_compiled()


def get_stream_from_external(data_ptr: int, device: Device = None) -> Stream:
    not_compiled()


def set_stream(stream: Stream) -> None:
    """Setting no stream is a no-op (no stream can exist here)."""
    if stream is None:
        return


def get_device_name(device: Device = None) -> str:
    not_compiled()


def get_device_capability(device: Device = None) -> tuple[int, int]:
    not_compiled()


def get_device_properties(device: Device = None) -> Any:
    not_compiled()


def can_device_access_peer(device: Device, peer_device: Device) -> bool:
    not_compiled()


def get_sync_debug_mode() -> int:
    not_compiled()


def set_sync_debug_mode(debug_mode: int | str) -> None:
    not_compiled()


clock_rate = device_memory_used = memory_usage = power_draw = temperature = utilization = (
    no_nvml)


class cudaStatus:  # noqa: N801 - torch's name
    SUCCESS: int = 0
    ERROR_NOT_READY: int = 34


class CudaError(RuntimeError):
    """An error of the CUDA runtime; making one asks the (absent) runtime for its text."""

    def __init__(self, code: int) -> None:
        raise AttributeError("'NoneType' object has no attribute 'cudaGetErrorString'")


class DeferredCudaCallError(Exception):
    """A queued CUDA call that failed when CUDA started."""


def check_error(res: int) -> None:
    raise AttributeError("'NoneType' object has no attribute 'cudaError'")


class device:  # noqa: N801 - mirrors torch.cuda.device
    """``with torch.cuda.device(i):`` selects a GPU; a no-op for a negative index or an
    index-less device, an error for a real index (as a CPU build's)."""

    def __init__(self, device: Any) -> None:
        self.idx = device_index(device, optional=True)
        self.prev_idx = -1

    def __enter__(self) -> None:
        self.prev_idx = exchange_device(self.idx)

    def __exit__(self, type: Any, value: Any, traceback: Any) -> bool:
        self.idx = exchange_device(self.prev_idx)
        return False


class device_of(device):  # noqa: N801 - mirrors torch.cuda.device_of
    """``device`` of the GPU a tensor lives on: a no-op for CPU tensors."""

    def __init__(self, obj: Any) -> None:
        super().__init__(obj.get_device() if obj.is_cuda else -1)


class StreamContext:
    """``with torch.cuda.stream(s):``; a no-op for ``None`` (the only stream a CPU build can
    hold)."""

    def __init__(self, stream: Stream | None) -> None:
        self.stream = stream
        idx = device_index(None, True)
        self.idx = -1 if idx is None else idx
        self.src_prev_stream = self.dst_prev_stream = None

    def __enter__(self) -> None:
        return None

    def __exit__(self, type: Any, value: Any, traceback: Any) -> None:
        return None


def stream(stream: Stream | None) -> StreamContext:
    return StreamContext(stream)


for _c in (cudaStatus, CudaError, DeferredCudaCallError, device, device_of, StreamContext):
    _c.__module__ = "torch.cuda"

__all__ = sorted({
    "BFloat16Storage", "BFloat16Tensor", "BoolStorage", "BoolTensor", "ByteStorage",
    "ByteTensor", "CUDAGraph", "CharStorage", "CharTensor", "ComplexDoubleStorage",
    "ComplexFloatStorage", "CudaError", "DeferredCudaCallError", "DoubleStorage",
    "DoubleTensor", "Event", "ExternalStream", "FloatStorage", "FloatTensor", "HalfStorage",
    "HalfTensor", "IntStorage", "IntTensor", "LongStorage", "LongTensor", "ShortStorage",
    "ShortTensor", "Stream", "StreamContext", "can_device_access_peer", "check_error",
    "cudart", "current_blas_handle", "current_device", "current_solver_handle",
    "current_stream", "default_stream", "device", "device_count", "device_of",
    "get_arch_list", "get_device_capability", "get_device_name", "get_device_properties",
    "get_gencode_flags", "get_stream_from_external", "get_sync_debug_mode", "graph",
    "graph_pool_handle", "graphs", "init", "ipc_collect", "is_available",
    "is_bf16_supported", "is_current_stream_capturing", "is_initialized", "is_tf32_supported",
    "make_graphed_callables", "memory", "nccl", "nvtx", "profiler", "random", "set_device",
    "set_stream", "set_sync_debug_mode", "sparse", "stream", "streams", "synchronize",
    "clock_rate", "device_memory_used", "memory_usage", "power_draw", "temperature",
    "utilization", "cudaStatus", "AcceleratorError", "OutOfMemoryError", "has_half",
    "has_magma", "default_generators", "Device", "amp", "gds", "green_contexts", "jiterator",
    "tunable", "GreenContext", *_memory_all, *_random_all})


__getattr__, __dir__ = lazy_submodules(__name__, _SUBMODULES)
