"""Resource limits checked before allocating (specs are untrusted input)."""

from __future__ import annotations

from math import prod

from .errors import InvalidArgumentError

DEFAULT_MAX_ELEMENTS = 10_000_000
_max = [DEFAULT_MAX_ELEMENTS]


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
