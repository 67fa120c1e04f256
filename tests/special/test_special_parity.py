"""adcli.special against torch.special 2.13: values over wide input ranges (tails, poles,
zeros) in float64 and float32, grad_fn names, gradients and second derivatives."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from requires import require_torch

torch = require_torch()
pytestmark = pytest.mark.needs_torch

import adcli  # noqa: E402

RNG = np.random.default_rng(3)
WIDE = np.concatenate([RNG.uniform(-30, 30, 40), [-5.5, -1.0, -0.5, 0.0, 0.5, 1.0, 2.0, 1e-8,
                                                  -1e-8, 7.25, 80.0, 150.0, -200.0, 700.0]])
POS = np.concatenate([RNG.uniform(1e-3, 40, 40), [1e-6, 0.5, 1.0, 2.0, 9.5, 10.0, 1e3]])
UNIT = np.concatenate([RNG.uniform(0, 1, 40), [0.0, 1.0, 1e-300, 1e-20, 1e-10, 0.5,
                                               1 - 1e-10, 1 - 1e-16]])
SIGNED_UNIT = np.concatenate([RNG.uniform(-1, 1, 40), [-1.0, 1.0, 0.0, 1e-12, -0.999999999,
                                                       0.9999999999]])
NORMAL = np.concatenate([RNG.uniform(-10, 10, 40), [-40.0, -38.5, -20.0, -5.0, -1.0, -0.99, 0.0,
                                                    1.0, 5.0, 9.0, 30.0]])

# name, fn(S, x), inputs, rtol in float64
VALUES: list[tuple[str, Callable[[Any, Any], Any], np.ndarray, float]] = [
    ("expit", lambda S, x: S.expit(x), WIDE, 1e-15),
    ("logit", lambda S, x: S.logit(x), UNIT, 1e-14),
    ("logit eps", lambda S, x: S.logit(x, eps=1e-3), UNIT, 1e-14),
    ("erf", lambda S, x: S.erf(x), WIDE, 1e-15),
    ("erfc", lambda S, x: S.erfc(x), WIDE, 1e-14),
    ("erfcx", lambda S, x: S.erfcx(x), NORMAL, 1e-13),
    ("erfinv", lambda S, x: S.erfinv(x), SIGNED_UNIT, 1e-13),
    ("gammaln", lambda S, x: S.gammaln(x), WIDE, 1e-13),
    ("digamma", lambda S, x: S.digamma(x), WIDE, 1e-12),
    ("psi", lambda S, x: S.psi(x), POS, 1e-13),
    ("polygamma 1", lambda S, x: S.polygamma(1, x), POS, 1e-12),
    ("polygamma 3", lambda S, x: S.polygamma(3, x), POS, 1e-12),
    ("multigammaln", lambda S, x: S.multigammaln(x, 3), POS + 1.5, 1e-13),
    ("i0", lambda S, x: S.i0(x), WIDE[np.abs(WIDE) < 700], 1e-13),
    ("i0e", lambda S, x: S.i0e(x), WIDE, 1e-13),
    ("i1", lambda S, x: S.i1(x), WIDE[np.abs(WIDE) < 700], 1e-13),
    ("i1e", lambda S, x: S.i1e(x), WIDE, 1e-13),
    ("ndtr", lambda S, x: S.ndtr(x), NORMAL, 1e-13),
    ("ndtri", lambda S, x: S.ndtri(x), UNIT, 1e-12),
    ("log_ndtr", lambda S, x: S.log_ndtr(x), NORMAL, 1e-12),
    ("sinc", lambda S, x: S.sinc(x), WIDE, 1e-13),
    ("entr", lambda S, x: S.entr(x), np.concatenate([UNIT, [-1.0, 3.0]]), 1e-14),
    ("xlogy", lambda S, x: S.xlogy(x, x + 1.5), UNIT, 1e-14),
    ("xlog1py", lambda S, x: S.xlog1py(x, x * 3 - 0.5), UNIT, 1e-14),
    ("xlog1py scalar", lambda S, x: S.xlog1py(2.0, x), UNIT, 1e-14),
    ("zeta", lambda S, x: S.zeta(x + 1.5, x + 0.25), POS, 1e-12),
    ("logsumexp", lambda S, x: S.logsumexp(x.reshape(-1, 2), 1), WIDE[:54], 1e-14),
    ("softmax", lambda S, x: S.softmax(x.reshape(-1, 2), 1), WIDE[:54], 1e-14),
    ("log_softmax", lambda S, x: S.log_softmax(x.reshape(-1, 2), 0), WIDE[:54], 1e-14),
    ("round", lambda S, x: S.round(x), WIDE, 0),
    ("exp2", lambda S, x: S.exp2(x), WIDE, 1e-15),
    ("expm1", lambda S, x: S.expm1(x), WIDE, 1e-15),
    ("log1p", lambda S, x: S.log1p(x), UNIT, 1e-15),
    ("torch.lgamma", lambda S, x: (adcli if S is adcli.special else torch).lgamma(x), POS, 1e-13),
    ("Tensor.digamma", lambda S, x: x.digamma(), POS, 1e-13),
    ("Tensor.polygamma", lambda S, x: x.polygamma(2), POS, 1e-12),
    ("Tensor.erfinv", lambda S, x: x.erfinv(), SIGNED_UNIT, 1e-13),
    ("Tensor.logit", lambda S, x: x.logit(), UNIT, 1e-14),
    ("Tensor.mvlgamma", lambda S, x: x.mvlgamma(2), POS + 1, 1e-13),
]


def _values(ns: Any, S: Any, fn: Callable[..., Any], x: np.ndarray, dt: Any) -> Any:
    return fn(S, ns.tensor(x, dtype=dt))


@pytest.mark.slow
@pytest.mark.parametrize("case", VALUES, ids=[v[0] for v in VALUES])
@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_special_values(case: Any, dtype: str) -> None:
    name, fn, x, rtol = case
    want = _values(torch, torch.special, fn, x, getattr(torch, dtype))
    got = _values(adcli, adcli.special, fn, x, getattr(adcli, dtype))
    assert str(got.dtype) == str(want.dtype)
    tol = rtol if dtype == "float64" else max(rtol, 5e-6)
    # expit: adcli's sigmoid is 0.5 (tanh(x/2) + 1), whose far negative tail is absolute-accurate
    atol = 0.0 if tol == 0 else (1e-16 if name == "expit" else 1e-300)
    if name == "expit" and dtype == "float32":
        atol = 1e-7
    np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=tol, atol=atol)


# name, fn(S, x), inputs (moderate, away from poles): grad_fn name, gradient, second derivative
GRADS: list[tuple[str, Callable[[Any, Any], Any], np.ndarray]] = [
    ("logit", lambda S, x: S.logit(x), UNIT[:40]),
    ("logit eps", lambda S, x: S.logit(x, eps=0.2), UNIT[:40]),
    ("erfc", lambda S, x: S.erfc(x), SIGNED_UNIT[:40] * 3),
    ("erfcx", lambda S, x: S.erfcx(x), SIGNED_UNIT[:40] * 3),
    ("erfinv", lambda S, x: S.erfinv(x), SIGNED_UNIT[:40] * 0.99),
    ("gammaln", lambda S, x: S.gammaln(x), POS[:40]),
    ("digamma", lambda S, x: S.digamma(x), POS[:40]),
    ("polygamma", lambda S, x: S.polygamma(2, x), POS[:40] + 0.5),
    ("multigammaln", lambda S, x: S.multigammaln(x, 2), POS[:40] + 1),
    ("i0", lambda S, x: S.i0(x), SIGNED_UNIT[:40] * 5),
    ("i0e", lambda S, x: S.i0e(x), SIGNED_UNIT[:40] * 5),
    ("i1", lambda S, x: S.i1(x), np.append(SIGNED_UNIT[:40] * 5, 0.0)),
    ("i1e", lambda S, x: S.i1e(x), np.append(SIGNED_UNIT[:40] * 5, 0.0)),
    ("ndtr", lambda S, x: S.ndtr(x), NORMAL[:40]),
    ("ndtri", lambda S, x: S.ndtri(x), UNIT[:40] * 0.98 + 0.01),
    ("log_ndtr", lambda S, x: S.log_ndtr(x), NORMAL[:40]),
    ("sinc", lambda S, x: S.sinc(x), np.append(SIGNED_UNIT[:40] * 3, 0.0)),
    ("entr", lambda S, x: S.entr(x), UNIT[:40] + 0.01),
    ("xlog1py", lambda S, x: S.xlog1py(x, x * 2), UNIT[:40]),
    ("xlog1py scalar self", lambda S, x: S.xlog1py(2.0, x), UNIT[:40]),
    ("xlog1py scalar other", lambda S, x: S.xlog1py(x, 2.0), UNIT[:40]),
    ("xlog1py at -1", lambda S, x: S.xlog1py(x * (x > 0.5), x * 0 - 1), UNIT[:40]),
    ("zeta", lambda S, x: S.zeta(3.0, x), POS[:40]),
]


def _grads(ns: Any, S: Any, fn: Callable[..., Any], x: np.ndarray, w: np.ndarray) -> Any:
    t = ns.tensor(x, dtype=ns.float64, requires_grad=True)
    out = fn(S, t)
    name = out.grad_fn.name()
    (g,) = ns.autograd.grad((out * ns.tensor(w)).sum(), t, create_graph=True)
    gg = None
    if g.requires_grad:
        (gg,) = ns.autograd.grad((g * ns.tensor(w[::-1].copy())).sum(), t, allow_unused=True)
    return name, g.detach().numpy(), None if gg is None else gg.numpy()


@pytest.mark.slow
@pytest.mark.parametrize("case", GRADS, ids=[g[0] for g in GRADS])
def test_special_grads(case: Any) -> None:
    _, fn, x = case
    w = RNG.standard_normal(x.shape)
    tn, tg, tgg = _grads(torch, torch.special, fn, x, w)
    an, ag, agg = _grads(adcli, adcli.special, fn, x, w)
    assert an == tn
    np.testing.assert_allclose(ag, tg, rtol=1e-11, atol=1e-14)
    assert (agg is None) == (tgg is None)
    if tgg is not None:
        np.testing.assert_allclose(agg, tgg, rtol=1e-9, atol=1e-12)


ERRORS: list[tuple[str, Callable[[Any], Any]]] = [
    ("polygamma negative n", lambda T: T.special.polygamma(-1, T.ones(2))),
    ("multigammaln p", lambda T: T.mvlgamma(T.tensor([3.0]), 0)),
]


@pytest.mark.slow
@pytest.mark.parametrize("label,prog", ERRORS, ids=[e[0] for e in ERRORS])
def test_special_error_parity(label: str, prog: Callable[[Any], Any]) -> None:
    with pytest.raises(RuntimeError) as want:
        prog(torch)
    with pytest.raises(RuntimeError) as got:
        prog(adcli)
    assert str(got.value) == str(want.value)
