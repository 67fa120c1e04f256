"""Window functions and small constructors of PyTorch's top level: hann_window,
hamming_window, blackman_window, bartlett_window, kaiser_window (periodic, dtype), vander,
tril_indices / triu_indices, scalar_tensor.

The windows follow PyTorch's recipes step by step in the window's dtype (arange, one scalar
multiply, cos, scale and shift; the periodic window is the symmetric one of length + 1 without
its last point), so float32 windows round as PyTorch's do. vander is PyTorch's composite
(ones, a copy into a slice, a cumprod written back, a flip), so it records the same nodes.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .. import dtypes
from ..errors import InvalidArgumentError, NotImplementedArgumentError
from ..tensor import Tensor


def _window_dtype(name: str, dtype: Any) -> np.dtype:
    dt = dtypes.get_default_dtype() if dtype is None else dtypes.to_dtype(dtype)
    if dt.np.kind != "f":
        cpp = {"int64": "long int", "int32": "int", "int16": "short int", "int8": "signed char",
               "uint8": "unsigned char", "bool": "bool"}.get(dt.np.name, dt.np.name)
        raise InvalidArgumentError(
            f"{name} expects floating point dtypes, got: TensorOptions(dtype={cpp}, device=cpu, "
            "layout=Strided (default), requires_grad=false (default), pinned_memory=false, "
            "memory_format=(nullopt))")
    return dt.np


def _finish(arr: np.ndarray, requires_grad: bool) -> Tensor:
    t = Tensor._make(arr if arr.flags.c_contiguous else arr.copy(), None, 0, None)
    if requires_grad:
        t.requires_grad_(True)
    return t


def _window(name: str, window_length: int, periodic: bool, dtype: Any, requires_grad: bool,
            body: Any) -> Tensor:
    dt = _window_dtype(name, dtype)
    n = int(window_length)
    if n < 0:
        raise InvalidArgumentError(
            f"{name} requires non-negative window_length, got window_length={n}")
    if n == 0:
        return _finish(np.zeros(0, dtype=dt), requires_grad)
    if n == 1:
        return _finish(np.ones(1, dtype=dt), requires_grad)
    if periodic:
        n += 1
    with np.errstate(all="ignore"):
        w = body(np.arange(n, dtype=dt), n, dt)
    return _finish(w[:n - 1] if periodic else w, requires_grad)


def hamming_window(window_length: int, periodic: bool = True, alpha: float = 0.54,
                   beta: float = 0.46, *, dtype: Any = None, layout: Any = None,
                   device: Any = None, pin_memory: bool = False,
                   requires_grad: bool = False) -> Tensor:
    def body(w: np.ndarray, n: int, dt: np.dtype) -> np.ndarray:
        # window.mul_(2 pi / (n - 1)).cos_().mul_(-beta).add_(alpha), each in dt
        w = w * dt.type(math.pi * 2.0 / (n - 1))
        return np.cos(w) * dt.type(-beta) + dt.type(alpha)

    return _window("hamming_window", window_length, periodic, dtype, requires_grad, body)


def hann_window(window_length: int, periodic: bool = True, *, dtype: Any = None,
                layout: Any = None, device: Any = None, pin_memory: bool = False,
                requires_grad: bool = False) -> Tensor:
    _window_dtype("hann_window", dtype)
    if int(window_length) < 0:
        raise InvalidArgumentError(f"hann_window requires non-negative window_length, got "
                                   f"window_length={int(window_length)}")
    return hamming_window(window_length, periodic, 0.5, 0.5, dtype=dtype,
                          requires_grad=requires_grad)


def blackman_window(window_length: int, periodic: bool = True, *, dtype: Any = None,
                    layout: Any = None, device: Any = None, pin_memory: bool = False,
                    requires_grad: bool = False) -> Tensor:
    def body(w: np.ndarray, n: int, dt: np.dtype) -> np.ndarray:
        # w = arange * (pi / (n - 1)); 0.08 cos(4 w) - 0.5 cos(2 w) + 0.42
        w = w * dt.type(math.pi / (n - 1))
        return (np.cos(w * dt.type(4)) * dt.type(0.08) - np.cos(w * dt.type(2)) * dt.type(0.5)
                + dt.type(0.42))

    return _window("blackman_window", window_length, periodic, dtype, requires_grad, body)


def bartlett_window(window_length: int, periodic: bool = True, *, dtype: Any = None,
                    layout: Any = None, device: Any = None, pin_memory: bool = False,
                    requires_grad: bool = False) -> Tensor:
    def body(w: np.ndarray, n: int, dt: np.dtype) -> np.ndarray:
        # arange * (2 / (n - 1)); the second half becomes 2 - w
        w = w * dt.type(2.0 / (n - 1))
        half = ((n - 1) >> 1) + 1
        w[half:] = w[half:] * dt.type(-1) + dt.type(2)
        return w

    return _window("bartlett_window", window_length, periodic, dtype, requires_grad, body)


def kaiser_window(window_length: int, periodic: bool = True, beta: float = 12.0, *,
                  dtype: Any = None, layout: Any = None, device: Any = None,
                  pin_memory: bool = False, requires_grad: bool = False) -> Tensor:
    from .special_fns import _i0_64

    def body(w: np.ndarray, n: int, dt: np.dtype) -> np.ndarray:
        # i0(beta sqrt(|1 - ((k - alpha) / alpha)^2|)) / i0(beta), alpha = (n - 1) / 2
        alpha = dt.type((n - 1) / 2.0)
        b = dt.type(beta)
        r = (w - alpha) / alpha
        arg = b * np.sqrt(np.abs(dt.type(1) - r * r))
        return (_i0_64(arg) / _i0_64(np.asarray(b))).astype(dt)

    return _window("kaiser_window", window_length, periodic, dtype, requires_grad, body)


# ----------------------------------------------------------------------------------------------
# constructors
# ----------------------------------------------------------------------------------------------
def vander(x: Tensor, N: int | None = None, increasing: bool = False) -> Tensor:
    from .inplace import copy_, fill_
    from .scan_sort import cumprod
    from .shape import flip, narrow, unsqueeze

    if x._data.ndim != 1:
        raise InvalidArgumentError("x must be a one-dimensional tensor.")
    n = x._data.shape[0]
    if N is not None:
        n = int(N)
        if n < 0:
            raise InvalidArgumentError("N must be non-negative.")
    # promote_types(x.dtype, long): integer and bool x give int64 (as cumprod would)
    dt = np.dtype(np.int64) if x._data.dtype.kind in "biu" else x._data.dtype
    result = Tensor._make(np.empty((x._data.shape[0], n), dtype=dt), None, 0, None)
    if n > 0:
        fill_(result, 1)
        if n > 1:
            copy_(narrow(result, 1, 1, n - 1), unsqueeze(x, 1))
            copy_(narrow(result, 1, 1, n - 1), cumprod(narrow(result, 1, 1, n - 1), 1))
    return result if increasing else flip(result, (1,))


def _indices(name: str, row: int, col: int, offset: int, dtype: Any, lower: bool) -> Tensor:
    dt = dtypes.int64 if dtype is None else dtypes.to_dtype(dtype)
    if dt.np.kind not in "iu":
        raise NotImplementedArgumentError(
            f'"{name}" not implemented for \'{dtypes.scalar_type_name(dt.np)}\'')
    if row < 0:
        raise InvalidArgumentError(f"row must be non-negative, got{row}")
    if col < 0:
        raise InvalidArgumentError(f"col must be non-negative, got{col}")
    rows, cols = (np.tril_indices if lower else np.triu_indices)(row, offset, col)
    return Tensor._make(np.stack([rows, cols]).astype(dt.np).reshape(2, -1), None, 0, None)


def tril_indices(row: int, col: int, offset: int = 0, *, dtype: Any = None, device: Any = None,
                 layout: Any = None) -> Tensor:
    return _indices("tril_indices", int(row), int(col), int(offset), dtype, True)


def triu_indices(row: int, col: int, offset: int = 0, *, dtype: Any = None, device: Any = None,
                 layout: Any = None) -> Tensor:
    return _indices("triu_indices", int(row), int(col), int(offset), dtype, False)


def scalar_tensor(s: Any, *, dtype: Any = None, layout: Any = None, device: Any = None,
                  pin_memory: bool = False, requires_grad: bool = False) -> Tensor:
    if isinstance(s, Tensor):
        s = s._data.reshape(()).item()
    dt = dtypes.get_default_dtype() if dtype is None else dtypes.to_dtype(dtype)
    return _finish(np.asarray(s, dtype=dt.np), requires_grad)


# ==============================================================================================
# the names this family adds: torch.<name>, Tensor.<name>, torch.nn.functional.<name>
# ==============================================================================================
TORCH: dict[str, Any] = {
    "hann_window": hann_window, "hamming_window": hamming_window,
    "blackman_window": blackman_window, "bartlett_window": bartlett_window,
    "kaiser_window": kaiser_window, "vander": vander, "tril_indices": tril_indices,
    "triu_indices": triu_indices, "scalar_tensor": scalar_tensor,
}

METHODS: dict[str, Any] = {}

FUNCTIONAL: dict[str, Any] = {}
