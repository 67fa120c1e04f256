"""kl_divergence for the pairs torch registers among adcli's distributions beyond the basic
ones, against torch 2.13: values, gradients reaching both sides' parameters, grad_fn names,
which rule is dispatched (through subclasses, Independent, TransformedDistribution and the
exponential-family Bregman rule) and the errors word for word."""

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


def _params(T: Any) -> dict[str, Any]:
    return {"loc": _f64(T, [0.5, -1.0, 2.0], True), "sc": _f64(T, [1.0, 0.5, 2.0], True),
            "loc2": _f64(T, [0.0, 1.0, -0.5], True), "sc2": _f64(T, [2.0, 1.5, 0.7], True),
            "pr": _f64(T, [0.2, 0.4995, 0.9], True), "pr2": _f64(T, [0.6, 0.3, 0.05], True),
            "W": _f64(T, [[1.0, 0.5], [0.2, -0.3], [0.0, 1.5]], True),
            "W2": _f64(T, [[0.3, 0.1], [1.2, 0.3], [-0.4, 0.5]], True),
            "cov": _f64(T, [[2.0, 0.5, 0.1], [0.5, 1.0, 0.2], [0.1, 0.2, 1.5]], True)}


PAIRS: list[tuple[str, Callable[[Any, Any, dict[str, Any]], tuple[Any, Any]]]] = [
    ("mvn mvn", lambda T, D, P: (D.MultivariateNormal(P["loc"], P["cov"]),
                                 D.MultivariateNormal(P["loc2"], scale_tril=T.diag_embed(
                                     P["sc2"])))),
    ("mvn mvn batch", lambda T, D, P: (
        D.MultivariateNormal(P["loc"].expand(2, 3), P["cov"]),
        D.MultivariateNormal(P["loc2"], P["cov"] * 2))),
    ("lowrank lowrank", lambda T, D, P: (D.LowRankMultivariateNormal(P["loc"], P["W"], P["sc"]),
                                         D.LowRankMultivariateNormal(P["loc2"], P["W2"],
                                                                     P["sc2"]))),
    ("mvn lowrank", lambda T, D, P: (D.MultivariateNormal(P["loc"], P["cov"]),
                                     D.LowRankMultivariateNormal(P["loc2"], P["W2"], P["sc2"]))),
    ("lowrank mvn", lambda T, D, P: (D.LowRankMultivariateNormal(P["loc"], P["W"], P["sc"]),
                                     D.MultivariateNormal(P["loc2"], P["cov"]))),
    ("contbern contbern", lambda T, D, P: (D.ContinuousBernoulli(probs=P["pr"]),
                                           D.ContinuousBernoulli(logits=P["loc"]))),
    ("gumbel gumbel", lambda T, D, P: (D.Gumbel(P["loc"], P["sc"]), D.Gumbel(P["loc2"],
                                                                             P["sc2"]))),
    ("halfnormal halfnormal", lambda T, D, P: (D.HalfNormal(P["sc"]), D.HalfNormal(P["sc2"]))),
    ("onehot onehot", lambda T, D, P: (D.OneHotCategorical(logits=P["loc"]),
                                       D.OneHotCategorical(probs=P["sc2"] / P["sc2"].sum()))),
    ("lognormal lognormal", lambda T, D, P: (D.LogNormal(P["loc"], P["sc"]),
                                             D.LogNormal(P["loc2"], P["sc2"]))),
    ("transformed", lambda T, D, P: (
        D.TransformedDistribution(D.Normal(P["loc"], P["sc"]), [D.ExpTransform()]),
        D.TransformedDistribution(D.Normal(P["loc2"], P["sc2"]), [D.ExpTransform()]))),
    ("independent", lambda T, D, P: (D.Independent(D.Normal(P["loc"], P["sc"]), 1),
                                     D.Independent(D.Normal(P["loc2"], P["sc2"]), 1))),
    ("independent lognormal", lambda T, D, P: (D.Independent(D.LogNormal(P["loc"], P["sc"]), 1),
                                               D.Independent(D.LogNormal(P["loc2"], P["sc2"]),
                                                             1))),
    ("contbern normal", lambda T, D, P: (D.ContinuousBernoulli(probs=P["pr"]),
                                         D.Normal(P["loc2"], P["sc2"]))),
    ("contbern uniform", lambda T, D, P: (D.ContinuousBernoulli(probs=P["pr"]),
                                          D.Uniform(_f64(T, [-1.0, 0.0, 0.5]),
                                                    _f64(T, [2.0, 1.0, 3.0])))),
    ("gumbel contbern", lambda T, D, P: (D.Gumbel(P["loc"], P["sc"]),
                                         D.ContinuousBernoulli(probs=P["pr"]))),
    ("gumbel uniform", lambda T, D, P: (D.Gumbel(P["loc"], P["sc"]),
                                        D.Uniform(P["loc2"] - 3, P["loc2"] + 3))),
    ("gumbel normal", lambda T, D, P: (D.Gumbel(P["loc"], P["sc"]),
                                       D.Normal(P["loc2"], P["sc2"]))),
    ("normal contbern", lambda T, D, P: (D.Normal(P["loc"], P["sc"]),
                                         D.ContinuousBernoulli(probs=P["pr"]))),
    ("normal uniform", lambda T, D, P: (D.Normal(P["loc"], P["sc"]),
                                        D.Uniform(P["loc2"] - 3, P["loc2"] + 3))),
    ("normal gumbel", lambda T, D, P: (D.Normal(P["loc"], P["sc"]),
                                       D.Gumbel(P["loc2"], P["sc2"]))),
    ("uniform contbern", lambda T, D, P: (D.Uniform(_f64(T, [0.1, 0.0, 0.2]),
                                                    _f64(T, [0.5, 0.9, 1.0])),
                                          D.ContinuousBernoulli(probs=P["pr"]))),
    ("uniform gumbel", lambda T, D, P: (D.Uniform(P["loc2"] - 1, P["loc2"] + 2),
                                        D.Gumbel(P["loc"], P["sc"]))),
    ("uniform normal", lambda T, D, P: (D.Uniform(P["loc2"] - 1, P["loc2"] + 2),
                                        D.Normal(P["loc"], P["sc"]))),
    ("bregman bernoulli", lambda T, D, P: (D.Bernoulli(probs=P["pr"]),
                                           D.Bernoulli(probs=P["pr2"]))),
]


def _name(t: Any) -> Any:
    return t.grad_fn.name() if t.grad_fn is not None else None


@pytest.mark.slow
@pytest.mark.parametrize("label,make", PAIRS, ids=[p[0] for p in PAIRS])
def test_kl_matches_torch(label: str, make: Callable[[Any, Any, dict[str, Any]], Any]) -> None:
    outs = []
    for T, D in ((torch, TD), (adcli, AD)):
        P = _params(T)
        p, q = make(T, D, P)
        kl = D.kl_divergence(p, q)
        if label == "bregman bernoulli":
            from adcli.distributions import kl_families

            kl = kl_families._kl_expfamily_expfamily(p, q) if T is adcli else \
                TD.kl._kl_expfamily_expfamily(p, q)
        leaves = [v for v in P.values()]
        grads = T.autograd.grad(kl.sum(), leaves, allow_unused=True) if kl.requires_grad \
            else [None] * len(leaves)
        outs.append((kl, grads))
    (w, wg), (g, gg) = outs
    assert tuple(g.shape) == tuple(w.shape)
    assert _name(g) == _name(w)
    np.testing.assert_allclose(g.detach().numpy(), w.detach().numpy(), rtol=1e-10, atol=1e-12)
    for a, b in zip(wg, gg):
        assert (a is None) == (b is None)
        if a is not None:
            np.testing.assert_allclose(b.numpy(), a.numpy(), rtol=1e-9, atol=1e-11)


ERRORS: list[tuple[str, Callable[[Any, Any], Any]]] = [
    ("mvn event shapes", lambda T, D: D.kl_divergence(
        D.MultivariateNormal(T.zeros(2), T.eye(2)), D.MultivariateNormal(T.zeros(3), T.eye(3)))),
    ("lowrank event shapes", lambda T, D: D.kl_divergence(
        D.LowRankMultivariateNormal(T.zeros(2), T.ones(2, 1), T.ones(2)),
        D.LowRankMultivariateNormal(T.zeros(3), T.ones(3, 1), T.ones(3)))),
    ("mvn lowrank event shapes", lambda T, D: D.kl_divergence(
        D.MultivariateNormal(T.zeros(2), T.eye(2)),
        D.LowRankMultivariateNormal(T.zeros(3), T.ones(3, 1), T.ones(3)))),
    ("cross families", lambda T, D: D.kl_divergence(
        D.Bernoulli(probs=T.tensor([0.3])), D.ContinuousBernoulli(probs=T.tensor([0.3])))),
    ("transformed different", lambda T, D: D.kl_divergence(
        D.LogNormal(0.0, 1.0), D.TransformedDistribution(D.Normal(0.0, 1.0),
                                                         D.SigmoidTransform()))),
    ("independent ndims", lambda T, D: D.kl_divergence(
        D.Independent(D.Normal(T.zeros(2, 3), 1.0), 1),
        D.Independent(D.Normal(T.zeros(2, 3), 1.0), 2))),
    ("unregistered", lambda T, D: D.kl_divergence(
        D.Kumaraswamy(1.0, 2.0), D.Normal(0.0, 1.0))),
]


@pytest.mark.slow
@pytest.mark.parametrize("label,prog", ERRORS, ids=[e[0] for e in ERRORS])
def test_kl_errors(label: str, prog: Callable[[Any, Any], Any]) -> None:
    with pytest.raises(Exception) as want:
        prog(torch, TD)
    with pytest.raises(Exception) as got:
        prog(adcli, AD)
    assert type(got.value).__name__ == type(want.value).__name__
    assert str(got.value) == str(want.value)
