"""``torch.nn.attention``: ``SDPBackend`` and the ``sdpa_kernel`` context manager, which
choose the kernels ``F.scaled_dot_product_attention`` may use. adcli computes one way (torch's
math path); on a CPU build the choice still decides, as torch's, whether the call may run
(math or flash allowed, flash only for inputs its CPU kernel takes)."""

from __future__ import annotations

import contextlib
import enum
from collections.abc import Iterator
from typing import Any

from adcli.engine.ops.attention import SDP_ENABLED, SDP_PRIORITY

__all__ = ["SDPBackend", "sdpa_kernel"]

WARN_FOR_UNFUSED_KERNELS = False  # torch warns why fused kernels were not used when True


class SDPBackend(enum.Enum):
    """The backends of scaled dot product attention (an int-valued enum, as torch's)."""

    ERROR = -1
    MATH = 0
    FLASH_ATTENTION = 1
    EFFICIENT_ATTENTION = 2
    CUDNN_ATTENTION = 3
    OVERRIDEABLE = 4

    def __int__(self) -> int:
        return int(self.value)

    def __index__(self) -> int:
        return int(self.value)


_NAMES = {"cudnn": SDPBackend.CUDNN_ATTENTION, "flash": SDPBackend.FLASH_ATTENTION,
          "mem_efficient": SDPBackend.EFFICIENT_ATTENTION, "math": SDPBackend.MATH,
          "overrideable": SDPBackend.OVERRIDEABLE}


def _current(with_priority: bool) -> list[SDPBackend]:
    out = [b for name, b in _NAMES.items() if SDP_ENABLED[name]]
    if with_priority:
        out.sort(key=lambda b: SDP_PRIORITY.index(int(b)))
    return out


def _set(backends: list[SDPBackend], set_priority: bool) -> None:
    for name, b in _NAMES.items():
        SDP_ENABLED[name] = b in backends
    if set_priority:
        order = [int(b) for b in backends]
        order += [p for p in SDP_PRIORITY if p not in order]
        SDP_PRIORITY[:] = order


@contextlib.contextmanager
def sdpa_kernel(backends: list[SDPBackend] | SDPBackend,
                set_priority: bool = False) -> Iterator[dict[str, Any]]:
    """Allow only ``backends`` inside the block (the previous choice is restored after)."""
    if not isinstance(backends, list | SDPBackend):
        raise AssertionError("Backend must be an instance of SDPBackend or a list of SDPBackend "
                             f"instances, got {type(backends).__name__}")
    if isinstance(backends, SDPBackend):
        backends = [backends]
    backends = list(dict.fromkeys(backends))
    previous = _current(set_priority)
    try:
        _set(backends, set_priority)
        yield {}
    finally:
        _set(previous, set_priority)
