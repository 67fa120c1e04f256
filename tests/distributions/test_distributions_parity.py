"""adcli.distributions against torch.distributions 2.13: the same program on both (same seed,
so the same samples), comparing every sample, log_prob, entropy, cdf/icdf, moment, KL value,
the gradients reaching the parameters, reprs and shapes; and the validation errors."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from requires import require_torch

torch = require_torch()
pytestmark = pytest.mark.needs_torch

import torch.distributions as TD  # noqa: E402

import adcli  # noqa: E402
import adcli.distributions as AD  # noqa: E402


def _f64(T: Any, x: Any, grad: bool = False) -> Any:
    return T.tensor(x, dtype=T.float64, requires_grad=grad)


def run(T: Any, D: Any) -> dict[str, Any]:
    """Every sample, statistic and gradient of a program on the basic distributions."""
    out: dict[str, Any] = {}
    T.manual_seed(0)
    loc = _f64(T, [0.5, -1.0, 2.0], True)
    sc = _f64(T, [1.0, 0.5, 2.0], True)
    n = D.Normal(loc, sc)
    out["n.sample"] = n.sample((2,))
    out["n.rsample"] = n.rsample((2,))
    v = _f64(T, [0.1, 0.2, 0.3])
    out["n.logp"] = n.log_prob(v)
    out["n.ent"] = n.entropy()
    out["n.cdf"] = n.cdf(v)
    out["n.icdf"] = n.icdf(_f64(T, [0.1, 0.5, 0.9]))
    out["n.mean"], out["n.std"], out["n.var"] = n.mean, n.stddev, n.variance
    q = D.Normal(T.zeros(3, dtype=T.float64), T.ones(3, dtype=T.float64) * 2)
    out["kl"] = D.kl_divergence(n, q)
    out["f32 sample"] = D.Normal(0.0, 1.0).sample((5,))
    out["f32 rsample"] = D.Normal(T.zeros(2), T.ones(2)).rsample((3,))
    b = D.Bernoulli(probs=_f64(T, [0.2, 0.7, 0.5], True))
    out["b.sample"] = b.sample((4,))
    out["b.logp"] = b.log_prob(_f64(T, [1.0, 0.0, 1.0]))
    out["b.ent"], out["b.logits"], out["b.var"] = b.entropy(), b.logits, b.variance
    bl = D.Bernoulli(logits=_f64(T, [0.3, -2.0]))
    out["bl.probs"], out["bl.sample"] = bl.probs, bl.sample()
    out["kl bernoulli"] = D.kl_divergence(b, D.Bernoulli(probs=_f64(T, [0.5, 0.5, 0.1])))
    c = D.Categorical(probs=_f64(T, [[0.2, 0.3, 0.5], [0.6, 0.3, 0.1]], True))
    out["c.sample"] = c.sample((5,))
    out["c.logp"] = c.log_prob(T.tensor([2, 0]))
    out["c.ent"], out["c.mode"] = c.entropy(), c.mode
    cl = D.Categorical(logits=_f64(T, [1.0, 2.0, -1.0]))
    out["cl.probs"], out["cl.sample"] = cl.probs, cl.sample((6,))
    out["cl.logp"] = cl.log_prob(T.tensor([0, 1, 2]))
    out["kl categorical"] = D.kl_divergence(c, D.Categorical(logits=_f64(T, [0.0, 1.0, 2.0])))
    u = D.Uniform(_f64(T, [0.0, 1.0], True), _f64(T, [2.0, 4.0]))
    out["u.rsample"] = u.rsample((3,))
    out["u.logp"] = u.log_prob(_f64(T, [1.0, 3.5]))
    out["u.ent"], out["u.mean"], out["u.std"] = u.entropy(), u.mean, u.stddev
    out["u.cdf"] = u.cdf(_f64(T, [1.0, 3.5]))
    cov = _f64(T, [[2.0, 0.5], [0.5, 1.0]], True)
    m = D.MultivariateNormal(_f64(T, [1.0, -1.0]), cov)
    out["m.rsample"] = m.rsample((3,))
    out["m.logp"] = m.log_prob(_f64(T, [[0.5, 0.5], [1.0, -2.0]]))
    out["m.ent"], out["m.var"] = m.entropy(), m.variance
    out["m.cov"], out["m.tril"] = m.covariance_matrix, m.scale_tril
    mp = D.MultivariateNormal(T.zeros(2, dtype=T.float64),
                              precision_matrix=_f64(T, [[2.0, 0.5], [0.5, 1.0]]))
    out["mp.tril"] = mp.scale_tril
    # every differentiable result into one loss, so every formula meets the gradient
    total = sum(o.sum() for o in out.values()
                if o.dtype in (T.float32, T.float64) and o.requires_grad)
    total.backward()
    out["g.loc"], out["g.sc"], out["g.cov"] = loc.grad, sc.grad, cov.grad
    out["repr"] = [repr(n), repr(b), repr(c), repr(u), repr(m), repr(D.Normal(0.0, 1.0)),
                   repr(bl)]
    out["shapes"] = [(tuple(x.batch_shape), tuple(x.event_shape)) for x in (n, b, c, u, m)]
    return out


@pytest.mark.slow
def test_distributions_match_torch() -> None:
    want, got = run(torch, TD), run(adcli, AD)
    assert list(got) == list(want)
    for key, w in want.items():
        g = got[key]
        if isinstance(w, torch.Tensor):
            assert tuple(g.shape) == tuple(w.shape), key
            assert str(g.dtype) == str(w.dtype), key
            gf = w.grad_fn.name() if w.grad_fn is not None else None
            assert (g.grad_fn.name() if g.grad_fn is not None else None) == gf, key
            np.testing.assert_allclose(g.detach().numpy(), w.detach().numpy(), rtol=1e-10,
                                       atol=1e-12, err_msg=key)
        else:
            assert g == w, key


def _t(T: Any, x: Any) -> Any:
    return T.tensor(x)


ERRORS: list[tuple[str, Callable[[Any, Any], Any]]] = [
    ("normal negative scale", lambda T, D: D.Normal(_t(T, [0.0]), _t(T, [-1.0]))),
    ("normal negative scale batch", lambda T, D: D.Normal(T.zeros(3), _t(T, [1.0, -1.0, 2.0]))),
    ("normal numbers", lambda T, D: D.Normal(0.0, -1.0)),
    ("bernoulli both", lambda T, D: D.Bernoulli(probs=_t(T, 0.3), logits=_t(T, 0.0))),
    ("bernoulli none", lambda T, D: D.Bernoulli()),
    ("bernoulli probs", lambda T, D: D.Bernoulli(probs=_t(T, [1.5, 0.2]))),
    ("bernoulli log_prob support", lambda T, D: D.Bernoulli(probs=_t(T, [0.5, 0.2])).log_prob(
        _t(T, [0.5, 1.0]))),
    ("categorical simplex", lambda T, D: D.Categorical(probs=_t(T, [-0.1, 0.5]))),
    ("categorical 0-d", lambda T, D: D.Categorical(probs=_t(T, 0.5))),
    ("categorical log_prob support", lambda T, D: D.Categorical(probs=_t(T, [0.3, 0.7]))
     .log_prob(_t(T, 2))),
    ("uniform low >= high", lambda T, D: D.Uniform(_t(T, 1.0), _t(T, 0.0))),
    ("uniform log_prob support", lambda T, D: D.Uniform(0.0, 1.0).log_prob(_t(T, 2.0))),
    ("mvn not positive-definite", lambda T, D: D.MultivariateNormal(
        T.zeros(2), _t(T, [[1.0, 2.0], [2.0, 1.0]]))),
    ("mvn no matrix", lambda T, D: D.MultivariateNormal(T.zeros(2))),
    ("mvn 0-d loc", lambda T, D: D.MultivariateNormal(_t(T, 0.0), T.eye(1))),
    ("log_prob shape", lambda T, D: D.Normal(T.zeros(3), 1.0).log_prob(T.zeros(2))),
    ("sample shape not a tuple", lambda T, D: D.Normal(T.zeros(3), 1.0).sample(2)),
]


@pytest.mark.slow
@pytest.mark.parametrize("label,prog", ERRORS, ids=[e[0] for e in ERRORS])
def test_distribution_errors(label: str, prog: Callable[[Any, Any], Any]) -> None:
    with pytest.raises(Exception) as want:
        prog(torch, TD)
    with pytest.raises(Exception) as got:
        prog(adcli, AD)
    assert type(got.value).__name__ == type(want.value).__name__
    assert str(got.value) == str(want.value)
