"""cov, corrcoef, block_diag, cartesian_prod, trapezoid/trapz, cumulative_trapezoid, histc and
bincount against real torch: values, dtypes, shapes, grad_fn names and graphs, gradients, out=
and the messages of misuse; every differentiable one gradchecked."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from _torch_compare import assert_gradchecks, gradcheck_leaves, output_graphs, run, same, sampler
from requires import require_torch

import adcli

torch = require_torch()
pytestmark = pytest.mark.needs_torch

RNG = np.random.default_rng(12)
r = sampler(RNG)


V, M, W, C = r(5), r(3, 5), RNG.random(5) + 0.1, r(2, 3, 4)
I = RNG.integers(-3, 4, (3, 5))
FW = np.array([1, 2, 0, 3, 1])
CNT = np.array([1, 4, 4, 0, 2, 7])
H = np.concatenate([r(40), [0.0, 1.0, -1.0, 2.5]])


def _histograms(T, h):
    return (*T.histogram(h), *T.histogram(h, 7, range=(-1.0, 2.0)),
            *h.histogram(T.tensor([-2.0, -0.5, 0.0, 0.5, 3.0], dtype=T.float64)),
            *T.histogram(h, 5, weight=h * 0 + 2, density=True),
            *T.histogram(h, T.tensor([-1.0, 0.0, 2.5], dtype=T.float64), density=True))


def _t(T, a, dtype=None):
    return T.tensor(a, dtype=dtype)


CASES = {
    # cov
    "cov": (lambda T, x: (T.cov(x), x.cov(), T.cov(x, correction=0), T.cov(x, correction=2),
                          T.cov(x, correction=-1)), [M]),
    "cov 1-d": (lambda T, v: (T.cov(v), T.cov(v, correction=0)), [V]),
    "cov 0-d": (lambda T, v: T.cov(v[0]), [V]),
    "cov fweights": (lambda T, x: (T.cov(x, fweights=_t(T, FW)),
                                   T.cov(x, fweights=_t(T, FW), correction=0),
                                   T.cov(x, fweights=_t(T, FW, T.int32), correction=3)), [M]),
    "cov aweights": (lambda T, x, w: (T.cov(x, aweights=w), T.cov(x, aweights=w, correction=0),
                                      T.cov(x, aweights=w, correction=2)), [M, W]),
    "cov both": (lambda T, x, w: (T.cov(x, fweights=_t(T, FW), aweights=w),
                                  T.cov(x, fweights=_t(T, FW), aweights=w, correction=0)),
                 [M, W]),
    "cov aweights f32": (lambda T, x: T.cov(x, aweights=T.tensor(W, dtype=T.float32)), [M]),
    "cov int": (lambda T, i: (T.cov(i), T.cov(i, fweights=_t(T, FW)),
                              T.cov(i, aweights=_t(T, W))), [I]),
    "cov f32": (lambda T, x: T.cov(x), [("f32", M)]),
    "cov one observation": (lambda T, x: T.cov(x[:, :1]), [M]),
    "cov one observation fweights": (
        lambda T, x: T.cov(x.detach()[:, :1].clone(), fweights=T.tensor([2])), [M]),
    "cov one observation aweights": (
        lambda T, x: T.cov(x.detach()[:, :1].clone(), aweights=T.tensor([2.0])), [M]),
    "cov one observation both": (
        lambda T, x: T.cov(x[:, :1], aweights=T.tensor([2.0]), fweights=T.tensor([2])), [M]),
    "cov one observation leaf": (lambda T, x: T.cov(x, fweights=T.tensor([2])), [r(2, 1)]),
    "cov int one observation": (lambda T, i: T.cov(i[:, :1].clone(), fweights=T.tensor([2])),
                                [I]),
    "cov no observations": (lambda T, x: T.cov(x[:, :0]), [M]),
    "cov dof": (lambda T, x: T.cov(x, correction=5), [M]),
    "cov 3-d": (lambda T, c: T.cov(c), [C]),
    "cov bool": (lambda T, i: T.cov(i > 0), [I]),
    "cov float correction": (lambda T, x: T.cov(x, correction=1.5), [M]),
    "cov fweights float": (lambda T, x: T.cov(x, fweights=T.tensor(W)), [M]),
    "cov fweights bool": (lambda T, x: T.cov(x, fweights=T.tensor(FW > 0)), [M]),
    "cov fweights 2-d": (lambda T, x: T.cov(x, fweights=T.tensor([FW.tolist()])), [M]),
    "cov fweights numel": (lambda T, x: T.cov(x, fweights=T.tensor(FW[:3])), [M]),
    "cov fweights negative": (lambda T, x: T.cov(x, fweights=T.tensor(-FW)), [M]),
    "cov fweights zero": (lambda T, x: T.cov(x, fweights=T.tensor(FW * 0)), [M]),
    "cov aweights int": (lambda T, x: T.cov(x, aweights=T.tensor(FW)), [M]),
    "cov aweights negative": (lambda T, x: T.cov(x, aweights=T.tensor(-W)), [M]),
    "cov aweights numel": (lambda T, x: T.cov(x, aweights=T.tensor(W[:2])), [M]),
    # corrcoef
    "corrcoef": (lambda T, x: (T.corrcoef(x), x.corrcoef()), [M]),
    "corrcoef 1-d": (lambda T, v: T.corrcoef(v), [V]),
    "corrcoef int": (lambda T, i: T.corrcoef(i), [I]),
    "corrcoef constant": (lambda T: T.corrcoef(T.ones(2, 3)), []),
    "corrcoef 3-d": (lambda T, c: T.corrcoef(c), [C]),
    "corrcoef bool": (lambda T, i: T.corrcoef(i > 0), [I]),
    # block_diag
    "block_diag": (lambda T, x, v, c: T.block_diag(x, v, v[0], x[:2, :1], x[:0], v[:0]),
                   [M, V, C]),
    "block_diag one": (lambda T, x: T.block_diag(x), [M]),
    "block_diag none": (lambda T: T.block_diag(), []),
    "block_diag dtypes": (lambda T, x, i: (T.block_diag(i, x), T.block_diag(i, i > 0),
                                           T.block_diag(i, x.float()),
                                           T.block_diag(T.tensor(2), T.tensor([1.5, 2.0]))),
                          [M, I]),
    "block_diag mixed grads": (lambda T, x: T.block_diag(x.float(), x), [M]),
    "block_diag 3-d": (lambda T, c: T.block_diag(c), [C]),
    # cartesian_prod
    "cartesian_prod": (lambda T, v, x: (T.cartesian_prod(v, x[0, :2]),
                                        T.cartesian_prod(v[:2], v[1:4], x[1, :2])), [V, M]),
    "cartesian_prod one": (lambda T, v: T.cartesian_prod(v), [V]),
    "cartesian_prod int": (lambda T, i: T.cartesian_prod(i[0], i[1]), [I]),
    "cartesian_prod empty": (lambda T, v: T.cartesian_prod(v, v[:0]), [V]),
    "cartesian_prod none": (lambda T: T.cartesian_prod(), []),
    "cartesian_prod 2-d": (lambda T, x: T.cartesian_prod(x), [M]),
    "cartesian_prod 0-d": (lambda T, v: T.cartesian_prod(v[0], v), [V]),
    "cartesian_prod dtypes": (lambda T, v, i: T.cartesian_prod(v, i[0]), [V, I]),
    # trapezoid / trapz / cumulative_trapezoid
    "trapezoid": (lambda T, x, c: (T.trapezoid(x), T.trapezoid(x, dim=0), T.trapezoid(x, dx=2),
                                   T.trapezoid(c, dx=0.5, dim=1), T.trapz(x), T.trapz(x, dx=3.0),
                                   T.trapz(c, dim=-3)), [M, C]),
    "trapezoid x": (lambda T, x, w, c: (T.trapezoid(x, w), T.trapezoid(x, x=w),
                                        T.trapezoid(x, x * 2), T.trapezoid(c, c[0], dim=1),
                                        T.trapezoid(x, w[:3], dim=0), T.trapz(x, w),
                                        T.trapz(x, w[:3], dim=0)), [M, W, C]),
    "trapezoid x int": (lambda T, x: T.trapezoid(x, T.tensor(FW).cumsum(0)), [M]),
    "trapezoid int": (lambda T, i: (T.trapezoid(i), T.trapezoid(i, dx=2),
                                    T.trapezoid(i, T.tensor(FW))), [I]),
    "trapezoid f32": (lambda T, x: (T.trapezoid(x), T.trapezoid(x, dx=0.1)), [("f32", M)]),
    "trapezoid empty": (lambda T, x, i: (T.trapezoid(x[:, :0]), T.trapezoid(i[:, :0]),
                                         T.trapezoid(x[:, :0], x[:, :0])), [M, I]),
    "trapezoid one sample": (lambda T, x: (T.trapezoid(x[:, :1]), T.trapezoid(x[:, :1], dx=2)),
                             [M]),
    "trapezoid bool": (lambda T, i: T.trapezoid(i > 0), [I]),
    "trapezoid bool x": (lambda T, x: T.trapezoid(x, T.tensor(FW > 0)), [M]),
    "trapezoid bool dx": (lambda T, x: T.trapezoid(x, dx=True), [M]),
    "trapezoid x size": (lambda T, x, w: T.trapezoid(x, w[:2]), [M, W]),
    "trapezoid x and dx": (lambda T, x, w: T.trapezoid(x, w, dx=1.0), [M, W]),
    "trapezoid dim": (lambda T, x: T.trapezoid(x, dim=2), [M]),
    "trapezoid 0-d": (lambda T, v: T.trapezoid(v[0]), [V]),
    "cumulative_trapezoid": (lambda T, x, c: (T.cumulative_trapezoid(x),
                                              T.cumulative_trapezoid(x, dim=0),
                                              T.cumulative_trapezoid(x, dx=3),
                                              T.cumulative_trapezoid(c, dx=0.25, dim=1)),
                             [M, C]),
    "cumulative_trapezoid x": (lambda T, x, w, c: (T.cumulative_trapezoid(x, w),
                                                   T.cumulative_trapezoid(x, x=x * 3),
                                                   T.cumulative_trapezoid(c, c[0], dim=-1)),
                               [M, W, C]),
    "cumulative_trapezoid int": (lambda T, i: (T.cumulative_trapezoid(i),
                                               T.cumulative_trapezoid(i, dx=2),
                                               T.cumulative_trapezoid(i, T.tensor(FW))), [I]),
    "cumulative_trapezoid short": (lambda T, x: (T.cumulative_trapezoid(x[:, :1]),
                                                 T.cumulative_trapezoid(x[:, :0])), [M]),
    "cumulative_trapezoid bool": (lambda T, i: T.cumulative_trapezoid(i > 0), [I]),
    "cumulative_trapezoid x size": (lambda T, x, w: T.cumulative_trapezoid(x, w[:2]), [M, W]),
    # histc
    "histc": (lambda T, h: (T.histc(h), T.histc(h, 7), h.histc(bins=5, min=-1, max=1),
                            T.histc(h, 3, 0, 0), T.histc(h, 4, 2.5, 2.5)), [H]),
    "histc f32": (lambda T, h: (T.histc(h, 10), T.histc(h, 6, -0.5, 1.5)), [("f32", H)]),
    "histc edges": (lambda T: T.histc(T.tensor([1.0, 2, 5, 9]), 3, min=1.5, max=4.5), []),
    "histc constant": (lambda T: (T.histc(T.ones(3)), T.histc(T.ones(3), 4, 1, 1)), []),
    "histc empty": (lambda T: T.histc(T.zeros(0, dtype=T.float64), 4), []),
    "histc bins": (lambda T, h: T.histc(h, 0), [H]),
    "histc negative bins": (lambda T, h: T.histc(h, -2), [H]),
    "histc reversed": (lambda T, h: T.histc(h, 4, 3, 0), [H]),
    "histc inf": (lambda T: T.histc(T.tensor([float("inf"), 1.0])), []),
    "histc nan": (lambda T: T.histc(T.tensor([float("nan")])), []),
    "histc nan range": (lambda T: T.histc(T.tensor([1.0]), min=float("nan"), max=1), []),
    "histc int": (lambda T, i: T.histc(i), [I]),
    # histogram
    "histogram": (lambda T, h: _histograms(T, h.detach()), [H]),
    "histogram f32": (lambda T, h: tuple(T.histogram(h.detach(), 6)), [("f32", H)]),
    "histogram empty": (lambda T: tuple(T.histogram(T.zeros(0), 2)), []),
    "histogram constant": (lambda T: tuple(T.histogram(T.ones(2) * 3, 2, range=(3.0, 3.0))),
                           []),
    "histogram int": (lambda T, i: T.histogram(i, 3), [I]),
    "histogram range": (lambda T, h: T.histogram(h, 3, range=(2.0, 1.0)), [H]),
    "histogram inf range": (lambda T, h: T.histogram(h, 3, range=(2.0, float("inf"))), [H]),
    "histogram weight shape": (lambda T, h: T.histogram(h, 3, weight=h[:3]), [H]),
    "histogram weight dtype": (lambda T, h: T.histogram(h, 3, weight=h.float()), [H]),
    "histogram bins 2-d": (lambda T, h: T.histogram(h, h[:4].view(2, 2)), [H]),
    "histogram bins dtype": (lambda T, h: T.histogram(h, h[:4].float()), [H]),
    "histogram no bins": (lambda T, h: T.histogram(h, 0), [H]),
    # aminmax
    "aminmax": (lambda T, x: (*T.aminmax(x), *T.aminmax(x, dim=1), *x.aminmax(dim=0, keepdim=True),
                              *T.aminmax(x, dim=-1, keepdim=False)), [M]),
    "aminmax ties": (lambda T: tuple(T.aminmax(T.tensor([[1.0, 3, 3], [2, 2, 0]],
                                                         dtype=T.float64, requires_grad=True),
                                               dim=1)), []),
    "aminmax all ties": (lambda T: tuple(T.aminmax(T.tensor([[1.0, 3, 3], [0, 2, 0]],
                                                             dtype=T.float64,
                                                             requires_grad=True))), []),
    "aminmax only max": (lambda T, x: T.aminmax(x, dim=0).max, [M]),
    "aminmax int": (lambda T, i: (*T.aminmax(i), *T.aminmax(i > 0, dim=1)), [I]),
    "aminmax 0-d": (lambda T, v: tuple(T.aminmax(v[0], dim=0)), [V]),
    "aminmax empty": (lambda T, x: T.aminmax(x[:0]), [M]),
    "aminmax empty dim": (lambda T, x: T.aminmax(x[:, :0], dim=1), [M]),
    "aminmax empty other dim": (lambda T, x: tuple(T.aminmax(x[:0], dim=1)), [M]),
    "aminmax dims": (lambda T, x: T.aminmax(x, dim=(0, 1)), [M]),
    "aminmax dim range": (lambda T, x: T.aminmax(x, dim=2), [M]),
    # combinations
    "combinations": (lambda T, v: (T.combinations(v), T.combinations(v, 3),
                                   T.combinations(v[:3], with_replacement=True),
                                   T.combinations(v[:3], 3, True), T.combinations(v, 1),
                                   T.combinations(v[:3], 4)), [V]),
    "combinations zero": (lambda T, v: T.combinations(v, 0), [V]),
    "combinations empty": (lambda T, v: (T.combinations(v[:0]), T.combinations(v[:0], 3)), [V]),
    "combinations int": (lambda T, i: T.combinations(i[0]), [I]),
    "combinations 2-d": (lambda T, x: T.combinations(x), [M]),
    "combinations negative": (lambda T, v: T.combinations(v, -1), [V]),
    # bincount
    "bincount": (lambda T: (T.bincount(T.tensor(CNT)), T.tensor(CNT).bincount(minlength=10),
                            T.bincount(T.tensor(CNT, dtype=T.int32), minlength=3),
                            T.bincount(T.tensor(CNT, dtype=T.uint8))), []),
    "bincount weights": (lambda T, v: (T.bincount(T.tensor(CNT), T.cat([v, v[:1]]).detach()),
                                       T.bincount(T.tensor(CNT), T.tensor(CNT * 1.5), 9)), [V]),
    "bincount weights f32": (lambda T: T.bincount(T.tensor(CNT), T.tensor(CNT * 1.5).float()),
                             []),
    "bincount weights int": (lambda T: (T.bincount(T.tensor(CNT), T.tensor(CNT)),
                                        T.bincount(T.tensor(CNT), T.tensor(CNT > 2))), []),
    "bincount empty": (lambda T: (T.bincount(T.tensor([], dtype=T.int64)),
                                  T.bincount(T.tensor([], dtype=T.int64), minlength=3),
                                  T.bincount(T.tensor([], dtype=T.int64), T.zeros(0))), []),
    "bincount negative": (lambda T: T.bincount(T.tensor([-1, 2])), []),
    "bincount 2-d": (lambda T: T.bincount(T.tensor([[1, 2]])), []),
    "bincount float": (lambda T: T.bincount(T.tensor([1.0])), []),
    "bincount bool": (lambda T: T.bincount(T.tensor([True])), []),
    "bincount minlength": (lambda T: T.bincount(T.tensor([1]), minlength=-1), []),
    "bincount weights size": (lambda T: T.bincount(T.tensor([1, 2]), T.ones(3)), []),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_against_torch(name: str) -> None:
    fn, arrays = CASES[name]
    single = "f32" in name or "int" in name  # float32 results: the last bits may differ
    same(run(adcli, fn, arrays), run(torch, fn, arrays), rtol=1e-6 if single else 1e-11,
         atol=1e-6 if single else 1e-12)


def test_bincount_backward_raises_as_torch() -> None:
    msgs = []
    for T in (adcli, torch):
        w = T.tensor([1.0, 2.0, 3.0], requires_grad=True)
        out = T.bincount(T.tensor([0, 2, 2]), w)
        assert out.grad_fn.name().endswith("NotImplemented")
        with pytest.raises(RuntimeError) as err:
            out.sum().backward()
        msgs.append(str(err.value))
    assert msgs[0] == msgs[1]


def test_cov_dof_warning_as_torch() -> None:
    got = []
    for T in (adcli, torch):
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            T.cov(T.tensor(M), correction=5)
        got.append([str(x.message).split(" (Triggered")[0] for x in w])
    assert got[0] == got[1] and got[0]


GRAPHS = {name: CASES[name] for name in (
    "cov", "cov 1-d", "cov fweights", "cov aweights", "cov both", "corrcoef", "corrcoef 1-d",
    "block_diag", "cartesian_prod", "cartesian_prod one", "trapezoid", "trapezoid x",
    "combinations", "aminmax",
    "cumulative_trapezoid", "cumulative_trapezoid x", "cov one observation both")}


@pytest.mark.parametrize("name", sorted(GRAPHS))
def test_composite_graphs_match_torch(name: str) -> None:
    fn, arrays = GRAPHS[name]
    assert output_graphs(adcli, fn, arrays) == output_graphs(torch, fn, arrays)


def test_histogram_and_aminmax_results_as_torch() -> None:
    res = []
    for T in (adcli, torch):
        h = T.tensor(H, requires_grad=True)
        hist = T.histogram(h, 4)
        mm = T.aminmax(h)
        assert hist.hist is hist[0] and hist.bin_edges is hist[1]
        assert mm.min is mm[0] and mm.max is mm[1]
        assert hist.hist.grad_fn is hist.bin_edges.grad_fn
        with pytest.raises(RuntimeError) as err:
            hist.hist.sum().backward()
        res.append((repr(hist), repr(mm), hist.hist.grad_fn.name(), str(err.value)))
    assert res[0] == res[1]


def test_cartesian_prod_one_tensor_is_returned() -> None:
    v = adcli.tensor(V)
    assert adcli.cartesian_prod(v) is v


def test_histc_out() -> None:
    def prog(T):
        o = T.empty(0, dtype=T.float64)
        res = T.histc(T.tensor(H), 6, out=o)
        assert res is o
        return o

    same(run(adcli, prog, []), run(torch, prog, []))


GRADCHECK = {
    "cov": (lambda x: adcli.cov(x), [(3, 5)]),
    "cov 1-d": (lambda v: adcli.cov(v, correction=0), [(5,)]),
    "cov fweights": (lambda x: adcli.cov(x, fweights=adcli.tensor(FW)), [(3, 5)]),
    "cov aweights": (lambda x, w: adcli.cov(x, aweights=w.abs() + 0.1), [(3, 5), (5,)]),
    "cov both": (lambda x, w: adcli.cov(x, fweights=adcli.tensor(FW), aweights=w.abs() + 0.1),
                 [(3, 5), (5,)]),
    "corrcoef": (lambda x: adcli.corrcoef(x), [(3, 5)]),
    "block_diag": (lambda a, b, c: adcli.block_diag(a, b, c), [(2, 3), (3,), ()]),
    "cartesian_prod": (lambda a, b: adcli.cartesian_prod(a, b), [(3,), (2,)]),
    "trapezoid": (lambda y: adcli.trapezoid(y, dx=0.5), [(3, 4)]),
    "trapezoid x": (lambda y, x: adcli.trapezoid(y, x), [(3, 4), (4,)]),
    "trapezoid x same": (lambda y, x: adcli.trapezoid(y, x, dim=0), [(3, 4), (3, 4)]),
    "cumulative_trapezoid": (lambda y: adcli.cumulative_trapezoid(y, dim=0), [(3, 4)]),
    "cumulative_trapezoid x": (lambda y, x: adcli.cumulative_trapezoid(y, x), [(3, 4), (4,)]),
    "aminmax": (lambda x: adcli.aminmax(x), [(3, 4)]),
    "aminmax dim": (lambda x: adcli.aminmax(x, dim=1, keepdim=True), [(3, 4)]),
    "combinations": (lambda v: adcli.combinations(v, 2, True), [(4,)]),
}


@pytest.mark.parametrize("name", sorted(GRADCHECK))
def test_gradcheck(name: str) -> None:
    fn, shapes = GRADCHECK[name]
    assert_gradchecks(fn, gradcheck_leaves(shapes, 5))
