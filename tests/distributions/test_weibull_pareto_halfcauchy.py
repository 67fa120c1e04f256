"""Weibull, Pareto and HalfCauchy against torch 2.13: one program on both with the same seed,
comparing samples (so the same generator calls), log_prob, cdf/icdf, entropy, moments, the
gradients reaching the parameters, reprs, supports, expand, validation errors word for word,
and the KL pairs torch registers for Pareto."""

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


def _np(x: Any) -> Any:
    return x.detach().numpy() if hasattr(x, "detach") else x


def _both(program: Callable[[Any, Any], dict[str, Any]]) -> None:
    outs = []
    for T, D in ((torch, TD), (adcli, AD)):
        T.manual_seed(7)
        outs.append(program(T, D))
    want, got = outs
    assert want.keys() == got.keys()
    for k in want:
        w, g = want[k], got[k]
        if isinstance(w, (str, tuple, bool)) or w is None:
            assert str(g) == str(w), k
        else:
            np.testing.assert_allclose(_np(g), _np(w), rtol=1e-12, atol=1e-12, err_msg=k)


def _make(T: Any, D: Any, name: str) -> tuple[Any, list[Any], Any, Any]:
    """The distribution with grad-requiring params, a value in its support, probs."""
    if name == "Weibull":
        params = [_f64(T, [1.5, 0.4, 3.0], True), _f64(T, [0.7, 2.0, 1.2], True)]
        value = _f64(T, [0.3, 1.1, 4.0])
    elif name == "Pareto":
        params = [_f64(T, [1.5, 0.4, 3.0], True), _f64(T, [0.7, 2.5, 3.2], True)]
        value = _f64(T, [1.6, 0.5, 7.0])
    else:
        params = [_f64(T, [0.5, 2.0, 1.3], True)]
        value = _f64(T, [0.0, 1.1, 4.0])
    return getattr(D, name)(*params), params, value, _f64(T, [0.1, 0.5, 0.93])


@pytest.mark.slow
@pytest.mark.parametrize("name", ["Weibull", "Pareto", "HalfCauchy"])
def test_values_samples_and_gradients_match_torch(name: str) -> None:
    def program(T: Any, D: Any) -> dict[str, Any]:
        d, params, value, probs = _make(T, D, name)
        out: dict[str, Any] = {"repr": repr(d), "support": repr(d.support),
                               "shape": (tuple(d.batch_shape), tuple(d.event_shape)),
                               "has_rsample": d.has_rsample}
        out["sample"] = d.sample((4,))
        x = d.rsample((5,))
        out["rsample"] = x
        out["logp"] = d.log_prob(value)
        out["logp_x"] = d.log_prob(x)
        for what in ("mean", "mode", "variance", "stddev"):
            out[what] = getattr(d, what)
        out["entropy"] = d.entropy()
        out["cdf"] = d.cdf(value)
        out["icdf"] = d.icdf(probs)
        total = (d.log_prob(value).sum() + x.sum() + d.entropy().sum()
                 + d.cdf(value).sum() + d.icdf(probs).sum())
        grads = T.autograd.grad(total, params)
        for i, g in enumerate(grads):
            out[f"grad{i}"] = g
        e = d.expand((2, 3))
        out["expand"] = (repr(e), tuple(e.batch_shape), e._validate_args)
        out["expand_logp"] = e.log_prob(value)
        out["expand_rsample"] = e.rsample()
        return out

    _both(program)


@pytest.mark.slow
def test_scalar_parameters_and_infinite_moments_match_torch() -> None:
    def program(T: Any, D: Any) -> dict[str, Any]:
        w, p, h = D.Weibull(2.0, 0.5), D.Pareto(1.0, 1.5), D.HalfCauchy(3.0)
        return {"shapes": (tuple(w.batch_shape), tuple(p.batch_shape), tuple(h.batch_shape)),
                "w": w.rsample((3,)), "p": p.rsample((3,)), "h": h.rsample((3,)),
                "pvar": p.variance, "hmean": h.mean, "wmode": w.mode,
                "p_below": p.log_prob(T.tensor(2.0)), "h_neg": h.icdf(T.tensor(0.2))}

    _both(program)


def _message(T: Any, D: Any, build: Callable[[Any, Any], Any]) -> str:
    with pytest.raises(ValueError) as info:
        build(T, D)
    return str(info.value)


@pytest.mark.slow
@pytest.mark.parametrize("build", [
    lambda T, D: D.Weibull(T.tensor([1.0, -1.0]), T.tensor(1.0)),
    lambda T, D: D.Weibull(T.tensor(1.0), T.tensor([0.0])),
    lambda T, D: D.Pareto(T.tensor([-1.0]), T.tensor(2.0)),
    lambda T, D: D.Pareto(T.tensor(1.0), T.tensor([2.0, -2.0])),
    lambda T, D: D.HalfCauchy(T.tensor([0.0, 1.0])),
    lambda T, D: D.Weibull(1.0, 2.0).log_prob(T.tensor([-0.5])),
    lambda T, D: D.Pareto(2.0, 2.0).log_prob(T.tensor([1.0, 3.0])),
    lambda T, D: D.HalfCauchy(1.0).log_prob(T.tensor([-1.0])),
    lambda T, D: D.HalfCauchy(1.0).cdf(T.tensor([-1.0])),
])
def test_validation_errors_match_torch_word_for_word(build: Callable[[Any, Any], Any]) -> None:
    assert _message(adcli, AD, build) == _message(torch, TD, build)


_OTHERS: dict[str, Callable[[Any, Any], Any]] = {
    "Pareto_low": lambda T, D: D.Pareto(_f64(T, [1.0, 0.3, 2.0]), _f64(T, [2.0, 0.8, 3.5])),
    "Exponential": lambda T, D: D.Exponential(_f64(T, [0.5, 1.5, 2.0])),
    "Gamma": lambda T, D: D.Gamma(_f64(T, [0.5, 1.5, 2.0]), _f64(T, [1.0, 0.7, 3.0])),
    "Normal": lambda T, D: D.Normal(_f64(T, [0.5, -1.5, 2.0]), _f64(T, [1.0, 0.7, 3.0])),
    "Beta": lambda T, D: D.Beta(_f64(T, [0.5, 1.5, 2.0]), _f64(T, [1.0, 0.7, 3.0])),
    "Uniform": lambda T, D: D.Uniform(_f64(T, [0.5, 1.0, 2.0]), _f64(T, [1.0, 1.7, 3.0])),
    "ContinuousBernoulli": lambda T, D: D.ContinuousBernoulli(_f64(T, [0.2, 0.5, 0.9])),
    "Gumbel": lambda T, D: D.Gumbel(_f64(T, [0.5, 1.5, 2.0]), _f64(T, [1.0, 0.7, 3.0])),
    "Laplace": lambda T, D: D.Laplace(_f64(T, [0.5, 1.5, 2.0]), _f64(T, [1.0, 0.7, 3.0])),
}


@pytest.mark.slow
@pytest.mark.parametrize("other", list(_OTHERS))
@pytest.mark.parametrize("pareto_first", [True, False])
def test_kl_pairs_with_pareto_match_torch(other: str, pareto_first: bool) -> None:
    def program(T: Any, D: Any) -> dict[str, Any]:
        scale = _f64(T, [0.5, 0.4, 1.2], True)
        alpha = _f64(T, [0.9, 1.5, 3.0], True)  # alpha <= 1 and <= 2: torch's inf cases
        p = D.Pareto(scale, alpha)
        q = _OTHERS[other](T, D)
        try:
            kl = D.kl_divergence(p, q) if pareto_first else D.kl_divergence(q, p)
        except NotImplementedError:
            return {"kl": "NotImplementedError"}
        out = {"kl": kl}
        if kl.requires_grad:
            finite = T.where(T.isfinite(kl), kl, T.zeros_like(kl)).sum()
            grads = T.autograd.grad(finite, [scale, alpha], allow_unused=True)
            out.update({f"g{i}": g for i, g in enumerate(grads) if g is not None})
        return out

    _both(program)


@pytest.mark.slow
def test_kl_of_weibull_and_halfcauchy_pairs_follow_torch() -> None:
    def program(T: Any, D: Any) -> dict[str, Any]:
        out: dict[str, Any] = {}
        pairs = {
            "ww": (D.Weibull(_f64(T, [1.0, 2.0]), _f64(T, [0.5, 2.0])),
                   D.Weibull(_f64(T, [1.5, 2.0]), _f64(T, [0.5, 2.0]))),
            "ww_other_conc": (D.Weibull(1.0, 2.0), D.Weibull(1.0, 3.0)),
            "hh": (D.HalfCauchy(_f64(T, [1.0, 2.0])), D.HalfCauchy(_f64(T, [3.0, 0.5]))),
        }
        for k, (p, q) in pairs.items():
            try:
                out[k] = D.kl_divergence(p, q)
            except NotImplementedError:
                out[k] = "NotImplementedError"
        return out

    _both(program)
