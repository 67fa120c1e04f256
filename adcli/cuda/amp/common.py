"""``torch.cuda.amp.common``."""

from __future__ import annotations

from importlib.util import find_spec

__all__ = ["amp_definitely_not_available"]


def amp_definitely_not_available() -> bool:
    """True without CUDA, unless torch_xla is installed (torch's own test)."""
    return find_spec("torch_xla") is None
