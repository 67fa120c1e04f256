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


# -- the C library's results for NumPy's ufuncs ----------------------------------------------
# On a CPU with AVX-512, NumPy runs float64 log/exp/log1p/tan/pow/... through its AVX-512 (SVML)
# kernels, which differ from the C library in the last bit for a fraction of inputs; ATen's
# scalar kernels (the random transforms, logspace, the samplers) call the C library. Where
# NumPy's loop is such a kernel, the finite elements go through ``math`` (the C library's
# double functions); elsewhere NumPy's own loop already is the C library's.
_MATH_NAMES = {"power": "pow", "arctan": "atan", "arcsin": "asin", "arccos": "acos"}
_SCALAR: dict[str, Any] = {}


def _simd_kernel(name: str) -> bool:
    """Whether NumPy's float64 loop for ``name`` is an AVX-512 kernel on this CPU."""
    try:
        from numpy.lib.introspect import opt_func_info

        info = opt_func_info(func_name=f"^{name}$", signature="^d+$")
        targets = [d.get("current", "") for loops in info.values() for d in loops.values()]
    except Exception:  # an older NumPy without the introspection: trust its loop
        return False
    return any("AVX512" in t or "X86_V4" in t for t in targets)


def _scalar(name: str) -> Any:
    try:
        return _SCALAR[name]
    except KeyError:
        import math

        fn = getattr(math, _MATH_NAMES.get(name, name)) if _simd_kernel(name) else None
        _SCALAR[name] = fn
        return fn


def exact(name: str, *args: Any) -> Any:
    """``numpy.<name>(*args)`` with the C library's float64 results, as ATen's scalar kernels.

    NumPy's result is kept where it is not finite (or its arguments are not): there the C
    library and NumPy agree on inf/nan/0, and ``math`` would raise instead.
    """
    import numpy as np

    out = getattr(np, name)(*args)
    arr = np.asarray(out)
    if arr.dtype != np.float64 or arr.size == 0:
        return out
    fn = _scalar(name)
    if fn is None:
        return out
    ins = np.broadcast_arrays(*[np.asarray(a, dtype=np.float64) for a in args])
    ok = np.isfinite(arr)
    for a in ins:
        ok &= np.isfinite(a)
    if name == "power":  # math.pow raises for a negative base with a non-integer exponent
        ok &= ~((ins[0] < 0) & (ins[1] != np.floor(ins[1])))
    flat_ok = ok.reshape(-1)
    cols = [a.reshape(-1)[flat_ok].tolist() for a in ins]
    try:
        vals = list(map(fn, *cols))
    except (OverflowError, ValueError):  # at an edge NumPy thought finite: the C value
        vals = [_c_value(fn, *xs) for xs in zip(*cols)]
    res = arr.copy() if arr.ndim else arr.reshape(1).copy()
    res.reshape(-1)[flat_ok] = vals
    return res if arr.ndim else (res[0] if isinstance(out, np.generic) else res.reshape(()))


def _c_value(fn: Any, *xs: float) -> float:
    try:
        return fn(*xs)
    except OverflowError:
        return float("inf")
    except ValueError:
        return float("nan")
