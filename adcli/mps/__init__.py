"""``torch.mps`` as a CPU build has it: no Metal device (``is_available()`` False,
``device_count()`` 0); everything else fails with the CPU build's words."""

from __future__ import annotations

import os
from typing import Any, NoReturn

from adcli.lazy import lazy_submodules

from .event import Event as Event

__all__ = ["Event", "compile_shader", "current_allocated_memory", "device_count",
           "driver_allocated_memory", "empty_cache", "event", "get_rng_state", "is_available",
           "load_metallib", "manual_seed", "profiler", "recommended_max_memory", "seed",
           "set_per_process_memory_fraction", "set_rng_state", "synchronize"]


def without_mps(what: str) -> NoReturn:
    """The CPU build's stand-in for an MPS binding."""
    raise RuntimeError(f"Cannot execute {what}() without MPS backend.")


def device_count() -> int:
    return 0


def is_available() -> bool:
    return False


def synchronize() -> None:
    without_mps("deviceSynchronize")


def get_rng_state(device: Any = "mps") -> Any:
    without_mps("getDefaultGenerator")


def set_rng_state(new_state: Any, device: Any = "mps") -> None:
    new_state.clone()
    without_mps("getDefaultGenerator")


def manual_seed(seed: int) -> None:
    """A no-op on a build without MPS, as in torch (torch.manual_seed calls it)."""


def seed() -> None:
    without_mps("getDefaultGenerator")


def empty_cache() -> None:
    without_mps("emptyCache")


def set_per_process_memory_fraction(fraction: float) -> None:
    if not isinstance(fraction, float):
        raise TypeError("Invalid type for fraction argument, must be `float`")
    if fraction < 0 or fraction > 2:
        raise ValueError(f"Invalid fraction value: {fraction}. Allowed range: 0~2")
    without_mps("setMemoryFraction")


def current_allocated_memory() -> int:
    without_mps("getCurrentAllocatedMemory")


def driver_allocated_memory() -> int:
    without_mps("getDriverAllocatedMemory")


def recommended_max_memory() -> int:
    without_mps("getRecommendedMaxMemory")


def compile_shader(source: str) -> Any:
    raise RuntimeError("MPS is not available")


def load_metallib(source: Any) -> Any:
    if isinstance(source, bytes | bytearray | str | os.PathLike):
        raise RuntimeError("MPS is not available")
    raise TypeError(f"expected bytes or path, got {type(source).__name__}")


__getattr__, __dir__ = lazy_submodules(__name__, ("event", "profiler"))
