"""adcli.distributions.transforms, constraint_registry, TransformedDistribution, Independent,
expand and ExponentialFamily against torch 2.13: the same program on both (same seed, so the
same samples), comparing every value, the gradients reaching the inputs and parameters, the
grad_fn names, reprs, domains/codomains, shapes and the errors word for word."""

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


def _transforms(T: Any, D: Any) -> list[tuple[str, Any, Any]]:
    """(label, transform, input) triples covering every transform."""
    x23 = _f64(T, [[0.3, -1.2, 2.0], [0.1, 0.5, -0.7]], True)
    pos = _f64(T, [[0.3, 1.2, 2.0], [0.1, 0.5, 0.7]], True)
    m = _f64(T, [[[0.3, -1.2], [2.0, 0.4]], [[0.1, 0.5], [-0.7, 1.5]]], True)
    scale = _f64(T, [2.0, -1.0, 0.5], True)
    return [
        ("exp", D.ExpTransform(), x23),
        ("sigmoid", D.SigmoidTransform(), x23),
        ("tanh", D.TanhTransform(), x23),
        ("softplus", D.SoftplusTransform(), x23),
        ("abs", D.AbsTransform(), x23),
        ("power", D.PowerTransform(_f64(T, 2.5, True)), pos),
        ("power vec", D.PowerTransform(_f64(T, [0.5, 2.0, -1.0])), pos),
        ("affine numbers", D.AffineTransform(1.0, 3.0), x23),
        ("affine tensor", D.AffineTransform(_f64(T, [0.5, 0.0, -1.0]), scale), x23),
        ("affine event_dim", D.AffineTransform(0.5, scale, event_dim=1), x23),
        ("affine negative", D.AffineTransform(0.0, -2.0), x23),
        ("softmax", D.SoftmaxTransform(), x23),
        ("stick breaking", D.StickBreakingTransform(), x23),
        ("corr cholesky", D.CorrCholeskyTransform(), x23),
        ("lower cholesky", D.LowerCholeskyTransform(), m),
        ("positive definite", D.PositiveDefiniteTransform(), m),
        ("reshape", D.ReshapeTransform((3,), (3, 1)), x23),
        ("independent", D.IndependentTransform(D.SigmoidTransform(), 1), x23),
        ("compose", D.ComposeTransform([D.ExpTransform(), D.PowerTransform(_f64(T, 2.0)),
                                        D.AffineTransform(1.0, -0.5)]), x23),
        ("compose event", D.ComposeTransform([D.AffineTransform(0.0, 2.0),
                                              D.StickBreakingTransform()]), x23),
        ("identity", D.identity_transform, x23),
        ("inverse", D.SigmoidTransform().inv, _f64(T, [0.2, 0.5, 0.9], True)),
        ("cached", D.ExpTransform(cache_size=1), x23),
        ("cat", D.CatTransform([D.ExpTransform(), D.TanhTransform()], dim=-1,
                               lengths=[2, 1]), x23),
        ("cat dim 0", D.CatTransform([D.ExpTransform(), D.AffineTransform(1.0, 2.0)], dim=0),
         x23),
        ("stack", D.StackTransform([D.ExpTransform(), D.SoftplusTransform(),
                                    D.SigmoidTransform()], dim=1), x23),
        ("cdf", D.CumulativeDistributionTransform(D.Normal(_f64(T, 0.5, True),
                                                           _f64(T, 2.0))), x23),
    ]


def _name(t: Any) -> Any:
    return t.grad_fn.name() if t.grad_fn is not None else None


def run_transforms(T: Any, D: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for label, t, x in _transforms(T, D):
        y = t(x)
        out[f"{label} y"] = y
        out[f"{label} inv"] = t.inv(y)
        out[f"{label} inv is x"] = t.inv(y) is x
        try:
            ladj = t.log_abs_det_jacobian(x, y)
        except NotImplementedError:
            ladj = None
        out[f"{label} ladj"] = ladj
        parts = [y, out[f"{label} inv"]] + ([ladj] if ladj is not None else [])
        leaves = [x] + [v for v in vars(t).values() if isinstance(v, T.Tensor)
                        and v.requires_grad]
        total = sum(p.sum() for p in parts if p.requires_grad)
        grads = T.autograd.grad(total, leaves, allow_unused=True) if isinstance(
            total, T.Tensor) else []
        out[f"{label} grads"] = list(grads)
        out[f"{label} repr"] = repr(t)
        out[f"{label} inv repr"] = repr(t.inv)
        out[f"{label} domain"] = repr(t.domain), t.domain.event_dim
        out[f"{label} codomain"] = repr(t.codomain), t.codomain.event_dim
        out[f"{label} bijective"] = t.bijective
        try:
            sign = t.sign
        except NotImplementedError:
            sign = "n/a"
        out[f"{label} sign"] = sign
        out[f"{label} shapes"] = (tuple(t.forward_shape(x.shape)),
                                  tuple(t.inverse_shape(y.shape)))
        out[f"{label} eq"] = (t == t, t.inv == t.inv, t.inv.inv is t, t == D.ExpTransform())
    return out


def _same(want: Any, got: Any, key: str) -> None:
    if isinstance(want, torch.Tensor):
        assert isinstance(got, adcli.Tensor), key
        assert tuple(got.shape) == tuple(want.shape), key
        assert str(got.dtype) == str(want.dtype), key
        assert _name(got) == _name(want), key
        assert got.requires_grad == want.requires_grad, key
        np.testing.assert_allclose(got.detach().numpy(), want.detach().numpy(), rtol=1e-12,
                                   atol=1e-14, err_msg=key)
    elif isinstance(want, list | tuple):
        assert isinstance(got, list | tuple) and len(got) == len(want), key
        for w, g in zip(want, got):
            _same(w, g, key)
    else:
        assert got == want, key


def _compare(want: dict[str, Any], got: dict[str, Any]) -> None:
    assert list(got) == list(want)
    for key, w in want.items():
        _same(w, got[key], key)


@pytest.mark.slow
def test_transforms_match_torch() -> None:
    _compare(run_transforms(torch, TD), run_transforms(adcli, AD))


REGISTRY_CONSTRAINTS: list[Callable[[Any, Any], Any]] = [
    lambda T, C: C.real, lambda T, C: C.positive, lambda T, C: C.nonnegative,
    lambda T, C: C.greater_than(1.5), lambda T, C: C.greater_than_eq(-1.0),
    lambda T, C: C.less_than(2.0), lambda T, C: C.unit_interval,
    lambda T, C: C.interval(-1.0, 3.0), lambda T, C: C.half_open_interval(0.0, 2.0),
    lambda T, C: C.simplex, lambda T, C: C.real_vector, lambda T, C: C.lower_cholesky,
    lambda T, C: C.positive_definite, lambda T, C: C.positive_semidefinite,
    lambda T, C: C.corr_cholesky, lambda T, C: C.independent(C.positive, 1),
    lambda T, C: C.cat([C.positive, C.real], -1, [2, 1]),
    lambda T, C: C.stack([C.positive, C.real, C.unit_interval], -1),
    lambda T, C: C.interval(T.tensor([0.0, 1.0, 2.0], dtype=T.float64), 5.0),
]


def run_registry(T: Any, D: Any) -> dict[str, Any]:
    from importlib import import_module

    reg = import_module(D.__name__ + ".constraint_registry")
    out: dict[str, Any] = {}
    for i, make in enumerate(REGISTRY_CONSTRAINTS):
        c = make(T, D.constraints)
        for fname in ("biject_to", "transform_to"):
            fn = getattr(reg, fname)
            try:
                t = fn(c)
            except NotImplementedError as e:
                out[f"{i} {fname}"] = str(e)
                continue
            x = _f64(T, [[0.3, -1.2, 2.0], [0.1, 0.5, -0.7]], True)
            if c.event_dim == 2 and "Corr" not in repr(c):
                x = _f64(T, [[0.3, -1.2], [2.0, 0.4]], True)
            y = t(x)
            out[f"{i} {fname}"] = (repr(t), repr(t.codomain), bool(c.check(y).all()))
            out[f"{i} {fname} y"] = y
    return out


@pytest.mark.slow
def test_constraint_registry_matches_torch() -> None:
    _compare(run_registry(torch, TD), run_registry(adcli, AD))


def run_transformed(T: Any, D: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    T.manual_seed(3)
    loc = _f64(T, [0.5, -1.0, 2.0], True)
    sc = _f64(T, [1.0, 0.5, 2.0], True)
    base = D.Normal(loc, sc)
    td = D.TransformedDistribution(base, [D.AffineTransform(1.0, _f64(T, 2.0)),
                                          D.ExpTransform()])
    out["td.sample"] = td.sample((2,))
    out["td.rsample"] = td.rsample((2,))
    v = _f64(T, [0.4, 1.5, 3.0])
    out["td.logp"] = td.log_prob(v)
    out["td.cdf"] = td.cdf(v)
    out["td.icdf"] = td.icdf(_f64(T, [0.1, 0.5, 0.9]))
    out["td.shape"] = tuple(td.batch_shape), tuple(td.event_shape), td.has_rsample
    out["td.support"] = repr(td.support)
    dec = D.TransformedDistribution(base, D.AffineTransform(0.0, -1.0))
    out["dec.cdf"] = dec.cdf(v)
    out["dec.icdf"] = dec.icdf(_f64(T, [0.1, 0.5, 0.9]))
    sb = D.TransformedDistribution(D.Normal(T.zeros(2, 3, dtype=T.float64), sc),
                                   D.StickBreakingTransform())
    out["sb.shape"] = tuple(sb.batch_shape), tuple(sb.event_shape)
    s = sb.rsample((4,))
    out["sb.rsample"] = s
    out["sb.logp"] = sb.log_prob(s)
    out["sb.support"] = repr(sb.support)
    ex = td.expand((4, 3))
    out["ex.shape"] = tuple(ex.batch_shape), tuple(ex.event_shape)
    out["ex.rsample"] = ex.rsample()
    out["ex.logp"] = ex.log_prob(v)
    ind = D.Independent(D.Normal(T.zeros(2, 3, dtype=T.float64) + loc, sc), 1)
    out["ind.shape"] = tuple(ind.batch_shape), tuple(ind.event_shape)
    out["ind.rsample"] = ind.rsample((2,))
    out["ind.logp"] = ind.log_prob(_f64(T, [[0.1, 0.2, 0.3], [1.0, 2.0, 3.0]]))
    out["ind.ent"] = ind.entropy()
    out["ind.mean"], out["ind.var"], out["ind.mode"] = ind.mean, ind.variance, ind.mode
    out["ind.repr"] = repr(ind)
    out["ind.support"] = repr(ind.support)
    ie = ind.expand((5, 2))
    out["ie.shape"] = tuple(ie.batch_shape), tuple(ie.event_shape)
    out["ie.sample"] = ie.sample()
    i2 = D.Independent(D.Bernoulli(probs=_f64(T, [[0.2, 0.7], [0.5, 0.1]])), 2)
    out["i2.sample"] = i2.sample((3,))
    out["i2.logp"] = i2.log_prob(_f64(T, [[1.0, 0.0], [1.0, 1.0]]))
    out["i2.flags"] = i2.has_rsample, i2.has_enumerate_support
    # expand on the basic distributions, and their draws after expanding
    out["normal.expand"] = base.expand((2, 3)).rsample()
    out["bern.expand"] = D.Bernoulli(logits=_f64(T, [0.3, -1.0])).expand((3, 2)).sample()
    cat = D.Categorical(probs=_f64(T, [0.2, 0.3, 0.5])).expand((4,))
    out["cat.expand"] = cat.sample((2,)), tuple(cat.batch_shape), cat.param_shape
    out["uni.expand"] = D.Uniform(_f64(T, 0.0), _f64(T, 2.0)).expand((3,)).rsample()
    mvn = D.MultivariateNormal(_f64(T, [1.0, -1.0]), _f64(T, [[2.0, 0.5], [0.5, 1.0]]))
    me = mvn.expand((3,))
    out["mvn.expand"] = me.rsample(), me.covariance_matrix, tuple(me.batch_shape)
    # ExponentialFamily's Bregman entropy on Normal and Bernoulli
    out["ef.normal"] = D.ExponentialFamily.entropy(base)
    out["ef.bern"] = D.ExponentialFamily.entropy(
        D.Bernoulli(probs=_f64(T, [0.2, 0.7], True)))
    out["perplexity"] = base.perplexity()
    total = sum(o.sum() for o in out.values() if isinstance(o, T.Tensor) and o.requires_grad)
    total.backward()
    out["g.loc"], out["g.sc"] = loc.grad, sc.grad
    out["repr"] = [repr(td), repr(sb), repr(ex)]
    return out


@pytest.mark.slow
def test_transformed_distribution_matches_torch() -> None:
    _compare(run_transformed(torch, TD), run_transformed(adcli, AD))


def _t(T: Any, x: Any) -> Any:
    return T.tensor(x)


ERRORS: list[tuple[str, Callable[[Any, Any], Any]]] = [
    ("cache_size 2", lambda T, D: D.ExpTransform(cache_size=2)),
    ("reshape numel", lambda T, D: D.ReshapeTransform((2, 3), (4,))),
    ("reshape forward_shape", lambda T, D: D.ReshapeTransform((3,), (3, 1)).forward_shape(
        (2, 4))),
    ("corr forward_shape", lambda T, D: D.CorrCholeskyTransform().forward_shape((4,))),
    ("corr inverse_shape", lambda T, D: D.CorrCholeskyTransform().inverse_shape((2, 3))),
    ("stick 0-d", lambda T, D: D.StickBreakingTransform().forward_shape(())),
    ("cat length", lambda T, D: D.CatTransform([D.ExpTransform()], 0, [2])(T.zeros(3))),
    ("cat dim", lambda T, D: D.CatTransform([D.ExpTransform()], 1)(T.zeros(3))),
    ("stack size", lambda T, D: D.StackTransform([D.ExpTransform()], 0)(T.zeros(3))),
    ("cat tseq", lambda T, D: D.CatTransform([1])),
    ("with_cache", lambda T, D: D.CatTransform([D.ExpTransform()]).with_cache(1).with_cache(
        0).transforms[0]._cache_size == 5 or D.transforms.Transform.with_cache(
        D.AffineTransform(0.0, 1.0), 1).loc),
    ("event_dim", lambda T, D: D.StickBreakingTransform().inv.event_dim
     + D.CorrCholeskyTransform().event_dim),
    ("independent too few dims", lambda T, D: D.IndependentTransform(
        D.ExpTransform(), 2)(T.zeros(3))),
    ("transforms not a list", lambda T, D: D.TransformedDistribution(D.Normal(0.0, 1.0),
                                                                     (D.ExpTransform(),))),
    ("transforms not transforms", lambda T, D: D.TransformedDistribution(
        D.Normal(0.0, 1.0), [D.ExpTransform(), 3])),
    ("base too small", lambda T, D: D.TransformedDistribution(D.Normal(0.0, 1.0),
                                                              D.StickBreakingTransform())),
    ("td log_prob support", lambda T, D: D.TransformedDistribution(
        D.Normal(0.0, 1.0), D.ExpTransform()).log_prob(_t(T, -1.0))),
    ("independent ndims", lambda T, D: D.Independent(D.Normal(T.zeros(3), 1.0), 2)),
    ("independent enumerate", lambda T, D: D.Independent(
        D.Bernoulli(probs=T.ones(2) / 2), 1).enumerate_support()),
    ("biject_to unknown", lambda T, D: D.biject_to(D.constraints.boolean)),
    ("transform_to unknown", lambda T, D: D.transform_to(D.constraints.one_hot)),
    ("biject_to lower_cholesky", lambda T, D: D.biject_to(D.constraints.lower_cholesky)),
    ("register type", lambda T, D: D.biject_to.register(3, lambda c: None)),
    ("abs has no log det", lambda T, D: D.AbsTransform().log_abs_det_jacobian(
        T.zeros(2), T.zeros(2))),
    ("expand custom init", lambda T, D: type("N2", (D.Normal,), {
        "__init__": lambda self: D.Normal.__init__(self, 0.0, 1.0)})().expand((2,))),
    ("base mode", lambda T, D: D.Distribution(validate_args=False).mode),
    ("set_default_validate_args", lambda T, D: D.Distribution.set_default_validate_args(3)),
]


@pytest.mark.slow
@pytest.mark.parametrize("label,prog", ERRORS, ids=[e[0] for e in ERRORS])
def test_transform_errors(label: str, prog: Callable[[Any, Any], Any]) -> None:
    try:
        want: Any = prog(torch, TD)
    except Exception as e:
        want = e
    try:
        got: Any = prog(adcli, AD)
    except Exception as e:
        got = e
    if isinstance(want, Exception):
        assert isinstance(got, Exception), (label, got)
        assert type(got).__name__ == type(want).__name__
        assert str(got).replace("adcli", "torch") == str(want)
    else:
        _same(want, got, label)
