"""The C library's maths functions, loaded on first use.

ATen's scalar kernels call libm (``logf``, ``powf``, ``sin``, ...), whose float results can
differ from NumPy's own loops in the last bit; the samplers and special functions that mirror
ATen bit for bit call the same functions through ctypes. Loaded lazily: ``ctypes`` costs
import time, and ``ctypes.util.find_library`` runs a subprocess, so it is only the fallback.
"""

from __future__ import annotations

from typing import Any

_LIB: list[Any] = []


def libm() -> Any:
    """The C maths library as a ``ctypes.CDLL`` (None when none can be loaded)."""
    if not _LIB:
        import ctypes

        lib = None
        for name in ("libm.so.6", None):
            if name is None:
                import ctypes.util

                name = ctypes.util.find_library("m")
                if not name:
                    break
            try:
                lib = ctypes.CDLL(name)
                break
            except OSError:
                continue
        _LIB.append(lib)
    return _LIB[0]
