"""``torch.mtia`` (Meta's accelerator) as a CPU build has it: no device
(``is_available()`` False, ``device_count()`` 0); the rest fails with the CPU build's words,
mostly ``RuntimeError: Cannot execute ...() without MTIA backend.``"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NoReturn

from adcli.cuda._base import Device
from adcli.cuda._base import device_count as device_count
from adcli.cuda._base import is_available as is_available
from adcli.cuda._base import is_initialized as is_initialized
from adcli.cuda.memory import max_memory_allocated as max_memory_allocated
from adcli.cuda.memory import memory_allocated as memory_allocated

# seeding is queued until the device starts, in torch's mtia as in its cuda: dropped here
from adcli.cuda.random import get_rng_state_all as get_rng_state_all
from adcli.cuda.random import manual_seed as manual_seed
from adcli.cuda.random import manual_seed_all as manual_seed_all
from adcli.cuda.random import seed as seed
from adcli.cuda.random import seed_all as seed_all
from adcli.engine.device import device as _torch_device
from adcli.engine.machine import Event as Event
from adcli.engine.machine import Stream as Stream
from adcli.lazy import lazy_submodules

__all__ = ["DeferredMtiaCallError", "Event", "MTIAGraph", "Stream", "StreamContext",
           "attach_out_of_memory_observer", "current_device", "current_stream",
           "default_generators", "default_stream", "device", "device_count", "empty_cache",
           "get_device_capability", "get_device_properties", "get_rng_state", "get_rng_state_all",
           "graph", "graph_pool_handle", "init", "initial_seed", "is_available",
           "is_bf16_supported", "is_fbcode", "is_initialized", "is_prod", "manual_seed",
           "manual_seed_all", "max_memory_allocated", "memory", "memory_allocated", "memory_stats",
           "mtia_graph", "record_memory_history", "reset_peak_memory_stats", "seed", "seed_all",
           "set_device", "set_rng_state", "set_rng_state_all", "set_stream", "snapshot", "stream",
           "synchronize"]

NO_MTIA = ("Torch not compiled with MTIA enabled. Ensure you have `import "
           "mtia.host_runtime.torch_mtia.dynamic_library` in your python src file and include "
           "`//mtia/host_runtime/torch_mtia:torch_mtia` as your target dependency!")
_SUBMODULES = ("memory", "mtia_graph")
default_generators: tuple[Any, ...] = ()


def without_mtia(what: str) -> NoReturn:
    """The CPU build's stand-in for an MTIA binding."""
    raise RuntimeError(f"Cannot execute {what}() without MTIA backend.")


def not_compiled(*args: Any, **kwargs: Any) -> NoReturn:
    raise AssertionError(NO_MTIA)


class DeferredMtiaCallError(Exception):
    """A queued MTIA call that failed when MTIA started."""


def init() -> None:
    not_compiled()


initial_seed = get_rng_state = init


def is_fbcode() -> bool:
    return False


def is_prod() -> bool:
    return False


def is_bf16_supported(including_emulation: bool = True) -> bool:
    """torch's answer does not ask the device."""
    return True


def synchronize(device: Device = None) -> None:
    without_mtia("getCurrentDevice")


def current_device() -> int:
    without_mtia("getCurrentDevice")


def current_stream(device: Device = None) -> Stream:
    without_mtia("getCurrentDevice")


def default_stream(device: Device = None) -> Stream:
    without_mtia("getCurrentDevice")


def get_device_capability(device: Device = None) -> tuple[int, int]:
    without_mtia("getCurrentDevice")


def get_device_properties(device: Device = None) -> dict[str, Any]:
    without_mtia("getCurrentDevice")


def empty_cache() -> None:
    without_mtia("emptyCache")


def record_memory_history(enabled: str | None = "all", stacks: str = "python",
                          max_entries: int = 0) -> None:
    """A no-op where MTIA was never initialised, as in torch."""


def snapshot() -> dict[str, Any]:
    without_mtia("memorySnapshot")


def attach_out_of_memory_observer(observer: Callable[[int, int, int, int], None]) -> None:
    without_mtia("attachOutOfMemoryObserver")


def set_stream(stream: Stream) -> None:
    if stream is None:
        return
    without_mtia("setCurrentStream")


def _device_index(device: Any, optional: bool = False) -> int:
    if isinstance(device, str):
        device = _torch_device(device)
    if isinstance(device, _torch_device):
        if device.type == "cpu":
            raise ValueError(f"Expected a non cpu device, but got: {device}")
        if device.index is not None:
            return device.index
    elif isinstance(device, int):
        return device
    if not optional:
        raise ValueError("Expected a torch.device with a specified index or an integer, but "
                         f"got:{device}")
    without_mtia("getCurrentDevice")


def set_device(device: Device) -> None:
    if _device_index(device) >= 0:
        without_mtia("setCurrentDevice")


class device:  # noqa: N801 - mirrors torch.mtia.device
    """``with torch.mtia.device(i):``: a no-op for a negative index, else an error."""

    def __init__(self, device: Any) -> None:
        self.idx = _device_index(device, optional=True)
        self.prev_idx = -1

    def __enter__(self) -> None:
        if self.idx >= 0:
            without_mtia("maybeExchangeDevice")
        self.prev_idx = -1

    def __exit__(self, type: Any, value: Any, traceback: Any) -> bool:
        self.idx = -1
        return False


class StreamContext:
    """``with torch.mtia.stream(s):``: torch asks for the current device first."""

    def __init__(self, stream: Stream | None) -> None:
        without_mtia("getCurrentDevice")


def stream(stream: Stream | None) -> StreamContext:
    return StreamContext(stream)


def set_rng_state(new_state: Any, device: Device = "mtia") -> None:
    without_mtia("getCurrentDevice")


def set_rng_state_all(new_states: list[Any]) -> None:
    for state in new_states:
        set_rng_state(state)


def memory_stats(device: Device = None) -> dict[str, Any]:
    return {}


def reset_peak_memory_stats(device: Device = None) -> None:
    """Nothing was allocated."""


class MTIAGraph:
    """``torch.mtia.MTIAGraph``: creating one needs the backend."""

    def __init__(self, keep_graph: bool = False) -> None:
        without_mtia("mtiagraphCreate")


class graph:  # noqa: N801 - mirrors torch.mtia.graph
    def __init__(self, mtia_graph: MTIAGraph, pool: Any = None, stream: Any = None) -> None:
        without_mtia("getCurrentDevice")


def graph_pool_handle() -> Any:
    without_mtia("graphPoolHandle")


for _c in (DeferredMtiaCallError, device, StreamContext):
    _c.__module__ = "torch.mtia"
MTIAGraph.__module__ = graph.__module__ = "torch.mtia.mtia_graph"


__getattr__, __dir__ = lazy_submodules(__name__, _SUBMODULES)
