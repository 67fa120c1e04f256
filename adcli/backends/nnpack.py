"""``torch.backends.nnpack``: a CPU build has NNPACK; its switch is stored and read back
(adcli's convolutions are its own either way)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from ._flags import allow_mutation

__all__ = ["is_available", "flags", "set_flags"]
_ENABLED = [True]


def is_available() -> bool:
    r"""Return whether PyTorch is built with NNPACK support (a CPU build is)."""
    return True


def set_flags(_enabled: bool) -> tuple[bool]:
    r"""Set if nnpack is enabled globally"""
    orig = (_ENABLED[0],)
    _ENABLED[0] = _enabled
    return orig


@contextlib.contextmanager
def flags(enabled: bool = False) -> Iterator[None]:
    r"""Context manager for setting if nnpack is enabled globally"""
    with allow_mutation():
        orig = set_flags(enabled)
    try:
        yield
    finally:
        with allow_mutation():
            set_flags(orig[0])
