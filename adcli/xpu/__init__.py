"""``torch.xpu`` (Intel GPUs) as a CPU build has it: no device (``is_available()`` False,
``device_count()`` 0, empty memory statistics); everything else fails with the CPU build's
words (mostly ``AssertionError: Torch not compiled with XPU enabled``)."""

from __future__ import annotations

import collections
import contextlib
import ctypes
from collections.abc import Iterator
from typing import Any, NoReturn

from adcli.cuda import get_arch_list as get_arch_list
from adcli.cuda import get_gencode_flags as get_gencode_flags
from adcli.cuda import is_bf16_supported as is_bf16_supported
from adcli.cuda import is_tf32_supported as is_tf32_supported
from adcli.cuda._base import Device, dummy, dummy_class, no_binding
from adcli.cuda._base import device_count as device_count
from adcli.cuda._base import is_available as is_available
from adcli.cuda._base import is_initialized as is_initialized

# seeding is queued until the device starts, in torch's xpu as in its cuda: dropped here
from adcli.cuda.random import get_rng_state_all as get_rng_state_all
from adcli.cuda.random import manual_seed as manual_seed
from adcli.cuda.random import manual_seed_all as manual_seed_all
from adcli.cuda.random import seed as seed
from adcli.cuda.random import seed_all as seed_all
from adcli.cuda.random import set_rng_state as set_rng_state
from adcli.cuda.random import set_rng_state_all as set_rng_state_all
from adcli.engine.device import device as _torch_device
from adcli.lazy import lazy_submodules

__all__ = ["Event", "MemPool", "Stream", "StreamContext", "XPUGraph", "XPUPluggableAllocator",
           "can_device_access_peer", "change_current_allocator", "clock_rate", "current_device",
           "current_stream", "default_generators", "device", "device_count", "device_memory_used",
           "device_of", "empty_cache", "get_arch_list", "get_device_capability", "get_device_name",
           "get_device_properties", "get_gencode_flags", "get_per_process_memory_fraction",
           "get_rng_state", "get_rng_state_all", "get_stream_from_external", "graph",
           "graph_pool_handle", "graphs", "init", "initial_seed", "is_available",
           "is_bf16_supported", "is_current_stream_capturing", "is_initialized",
           "is_tf32_supported", "make_graphed_callables", "manual_seed", "manual_seed_all",
           "max_memory_allocated", "max_memory_reserved", "mem_get_info", "memory",
           "memory_allocated", "memory_reserved", "memory_snapshot", "memory_stats",
           "memory_stats_as_nested_dict", "memory_usage", "power_draw", "random",
           "reset_accumulated_memory_stats", "reset_peak_memory_stats", "seed", "seed_all",
           "set_device", "set_per_process_memory_fraction", "set_rng_state", "set_rng_state_all",
           "set_stream", "stream", "streams", "synchronize", "temperature", "use_mem_pool",
           "utilization"]

NO_XPU = "Torch not compiled with XPU enabled"
_SUBMODULES = ("graphs", "memory", "random", "streams")


def not_compiled(*args: Any, **kwargs: Any) -> NoReturn:
    raise AssertionError(NO_XPU)


def _no_pyzes(device: Device = None) -> NoReturn:
    raise ImportError("pyzes is required; install it with 'pip install pyzes'.")


clock_rate = device_memory_used = memory_usage = power_draw = temperature = utilization = (
    _no_pyzes)
current_device = current_stream = get_device_capability = get_device_name = not_compiled
get_device_properties = get_per_process_memory_fraction = get_rng_state = not_compiled
init = initial_seed = mem_get_info = synchronize = not_compiled
default_generators: tuple[Any, ...] = ()


def set_device(device: Device) -> None:
    not_compiled()


def can_device_access_peer(device: Device, peer: Device) -> bool:
    not_compiled()


def get_stream_from_external(data_ptr: int, device: Device = None) -> Any:
    not_compiled()


def set_per_process_memory_fraction(fraction: float, device: Device = None) -> None:
    not_compiled()


def set_stream(stream: Any) -> None:
    if stream is not None:
        not_compiled()


def empty_cache() -> None:
    """A no-op without XPU, as in torch."""


def memory_stats(device: Device = None) -> dict[str, Any]:
    return collections.OrderedDict()


def memory_stats_as_nested_dict(device: Device = None) -> dict[str, Any]:
    return {}


def memory_snapshot(mempool_id: tuple[int, int] | None = None) -> list[dict[str, Any]]:
    return []


def memory_allocated(device: Device = None) -> int:
    return 0


max_memory_allocated = memory_reserved = max_memory_reserved = memory_allocated


def reset_peak_memory_stats(device: Device = None) -> None:
    no_binding("_xpu_resetPeakMemoryStats")


def reset_accumulated_memory_stats(device: Device = None) -> None:
    no_binding("_xpu_resetAccumulatedMemoryStats")


def change_current_allocator(allocator: Any) -> None:
    no_binding("_xpu_changeCurrentAllocator")


@contextlib.contextmanager
def use_mem_pool(pool: Any, device: Device = None) -> Iterator[None]:
    not_compiled()
    yield  # pragma: no cover - unreachable, keeps this a generator


def is_current_stream_capturing() -> bool:
    dummy("_xpu_isCurrentStreamCapturing")


def graph_pool_handle() -> Any:
    dummy("_xpu_graph_pool_handle")


Stream = dummy_class("Stream", "torch.xpu.streams", "``torch.xpu.Stream``: a dummy class.")
Event = dummy_class("Event", "torch.xpu.streams", "``torch.xpu.Event``: a dummy class.")
XPUGraph = dummy_class("XPUGraph", "torch.xpu.graphs", "``torch.xpu.XPUGraph``: a dummy class.")
MemPool = dummy_class("MemPool", "torch.xpu.memory", "``torch.xpu.MemPool``: a dummy class.")


class XPUPluggableAllocator:
    """torch loads the library, then finds no XPU binding to hand it to."""

    def __init__(self, path_to_so_file: str, alloc_fn_name: str, free_fn_name: str) -> None:
        lib = ctypes.CDLL(path_to_so_file)
        getattr(lib, alloc_fn_name), getattr(lib, free_fn_name)
        no_binding("_xpu_customAllocator")


class graph:  # noqa: N801 - mirrors torch.xpu.graph
    """Capturing needs a side stream, which a CPU build cannot make."""

    def __init__(self, xpu_graph: Any, pool: Any = None, stream: Any = None) -> None:
        Stream()


def make_graphed_callables(callables: Any, sample_args: Any, num_warmup_iters: int = 3,
                           allow_unused_input: bool = False, pool: Any = None) -> Any:
    XPUGraph()


def _device_index(device: Any, optional: bool = False) -> int | None:
    if isinstance(device, str):
        device = _torch_device(device)
    if isinstance(device, _torch_device):
        if device.type != "xpu":
            raise ValueError(f"Expected a xpu device, but got: {device}")
        return device.index
    if isinstance(device, int):
        return device
    if isinstance(device, globals()["device"]):
        return device.idx  # type: ignore[no-any-return]
    if not optional:
        raise ValueError("Expected a torch.device with a specified index or an integer, but "
                         f"got:{device}")
    return None


class device:  # noqa: N801 - mirrors torch.xpu.device
    """``with torch.xpu.device(i):``: a CPU build has no XPU to switch to."""

    def __init__(self, device: Any) -> None:
        self.idx = _device_index(device, optional=True)
        self.prev_idx = -1

    def __enter__(self) -> None:
        raise NotImplementedError("PyTorch was compiled without XPU support")

    def __exit__(self, type: Any, value: Any, traceback: Any) -> bool:
        raise NotImplementedError("PyTorch was compiled without XPU support")


class device_of(device):  # noqa: N801 - mirrors torch.xpu.device_of
    def __init__(self, obj: Any) -> None:
        super().__init__(obj.get_device() if getattr(obj, "is_xpu", False) else -1)


class StreamContext:
    """``with torch.xpu.stream(None):`` is a no-op."""

    def __init__(self, stream: Any) -> None:
        self.stream = stream
        self.idx = -1

    def __enter__(self) -> None:
        if self.stream is not None:
            not_compiled()

    def __exit__(self, type: Any, value: Any, traceback: Any) -> None:
        return None


def stream(stream: Any) -> StreamContext:
    return StreamContext(stream)


for _c in (device, device_of, StreamContext):
    _c.__module__ = "torch.xpu"
graph.__module__ = "torch.xpu.graphs"
XPUPluggableAllocator.__module__ = "torch.xpu.memory"


__getattr__, __dir__ = lazy_submodules(__name__, _SUBMODULES)
