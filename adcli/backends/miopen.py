"""``torch.backends.miopen``: AMD's MIOpen switch, stored and read back on a CPU build."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

from ._flags import allow_mutation, flag_switch, with_props

__all__ = ["flags", "set_flags"]

_STATE: dict[str, Any] = {"immediate": False}


def set_flags(_immediate: bool | None = None) -> tuple[bool]:
    orig = (_STATE["immediate"],)
    if _immediate is not None:
        _STATE["immediate"] = _immediate
    return orig


@contextlib.contextmanager
def flags(immediate: bool = False) -> Iterator[None]:
    with allow_mutation():
        orig = set_flags(immediate)
    try:
        yield
    finally:
        with allow_mutation():
            set_flags(*orig)


with_props(__name__, immediate=flag_switch(_STATE, "immediate"))
