"""adcli's KL registry against torch 2.13's, compared programmatically: the same registered
pairs (by class name), the same rule picked for every pair of distribution classes (by the
registered pair dispatch lands on, the same function shared where torch shares one), torch's
"Ambiguous kl_divergence" RuntimeWarning word for word, and the values and gradients of the
pairs added to complete the registry."""

from __future__ import annotations

import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from requires import require_torch

torch = require_torch()
pytestmark = pytest.mark.needs_torch

import torch.distributions as TD  # noqa: E402
import torch.distributions.kl as TK  # noqa: E402

import adcli  # noqa: E402
import adcli.distributions as AD  # noqa: E402
import adcli.distributions.kl as AK  # noqa: E402


def _names(registry: dict[tuple[type, type], Any]) -> set[tuple[str, str]]:
    return {(p.__name__, q.__name__) for p, q in registry}


def _classes(D: Any) -> list[type]:
    return [getattr(D, n) for n in sorted(D.__all__) if isinstance(getattr(D, n), type)
            and issubclass(getattr(D, n), D.Distribution)]


def test_same_registered_pairs() -> None:
    assert _names(AK._KL_REGISTRY) == _names(TK._KL_REGISTRY)
    assert len(AK._KL_REGISTRY) == len(TK._KL_REGISTRY)


def _rules(D: Any, K: Any) -> dict[tuple[str, str], Any]:
    """For every pair of public distribution classes: the registered pair its rule is
    registered under first (a stand-in for "which function") and the warnings raised."""
    first_key: dict[Any, tuple[str, str]] = {}
    for (p, q), fn in K._KL_REGISTRY.items():
        first_key.setdefault(fn, (p.__name__, q.__name__))
    shared = {}
    for fn in first_key:
        shared[fn] = sorted((p.__name__, q.__name__) for (p, q), f in K._KL_REGISTRY.items()
                            if f is fn)
    out = {}
    for tp in _classes(D):
        for tq in _classes(D):
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                fn = K._dispatch_kl(tp, tq)
            said = [(w.category.__name__, str(w.message)) for w in caught]
            out[tp.__name__, tq.__name__] = (None if fn is NotImplemented else shared[fn], said)
    return out


def test_dispatch_picks_the_same_rule_for_every_pair() -> None:
    want, got = _rules(TD, TK), _rules(AD, AK)
    assert want.keys() == got.keys()
    differ = {k: (want[k], got[k]) for k in want if want[k] != got[k]}
    assert differ == {}


def test_ambiguous_warning_word_for_word() -> None:
    said = []
    for D, K in ((TD, TK), (AD, AK)):
        class P(D.Normal):
            pass

        class Q(D.Normal):
            pass

        try:
            K.register_kl(D.Normal, Q)(lambda p, q: "left")
            K.register_kl(P, D.Normal)(lambda p, q: "right")
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                value = K.kl_divergence(P(0.0, 1.0), Q(0.0, 1.0))
                again = K.kl_divergence(P(0.0, 1.0), Q(0.0, 1.0))  # memoised: no second one
            said.append((value, again, [(w.category.__name__, str(w.message), w.filename)
                                        for w in caught]))
        finally:
            for key in ((D.Normal, Q), (P, D.Normal)):
                K._KL_REGISTRY.pop(key, None)
            K._KL_MEMOIZE.clear()
    assert said[1][:2] == said[0][:2] == ("right", "right")
    assert [w[:2] for w in said[1][2]] == [w[:2] for w in said[0][2]]
    assert said[1][2][0][1] == "Ambiguous kl_divergence(P, Q). Please register_kl(P, Q)"
    # (stacklevel 2 from the dispatch: the warning names kl_divergence in each kl.py)
    assert Path(said[1][2][0][2]).name == Path(said[0][2][0][2]).name == "kl.py"


def test_register_kl_rejects_what_torch_rejects() -> None:
    msgs = []
    for K in (TK, AK):
        with pytest.raises(TypeError) as info:
            K.register_kl("Normal", "Normal")
        msgs.append(str(info.value))
    assert msgs[1] == msgs[0]


def _f64(T: Any, x: Any, grad: bool = False) -> Any:
    return T.tensor(x, dtype=T.float64, requires_grad=grad)


NEW: list[tuple[str, Callable[[Any, Any, list[Any]], tuple[Any, Any]]]] = [
    ("beta contbern", lambda T, D, a: (D.Beta(a[0], a[1]), D.ContinuousBernoulli(probs=a[2]))),
    ("contbern exponential", lambda T, D, a: (D.ContinuousBernoulli(probs=a[2]),
                                              D.Exponential(a[0]))),
    ("exponential gumbel", lambda T, D, a: (D.Exponential(a[0]), D.Gumbel(a[3], a[1]))),
    ("gamma gumbel", lambda T, D, a: (D.Gamma(a[0], a[1]), D.Gumbel(a[3], a[1]))),
    ("chi2 gumbel", lambda T, D, a: (D.Chi2(a[0]), D.Gumbel(a[3], a[1]))),
    ("exponential contbern", lambda T, D, a: (D.Exponential(a[0]),
                                              D.ContinuousBernoulli(probs=a[2]))),
    ("gamma contbern", lambda T, D, a: (D.Gamma(a[0], a[1]), D.ContinuousBernoulli(logits=a[3]))),
    ("gumbel beta", lambda T, D, a: (D.Gumbel(a[3], a[1]), D.Beta(a[0], a[1]))),
    ("gumbel exponential", lambda T, D, a: (D.Gumbel(a[3], a[1]), D.Exponential(a[0]))),
    ("gumbel gamma", lambda T, D, a: (D.Gumbel(a[3], a[1]), D.Gamma(a[0], a[1]))),
    ("laplace contbern", lambda T, D, a: (D.Laplace(a[3], a[1]),
                                          D.ContinuousBernoulli(probs=a[2]))),
]


@pytest.mark.parametrize("label,make", NEW, ids=[n[0] for n in NEW])
def test_added_pairs_match_torch(label: str, make: Callable[..., Any]) -> None:
    outs = []
    for T, D in ((torch, TD), (adcli, AD)):
        args = [_f64(T, [0.7, 2.0, 3.5], True), _f64(T, [1.5, 0.4, 2.2], True),
                _f64(T, [0.2, 0.4995, 0.9], True), _f64(T, [0.3, -1.0, 2.0], True)]
        kl = D.kl_divergence(*make(T, D, args))
        grads = T.autograd.grad(kl.sum(), args, allow_unused=True) if kl.requires_grad \
            else [None] * 4
        name = kl.grad_fn.name() if kl.grad_fn is not None else None
        outs.append((kl, name, grads))
    (w, wn, wg), (g, gn, gg) = outs
    assert gn == wn
    np.testing.assert_allclose(g.detach().numpy(), w.detach().numpy(), rtol=1e-12, atol=1e-12)
    for a, b in zip(wg, gg):
        assert (a is None) == (b is None)
        if a is not None:
            np.testing.assert_allclose(b.numpy(), a.numpy(), rtol=1e-10, atol=1e-12)
