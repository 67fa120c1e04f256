"""``torch.cuda.profiler``: starting NVIDIA's profiler needs the CUDA runtime."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from . import check_error as check_error
from . import cudart as cudart
from ._base import not_compiled

__all__ = ["profile", "start", "stop"]

DEFAULT_FLAGS = ["gpustarttimestamp", "gpuendtimestamp", "gridsize3d", "threadblocksize",
                 "streamid", "enableonstart 0", "conckerneltrace"]


def start() -> None:
    not_compiled()


def stop() -> None:
    not_compiled()


@contextlib.contextmanager
def profile() -> Iterator[None]:
    try:
        start()
        yield
    finally:
        stop()
