"""``torch.cuda.gds``: GPUDirect Storage, not on this platform."""

from __future__ import annotations

import os
from typing import Any, NoReturn

__all__ = ["GdsFile", "gds_deregister_buffer", "gds_register_buffer"]


def _unsupported(name: str) -> NoReturn:
    raise RuntimeError(f"torch._C.{name} is not supported on this platform")


def gds_register_buffer(s: Any) -> None:
    _unsupported("_gds_register_buffer")


def gds_deregister_buffer(s: Any) -> None:
    _unsupported("_gds_deregister_buffer")


class GdsFile:
    """torch opens the file for direct I/O, then has no GDS to register it with."""

    def __init__(self, filename: str, flags: int) -> None:
        self.filename, self.flags = filename, flags
        fd = os.open(filename, flags | getattr(os, "O_DIRECT", 0))
        os.close(fd)
        _unsupported("_gds_register_handle")


GdsFile.__module__ = "torch.cuda.gds"
