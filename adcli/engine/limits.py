"""Resource limits checked before allocating (specs are untrusted input)."""

from __future__ import annotations

from collections.abc import Callable
from math import prod

from .errors import InvalidArgumentError

DEFAULT_MAX_ELEMENTS = 10_000_000
_max = [DEFAULT_MAX_ELEMENTS]
_meter: list[Callable[[int], None] | None] = [None]


def get_max_elements() -> int:
    """The largest number of elements a single tensor may have."""
    return _max[0]


def set_max_elements(n: int) -> None:
    """Set the per-tensor element limit (``--max-elements``)."""
    if n < 1:
        raise InvalidArgumentError("the element limit must be at least 1")
    _max[0] = int(n)


def check_shape(shape: tuple[int, ...]) -> None:
    """Refuse a shape whose element count is over the limit, before anything is allocated."""
    for n in shape:
        if n < 0:
            raise InvalidArgumentError(
                f"Trying to create tensor with negative dimension {n}: {list(shape)}")
    count = prod(shape)
    if count > _max[0]:
        raise InvalidArgumentError(
            f"a tensor of shape {tuple(shape)} would have {count:,} elements, over the limit of "
            f"{_max[0]:,} (raise it with --max-elements)"
        )


def work_meter() -> Callable[[int], None] | None:
    """The callable that backward charges its work to (elements of gradients), if any."""
    return _meter[0]


def set_work_meter(fn: Callable[[int], None] | None) -> Callable[[int], None] | None:
    """Charge backward's work to ``fn`` (it may raise to stop); returns the previous meter."""
    prev = _meter[0]
    _meter[0] = fn
    return prev
