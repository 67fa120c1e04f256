"""``torch.xpu`` (Intel GPUs) as a CPU build has it: no device (``is_available()`` False,
``device_count()`` 0, empty memory statistics); everything else fails with the CPU build's
words (mostly ``AssertionError: Torch not compiled with XPU enabled``)."""

from __future__ import annotations

import collections
import contextlib
import ctypes
import importlib
from collections.abc import Iterable, Iterator
from typing import Any, NoReturn

from adcli.cuda._base import Device, dummy, no_binding
from adcli.engine.device import device as _torch_device

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


def device_count() -> int:
    return 0


def is_available() -> bool:
    return False


def is_initialized() -> bool:
    return False


def is_bf16_supported(including_emulation: bool = True) -> bool:
    return False


def is_tf32_supported() -> bool:
    return False


def get_arch_list() -> list[str]:
    return []


def get_gencode_flags() -> str:
    return ""


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


def manual_seed(seed: int) -> None:
    """Queued until XPU starts in torch, so dropped here."""
    int(seed)


def manual_seed_all(seed: int) -> None:
    """Queued until XPU starts in torch, so dropped here."""
    int(seed)


def seed() -> None:
    """A no-op without XPU, as in torch."""


seed_all = seed


def get_rng_state_all() -> list[Any]:
    return []


def set_rng_state(new_state: Any, device: Any = "xpu") -> None:
    new_state.clone()


def set_rng_state_all(new_states: Iterable[Any]) -> None:
    for state in new_states:
        set_rng_state(state)


def is_current_stream_capturing() -> bool:
    dummy("_xpu_isCurrentStreamCapturing")


def graph_pool_handle() -> Any:
    dummy("_xpu_graph_pool_handle")


class Stream:
    """``torch.xpu.Stream``: a dummy class on a CPU build."""

    def __new__(cls, *args: Any, **kwargs: Any) -> Stream:
        dummy("Stream")


class Event:
    """``torch.xpu.Event``: a dummy class on a CPU build."""

    def __new__(cls, *args: Any, **kwargs: Any) -> Event:
        dummy("Event")


class XPUGraph:
    """``torch.xpu.XPUGraph``: a dummy class on a CPU build."""

    def __new__(cls, *args: Any, **kwargs: Any) -> XPUGraph:
        dummy("XPUGraph")


class MemPool:
    """``torch.xpu.MemPool``: a dummy class on a CPU build."""

    def __new__(cls, *args: Any, **kwargs: Any) -> MemPool:
        dummy("MemPool")


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
Stream.__module__ = Event.__module__ = "torch.xpu.streams"
XPUGraph.__module__ = graph.__module__ = "torch.xpu.graphs"
MemPool.__module__ = XPUPluggableAllocator.__module__ = "torch.xpu.memory"


def __getattr__(name: str) -> Any:
    if name in _SUBMODULES:
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module 'adcli.xpu' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_SUBMODULES))
