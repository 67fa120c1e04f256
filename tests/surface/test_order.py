"""Order statistics against real torch: median/nanmedian, quantile/nanquantile (every
interpolation, q a number or a tensor), mode, kthvalue, cummax/cummin, logcumsumexp: values,
which index torch returns on ties, dtypes, shapes, return types, grad_fn names, gradients and
the messages of common misuse."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest
from requires import require_torch

import adcli

sys.path.insert(0, str(Path(__file__).parent))
from test_scatter import run, same

torch = require_torch()
pytestmark = pytest.mark.needs_torch

RNG = np.random.default_rng(5)
M = RNG.standard_normal((3, 5))
C = RNG.standard_normal((2, 3, 4))
A = RNG.standard_normal(6)
S = np.array(0.3)
NAN = np.array([[1.0, 3.0, 2.0, 3.0], [5.0, 5.0, 1.0, 1.0], [2.0, np.nan, 0.0, 2.0],
                [np.nan, np.nan, np.nan, np.nan]])
TIES = np.array([[1.0, 2.0, 2.0, 3.0, 3.0, 1.0], [4.0, 4.0, 1.0, 1.0, 0.0, 4.0],
                 [0.0, 0.0, 5.0, 0.0, 5.0, 5.0]])
# 40 values with many ties: long enough for std::sort's introsort (mode) and quick-select
LONG = np.floor(RNG.uniform(0, 5, (3, 40)))


def _ties_nan():
    return np.array([[np.nan, 1.0, np.nan], [2.0, np.nan, 2.0]])


CASES = {
    "median": (lambda T, m, c, a: (T.median(m), m.median(), T.median(c), T.median(a)),
               [M, C, A]),
    "median_dim": (lambda T, m, c: (T.median(m, 1), m.median(0, keepdim=True),
                                    T.median(c, -1), c.median(dim=1)), [M, C]),
    "median_ties": (lambda T, t, n: (T.median(t, 1), T.median(n, 1), T.median(n),
                                     T.median(n[:3, :2]), T.median(t.t(), 0)), [TIES, NAN]),
    "median_long": (lambda T, x: (T.median(x, 1), T.median(x, 0), T.median(x)), [LONG]),
    "nanmedian": (lambda T, n, m: (T.nanmedian(n), T.nanmedian(n, 1), n.nanmedian(0),
                                   T.nanmedian(m), T.nanmedian(n[:3])), [NAN, M]),
    "median_0d": (lambda T, s: (T.median(s), T.median(s, 0), T.nanmedian(s, -1)), [S]),
    "median_empty": (lambda T: T.median(T.tensor([])), []),
    "median_empty_dim": (lambda T: T.median(T.empty(0, 3), 0), []),
    "median_int": (lambda T: (T.median(T.tensor([4, 1, 3, 2])),
                              T.median(T.tensor([[4, 1, 3, 2]]), 1)), []),
    "kthvalue": (lambda T, m, c: (T.kthvalue(m, 2), m.kthvalue(1, 0), T.kthvalue(c, 3, 1, True)),
                 [M, C]),
    "kthvalue_ties": (lambda T, t, n: tuple(T.kthvalue(t, k, 1) for k in range(1, 7))
                      + tuple(T.kthvalue(n, k, 1) for k in range(1, 5)), [TIES, NAN]),
    "kthvalue_long": (lambda T, x: tuple(T.kthvalue(x, k, 1) for k in (1, 7, 20, 33, 40)),
                      [LONG]),
    "kthvalue_range": (lambda T, m: T.kthvalue(m, 6), [M]),
    "kthvalue_0d": (lambda T, s: T.kthvalue(s, 1), [S]),
    "mode": (lambda T, t, m: (T.mode(t), T.mode(t, 0), t.mode(1, keepdim=True), T.mode(m)),
             [TIES, M]),
    "mode_nan": (lambda T: (T.mode(T.tensor(_ties_nan())), T.mode(T.tensor([3.0, 1, 3, 1]))), []),
    "mode_long": (lambda T, x: (T.mode(x), T.mode(x.t(), 0), T.mode(x[:, :17]),
                                T.mode(x.reshape(2, 60))), [LONG]),
    "mode_int": (lambda T: T.mode(T.tensor([[1, 2, 2, 3, 3], [4, 4, 1, 1, 0]])), []),
    "cummax": (lambda T, m, c: (T.cummax(m, 1), m.cummax(0), T.cummax(c, -1)), [M, C]),
    "cummin": (lambda T, m, c: (T.cummin(m, 1), c.cummin(0)), [M, C]),
    "cummax_ties": (lambda T, t, n: (T.cummax(t, 1), T.cummin(t, 1), T.cummax(n, 1),
                                     T.cummin(n, 0)), [TIES, NAN]),
    "cummax_0d": (lambda T, s: (T.cummax(s, 0), T.cummin(s, -1)), [S]),
    "cummax_int": (lambda T: (T.cummax(T.tensor([1, 3, 3, 2]), 0),
                              T.cummin(T.tensor([1, 0, 0, 2]), 0)), []),
    "logcumsumexp": (lambda T, m, c: (T.logcumsumexp(m, 1), m.logcumsumexp(0),
                                      T.logcumsumexp(c, -2)), [M, C]),
    "logcumsumexp_inf": (lambda T: T.logcumsumexp(T.tensor([1.0, 2, -float("inf"),
                                                            float("inf")]), 0), []),
    "logcumsumexp_int": (lambda T: T.logcumsumexp(T.tensor([1, 2]), 0), []),
    "quantile": (lambda T, m, c: (T.quantile(m, 0.3), m.quantile(0.75, dim=1),
                                  T.quantile(c, 0.5, 1, True), T.quantile(c, 0.2, dim=0)),
                 [M, C]),
    "quantile_q": (lambda T, m, c: (T.quantile(m, T.tensor([0.1, 0.5, 1.0], dtype=T.float64)),
                                    T.quantile(c, T.tensor([0.3, 0.9], dtype=T.float64), 1),
                                    T.quantile(m, T.tensor([0.25], dtype=T.float64), -1, True),
                                    T.quantile(m, T.tensor(0.6, dtype=T.float64), 0)), [M, C]),
    **{f"quantile_{how}": (lambda T, m, a, how=how: (
        T.quantile(m, 0.4, interpolation=how), T.quantile(m, 0.35, 1, interpolation=how),
        T.quantile(a, T.tensor([0.0, 0.5, 0.7], dtype=T.float64), interpolation=how)),
        [M, A]) for how in ("linear", "lower", "higher", "midpoint", "nearest")},
    "quantile_nan": (lambda T, n: (T.quantile(n, 0.3), T.quantile(n, 0.5, 1)), [NAN]),
    "nanquantile": (lambda T, n, m: (T.nanquantile(n, 0.3), T.nanquantile(n, 0.5, 1),
                                     T.nanquantile(n, T.tensor([0.2, 0.8], dtype=T.float64), 0),
                                     n.nanquantile(0.9, 1, interpolation="nearest"),
                                     T.nanquantile(m, 0.4)), [NAN, M]),
    "quantile_keepdim_all": (lambda T, c: T.quantile(c, 0.3, keepdim=True), [C]),
    "quantile_range": (lambda T, m: T.quantile(m, 1.3), [M]),
    "quantile_range_tensor": (lambda T, m: T.quantile(m, T.tensor([0.5, -0.1],
                                                                  dtype=T.float64)), [M]),
    "quantile_mode": (lambda T, m: T.quantile(m, 0.3, interpolation="foo"), [M]),
    "quantile_int": (lambda T: T.quantile(T.tensor([1, 2]), 0.3), []),
    "quantile_q2d": (lambda T, m: T.quantile(m, T.tensor([[0.3]], dtype=T.float64)), [M]),
    "quantile_qdtype": (lambda T, m: T.quantile(m, T.tensor([0.3])), [M]),
    "quantile_empty": (lambda T: T.quantile(T.tensor([]), 0.3), []),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_matches_torch(name):
    fn, arrays = CASES[name]
    same(run(adcli, fn, arrays), run(torch, fn, arrays))


@pytest.mark.parametrize("fn", ["median", "nanmedian", "mode", "kthvalue", "cummax", "cummin"])
def test_return_types(fn):
    args = {"kthvalue": (2, 1), "median": (1,), "nanmedian": (1,), "mode": (1,),
            "cummax": (1,), "cummin": (1,)}[fn]
    a = getattr(adcli, fn)(adcli.tensor(M), *args)
    t = getattr(torch, fn)(torch.tensor(M), *args)
    assert repr(a) == repr(t)
    assert a._fields == ("values", "indices") and a.values is a[0] and a.indices is a[1]


def test_mode_many_ties_matches_torch():
    """Rows long enough for std::sort's partitioning, several seeds."""
    for seed in range(4):
        x = np.floor(np.random.default_rng(seed).uniform(0, 4, (5, 70)))
        a, t = adcli.mode(adcli.tensor(x)), torch.mode(torch.tensor(x))
        assert a.values.tolist() == t.values.tolist()
        assert a.indices.tolist() == t.indices.tolist()
