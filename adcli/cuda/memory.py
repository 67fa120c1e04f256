"""``torch.cuda.memory`` of a CPU build: the statistics are empty (nothing was allocated), the
allocator controls fail as torch's do without their CUDA bindings."""

from __future__ import annotations

import collections
import contextlib
import ctypes
import warnings
from collections.abc import Iterator
from typing import Any

from ._base import Device, dummy_class, no_binding, not_compiled

__all__ = [
    "CUDAPluggableAllocator", "MemPool", "caching_allocator_alloc", "caching_allocator_delete",
    "caching_allocator_disabled", "caching_allocator_enable", "change_current_allocator",
    "empty_cache", "get_allocator_backend", "get_per_process_memory_fraction",
    "host_memory_stats", "host_memory_stats_as_nested_dict", "is_initialized",
    "list_gpu_processes", "max_memory_allocated", "max_memory_cached", "max_memory_reserved",
    "mem_get_info", "memory_allocated", "memory_cached", "memory_reserved", "memory_snapshot",
    "memory_stats", "memory_stats_as_nested_dict", "memory_summary",
    "reset_accumulated_host_memory_stats", "reset_accumulated_memory_stats",
    "reset_max_memory_allocated", "reset_max_memory_cached", "reset_peak_host_memory_stats",
    "reset_peak_memory_stats", "set_per_process_memory_fraction", "use_mem_pool",
]


def is_initialized() -> bool:
    return False


def empty_cache() -> None:
    """A no-op without CUDA, as in torch."""


def memory_stats(device: Device = None) -> dict[str, Any]:
    """Empty, as torch's when CUDA never started."""
    return collections.OrderedDict()


def memory_stats_as_nested_dict(device: Device = None) -> dict[str, Any]:
    return {}


def host_memory_stats() -> dict[str, Any]:
    return collections.OrderedDict()


def host_memory_stats_as_nested_dict() -> dict[str, Any]:
    return {}


def memory_allocated(device: Device = None) -> int:
    return 0


def max_memory_allocated(device: Device = None) -> int:
    return 0


def memory_reserved(device: Device = None) -> int:
    return 0


def max_memory_reserved(device: Device = None) -> int:
    return 0


def memory_cached(device: Device = None) -> int:
    """Deprecated in torch: ``memory_reserved``."""
    warnings.warn("`torch.cuda.memory_cached` has been renamed to `torch.cuda.memory_reserved`",
                  FutureWarning, stacklevel=2)
    return memory_reserved(device)


def max_memory_cached(device: Device = None) -> int:
    """Deprecated in torch: ``max_memory_reserved``."""
    warnings.warn("`torch.cuda.max_memory_cached` has been renamed to "
                  "`torch.cuda.max_memory_reserved`", FutureWarning, stacklevel=2)
    return max_memory_reserved(device)


def memory_summary(device: Device = None, abbreviated: bool = False) -> str:
    """torch formats the (empty) statistics and misses its first key."""
    raise KeyError("allocated_bytes.all.current")


def memory_snapshot(mempool_id: Any = None, include_traces: bool = True) -> Any:
    no_binding("_cuda_memorySnapshot")


def list_gpu_processes(device: Device = None) -> str:
    return "pynvml module not found, please install nvidia-ml-py"


def mem_get_info(device: Device = None) -> tuple[int, int]:
    not_compiled()


def get_per_process_memory_fraction(device: Device = None) -> float:
    not_compiled()


def set_per_process_memory_fraction(fraction: float, device: Device = None) -> None:
    not_compiled()


def caching_allocator_alloc(size: int, device: Device = None, stream: Any = None) -> int:
    not_compiled()


def caching_allocator_delete(mem_ptr: int) -> None:
    no_binding("_cuda_cudaCachingAllocator_raw_delete")


def caching_allocator_enable(value: bool = True) -> None:
    """torch skips this when CUDA is not initialised."""


@contextlib.contextmanager
def caching_allocator_disabled() -> Iterator[None]:
    no_binding("_cuda_cudaCachingAllocator_is_enabled")
    yield  # pragma: no cover - unreachable, keeps this a generator


def get_allocator_backend() -> str:
    no_binding("_cuda_getAllocatorBackend")


def change_current_allocator(allocator: Any) -> None:
    no_binding("_cuda_changeCurrentAllocator")


def reset_peak_memory_stats(device: Device = None) -> None:
    no_binding("_cuda_resetPeakMemoryStats")


def reset_accumulated_memory_stats(device: Device = None) -> None:
    no_binding("_cuda_resetAccumulatedMemoryStats")


def reset_peak_host_memory_stats() -> None:
    no_binding("_cuda_resetPeakHostMemoryStats")


def reset_accumulated_host_memory_stats() -> None:
    no_binding("_cuda_resetAccumulatedHostMemoryStats")


def _reset_max_warning(what: str) -> None:
    warnings.warn(f"torch.cuda.reset_max_memory_{what} now calls "
                  "torch.cuda.reset_peak_memory_stats, which resets /all/ peak memory stats.",
                  FutureWarning, stacklevel=3)


def reset_max_memory_allocated(device: Device = None) -> None:
    _reset_max_warning("allocated")
    reset_peak_memory_stats(device)


def reset_max_memory_cached(device: Device = None) -> None:
    _reset_max_warning("cached")
    reset_peak_memory_stats(device)


MemPool = dummy_class("MemPool", "torch.cuda.memory",
                      "``torch.cuda.MemPool``: a dummy class on a CPU build.")


class CUDAPluggableAllocator:
    """``torch.cuda.CUDAPluggableAllocator``: torch loads the library, then finds no CUDA
    binding to hand it to."""

    def __init__(self, path_to_so_file: str, alloc_fn_name: str, free_fn_name: str) -> None:
        ctypes.CDLL(path_to_so_file)
        no_binding("_cuda_customAllocator")


@contextlib.contextmanager
def use_mem_pool(pool: MemPool, device: Device = None) -> Iterator[None]:
    not_compiled()
    yield  # pragma: no cover - unreachable, keeps this a generator


CUDAPluggableAllocator.__module__ = "torch.cuda.memory"
