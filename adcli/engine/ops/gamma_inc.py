"""The regularized incomplete gamma functions: igamma (lower, P(a, x)) and igammac (upper,
Q(a, x)), as functions, methods and in-place forms (torch.special.gammainc/gammaincc too).

NumPy kernels in float64: cephes' power series for P where x is small against a, the
continued fraction (modified Lentz) for Q elsewhere, with PyTorch's special cases at 0 and
infinity. PyTorch's derivative: none in ``self`` (a), ``grad * exp((a - 1) log x - x -
lgamma(a))`` in ``other`` (x).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..dtypes import scalar_type_name
from ..errors import InvalidTypeError, NotImplementedArgumentError, NotImplementedDerivativeError
from ..op import defop
from ..tensor import Tensor
from .predicates import result_type
from .special_fns import _lgamma64

_EPS = np.finfo(np.float64).eps
_TINY = 1e-300
_MAX_ITER = 2000


def _log_prefactor(a: np.ndarray, x: np.ndarray) -> np.ndarray:
    """log(x^a e^-x / Gamma(a)); for large a through Stirling's series, as
    a (log1p(t) - t) + log(a) / 2 - log(2 pi) / 2 - correction(a) with t = (x - a) / a, which
    keeps the cancellation of a log x - x against lgamma(a) out of the rounding."""
    with np.errstate(all="ignore"):
        small = a * np.log(x) - x - _lgamma64(a)
        big_a = np.where(a >= 10, a, 10.0)
        t = (x - big_a) / big_a
        inv, inv2 = 1 / big_a, 1 / (big_a * big_a)
        corr = inv * (1 / 12 - inv2 * (1 / 360 - inv2 * (1 / 1260 - inv2 * (
            1 / 1680 - inv2 / 1188))))
        large = (big_a * (np.log1p(t) - t) + 0.5 * np.log(big_a) - 0.5 * math.log(2 * math.pi)
                 - corr)
        return np.where(a >= 10, large, small)


def _series_p(a: np.ndarray, x: np.ndarray) -> np.ndarray:
    """P(a, x) = x^a e^-x / Gamma(a + 1) * sum_n x^n / ((a + 1) ... (a + n))."""
    r = a.copy()
    c = np.ones_like(a)
    total = np.ones_like(a)
    active = np.ones(a.shape, dtype=bool)
    for _ in range(_MAX_ITER):
        if not active.any():
            break
        r = np.where(active, r + 1, r)
        c = np.where(active, c * x / r, c)
        total = np.where(active, total + c, total)
        active &= c > _EPS * total
    return np.exp(_log_prefactor(a, x)) * total / a


def _fraction_q(a: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Q(a, x) by the continued fraction of Gamma(a, x) (modified Lentz)."""
    b = x + 1 - a
    c = np.full_like(a, 1 / _TINY)
    d = 1 / np.where(np.abs(b) < _TINY, _TINY, b)
    h = d.copy()
    active = np.ones(a.shape, dtype=bool)
    for i in range(1, _MAX_ITER):
        if not active.any():
            break
        an = -i * (i - a)
        b = b + 2
        d = an * d + b
        d = np.where(np.abs(d) < _TINY, _TINY, d)
        c = b + an / c
        c = np.where(np.abs(c) < _TINY, _TINY, c)
        d = 1 / d
        delta = d * c
        h = np.where(active, h * delta, h)
        active &= np.abs(delta - 1) > _EPS
    return np.exp(_log_prefactor(a, x)) * h


def _igamma64(a: np.ndarray, x: np.ndarray, upper: bool) -> np.ndarray:
    a, x = np.broadcast_arrays(np.asarray(a, np.float64), np.asarray(x, np.float64))
    out = np.full(a.shape, np.nan)
    with np.errstate(all="ignore"):
        ok = (a > 0) & (x > 0) & np.isfinite(a) & np.isfinite(x)
        # the continued fraction where PyTorch leaves the series (x > 1 and x > a)
        cf = ok & (x > 1) & (x > a)
        sr = ok & ~cf
        if sr.any():
            p = _series_p(a[sr], x[sr])
            out[sr] = 1 - p if upper else p
        if cf.any():
            q = _fraction_q(a[cf], x[cf])
            out[cf] = q if upper else 1 - q
        lower = np.full(a.shape, np.nan)
        # PyTorch's special cases (calc_igamma): a == 0, x == 0, infinities; nan below 0
        lower = np.where((a == 0) & (x > 0), 1.0, lower)
        lower = np.where((x == 0) & (a > 0), 0.0, lower)
        lower = np.where(np.isinf(a) & (a > 0) & np.isfinite(x) & (x >= 0), 0.0, lower)
        lower = np.where(np.isinf(x) & (x > 0) & np.isfinite(a) & (a >= 0), 1.0, lower)
        special = ~ok & ~np.isnan(lower)
        out = np.where(special, 1 - lower if upper else lower, out)
        out = np.where((a < 0) | (x < 0) | np.isnan(a) | np.isnan(x), np.nan, out)
    return out


def _forward(upper: bool) -> Any:
    def forward(a: np.ndarray, x: np.ndarray, dtype: Any = None) -> np.ndarray:
        # dtype: torch's promotion of the operands (0-d tensors a lower tier), from the caller
        dt = np.result_type(a, x) if dtype is None else dtype
        return np.asarray(_igamma64(a, x, upper), dtype=dt)

    forward.__name__ = "igammac" if upper else "igamma"
    return forward


igamma_op = defop("igamma", "IgammaBackward0", _forward(False), inputs=("self", "other"),
                  save=("self", "other"))
igammac_op = defop("igammac", "IgammacBackward0", _forward(True), inputs=("self", "other"),
                   save=("self", "other"))


def _not_in_self(name: str) -> Any:
    def formula(g, s, B):
        "not implemented (PyTorch raises)"
        raise NotImplementedDerivativeError(
            f"the derivative for '{name}: input' is not implemented.")

    return formula


igamma_op.grad("self")(_not_in_self("igamma"))
igammac_op.grad("self")(_not_in_self("igammac"))


def _density(s: Any, B: Any) -> Any:
    return B.exp((s.self - 1) * B.log(s.other) - s.other - B.lgamma(s.self))


@igamma_op.grad("other")
def _igamma_other(g, s, B):
    "grad * exp((self - 1) log(other) - other - lgamma(self))"
    with np.errstate(divide="ignore", invalid="ignore"):
        return g * _density(s, B)


@igammac_op.grad("other")
def _igammac_other(g, s, B):
    "-grad * exp((self - 1) log(other) - other - lgamma(self))"
    with np.errstate(divide="ignore", invalid="ignore"):
        return -g * _density(s, B)


def _N_lgamma(x: np.ndarray) -> np.ndarray:
    return np.asarray(_lgamma64(x), dtype=x.dtype)


# ==============================================================================================
# public functions
# ==============================================================================================
def _check(name: str, input: Any, other: Any) -> np.dtype:
    for pos, (arg, x) in enumerate((("input", input), ("other", other)), 1):
        if not isinstance(x, Tensor):
            raise InvalidTypeError(f"{name}(): argument '{arg}' (position {pos}) must be "
                                   f"Tensor, not {type(x).__name__}")
    if input._data.dtype.kind != "f" and other._data.dtype.kind != "f":
        dt = np.result_type(input._data, other._data)
        raise NotImplementedArgumentError(
            f'"{name}_cpu" not implemented for \'{scalar_type_name(dt)}\'')
    return result_type(input, other).np


def igamma(input: Tensor, other: Tensor) -> Tensor:
    return igamma_op(input, other, dtype=_check("igamma", input, other))


def igammac(input: Tensor, other: Tensor) -> Tensor:
    return igammac_op(input, other, dtype=_check("igammac", input, other))


def igamma_(self: Tensor, other: Tensor) -> Tensor:
    return igamma_op.inplace(self, other, dtype=_check("igamma", self, other))


def igammac_(self: Tensor, other: Tensor) -> Tensor:
    return igammac_op.inplace(self, other, dtype=_check("igammac", self, other))



# torch.special's own names (adcli.special), beyond torch.<name>
SPECIAL: dict[str, Any] = {"gammainc": igamma, "gammaincc": igammac}

TORCH: dict[str, Any] = {"igamma": igamma, "igammac": igammac}

METHODS: dict[str, Any] = {
    "igamma": igamma, "igammac": igammac, "igamma_": igamma_, "igammac_": igammac_,
}

FUNCTIONAL: dict[str, Any] = {}
