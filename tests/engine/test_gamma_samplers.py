"""torch._standard_gamma, _sample_dirichlet, binomial and poisson draw torch's numbers, bit for
bit, for several seeds, dtypes and parameter ranges (alpha < 1 and > 1, counts from 0 to
10**6, both of torch's binomial samplers); the reparameterisation gradients
(_standard_gamma_grad, _dirichlet_grad) equal torch's kernels; grad_fns, edges and errors are
torch's."""

from __future__ import annotations

import numpy as np
import pytest
from requires import require_torch

import adcli

torch = require_torch()
pytestmark = [pytest.mark.needs_torch, pytest.mark.slow]

SEEDS = [0, 1, 7, 12345]
DTYPES = ["float32", "float64"]
ALPHAS = {
    "mixed": [0.1, 0.5, 0.99, 1.0, 1.5, 3.0, 20.0, 1000.0],
    "tiny and zero": [0.0, 1e-3, 2.5, 1e-5, 0.2, 0.0, 7.0, 0.05],
}
BINOMIAL = {
    "small n p (inversion)": ([5.0, 10, 3, 7, 0, 3, 2], [0.3, 0.5, 0.2, 0.9, 0.5, 1.0, 0.0]),
    "BTRS both sides": ([50.0] * 6, [0.05, 0.2, 0.5, 0.7, 0.95, 0.99]),
    "large counts": ([1e6, 12345.0, 7.0, 500.0], [0.4, 0.6, 0.999, 0.02]),
}


def _pair(name: str, dt: str, *arrays: list[float]) -> tuple[list, list]:
    return ([adcli.tensor(a, dtype=getattr(adcli, dt)) for a in arrays],
            [torch.tensor(a, dtype=getattr(torch, dt)) for a in arrays])


def _same(fa, ft, seed: int) -> None:
    adcli.manual_seed(seed)
    got = fa()
    after_a = adcli.rand(3)
    torch.manual_seed(seed)
    want = ft()
    after_t = torch.rand(3)
    assert str(got.dtype) == str(want.dtype)
    np.testing.assert_array_equal(got.numpy(), want.numpy())
    # the generator is left where torch leaves it (same number of draws, cached normal too)
    np.testing.assert_array_equal(after_a.numpy(), after_t.numpy())


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("dt", DTYPES)
@pytest.mark.parametrize("alphas", list(ALPHAS))
def test_standard_gamma_and_dirichlet_draw_torchs_numbers(seed: int, dt: str,
                                                           alphas: str) -> None:
    (a,), (t,) = _pair("alpha", dt, ALPHAS[alphas])
    _same(lambda: adcli._standard_gamma(a), lambda: torch._standard_gamma(t), seed)
    _same(lambda: adcli._standard_gamma(a.reshape(2, 4).t()),
          lambda: torch._standard_gamma(t.reshape(2, 4).t()), seed)
    _same(lambda: adcli._sample_dirichlet(a.reshape(2, 4)),
          lambda: torch._sample_dirichlet(t.reshape(2, 4)), seed)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("dt", DTYPES)
@pytest.mark.parametrize("case", list(BINOMIAL))
def test_binomial_draws_torchs_numbers(seed: int, dt: str, case: str) -> None:
    (n, p), (tn, tp) = _pair("binomial", dt, *BINOMIAL[case])
    _same(lambda: adcli.binomial(n, p), lambda: torch.binomial(tn, tp), seed)


def test_generator_argument_and_poisson_large_rates() -> None:
    ga, gt = adcli.Generator().manual_seed(3), torch.Generator().manual_seed(3)
    a, t = adcli.tensor([0.3, 4.0]), torch.tensor([0.3, 4.0])
    np.testing.assert_array_equal(adcli._standard_gamma(a, generator=ga).numpy(),
                                  torch._standard_gamma(t, generator=gt).numpy())
    n, p = adcli.tensor([40.0, 3.0]), adcli.tensor([0.5, 0.1])
    np.testing.assert_array_equal(
        adcli.binomial(n, p, generator=ga).numpy(),
        torch.binomial(torch.tensor([40.0, 3.0]), torch.tensor([0.5, 0.1]), generator=gt).numpy())
    rates = [0.0, 0.5, 9.99, 10.0, 150.0, 1e4]
    _same(lambda: adcli.poisson(adcli.tensor(rates, dtype=adcli.float64)),
          lambda: torch.poisson(torch.tensor(rates, dtype=torch.float64)), 5)


@pytest.mark.parametrize("dt", DTYPES)
def test_reparameterisation_gradients_are_torchs_kernels(dt: str) -> None:
    rng = np.random.default_rng(0)
    # every branch: x < 0.8 (series), alpha > 8 near and off the mode (Rice), the rational fit
    alpha = np.concatenate([rng.uniform(0.05, 3, 200), rng.uniform(3, 50, 200),
                            [0.1, 9.0, 20.0, 100.0]])
    x = np.concatenate([rng.gamma(alpha[:400]), [0.01, 9.0, 25.0, 80.0]])
    T, A = getattr(torch, dt), getattr(adcli, dt)
    want = torch._standard_gamma_grad(torch.tensor(alpha, dtype=T), torch.tensor(x, dtype=T))
    got = adcli._standard_gamma_grad(adcli.tensor(alpha, dtype=A), adcli.tensor(x, dtype=A))
    np.testing.assert_array_equal(got.numpy(), want.numpy())
    # Beta gradients: near 0, near 1, both concentrations large, the rational correction
    a, b = rng.uniform(0.05, 12, 400), rng.uniform(0.05, 12, 400)
    xs = np.clip(rng.beta(a, b), 1e-6, 1 - 1e-6)
    args = [xs, a, a + b]
    want = torch._dirichlet_grad(*[torch.tensor(v, dtype=T) for v in args])
    got = adcli._dirichlet_grad(*[adcli.tensor(v, dtype=A) for v in args])
    np.testing.assert_array_equal(got.numpy(), want.numpy())


def test_nodes_gradients_and_second_order_are_torchs() -> None:
    def run(m):
        m.manual_seed(0)
        a = m.tensor([0.5, 2.0, 9.0], dtype=m.float64, requires_grad=True)
        y = m._standard_gamma(a)
        (g,) = m.autograd.grad(y.sum(), a, create_graph=True)
        c = m.tensor([5.0, 30.0], requires_grad=True)
        b = m.binomial(c, m.tensor([0.3, 0.6], requires_grad=True))
        d = m._sample_dirichlet(m.tensor([1.0, 2.0], requires_grad=True))
        sg = m._standard_gamma_grad(a, y.detach())
        names = [y.grad_fn.name(), g.grad_fn.name(), b.grad_fn.name(), d.grad_fn.name(),
                 sg.grad_fn.name(), len(b.grad_fn.next_functions),
                 len(sg.grad_fn.next_functions)]
        errors = []
        for out in (g.sum(), b.sum(), d.sum()):
            with pytest.raises(Exception) as e:
                out.backward()
            errors.append((type(e.value).__mro__[-3].__name__
                           if type(e.value).__name__ != "RuntimeError" else "RuntimeError",
                           str(e.value)))
        return y, g, names, errors

    ya, ga, na, ea = run(adcli)
    yt, gt, nt, et = run(torch)
    np.testing.assert_array_equal(ya.detach().numpy(), yt.detach().numpy())
    np.testing.assert_array_equal(ga.detach().numpy(), gt.detach().numpy())
    assert na == nt
    assert [m for _, m in ea] == [m for _, m in et]
    assert [isinstance(e, str) for e in ea]


ERRORS = [
    ("gamma of Long", lambda m: m._standard_gamma(m.tensor([1, 2]))),
    ("dirichlet of Long", lambda m: m._sample_dirichlet(m.tensor([1, 2]))),
    ("binomial Long count", lambda m: m.binomial(m.tensor([1, 2]), m.tensor([0.5, 0.5]))),
    ("binomial Long prob", lambda m: m.binomial(m.tensor([1.0, 2.0]), m.tensor([1, 0]))),
    ("binomial dtypes", lambda m: m.binomial(m.tensor([1.0, 2.0]),
                                             m.tensor([0.5, 0.5], dtype=m.float64))),
]


@pytest.mark.parametrize("label,prog", ERRORS, ids=[e[0] for e in ERRORS])
def test_errors_are_torchs(label: str, prog) -> None:
    with pytest.raises(Exception) as want:
        prog(torch)
    with pytest.raises(Exception) as got:
        prog(adcli)
    assert str(got.value) == str(want.value)
    assert isinstance(got.value, type(want.value)) or type(want.value) is RuntimeError


def test_parameter_edges_match() -> None:
    for m in (adcli, torch):
        m.manual_seed(0)
    vals = [-1.0, float("nan"), 0.0]
    np.testing.assert_array_equal(adcli._standard_gamma(adcli.tensor(vals)).numpy(),
                                  torch._standard_gamma(torch.tensor(vals)).numpy())
    n, p = [-1.0, 3, 3, 3.0], [0.5, -1.0, 2.0, float("nan")]
    np.testing.assert_array_equal(
        adcli.binomial(adcli.tensor(n), adcli.tensor(p)).numpy(),
        torch.binomial(torch.tensor(n), torch.tensor(p)).numpy())
