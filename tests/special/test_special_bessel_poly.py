"""torch.special's Airy/Bessel functions and orthogonal polynomials against torch 2.13: values
bit for bit in float64 and float32 (ATen's kernels, fused multiply-adds where torch's AVX2
build fuses them, the C library's sin/cos/exp/log), promotion, the n < 0 / |x| = 1 / nan-n
special cases, out=, no grad, and errors word for word."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from requires import require_torch

torch = require_torch()
pytestmark = pytest.mark.needs_torch

import adcli  # noqa: E402

RNG = np.random.default_rng(14)
# torch's AVX2/AVX512 kernels are compiled with FMA contraction, which the kernels mirror;
# a build without them (DEFAULT capability) rounds each product: then compare to 8 ulps
EXACT = str(torch.backends.cpu.get_cpu_capability()).startswith("AVX")

X_UNARY = np.concatenate([
    RNG.uniform(-30, 30, 300), RNG.uniform(-3, 3, 300), RNG.uniform(-0.5, 0.5, 100),
    RNG.uniform(-200, 200, 60),
    [0.0, -0.0, 1e-6, -1e-6, 1e-5, 2.09, -2.09, 2.0, 5.0, -5.0, 8.0, -8.0, 0.5, -0.5, 103.0,
     104.0, 8.3203353, 700.0, -700.0, 1e-300, np.inf, -np.inf, np.nan]])
UNARY = ["airy_ai", "bessel_j0", "bessel_j1", "bessel_y0", "bessel_y1", "modified_bessel_i0",
         "modified_bessel_i1", "modified_bessel_k0", "modified_bessel_k1",
         "scaled_modified_bessel_k0", "scaled_modified_bessel_k1", "spherical_bessel_j0"]

X_POLY = np.concatenate([RNG.uniform(-1.5, 1.5, 150), RNG.uniform(-0.1, 1.1, 50),
                         [-1.0, 1.0, 0.0, 0.5, 2.0, -2.0, 1e-3, np.nan, np.inf, -np.inf]])
N_POLY = np.array([-3, -1, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 13, 20, 50, 130, 600, 2.5, -0.5,
                   np.nan, np.inf])
POLY = ["chebyshev_polynomial_t", "chebyshev_polynomial_u", "chebyshev_polynomial_v",
        "chebyshev_polynomial_w", "shifted_chebyshev_polynomial_t",
        "shifted_chebyshev_polynomial_u", "shifted_chebyshev_polynomial_v",
        "shifted_chebyshev_polynomial_w", "hermite_polynomial_h", "hermite_polynomial_he",
        "laguerre_polynomial_l", "legendre_polynomial_p"]


def _same(got: Any, want: Any) -> None:
    assert str(got.dtype) == str(want.dtype)
    assert tuple(got.shape) == tuple(want.shape)
    a, b = got.numpy(), want.numpy()
    if EXACT:
        np.testing.assert_array_equal(a, b)
    else:
        np.testing.assert_array_max_ulp(a, b, maxulp=8)


@pytest.mark.slow
@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("name", UNARY)
def test_unary_values(name: str, dtype: str) -> None:
    x = X_UNARY.astype(dtype)
    _same(getattr(adcli.special, name)(adcli.tensor(x)),
          getattr(torch.special, name)(torch.tensor(x)))


@pytest.mark.slow
@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("name", POLY)
def test_polynomial_values(name: str, dtype: str) -> None:
    x, n = X_POLY.astype(dtype)[:, None], N_POLY.astype(dtype)[None, :]
    _same(getattr(adcli.special, name)(adcli.tensor(x), adcli.tensor(n)),
          getattr(torch.special, name)(torch.tensor(x), torch.tensor(n)))


# argument forms and promotion: Python numbers, integer and bool tensors, 0-d tensors
FORMS: list[tuple[str, Callable[[Any], Any]]] = [
    ("scalar n", lambda T: T.special.chebyshev_polynomial_t(T.tensor([0.3, 1.7, -1.0]), 7)),
    ("float n truncates", lambda T: T.special.legendre_polynomial_p(T.tensor([0.3, 0.9]), 3.7)),
    ("scalar x", lambda T: T.special.hermite_polynomial_h(0.3, T.tensor([3, 4, 600]))),
    ("int x int n", lambda T: T.special.laguerre_polynomial_l(T.tensor([1, 2]), T.tensor([2, 5]))),
    ("bool x", lambda T: T.special.hermite_polynomial_he(T.tensor([True, False]), 3)),
    ("0-d n float64", lambda T: T.special.chebyshev_polynomial_u(
        T.tensor([0.25, 0.5]), T.tensor(9.0, dtype=T.float64))),
    ("float64 n", lambda T: T.special.chebyshev_polynomial_w(
        T.tensor([0.25, 0.5]), T.tensor([9.0, 12.0], dtype=T.float64))),
    ("broadcast", lambda T: T.special.shifted_chebyshev_polynomial_v(
        T.linspace(0, 1, 5)[:, None], T.arange(12)[None, :])),
    ("int tensor", lambda T: T.special.bessel_j0(T.tensor([1, 2, 3]))),
    ("bool tensor", lambda T: T.special.modified_bessel_k1(T.tensor([True]))),
    ("0-d", lambda T: T.special.airy_ai(T.tensor(-3.5))),
    ("empty", lambda T: T.special.spherical_bessel_j0(T.zeros(0, 3))),
    ("2-d", lambda T: T.special.bessel_y1(T.linspace(0.1, 9, 12).reshape(3, 4))),
    ("non-contiguous", lambda T: T.special.modified_bessel_i1(T.linspace(-9, 9, 12)
                                                                 .reshape(3, 4).t())),
]


@pytest.mark.slow
@pytest.mark.parametrize("label,prog", FORMS, ids=[f[0] for f in FORMS])
def test_forms(label: str, prog: Callable[[Any], Any]) -> None:
    _same(prog(adcli), prog(torch))


@pytest.mark.slow
def test_no_grad_and_out() -> None:
    for ns in (torch, adcli):
        x = ns.tensor([0.5, 1.5], requires_grad=True)
        # torch defines no derivative: the results are new leaves
        assert not ns.special.bessel_j0(x).requires_grad
        assert not ns.special.chebyshev_polynomial_t(x, 3).requires_grad
        assert ns.special.chebyshev_polynomial_t(x, 3).grad_fn is None
    got, want = adcli.empty(2), torch.empty(2)
    r = adcli.special.scaled_modified_bessel_k0(adcli.tensor([0.5, 3.0]), out=got)
    torch.special.scaled_modified_bessel_k0(torch.tensor([0.5, 3.0]), out=want)
    assert r is got
    _same(got, want)
    got, want = adcli.empty(0), torch.empty(0)
    adcli.special.legendre_polynomial_p(adcli.tensor([0.5, 0.25]), 4, out=got)
    torch.special.legendre_polynomial_p(torch.tensor([0.5, 0.25]), 4, out=want)
    _same(got, want)


ERRORS: list[tuple[str, Callable[[Any], Any]]] = [
    ("two numbers", lambda T: T.special.chebyshev_polynomial_t(2.0, 3)),
    ("number input", lambda T: T.special.bessel_j0(1.0)),
    ("float16", lambda T: T.special.bessel_j0(T.tensor([1.0], dtype=T.float16))),
    ("float16 poly", lambda T: T.special.hermite_polynomial_h(
        T.tensor([1.0], dtype=T.float16), 2)),
]


@pytest.mark.slow
@pytest.mark.parametrize("label,prog", ERRORS, ids=[e[0] for e in ERRORS])
def test_errors(label: str, prog: Callable[[Any], Any]) -> None:
    with pytest.raises((RuntimeError, TypeError)) as want:
        prog(torch)
    with pytest.raises((RuntimeError, TypeError)) as got:
        prog(adcli)
    assert isinstance(got.value, type(want.value))
    assert str(got.value) == str(want.value)


def test_names_listed() -> None:
    import adcli.special as S

    for name in UNARY + POLY:
        assert name in S.__all__ and callable(getattr(S, name))
