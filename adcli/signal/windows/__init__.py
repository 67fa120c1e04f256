"""``torch.signal.windows``: bartlett, blackman, cosine, exponential, gaussian, general_cosine,
general_hamming, hamming, hann, kaiser, nuttall.

torch writes them in Python over its ops (linspace, exp, abs, sin, cos, i0, sum, ...); these
run the same ops in the same order, so the values are torch's and, with
``requires_grad=True``, the recorded graph is torch's too.
"""

from __future__ import annotations

from collections.abc import Iterable
from math import sqrt
from typing import Any

import adcli as _t

from ...engine.tensor import Tensor

__all__ = ["bartlett", "blackman", "cosine", "exponential", "gaussian", "general_cosine",
           "general_hamming", "hamming", "hann", "kaiser", "nuttall"]


def _checks(name: str, M: int, dtype: Any, layout: Any) -> None:
    if M < 0:
        raise ValueError(f"{name} requires non-negative window length, got M={M}")
    if layout is not _t.strided:
        raise ValueError(f"{name} is implemented for strided tensors only, got: {layout}")
    if dtype not in (_t.float32, _t.float64):
        raise ValueError(f"{name} expects float32 or float64 dtypes, got: {dtype}")


def _empty(dtype: Any, requires_grad: bool) -> Tensor:
    return _t.empty((0,), dtype=dtype, requires_grad=requires_grad)


def _ones(dtype: Any, requires_grad: bool) -> Tensor:
    return _t.ones((1,), dtype=dtype, requires_grad=requires_grad)


def _linspace(start: Any, end: Any, M: int, dtype: Any, requires_grad: bool) -> Tensor:
    return _t.linspace(start=start, end=end, steps=M, dtype=dtype, requires_grad=requires_grad)


def exponential(M: int, *, center: float | None = None, tau: float = 1.0, sym: bool = True,
                dtype: Any = None, layout: Any = None, device: Any = None,
                requires_grad: bool = False) -> Tensor:
    """Exponential (Poisson) window: exp(-|n - center| / tau)."""
    dtype = _t.get_default_dtype() if dtype is None else dtype
    _checks("exponential", M, dtype, _t.strided if layout is None else layout)
    if tau <= 0:
        raise ValueError(f"Tau must be positive, got: {tau} instead.")
    if sym and center is not None:
        raise ValueError("Center must be None for symmetric windows")
    if M == 0:
        return _empty(dtype, requires_grad)
    if center is None:
        center = (M if not sym and M > 1 else M - 1) / 2.0
    constant = 1 / tau
    k = _linspace(-center * constant, (-center + (M - 1)) * constant, M, dtype, requires_grad)
    return _t.exp(-_t.abs(k))


def cosine(M: int, *, sym: bool = True, dtype: Any = None, layout: Any = None,
           device: Any = None, requires_grad: bool = False) -> Tensor:
    """Cosine (sine) window: sin(pi (n + 0.5) / M)."""
    dtype = _t.get_default_dtype() if dtype is None else dtype
    _checks("cosine", M, dtype, _t.strided if layout is None else layout)
    if M == 0:
        return _empty(dtype, requires_grad)
    start = 0.5
    constant = _t.pi / (M + 1 if not sym and M > 1 else M)
    k = _linspace(start * constant, (start + (M - 1)) * constant, M, dtype, requires_grad)
    return _t.sin(k)


def gaussian(M: int, *, std: float = 1.0, sym: bool = True, dtype: Any = None,
             layout: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    """Gaussian window: exp(-(n / (2 std))^2)."""
    dtype = _t.get_default_dtype() if dtype is None else dtype
    _checks("gaussian", M, dtype, _t.strided if layout is None else layout)
    if std <= 0:
        raise ValueError(f"Standard deviation must be positive, got: {std} instead.")
    if M == 0:
        return _empty(dtype, requires_grad)
    start = -(M if not sym and M > 1 else M - 1) / 2.0
    constant = 1 / (std * sqrt(2))
    k = _linspace(start * constant, (start + (M - 1)) * constant, M, dtype, requires_grad)
    return _t.exp(-(k ** 2))


def kaiser(M: int, *, beta: float = 12.0, sym: bool = True, dtype: Any = None,
           layout: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    """Kaiser window: I0(beta sqrt(1 - ((n - N/2) / (N/2))^2)) / I0(beta)."""
    dtype = _t.get_default_dtype() if dtype is None else dtype
    _checks("kaiser", M, dtype, _t.strided if layout is None else layout)
    if beta < 0:
        raise ValueError(f"beta must be non-negative, got: {beta} instead.")
    if M == 0:
        return _empty(dtype, requires_grad)
    if M == 1:
        return _ones(dtype, requires_grad)
    b = _t.tensor(beta, dtype=dtype)  # in the window's dtype (torch: avoids NaNs)
    start = -b
    constant = 2.0 * b / (M if not sym else M - 1)
    end = _t.minimum(b, start + (M - 1) * constant)
    k = _linspace(start, end, M, dtype, requires_grad)
    return _t.i0(_t.sqrt(b * b - _t.pow(k, 2))) / _t.i0(b)


def hamming(M: int, *, sym: bool = True, dtype: Any = None, layout: Any = None,
            device: Any = None, requires_grad: bool = False) -> Tensor:
    """Hamming window: general_hamming with alpha = 0.54."""
    return general_hamming(M, sym=sym, dtype=dtype, layout=layout, device=device,
                           requires_grad=requires_grad)


def hann(M: int, *, sym: bool = True, dtype: Any = None, layout: Any = None,
         device: Any = None, requires_grad: bool = False) -> Tensor:
    """Hann window: general_hamming with alpha = 0.5."""
    return general_hamming(M, alpha=0.5, sym=sym, dtype=dtype, layout=layout, device=device,
                           requires_grad=requires_grad)


def blackman(M: int, *, sym: bool = True, dtype: Any = None, layout: Any = None,
             device: Any = None, requires_grad: bool = False) -> Tensor:
    """Blackman window: general_cosine with a = [0.42, 0.5, 0.08]."""
    dtype = _t.get_default_dtype() if dtype is None else dtype
    _checks("blackman", M, dtype, _t.strided if layout is None else layout)
    return general_cosine(M, a=[0.42, 0.5, 0.08], sym=sym, dtype=dtype, layout=layout,
                          device=device, requires_grad=requires_grad)


def bartlett(M: int, *, sym: bool = True, dtype: Any = None, layout: Any = None,
             device: Any = None, requires_grad: bool = False) -> Tensor:
    """Bartlett (triangular) window: 1 - |2n / (M - 1) - 1|."""
    dtype = _t.get_default_dtype() if dtype is None else dtype
    _checks("bartlett", M, dtype, _t.strided if layout is None else layout)
    if M == 0:
        return _empty(dtype, requires_grad)
    if M == 1:
        return _ones(dtype, requires_grad)
    start = -1
    constant = 2 / (M if not sym else M - 1)
    k = _linspace(start, start + (M - 1) * constant, M, dtype, requires_grad)
    return 1 - _t.abs(k)


def general_cosine(M: int, *, a: Iterable[float], sym: bool = True, dtype: Any = None,
                   layout: Any = None, device: Any = None,
                   requires_grad: bool = False) -> Tensor:
    """Generalized cosine window: sum_i (-1)^i a_i cos(2 pi i n / N)."""
    dtype = _t.get_default_dtype() if dtype is None else dtype
    _checks("general_cosine", M, dtype, _t.strided if layout is None else layout)
    if M == 0:
        return _empty(dtype, requires_grad)
    if M == 1:
        return _ones(dtype, requires_grad)
    if not isinstance(a, Iterable):
        raise TypeError("Coefficients must be a list/tuple")
    if not a:
        raise ValueError("Coefficients cannot be empty")
    constant = 2 * _t.pi / (M if not sym else M - 1)
    k = _linspace(0, (M - 1) * constant, M, dtype, requires_grad)
    a_i = _t.tensor([(-1) ** i * w for i, w in enumerate(a)], dtype=dtype,
                    requires_grad=requires_grad)
    i = _t.arange(a_i.shape[0], dtype=a_i.dtype, requires_grad=a_i.requires_grad)
    return (a_i.unsqueeze(-1) * _t.cos(i.unsqueeze(-1) * k)).sum(0)


def general_hamming(M: int, *, alpha: float = 0.54, sym: bool = True, dtype: Any = None,
                    layout: Any = None, device: Any = None,
                    requires_grad: bool = False) -> Tensor:
    """Generalized Hamming window: general_cosine with a = [alpha, 1 - alpha]."""
    return general_cosine(M, a=[alpha, 1.0 - alpha], sym=sym, dtype=dtype, layout=layout,
                          device=device, requires_grad=requires_grad)


def nuttall(M: int, *, sym: bool = True, dtype: Any = None, layout: Any = None,
            device: Any = None, requires_grad: bool = False) -> Tensor:
    """Minimum 4-term Blackman-Harris window (Nuttall)."""
    return general_cosine(M, a=[0.3635819, 0.4891775, 0.1365995, 0.0106411], sym=sym,
                          dtype=dtype, layout=layout, device=device,
                          requires_grad=requires_grad)
