"""``torch.special`` for adcli: the special functions with PyTorch's values (NumPy-only kernels
accurate to float64), grad_fn names and derivatives.

The kernels are table ops of ``adcli/engine/ops/special_fns.py`` (and, for expit, erf, exp2,
expm1, log1p, round, xlogy, logsumexp, softmax and log_softmax, the existing ops).
"""

from __future__ import annotations

import math
from typing import Any

from .engine.ops import gamma_inc as _G
from .engine.ops import special_fns as _S
from .engine.ops import special_poly as _P
from .engine.registry import TORCH as _TORCH
from .engine.tensor import Tensor

__all__ = [
    "digamma", "entr", "erf", "erfc", "erfcx", "erfinv", "exp2", "expit", "expm1", "gammainc",
    "gammaincc", "gammaln",
    "i0", "i0e", "i1", "i1e", "log1p", "log_ndtr", "log_softmax", "logit", "logsumexp",
    "multigammaln", "ndtr", "ndtri", "polygamma", "psi", "round", "sinc", "softmax", "xlog1py",
    "xlogy", "zeta",
    # ATen's Airy, Bessel and orthogonal-polynomial kernels (no derivatives, as in torch)
    "airy_ai", "bessel_j0", "bessel_j1", "bessel_y0", "bessel_y1", "chebyshev_polynomial_t",
    "chebyshev_polynomial_u", "chebyshev_polynomial_v", "chebyshev_polynomial_w",
    "hermite_polynomial_h", "hermite_polynomial_he", "laguerre_polynomial_l",
    "legendre_polynomial_p", "modified_bessel_i0", "modified_bessel_i1", "modified_bessel_k0",
    "modified_bessel_k1", "scaled_modified_bessel_k0", "scaled_modified_bessel_k1",
    "shifted_chebyshev_polynomial_t", "shifted_chebyshev_polynomial_u",
    "shifted_chebyshev_polynomial_v", "shifted_chebyshev_polynomial_w", "spherical_bessel_j0",
]

erfcx = _S.erfcx
i0e = _S.i0e
i1 = _S.i1
i1e = _S.i1e
ndtri = _S.ndtri
log_ndtr = _S.log_ndtr
entr = _S.entr
xlog1py = _S.xlog1py
zeta = _S.zeta
erfc = _S.erfc
erfinv = _S.erfinv
gammaln = _S.lgamma
digamma = psi = _S.digamma
polygamma = _S.polygamma
multigammaln = _S.mvlgamma
i0 = _S.i0
sinc = _S.sinc
logit = _S.logit
gammainc = _G.igamma
gammaincc = _G.igammac
airy_ai = _P.airy_ai
bessel_j0 = _P.bessel_j0
bessel_j1 = _P.bessel_j1
bessel_y0 = _P.bessel_y0
bessel_y1 = _P.bessel_y1
chebyshev_polynomial_t = _P.chebyshev_polynomial_t
chebyshev_polynomial_u = _P.chebyshev_polynomial_u
chebyshev_polynomial_v = _P.chebyshev_polynomial_v
chebyshev_polynomial_w = _P.chebyshev_polynomial_w
hermite_polynomial_h = _P.hermite_polynomial_h
hermite_polynomial_he = _P.hermite_polynomial_he
laguerre_polynomial_l = _P.laguerre_polynomial_l
legendre_polynomial_p = _P.legendre_polynomial_p
modified_bessel_i0 = _P.modified_bessel_i0
modified_bessel_i1 = _P.modified_bessel_i1
modified_bessel_k0 = _P.modified_bessel_k0
modified_bessel_k1 = _P.modified_bessel_k1
scaled_modified_bessel_k0 = _P.scaled_modified_bessel_k0
scaled_modified_bessel_k1 = _P.scaled_modified_bessel_k1
shifted_chebyshev_polynomial_t = _P.shifted_chebyshev_polynomial_t
shifted_chebyshev_polynomial_u = _P.shifted_chebyshev_polynomial_u
shifted_chebyshev_polynomial_v = _P.shifted_chebyshev_polynomial_v
shifted_chebyshev_polynomial_w = _P.shifted_chebyshev_polynomial_w
spherical_bessel_j0 = _P.spherical_bessel_j0


def expit(input: Tensor) -> Tensor:
    return _TORCH["sigmoid"](input)


def erf(input: Tensor) -> Tensor:
    return _TORCH["erf"](input)


def exp2(input: Tensor) -> Tensor:
    return _TORCH["exp2"](input)


def expm1(input: Tensor) -> Tensor:
    return _TORCH["expm1"](input)


def log1p(input: Tensor) -> Tensor:
    return _TORCH["log1p"](input)


def round(input: Tensor, *, decimals: int = 0) -> Tensor:
    # torch.special.round is round.decimals (RoundBackward1), even with decimals=0
    return _TORCH["round"](input, decimals=decimals)


def xlogy(input: Any, other: Any) -> Tensor:
    return _TORCH["xlogy"](input, other)


def logsumexp(input: Tensor, dim: Any, keepdim: bool = False) -> Tensor:
    return _TORCH["logsumexp"](input, dim, keepdim)


def softmax(input: Tensor, dim: int, *, dtype: Any = None) -> Tensor:
    return _TORCH["softmax"](input, dim, dtype=dtype)


def log_softmax(input: Tensor, dim: int, *, dtype: Any = None) -> Tensor:
    return _TORCH["log_softmax"](input, dim, dtype=dtype)


def ndtr(input: Tensor) -> Tensor:
    """The standard normal CDF, composed as torch composes it: (1 + erf(x * sqrt(1/2))) * 0.5
    (the Scalar overloads: MulBackward1, AddBackward1)."""
    from .engine.ops.arithmetic import _B_mul_scalar, add_scalar_op

    x = _B_mul_scalar(input, math.sqrt(0.5))
    return _B_mul_scalar(add_scalar_op(_TORCH["erf"](x), other=1.0), 0.5)
