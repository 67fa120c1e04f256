"""The distributions torch builds on TransformedDistribution or shares its machinery with
(LogNormal, HalfNormal, Gumbel, LogisticNormal, Kumaraswamy, the relaxed distributions,
OneHotCategorical, ContinuousBernoulli, MixtureSameFamily, LowRankMultivariateNormal) against
torch 2.13: one program on both with the same seed, comparing every sample (so the same
generator calls), log_prob, cdf/icdf, entropy, moment, the gradients reaching the parameters,
grad_fn names, reprs, shapes, supports, expand, and the validation errors word for word."""

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


def _stats(out: dict[str, Any], name: str, d: Any, value: Any, probs: Any = None,
           sample_shape: tuple[int, ...] = (2,)) -> None:
    """Everything a distribution offers, into ``out`` (what raises is recorded by name)."""
    out[f"{name}.sample"] = d.sample(sample_shape)
    if d.has_rsample:
        out[f"{name}.rsample"] = d.rsample(sample_shape)
    out[f"{name}.logp"] = d.log_prob(value)
    for what in ("mean", "mode", "variance", "stddev"):
        try:
            out[f"{name}.{what}"] = getattr(d, what)
        except NotImplementedError as e:
            out[f"{name}.{what}"] = type(e).__name__
    for what, arg in (("entropy", None), ("cdf", value), ("icdf", probs)):
        if what == "icdf" and probs is None:
            continue
        try:
            out[f"{name}.{what}"] = getattr(d, what)() if arg is None else getattr(d, what)(arg)
        except NotImplementedError as e:
            out[f"{name}.{what}"] = type(e).__name__
    out[f"{name}.shape"] = (tuple(d.batch_shape), tuple(d.event_shape), d.has_rsample,
                            d.has_enumerate_support)
    out[f"{name}.repr"] = repr(d).replace("torch.", "")
    out[f"{name}.support"] = repr(d.support)
    out[f"{name}.args"] = sorted((k, repr(c)) for k, c in d.arg_constraints.items())
    e = d.expand((3, *d.batch_shape))
    out[f"{name}.expand"] = (tuple(e.batch_shape), tuple(e.event_shape), type(e).__name__)
    out[f"{name}.expand.sample"] = e.sample()
    out[f"{name}.expand.logp"] = e.log_prob(value)


def run(T: Any, D: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    T.manual_seed(7)
    loc = _f64(T, [0.5, -1.0, 2.0], True)
    sc = _f64(T, [1.0, 0.5, 2.0], True)
    v = _f64(T, [0.4, 1.5, 3.0])
    q = _f64(T, [0.1, 0.5, 0.9])
    _stats(out, "lognormal", D.LogNormal(loc, sc), v, q)
    _stats(out, "lognormal0", D.LogNormal(0.0, 1.0), _f64(T, 2.0), _f64(T, 0.3))
    _stats(out, "halfnormal", D.HalfNormal(sc), v, q)
    _stats(out, "gumbel", D.Gumbel(loc, sc), _f64(T, [0.4, -1.5, 3.0]), q)
    _stats(out, "gumbel0", D.Gumbel(1.0, 2.0), _f64(T, 0.5), _f64(T, 0.3))
    c1 = _f64(T, [0.5, 2.0, 3.0], True)
    c0 = _f64(T, [2.0, 0.7, 4.0], True)
    _stats(out, "kumaraswamy", D.Kumaraswamy(c1, c0), q, q)
    _stats(out, "logisticnormal", D.LogisticNormal(loc, sc),
           _f64(T, [0.1, 0.2, 0.3, 0.4]))
    _stats(out, "logisticnormal0", D.LogisticNormal(0.0, 1.0), _f64(T, [0.3, 0.7]))
    temp = _f64(T, 0.7, True)
    pr = _f64(T, [0.2, 0.7, 0.5], True)
    _stats(out, "relaxedbern", D.RelaxedBernoulli(temp, probs=pr), q)
    _stats(out, "relaxedbern logits", D.RelaxedBernoulli(temp, logits=loc), q)
    pv = _f64(T, [[0.2, 0.3, 0.5], [0.6, 0.3, 0.1]], True)
    _stats(out, "relaxedcat", D.RelaxedOneHotCategorical(temp, probs=pv),
           _f64(T, [0.2, 0.3, 0.5]))
    _stats(out, "relaxedcat logits", D.RelaxedOneHotCategorical(temp, logits=loc),
           _f64(T, [0.6, 0.3, 0.1]))
    oh = D.OneHotCategorical(probs=pv)
    _stats(out, "onehot", oh, _f64(T, [[0.0, 1.0, 0.0], [0.0, 0.0, 1.0]]))
    out["onehot.enum"] = oh.enumerate_support(), oh.enumerate_support(expand=False)
    st = D.OneHotCategoricalStraightThrough(logits=loc)
    _stats(out, "onehot st", st, _f64(T, [0.0, 1.0, 0.0]))
    cb = D.ContinuousBernoulli(probs=_f64(T, [0.2, 0.4995, 0.9], True))
    _stats(out, "contbern", cb, q, q)
    out["contbern.ef"] = D.ExponentialFamily.entropy(cb)
    _stats(out, "contbern logits", D.ContinuousBernoulli(logits=loc), q, q)
    mix = D.Categorical(probs=_f64(T, [0.3, 0.7], True))
    comp = D.Normal(_f64(T, [-1.0, 2.0], True), sc[:2])
    _stats(out, "mixture", D.MixtureSameFamily(mix, comp), _f64(T, 0.5), sample_shape=(4,))
    mixb = D.Categorical(logits=_f64(T, [[0.1, 0.5, 0.2], [1.0, -1.0, 0.0]]))
    compb = D.Independent(D.Normal(T.zeros(2, 3, 2, dtype=T.float64) + loc[:2],
                                   T.ones(2, 3, 2, dtype=T.float64)), 1)
    _stats(out, "mixture mvn", D.MixtureSameFamily(mixb, compb), _f64(T, [0.5, -0.5]),
           sample_shape=(3,))
    W = _f64(T, [[1.0, 0.5], [0.2, -0.3], [0.0, 1.5]], True)
    dg = _f64(T, [1.0, 0.5, 2.0], True)
    lr = D.LowRankMultivariateNormal(loc, W, dg)
    _stats(out, "lowrank", lr, _f64(T, [1.0, -1.0, 0.5]))
    out["lowrank.logp2"] = lr.log_prob(_f64(T, [[0.1, 0.2, 0.3], [1.0, -1.0, 0.5]]))
    out["lowrank.mats"] = lr.covariance_matrix, lr.precision_matrix, lr.scale_tril
    lrb = D.LowRankMultivariateNormal(T.zeros(2, 3, dtype=T.float64), W, dg)
    _stats(out, "lowrank batch", lrb, _f64(T, [0.1, 0.2, 0.3]))
    total = sum(o.sum() for o in out.values()
                if isinstance(o, T.Tensor) and o.requires_grad and o.dtype == T.float64
                and bool(o.isfinite().all()))
    total.backward()
    out["grads"] = [p.grad for p in (loc, sc, c1, c0, temp, pr, pv, W, dg)]
    return out


def _name(t: Any) -> Any:
    return t.grad_fn.name() if t.grad_fn is not None else None


def _same(want: Any, got: Any, key: str) -> None:
    if isinstance(want, torch.Tensor):
        assert isinstance(got, adcli.Tensor), key
        assert tuple(got.shape) == tuple(want.shape), key
        assert str(got.dtype) == str(want.dtype), key
        assert _name(got) == _name(want), key
        # float32: torch's vectorised exp/log may round one ulp away from numpy's
        tol = (1e-10, 1e-12) if str(want.dtype) != "torch.float32" else (1e-6, 1e-7)
        np.testing.assert_allclose(got.detach().numpy(), want.detach().numpy(), rtol=tol[0],
                                   atol=tol[1], err_msg=key)
    elif isinstance(want, list | tuple):
        assert isinstance(got, list | tuple) and len(got) == len(want), key
        for w, g in zip(want, got):
            _same(w, g, key)
    else:
        assert got == want, key


@pytest.mark.slow
def test_derived_distributions_match_torch() -> None:
    want, got = run(torch, TD), run(adcli, AD)
    assert list(got) == list(want)
    for key, w in want.items():
        _same(w, got[key], key)


@pytest.mark.slow
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_float_samples_match_torch(dtype: str) -> None:
    """Samples in float32 too, drawn by the same generator calls."""

    def prog(T: Any, D: Any) -> list[Any]:
        T.manual_seed(11)
        dt = getattr(T, dtype)
        z, o = T.zeros(3, dtype=dt), T.ones(3, dtype=dt)
        return [D.LogNormal(z, o).sample((2,)), D.HalfNormal(o).sample((2,)),
                D.Gumbel(z, o).sample((2,)), D.Gumbel(0.0, 1.0).sample((2,)),
                D.Kumaraswamy(o, o * 2).sample((2,)), D.LogisticNormal(z, o).sample((2,)),
                D.RelaxedBernoulli(T.tensor(0.5, dtype=dt), probs=o / 3).sample((2,)),
                D.RelaxedOneHotCategorical(T.tensor(0.5, dtype=dt), logits=z).sample((2,)),
                D.OneHotCategorical(logits=z).sample((4,)),
                D.ContinuousBernoulli(probs=o / 4).sample((2,)),
                D.MixtureSameFamily(D.Categorical(logits=z), D.Normal(z, o)).sample((5,)),
                D.LowRankMultivariateNormal(z, o.unsqueeze(-1), o).sample((2,))]

    for w, g in zip(prog(torch, TD), prog(adcli, AD)):
        _same(w, g, "sample")


def _t(T: Any, x: Any) -> Any:
    return T.tensor(x)


ERRORS: list[tuple[str, Callable[[Any, Any], Any]]] = [
    ("lognormal scale", lambda T, D: D.LogNormal(_t(T, [0.0]), _t(T, [-1.0]))),
    ("lognormal support", lambda T, D: D.LogNormal(0.0, 1.0).log_prob(_t(T, -1.0))),
    ("halfnormal scale", lambda T, D: D.HalfNormal(_t(T, [0.0, 1.0]))),
    ("halfnormal support", lambda T, D: D.HalfNormal(1.0).log_prob(_t(T, [-1.0]))),
    ("gumbel scale", lambda T, D: D.Gumbel(_t(T, 0.0), _t(T, -2.0))),
    ("kumaraswamy", lambda T, D: D.Kumaraswamy(_t(T, [1.0]), _t(T, [-1.0]))),
    ("kumaraswamy support", lambda T, D: D.Kumaraswamy(1.0, 1.0).log_prob(_t(T, 1.5))),
    ("logisticnormal support", lambda T, D: D.LogisticNormal(0.0, 1.0).log_prob(
        _t(T, [0.5, 0.6]))),
    ("relaxedbern both", lambda T, D: D.RelaxedBernoulli(_t(T, 1.0), probs=_t(T, 0.3),
                                                         logits=_t(T, 0.0))),
    ("relaxedbern probs", lambda T, D: D.RelaxedBernoulli(_t(T, 1.0), probs=_t(T, [1.3]))),
    ("relaxedcat simplex", lambda T, D: D.RelaxedOneHotCategorical(
        _t(T, 1.0), probs=_t(T, [-0.1, 0.5]))),
    ("relaxedcat support", lambda T, D: D.RelaxedOneHotCategorical(
        _t(T, 1.0), probs=_t(T, [0.5, 0.5])).log_prob(_t(T, [0.5, 0.6]))),
    ("onehot support", lambda T, D: D.OneHotCategorical(probs=_t(T, [0.5, 0.5])).log_prob(
        _t(T, [1.0, 1.0]))),
    ("onehot none", lambda T, D: D.OneHotCategorical()),
    ("contbern probs given validate", lambda T, D: D.ContinuousBernoulli(
        probs=_t(T, [1.5]), validate_args=True)),
    ("contbern support", lambda T, D: D.ContinuousBernoulli(probs=_t(T, 0.3)).log_prob(
        _t(T, 1.5))),
    ("contbern both", lambda T, D: D.ContinuousBernoulli()),
    ("mixture not categorical", lambda T, D: D.MixtureSameFamily(
        D.Normal(0.0, 1.0), D.Normal(T.zeros(2), 1.0))),
    ("mixture not distribution", lambda T, D: D.MixtureSameFamily(
        D.Categorical(logits=T.zeros(2)), 3)),
    ("mixture components", lambda T, D: D.MixtureSameFamily(
        D.Categorical(logits=T.zeros(3)), D.Normal(T.zeros(2), 1.0))),
    ("mixture batch", lambda T, D: D.MixtureSameFamily(
        D.Categorical(logits=T.zeros(3, 2)), D.Normal(T.zeros(4, 2), 1.0))),
    ("lowrank 0-d loc", lambda T, D: D.LowRankMultivariateNormal(
        _t(T, 0.0), T.ones(1, 1), T.ones(1))),
    ("lowrank factor dim", lambda T, D: D.LowRankMultivariateNormal(
        T.zeros(2), T.ones(2), T.ones(2))),
    ("lowrank factor shape", lambda T, D: D.LowRankMultivariateNormal(
        T.zeros(2), T.ones(3, 1), T.ones(2))),
    ("lowrank diag shape", lambda T, D: D.LowRankMultivariateNormal(
        T.zeros(2), T.ones(2, 1), T.ones(3))),
    ("lowrank batch", lambda T, D: D.LowRankMultivariateNormal(
        T.zeros(3, 2), T.ones(4, 2, 1), T.ones(2))),
    ("lowrank diag positive", lambda T, D: D.LowRankMultivariateNormal(
        T.zeros(2), T.ones(2, 1), _t(T, [1.0, -1.0]))),
    ("lognormal mode base", lambda T, D: D.TransformedDistribution(
        D.Normal(0.0, 1.0), D.ExpTransform()).mode),
    ("mixture rsample", lambda T, D: D.MixtureSameFamily(
        D.Categorical(logits=T.zeros(2)), D.Normal(T.zeros(2), 1.0)).rsample()),
]


@pytest.mark.slow
@pytest.mark.parametrize("label,prog", ERRORS, ids=[e[0] for e in ERRORS])
def test_derived_errors(label: str, prog: Callable[[Any, Any], Any]) -> None:
    with pytest.raises(Exception) as want:
        prog(torch, TD)
    with pytest.raises(Exception) as got:
        prog(adcli, AD)
    assert type(got.value).__name__ == type(want.value).__name__
    assert str(got.value).replace("adcli", "torch") == str(want.value)
