"""``torch.cuda.nvtx``: NVIDIA's profiling annotations, absent from a CPU build."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any, NoReturn

__all__ = ["mark", "range", "range_end", "range_pop", "range_push", "range_start"]


def _fail(*args: Any) -> NoReturn:
    raise RuntimeError("NVTX functions not installed. Are you sure you have a CUDA build?")


def _missing(name: str) -> NoReturn:
    # torch's stand-in only defines the push/pop/mark trio
    raise AttributeError(f"'_NVTXStub' object has no attribute '{name}'")


def range_push(msg: str) -> int:
    _fail(msg)


def range_pop() -> int:
    _fail()


def range_start(msg: str) -> int:
    _missing("rangeStartA")


def range_end(range_id: int) -> None:
    _missing("rangeEnd")


def mark(msg: str) -> None:
    _fail(msg)


@contextlib.contextmanager
def range(msg: str, *args: Any, **kwargs: Any) -> Iterator[None]:
    range_push(msg.format(*args, **kwargs))
    try:
        yield
    finally:
        range_pop()
