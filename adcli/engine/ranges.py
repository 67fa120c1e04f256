"""``arange``, ``linspace`` and ``logspace`` with PyTorch's CPU arithmetic, bit for bit.

PyTorch fills ``linspace`` from both ends (the first half as ``start + step * i``, the
second as ``end - step * (steps - i - 1)``) in the tensor's own precision; ``arange``
computes ``start + step * i`` in double, except that its vectorised loop starts every
SIMD-width run at a rounded base and adds ``k * step`` to it; ``logspace`` raises ``base``
to a both-ends exponent in double. The SIMD runs are 32 bytes wide on every CPU: torch
2.13's arange kernel keeps AVX2-width vectors under its AVX-512 capability too (measured on
an AVX-512 machine). Ranges longer than PyTorch's parallel grain (32768) may be split
differently by its threads.
"""

from __future__ import annotations

import math
import os
from typing import Any

import numpy as np

from . import dtypes
from .errors import InvalidArgumentError, InvalidValueError
from .libm import exact
from .limits import check_shape
from .rounding import fma
from .tensor import Tensor


def _num(x: Any) -> Any:
    if isinstance(x, Tensor):
        if x._data.ndim:
            raise InvalidArgumentError("only 0-dimensional tensors are accepted here")
        return x.item()
    return x


# bytes per SIMD vector of torch's arange kernel, AVX2 and AVX-512 alike
_VEC_BYTES = 32


def _fused() -> bool:
    """True when PyTorch's kernels here are built with FMA (AVX2 / AVX-512 capability), so
    ``a + b * c`` is one fused multiply-add."""
    cap = os.environ.get("ATEN_CPU_CAPABILITY", "").lower()
    if cap:
        return cap in ("avx2", "avx512")
    try:
        from numpy._core._multiarray_umath import __cpu_features__ as f
    except ImportError:  # numpy < 2
        from numpy.core._multiarray_umath import __cpu_features__ as f  # type: ignore
    return bool(f.get("AVX2") and f.get("FMA3"))


def _fma(a: Any, b: Any, c: Any, dt: np.dtype) -> np.ndarray:
    """``a * b + c`` rounded once: in float32 for a float32 ``dt``, else in float64 (a half
    precision linspace is computed in double and rounded at the end)."""
    work = np.float32 if dt == np.float32 else np.float64
    return fma(*(np.asarray(v, work) for v in (a, b, c)))


def _finish(arr: np.ndarray, requires_grad: bool) -> Tensor:
    t = Tensor._make(arr, None, 0, None)
    if requires_grad:
        t.requires_grad_(True)
    return t


def _steps(steps: Any) -> int:
    steps = _num(steps)
    if isinstance(steps, bool) or not isinstance(steps, int | np.integer):
        raise TypeError(f"linspace(): argument 'steps' must be int, not {type(steps).__name__}")
    if steps < 0:
        raise InvalidArgumentError("number of steps must be non-negative")
    check_shape((int(steps),))
    return int(steps)


def linspace(start: Any, end: Any, steps: int, *, dtype: Any = None, requires_grad: bool = False,
             device: Any = None, layout: Any = None) -> Tensor:
    """``steps`` values from ``start`` to ``end``, as PyTorch computes them."""
    start, end, n = _num(start), _num(end), _steps(steps)
    d = dtypes.to_dtype(dtype) if dtype is not None else dtypes.get_default_dtype()
    return _finish(_linspace(start, end, n, d.np), requires_grad)


def _linspace(start: Any, end: Any, n: int, dt: np.dtype) -> np.ndarray:
    if n == 0:
        return np.zeros(0, dtype=dt)
    if n == 1:
        return np.full(1, start, dtype=dt)
    idx = np.arange(n, dtype=np.int64)
    half = n // 2
    if dt.kind == "f":
        s, e = dt.type(start), dt.type(end)
        step = (e - s) / dt.type(n - 1)  # in the tensor's precision, as PyTorch's kernel
        fi = idx.astype(dt)
        if _fused():
            lo = _fma(step, fi, s, dt)
            hi = _fma(-step, dt.type(n - 1) - fi, e, dt)
        else:
            lo = s + step * fi
            hi = e - step * (dt.type(n - 1) - fi)
    else:
        s, e = int(start), int(end)
        step = (float(e) - float(s)) / (n - 1)  # double for integer types
        f64 = np.dtype(np.float64)
        if _fused():
            lo = _fma(step, idx.astype(f64), float(s), f64)
            hi = _fma(-step, (n - 1 - idx).astype(f64), float(e), f64)
        else:
            lo = s + step * idx
            hi = e - step * (n - 1 - idx)
    out = np.where(idx < half, lo, hi)
    return out.astype(dt) if dt.kind == "f" else np.trunc(out).astype(dt)


def logspace(start: Any, end: Any, steps: int, base: float = 10.0, *, dtype: Any = None,
             requires_grad: bool = False, device: Any = None, layout: Any = None) -> Tensor:
    """``base ** linspace(start, end, steps)``, as PyTorch computes it."""
    start, end, n = _num(start), _num(end), _steps(steps)
    d = dtypes.to_dtype(dtype) if dtype is not None else dtypes.get_default_dtype()
    dt = d.np
    if n == 0:
        return _finish(np.zeros(0, dtype=dt), requires_grad)
    if n == 1:
        return _finish(np.full(1, float(base) ** float(start), dtype=dt), requires_grad)
    s = dt.type(start) if dt.kind == "f" else int(start)
    e = dt.type(end) if dt.kind == "f" else int(end)
    step = float(e - s) / (n - 1)  # the difference in the tensor's type, then double
    idx = np.arange(n, dtype=np.float64)
    expo = np.where(np.arange(n) < n // 2, float(s) + step * idx,
                    float(e) - step * (n - 1 - idx))
    with np.errstate(over="ignore", invalid="ignore"):
        out = exact("power", np.float64(base), expo)
        out = out.astype(dt) if dt.kind == "f" else np.trunc(out).astype(dt)
    return _finish(out, requires_grad)


def _arange_size(start: Any, end: Any, step: Any, integer: bool) -> int:
    if step == 0:
        raise InvalidValueError("step must be nonzero")
    if not ((step > 0 and end >= start) or (step < 0 and end <= start)):
        raise InvalidArgumentError("upper bound and lower bound inconsistent with step sign")
    if integer:
        sign = 1 if step > 0 else -1
        return int((end - start + step - sign) // step)
    n = math.ceil((float(end) - float(start)) / float(step))
    return int(n)


def arange(start: Any, end: Any = None, step: Any = 1, *, dtype: Any = None,
           requires_grad: bool = False, device: Any = None, layout: Any = None) -> Tensor:
    """``start, start + step, ...`` below ``end``, as PyTorch computes them."""
    if end is None:
        start, end = 0, start
    start, end, step = _num(start), _num(end), _num(step)
    integer = all(isinstance(v, int | np.integer) for v in (start, end, step))
    if dtype is None:
        d = dtypes.int64 if integer else dtypes.get_default_dtype()
    else:
        d = dtypes.to_dtype(dtype)
    dt = d.np
    if dt.kind != "f":  # as PyTorch: the bounds and step become integers first
        start, end, step = int(start), int(end), int(step)
        integer = True
    n = _arange_size(start, end, step, integer)
    check_shape((n,))
    if dt.kind != "f":
        return _finish((start + step * np.arange(n, dtype=np.int64)).astype(dt), requires_grad)
    return _finish(_arange_float(float(start), float(step), n, dt), requires_grad)


def _arange_float(start: float, step: float, n: int, dt: np.dtype) -> np.ndarray:
    # Vectorised runs of width V cover the first n - n % (2V) elements (two vectors per
    # iteration); each run starts at base = (dt)(start + step * i0) and adds k * step in
    # double. The tail is start + step * i in double.
    v = _VEC_BYTES // dt.itemsize
    idx = np.arange(n, dtype=np.int64)
    f64 = np.dtype(np.float64)
    fused = _fused()

    def mad(a: Any, b: Any, c: Any) -> np.ndarray:
        return _fma(a, b, c, f64) if fused else np.asarray(a) * b + c

    out = mad(step, idx.astype(np.float64), start)
    nvec = (n // (2 * v)) * 2 * v
    if nvec:
        i = idx[:nvec]
        k = i % v
        base = mad(step, (i - k).astype(np.float64), start).astype(dt).astype(np.float64)
        out[:nvec] = mad(step, k.astype(np.float64), base)
    return out.astype(dt)
