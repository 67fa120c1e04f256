"""Arithmetic rounded as torch's CPU kernels round it: fused multiply-adds, emulated exactly.

torch 2.13's CPU kernels evaluate ``add(self, other, alpha)`` as ``fma(alpha, other, self)``
(ufunc/add.h: ``vec::fmadd`` in the vectorized body; the scalar tail is compiled with FMA
contraction, so it rounds the same way) and ``addcmul`` as ``fma(value * t1, t2, self)``; the
vectorized body and the tail agree, so no element's position matters. NumPy has no fused
multiply-add, so ``fma`` computes one exactly with error-free transformations.
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np

__all__ = ["fma", "scaled_add", "THREADS"]

# torch.get_num_threads() / set_num_threads (ops/predicates.py keeps its count here): it decides
# where at::parallel_for cuts a long elementwise loop, and so where the loop tails are.
THREADS = [os.cpu_count() or 1]
_GRAIN = 32768  # at::internal::GRAIN_SIZE
_BLOCK = 8192


def _split(a: Any) -> tuple[Any, Any]:
    """Dekker's split of float64 values into hi and lo halves of 26 bits (0-d stays cheap)."""
    if np.ndim(a) == 0:
        a = float(a)
        c = 134217729.0 * a  # 2**27 + 1
        hi = c - (c - a)
        return hi, a - hi
    hi = np.multiply(a, 134217729.0)
    lo = np.subtract(hi, a)
    np.subtract(hi, lo, out=hi)
    np.subtract(a, hi, out=lo)
    return hi, lo


_ONE = np.uint64(1)
_LOW29 = np.uint64((1 << 29) - 1)
_MID29 = np.uint64(1 << 28)


def _fma64(x: np.ndarray, y: np.ndarray, z: np.ndarray) -> np.ndarray:
    """x, y, z of one shape (x may be 0-d). In-place arithmetic on a few buffers."""
    if y.ndim == 0 and x.ndim != 0:
        x, y = y, x
    with np.errstate(over="ignore", invalid="ignore"):
        p = np.multiply(x, y)
        xh, xl = _split(x)
        yh, yl = _split(y)
        err = np.multiply(xh, yh)
        err -= p
        tmp = np.multiply(xh, yl)
        err += tmp
        np.multiply(xl, yh, out=tmp)
        err += tmp
        np.multiply(xl, yl, out=tmp)
        err += tmp  # p + err == x * y exactly
        s = np.add(p, z)  # the unfused result
        v = np.subtract(s, p)  # Knuth's two-sum: s + t == p + z exactly
        t = np.subtract(s, v)
        np.subtract(p, t, out=t)
        np.subtract(z, v, out=v)
        t += v
        # s + round_to_odd(t + err), rounded to nearest, is the correctly rounded sum
        # (Boldo and Melquiond's emulated FMA): make the low part odd where it was inexact.
        u = np.add(t, err)
        np.subtract(u, t, out=v)
        np.subtract(u, v, out=tmp)
        np.subtract(t, tmp, out=t)
        np.subtract(err, v, out=err)
        t += err  # the rounding error of u
        odd = np.bitwise_and(u.view(np.uint64), _ONE) == 0
        odd &= t != 0
        if np.count_nonzero(odd):
            odd &= np.isfinite(u)
            u = np.where(odd, np.nextafter(u, np.where(t > 0, np.inf, -np.inf)), u)
        out = np.add(s, u, out=u)
        bad = np.isfinite(out)
        if np.count_nonzero(bad) != bad.size:  # overflow, inf or nan: the unfused sum is right
            np.copyto(out, s, where=~bad)
    return out


def _fma32(x: np.ndarray, y: np.ndarray, z: np.ndarray) -> np.ndarray:
    """x, y, z of one shape (any may be 0-d). The product of two float32s is exact in float64;
    the sum is rounded twice (to float64, then to float32), which is wrong only where the
    float64 sum lands exactly on a float32 midpoint while the sum was inexact: there, step it
    one float64 ulp toward the error."""
    x64, y64, z64 = x.astype(np.float64), y.astype(np.float64), z.astype(np.float64)
    with np.errstate(over="ignore", invalid="ignore"):
        s = np.multiply(x64, y64)
        s = s + z64 if s.ndim < z64.ndim else np.add(s, z64, out=s)
        tie = np.bitwise_and(s.view(np.uint64), _LOW29) == _MID29
        if np.count_nonzero(tie):
            p = np.broadcast_to(np.multiply(x64, y64), s.shape)
            z64 = np.broadcast_to(z64, s.shape)
            v = s - p
            t = (p - (s - v)) + (z64 - v)
            tie &= (t != 0) & np.isfinite(s)
            s = np.where(tie, np.nextafter(s, np.where(t > 0, np.inf, -np.inf)), s)
        return s.astype(np.float32)


def fma(x: Any, y: Any, z: Any) -> np.ndarray:
    """``x * y + z`` rounded once, in the floating dtype of the three (broadcast)."""
    dt = np.result_type(x, y, z)
    x, y, z = (np.asarray(v, dt) for v in (x, y, z))
    kernel = _fma64 if dt == np.float64 else _fma32 if dt == np.float32 else None
    if kernel is None:
        return np.asarray(x * y + z, dt)
    shape = y.shape
    if not (z.shape == shape and (x.ndim == 0 or x.shape == shape)):
        shape = np.broadcast_shapes(x.shape, y.shape, z.shape)
        x, y, z = (v if v.ndim == 0 else np.broadcast_to(v, shape) for v in (x, y, z))
        if y.ndim == 0:
            y = np.broadcast_to(y, shape)
    n = y.size
    if y.ndim == 0:  # 0-d arithmetic gives NumPy scalars, which the in-place steps cannot take
        return kernel(x.reshape(1), y.reshape(1), z.reshape(1)).reshape(())
    if n <= _BLOCK:
        return kernel(x, y, z)
    # Blocks of 64 KiB: the emulation's temporaries then come from the heap and stay in cache;
    # whole-array temporaries were fresh mappings, and their page faults cost 100x the math.
    flat = [v if v.ndim == 0 else v.reshape(-1) for v in (x, y, z)]
    out = np.empty(n, dt)
    for i in range(0, n, _BLOCK):
        part = slice(i, i + _BLOCK)
        out[part] = kernel(*(v if v.ndim == 0 else v[part] for v in flat))
    return out.reshape(shape)


def _hoisted_runs(n: int, itemsize: int) -> list[slice]:
    """Where torch's add with a one-element ``other`` rounds ``alpha * other`` on its own.

    cpu_kernel_vec runs each parallel chunk as a vectorized body of two AVX2 vectors per
    iteration (fmadd) and a scalar tail. GCC vectorizes that tail loop with 16-byte SSE vectors
    in which the loop-invariant ``alpha * other`` is hoisted (rounded once, then added): the
    tail's first element is an fma, then whole SSE vectors are ``self + (alpha * other)``, and
    the rest are fmas again. Measured with torch 2.13 (AVX2 build) for every size 1..70, sizes
    around the 32768-element parallel grain, and both float dtypes (tests/nn/test_optim_bits.py).
    """
    runs = []
    body, lanes = 64 // itemsize, 16 // itemsize
    threads = 1 if n <= _GRAIN else min(THREADS[0], -(-n // _GRAIN))
    chunk = -(-n // threads)
    for start in range(0, n, chunk):
        m = min(chunk, n - start)
        tail = m % body
        if tail > lanes:
            first = start + m - tail + 1
            runs.append(slice(first, first + (tail - 1) // lanes * lanes))
    return runs


def scaled_add(a: Any, b: Any, alpha: Any) -> np.ndarray:
    """``a + alpha * b`` as torch's add kernel rounds it: ``fma(alpha, b, a)`` for floats (and
    ``a + (alpha * b)`` where the compiler hoisted the product of a one-element ``b``)."""
    dt = np.result_type(a, b)
    if dt.kind != "f" or isinstance(alpha, complex):
        return a + alpha * b
    # alpha is first converted to the computation's dtype, as torch's Scalar.to<scalar_t>().
    al = np.asarray(alpha, dt)
    out = fma(al, b, a)
    if (np.size(b) == 1 and isinstance(a, np.ndarray) and a.size > 2
            and out.shape == a.shape and a.flags.c_contiguous and dt.itemsize in (4, 8)):
        flat_out, flat_a = out.reshape(-1), a.reshape(-1)
        product = al * np.asarray(b, dt).reshape(())
        with np.errstate(over="ignore", invalid="ignore"):
            for run in _hoisted_runs(a.size, dt.itemsize):
                flat_out[run] = flat_a[run] + product
    return out
