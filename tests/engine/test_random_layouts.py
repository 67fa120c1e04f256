"""Same seed, same numbers, whatever the inputs' layout: expanded (stride-0), transposed and
sliced probabilities, means and ``*_like`` templates draw what torch draws.

torch decides the order of the draws from the output's layout: ``torch.bernoulli`` writes into
a contiguous tensor (LEGACY_CONTIGUOUS_MEMORY_FORMAT), the ``*_like`` functions and
``multinomial``'s exponentials into ``empty_like(input)`` (a dense input's strides, else the
strides torch infers, where a broadcast axis keeps its place).
"""

from __future__ import annotations

import numpy as np
import pytest
from requires import require_torch

import adcli

torch = require_torch()
pytestmark = pytest.mark.needs_torch

SEEDS = [0, 1, 12345]
DTYPES = [("float32", torch.float32), ("float64", torch.float64)]


def _layouts(m, dt):
    base = m.linspace(0.05, 0.95, 24, dtype=dt)
    return {
        "contiguous": base.reshape(4, 6),
        "transposed": base.reshape(6, 4).t(),
        "expanded_cols": base[:6].expand(4, 6),
        "expanded_rows": base[:4].reshape(4, 1).expand(4, 6),
        "sliced": base.reshape(4, 6)[:, ::2],
        "expanded_3d": base[:6].reshape(1, 6, 1).expand(2, 6, 3).transpose(0, 2),
        "expanded_scalar": base[3].expand(5),
    }


CALLS = {
    "bernoulli": lambda m, p: m.bernoulli(p),
    "bernoulli_p": lambda m, p: m.bernoulli(p, p=0.3),
    "Tensor.bernoulli": lambda m, p: p.bernoulli(),
    "bernoulli_(p tensor)": lambda m, p: m.zeros(p.shape, dtype=p.dtype).bernoulli_(p),
    "normal(t, t)": lambda m, p: m.normal(p, p * 2),
    "normal(t, float)": lambda m, p: m.normal(p, 2.0),
    "normal(float, t)": lambda m, p: m.normal(0.5, p),
    "rand_like": lambda m, p: m.rand_like(p),
    "randn_like": lambda m, p: m.randn_like(p),
    "randint_like": lambda m, p: m.randint_like(p, 3, 10),
    "multinomial": lambda m, p: m.multinomial(p, 3) if p.dim() == 2 else m.multinomial(p, 2),
    "multinomial_replacement": lambda m, p: m.multinomial(p, 7, replacement=True)
    if p.dim() <= 2 else m.multinomial(p[0], 7, replacement=True),
    "dropout": lambda m, p: m.nn.functional.dropout(p, 0.4),
    # rates from 1.5 to 28.5: both of torch's samplers (products of uniforms below 10,
    # Hoermann's rejection from 10 on)
    "poisson": lambda m, p: m.poisson(p * 30),
}


@pytest.fixture(scope="module")
def mt19937_kernels() -> None:
    torch.manual_seed(0)
    torch.zeros(10).bernoulli_(0.5)
    after = torch.rand(4)
    torch.manual_seed(0)
    torch.zeros(10, dtype=torch.float64).uniform_()
    if not torch.equal(after, torch.rand(4)):
        pytest.skip("this torch build draws bernoulli_(p) from MKL's stream, not mt19937")
    if torch.backends.cpu.get_cpu_capability() == "DEFAULT":
        pytest.skip("torch runs its non-vectorised kernels here; adcli mirrors the AVX2 ones")


def _result(fn, m, p):
    try:
        return fn(m, p)
    except Exception as exc:  # both must fail alike
        return exc


@pytest.mark.usefixtures("mt19937_kernels")
@pytest.mark.parametrize("call", list(CALLS))
@pytest.mark.parametrize("name,tdt", DTYPES)
def test_draws_follow_torchs_layout_rules(call, name, tdt):
    fn = CALLS[call]
    compared = 0
    for seed in SEEDS:
        for layout in _layouts(torch, tdt):
            if call.startswith("multinomial") and layout == "expanded_3d":
                continue  # torch: prob_dist must be 1 or 2 dim (both refuse it)
            torch.manual_seed(seed)
            adcli.manual_seed(seed)
            want = _result(fn, torch, _layouts(torch, tdt)[layout])
            got = _result(fn, adcli, _layouts(adcli, name)[layout])
            if isinstance(want, Exception):
                assert isinstance(got, Exception), (layout, seed, got)
                continue
            assert not isinstance(got, Exception), (layout, seed, got)
            x, y = got.detach().numpy(), want.detach().numpy()
            assert x.shape == y.shape, (layout, seed)
            assert np.array_equal(x, y), (layout, seed, x, y)
            # and the generator is left where torch's is
            assert np.array_equal(adcli.get_rng_state().numpy(),
                                  torch.get_rng_state().numpy()), (layout, seed)
            compared += 1
    assert compared >= 12


@pytest.mark.usefixtures("mt19937_kernels")
def test_generator_states_and_clones_after_layout_draws():
    ga, gt = adcli.Generator(), torch.Generator()
    ga.manual_seed(3)
    gt.manual_seed(3)
    pa = adcli.linspace(0.1, 0.9, 6, dtype=adcli.float64).expand(4, 6)
    pt = torch.linspace(0.1, 0.9, 6, dtype=torch.float64).expand(4, 6)
    assert np.array_equal(adcli.bernoulli(pa, generator=ga).numpy(),
                          torch.bernoulli(pt, generator=gt).numpy())
    ca, ct = ga.clone_state(), gt.clone_state()
    assert np.array_equal(ga.get_state().numpy(), gt.get_state().numpy())
    assert np.array_equal(adcli.rand_like(pa, generator=ca).numpy(),
                          torch.rand_like(pt, generator=ct).numpy())
    # the clone's draws leave the original where it was
    assert np.array_equal(adcli.rand(3, generator=ga).numpy(),
                          torch.rand(3, generator=gt).numpy())


def test_poisson_nodes_gradients_and_errors_are_torchs():
    xa = adcli.tensor([1.0, 20.0], requires_grad=True)
    xt = torch.tensor([1.0, 20.0], requires_grad=True)
    ya, yt = adcli.poisson(xa), torch.poisson(xt)
    assert ya.grad_fn.name() == type(yt.grad_fn).__name__ == "PoissonBackward0"
    ya.sum().backward()
    yt.sum().backward()
    assert np.array_equal(xa.grad.numpy(), xt.grad.numpy())
    for bad in ([-1.0], [float("nan")]):
        with pytest.raises(RuntimeError) as want:
            torch.poisson(torch.tensor(bad))
        with pytest.raises(adcli.InvalidArgumentError) as got:
            adcli.poisson(adcli.tensor(bad))
        assert str(got.value) == str(want.value)
