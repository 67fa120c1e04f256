"""The margin/embedding/likelihood losses and the distances (F.cosine_embedding_loss,
margin_ranking_loss, hinge_embedding_loss, soft_margin_loss, multilabel_soft_margin_loss,
multilabel_margin_loss, multi_margin_loss, triplet_margin_loss(+_with_distance),
gaussian_nll_loss, poisson_nll_loss, pairwise_distance, pdist) and their modules, against
torch: values for every reduction (float64 and float32), gradients, the grad_fn graph of the
loss and of its first derivatives under create_graph, second derivatives, errors, reprs;
gradchecked (and gradgradchecked where torch can differentiate twice)."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pytest

torch = pytest.importorskip("torch")

import adcli  # noqa: E402


def tree(node: Any, depth: int = 0) -> Any:
    if node is None:
        return None
    if depth > 14:
        return (node.name(), "...")
    return (node.name(), tuple((tree(n, depth + 1), nr) for n, nr in node.next_functions))


def _I(T: Any, v: Any) -> Any:
    return T.tensor(v)


_DTYPE = ["float64"]  # the float constants' dtype: the leaves' (test_float32_as_torch)


def _D(T: Any, v: Any) -> Any:
    return T.tensor(v, dtype=getattr(T, _DTYPE[0]))


Y3 = [1.0, -1.0, 1.0]
PM = [[1.0, -1, 1, -1]] * 3
MLM = [[3, 0, -1, 1], [1, 2, 3, 0], [-1, 1, 2, 0]]

# name -> (input shapes, fn(T, F, *leaves)); leaves are float64 tensors requiring grad
BASE: dict[str, tuple[list[tuple[int, ...]], Any]] = {
    "cosine_embedding": ([(3, 4), (3, 4)], lambda T, F, a, b, r: F.cosine_embedding_loss(
        a, b, _D(T, Y3), margin=0.2, reduction=r)),
    "cosine_embedding 1D": ([(4,), (4,)], lambda T, F, a, b, r: F.cosine_embedding_loss(
        a, b, _D(T, -1.0), margin=-0.5, reduction=r)),
    "margin_ranking": ([(5,), (5,)], lambda T, F, a, b, r: F.margin_ranking_loss(
        a, b, _D(T, [1.0, -1, 1, -1, 1]), 0.3, reduction=r)),
    "margin_ranking target grad": ([(5,), (5,), (5,)], lambda T, F, a, b, c, r:
                                   F.margin_ranking_loss(a, b, c, 0.3, reduction=r)),
    "hinge_embedding": ([(3, 4)], lambda T, F, a, r: F.hinge_embedding_loss(
        a, _D(T, PM), 0.5, reduction=r)),
    "soft_margin": ([(3, 4)], lambda T, F, a, r: F.soft_margin_loss(a, _D(T, PM), reduction=r)),
    "soft_margin broadcast": ([(3, 4)], lambda T, F, a, r: F.soft_margin_loss(
        a, _D(T, PM[0]), reduction=r)),
    "multilabel_soft_margin": ([(3, 4)], lambda T, F, a, r: F.multilabel_soft_margin_loss(
        a, _D(T, [[1.0, 0, 1, 0]] * 3), reduction=r)),
    "multilabel_soft_margin weight, target grad": ([(3, 4), (3, 4)], lambda T, F, a, b, r:
                                                   F.multilabel_soft_margin_loss(
        a, b.sigmoid(), weight=_D(T, [1.0, 2, 3, 4]), reduction=r)),
    "multilabel_margin": ([(3, 4)], lambda T, F, a, r: F.multilabel_margin_loss(
        a, _I(T, MLM), reduction=r)),
    "multilabel_margin 1D": ([(4,)], lambda T, F, a, r: F.multilabel_margin_loss(
        a, _I(T, [2, 0, -1, 1]), reduction=r)),
    "multi_margin": ([(3, 4)], lambda T, F, a, r: F.multi_margin_loss(
        a, _I(T, [3, 0, 1]), reduction=r)),
    "multi_margin p2 weight": ([(3, 4)], lambda T, F, a, r: F.multi_margin_loss(
        a, _I(T, [3, 0, 1]), p=2, margin=0.7, weight=_D(T, [1.0, 2, 3, 4]), reduction=r)),
    "multi_margin 1D": ([(4,)], lambda T, F, a, r: F.multi_margin_loss(
        a, _I(T, 2), reduction=r)),
    "triplet_margin": ([(3, 4)] * 3, lambda T, F, a, b, c, r: F.triplet_margin_loss(
        a, b, c, margin=1.5, reduction=r)),
    "triplet_margin swap p1": ([(3, 4)] * 3, lambda T, F, a, b, c, r: F.triplet_margin_loss(
        a, b, c, margin=2.0, p=1, swap=True, reduction=r)),
    "triplet_margin p3": ([(3, 4)] * 3, lambda T, F, a, b, c, r: F.triplet_margin_loss(
        a, b, c, margin=2.0, p=3, reduction=r)),
    "triplet_margin_with_distance": ([(3, 4)] * 3, lambda T, F, a, b, c, r:
                                     F.triplet_margin_with_distance_loss(
        a, b, c, margin=1.5, reduction=r)),
    "triplet_margin_with_distance cosine swap": ([(3, 4)] * 3, lambda T, F, a, b, c, r:
                                                 F.triplet_margin_with_distance_loss(
        a, b, c, distance_function=lambda x, y: 1 - F.cosine_similarity(x, y), swap=True,
        reduction=r)),
    "gaussian_nll": ([(3, 4)] * 3, lambda T, F, a, b, c, r: F.gaussian_nll_loss(
        a, b, c.exp(), reduction=r)),
    "gaussian_nll full, var one dim short": ([(3, 4), (3, 4), (3,)], lambda T, F, a, b, c, r:
                                             F.gaussian_nll_loss(
        a, b, c * c + 0.2, full=True, eps=0.1, reduction=r)),
    "gaussian_nll float var": ([(3, 4), (3, 4)], lambda T, F, a, b, r: F.gaussian_nll_loss(
        a, b, 0.5, reduction=r)),
    "gaussian_nll var (3, 1)": ([(3, 4), (3, 4), (3, 1)], lambda T, F, a, b, c, r:
                                F.gaussian_nll_loss(a, b, c.exp(), reduction=r)),
    "poisson_nll": ([(3, 4), (3, 4)], lambda T, F, a, b, r: F.poisson_nll_loss(
        a, b.abs() * 3, reduction=r)),
    "poisson_nll full, not log": ([(3, 4), (3, 4)], lambda T, F, a, b, r: F.poisson_nll_loss(
        a.exp(), b.abs() * 3, log_input=False, full=True, eps=1e-3, reduction=r)),
    "poisson_nll full, target grad": ([(3, 4), (3, 4)], lambda T, F, a, b, r:
                                      F.poisson_nll_loss(a, b * b * 3, full=True, reduction=r)),
}
PROGRAMS = {f"{k} {r}": (shapes, fn, r) for k, (shapes, fn) in BASE.items()
            for r in ("mean", "sum", "none")}
DISTANCES: dict[str, tuple[list[tuple[int, ...]], Any]] = {
    "pairwise_distance": ([(3, 4), (3, 4)], lambda T, F, a, b: F.pairwise_distance(a, b)),
    "pairwise_distance p1 keepdim": ([(3, 4), (3, 4)], lambda T, F, a, b:
                                     F.pairwise_distance(a, b, 1, 1e-3, True)),
    "pairwise_distance p3 broadcast": ([(4,), (3, 4)], lambda T, F, a, b:
                                       F.pairwise_distance(a, b, 3)),
    "pairwise_distance inf": ([(3, 4), (3, 4)], lambda T, F, a, b:
                              F.pairwise_distance(a, b, float("inf"))),
    "pairwise_distance p0.5": ([(3, 4), (3, 4)], lambda T, F, a, b:
                               F.pairwise_distance(a, b, 0.5)),
    "pairwise_distance 0-d": ([(), ()], lambda T, F, a, b: F.pairwise_distance(a, b)),
    "torch.pairwise_distance": ([(2, 3), (2, 3)], lambda T, F, a, b:
                                T.pairwise_distance(a, b, 2.5)),
    "PairwiseDistance": ([(2, 3), (2, 3)], lambda T, F, a, b:
                         T.nn.PairwiseDistance(1.5, 1e-4, True)(a, b)),
    "pdist": ([(4, 3)], lambda T, F, a: F.pdist(a)),
    "pdist p1": ([(4, 3)], lambda T, F, a: F.pdist(a, 1)),
    "pdist p1.5": ([(4, 3)], lambda T, F, a: F.pdist(a, 1.5)),
    "pdist p3": ([(4, 3)], lambda T, F, a: F.pdist(a, 3)),
    "pdist p0.5": ([(4, 3)], lambda T, F, a: F.pdist(a, 0.5)),
    "pdist inf": ([(4, 3)], lambda T, F, a: F.pdist(a, float("inf"))),
    "torch.pdist one row": ([(1, 3)], lambda T, F, a: T.pdist(a) * 1),
}
for _k, (_s, _f) in DISTANCES.items():
    PROGRAMS[_k] = (_s, lambda T, F, *a, f=_f, r=None: f(T, F, *a), None)

# torch raises in the second backward (no derivative for the backward kernel)
NO_DOUBLE = ("multilabel_margin", "multi_margin", "pdist")


def _leaves(T: Any, shapes: list[tuple[int, ...]], dtype: str = "float64") -> list[Any]:
    rng = np.random.default_rng(7)
    return [T.tensor(rng.standard_normal(s), dtype=getattr(T, dtype), requires_grad=True)
            for s in shapes]


def _run(T: Any, name: str, dtype: str = "float64") -> Any:
    shapes, fn, red = PROGRAMS[name]
    xs = _leaves(T, shapes, dtype)
    out = fn(T, T.nn.functional, *xs, red) if red else fn(T, T.nn.functional, *xs)
    gs = T.autograd.grad(out.sum(), xs, create_graph=True, allow_unused=True)
    second = None
    if not any(name.startswith(n) or name.startswith("torch." + n) for n in NO_DOUBLE):
        total = sum((g * g).sum() for g in gs if g is not None and g.requires_grad)
        if not isinstance(total, int):
            second = [None if h is None else h.detach().numpy(force=True)
                      for h in T.autograd.grad(total, xs, allow_unused=True)]
    return (out.detach().numpy(), tree(out.grad_fn),
            [None if g is None else g.detach().numpy() for g in gs],
            [None if g is None else (g.requires_grad, tree(g.grad_fn)) for g in gs], second)


def _close(a: Any, b: Any, rtol: float) -> None:
    assert (a is None) == (b is None)
    if a is not None:
        assert a.dtype == b.dtype
        np.testing.assert_allclose(a, b, rtol=rtol, atol=rtol * 1e-3)


@pytest.mark.parametrize("name", PROGRAMS)
def test_values_grads_and_graphs_as_torch(name: str) -> None:
    a, t = _run(adcli, name), _run(torch, name)
    _close(a[0], t[0], 1e-12)
    assert a[1] == t[1]
    for x, y in zip(a[2], t[2], strict=True):
        _close(x, y, 1e-11)
    assert a[3] == t[3]  # the first derivatives' graphs (create_graph=True)
    assert (a[4] is None) == (t[4] is None)
    for x, y in zip(a[4] or (), t[4] or (), strict=True):
        _close(x, y, 1e-9)


@pytest.mark.parametrize("name", [n for n in PROGRAMS if n.endswith(" mean") or
                                  PROGRAMS[n][2] is None])
def test_float32_as_torch(name: str) -> None:
    shapes, fn, red = PROGRAMS[name]
    outs = []
    for T in (adcli, torch):
        xs = _leaves(T, shapes, "float32")
        _DTYPE[0] = "float32"
        try:
            out = fn(T, T.nn.functional, *xs, red) if red else fn(T, T.nn.functional, *xs)
        finally:
            _DTYPE[0] = "float64"
        out.sum().backward()
        outs.append((out.detach().numpy(), [x.grad.numpy() for x in xs if x.grad is not None]))
    (va, ga), (vt, gt) = outs
    assert va.dtype == vt.dtype == np.float32
    np.testing.assert_allclose(va, vt, rtol=2e-6, atol=1e-6)
    for x, y in zip(ga, gt, strict=True):
        np.testing.assert_allclose(x, y, rtol=2e-5, atol=2e-6)


@pytest.mark.parametrize("name", ["multilabel_margin mean", "multi_margin none",
                                  "multi_margin p2 weight sum", "pdist", "pdist p3"])
def test_no_double_backward_as_torch(name: str) -> None:
    outcomes = []
    for T in (adcli, torch):
        shapes, fn, red = PROGRAMS[name]
        xs = _leaves(T, shapes)
        out = fn(T, T.nn.functional, *xs, red) if red else fn(T, T.nn.functional, *xs)
        (g,) = T.autograd.grad(out.sum(), xs, create_graph=True)
        with pytest.raises((RuntimeError, NotImplementedError)) as info:
            g.sum().backward()
        outcomes.append((g.grad_fn.name(), info.type.__name__ == "NotImplementedError",
                         str(info.value)))
    assert outcomes[0] == outcomes[1]


@pytest.mark.parametrize("name", PROGRAMS)
def test_gradchecked(name: str) -> None:
    shapes, fn, red = PROGRAMS[name]
    xs = _leaves(adcli, shapes)
    F = adcli.nn.functional

    def f(*a: Any) -> Any:
        return fn(adcli, F, *a, red) if red else fn(adcli, F, *a)

    assert adcli.autograd.gradcheck(f, tuple(xs))
    if not any(name.startswith(n) or name.startswith("torch." + n) for n in NO_DOUBLE):
        assert adcli.autograd.gradgradcheck(f, tuple(xs))


ERRORS = {
    "multi_margin target out of range": lambda T, F: F.multi_margin_loss(
        T.ones(3, 4), T.tensor([0, 1, 4])),
    "multi_margin target size": lambda T, F: F.multi_margin_loss(T.ones(3, 4), T.tensor([0, 1])),
    "multi_margin 3-D": lambda T, F: F.multi_margin_loss(T.ones(2, 3, 4), T.tensor([0, 1])),
    "multi_margin empty": lambda T, F: F.multi_margin_loss(T.ones(3, 0), T.tensor([0, 1, 2])),
    "multi_margin p=3": lambda T, F: F.multi_margin_loss(T.ones(3, 4), T.tensor([0, 1, 2]), p=3),
    "multi_margin weight size": lambda T, F: F.multi_margin_loss(
        T.ones(3, 4), T.tensor([0, 1, 2]), weight=T.ones(3)),
    "multi_margin weight 2-D": lambda T, F: F.multi_margin_loss(
        T.ones(3, 4), T.tensor([0, 1, 2]), weight=T.ones(2, 2)),
    "multi_margin weight dtype": lambda T, F: F.multi_margin_loss(
        T.ones(3, 4, dtype=T.float64), T.tensor([0, 1, 2]), weight=T.ones(4)),
    "multi_margin float target": lambda T, F: F.multi_margin_loss(
        T.ones(3, 4), T.tensor([0.0, 1, 2])),
    "multi_margin reduction": lambda T, F: F.multi_margin_loss(
        T.ones(3, 4), T.tensor([0, 1, 2]), reduction="bad"),
    "multilabel_margin target range": lambda T, F: F.multilabel_margin_loss(
        T.ones(3, 4), T.tensor([[0, 1, 5, -1]] * 3)),
    "multilabel_margin target size": lambda T, F: F.multilabel_margin_loss(
        T.ones(3, 4), T.tensor([[0, 1, -1]] * 3)),
    "multilabel_margin 3-D": lambda T, F: F.multilabel_margin_loss(
        T.ones(2, 3, 4), T.tensor([0, 1, -1, 2])),
    "multilabel_margin float target": lambda T, F: F.multilabel_margin_loss(
        T.ones(3, 4), T.tensor([[0.0, 1, -1, 2]] * 3)),
    "soft_margin shapes": lambda T, F: F.soft_margin_loss(T.ones(3, 4), T.ones(3, 3)),
    "soft_margin larger target": lambda T, F: F.soft_margin_loss(T.ones(4), T.ones(3, 4)),
    "soft_margin reduction": lambda T, F: F.soft_margin_loss(T.ones(3), T.ones(3), reduction="x"),
    "soft_margin target requires grad": lambda T, F: F.soft_margin_loss(
        T.ones(3, 4), T.ones(3, 4, requires_grad=True)),
    "margin_ranking sizes": lambda T, F: F.margin_ranking_loss(T.ones(3), T.ones(3), T.ones(2)),
    "margin_ranking dims": lambda T, F: F.margin_ranking_loss(T.ones(3), T.ones(3),
                                                              T.ones(1, 3)),
    "cosine_embedding 1-D inputs": lambda T, F: F.cosine_embedding_loss(
        T.ones(3), T.ones(3), T.ones(1)),
    "cosine_embedding 2-D target": lambda T, F: F.cosine_embedding_loss(
        T.ones(2, 3), T.ones(2, 3), T.ones(2, 1)),
    "cosine_embedding 0-D target": lambda T, F: F.cosine_embedding_loss(
        T.ones(2, 3), T.ones(2, 3), T.tensor(1.0)),
    "cosine_embedding reduction": lambda T, F: F.cosine_embedding_loss(
        T.ones(2, 3), T.ones(2, 3), T.ones(2), reduction="avg"),
    "triplet dims": lambda T, F: F.triplet_margin_loss(T.ones(2, 3), T.ones(2, 3), T.ones(3)),
    "triplet margin": lambda T, F: F.triplet_margin_loss(T.ones(2, 3), T.ones(2, 3),
                                                         T.ones(2, 3), margin=0),
    "triplet reduction": lambda T, F: F.triplet_margin_loss(T.ones(2, 3), T.ones(2, 3),
                                                            T.ones(2, 3), reduction="x"),
    "triplet_with_distance dims": lambda T, F: F.triplet_margin_with_distance_loss(
        T.ones(2, 3), T.ones(2, 3), T.ones(3)),
    "triplet_with_distance reduction": lambda T, F: F.triplet_margin_with_distance_loss(
        T.ones(2, 3), T.ones(2, 3), T.ones(2, 3), reduction="x"),
    "triplet_with_distance margin": lambda T, F: F.triplet_margin_with_distance_loss(
        T.ones(2, 3), T.ones(2, 3), T.ones(2, 3), margin=-1.0),
    "gaussian_nll var size": lambda T, F: F.gaussian_nll_loss(T.ones(2, 3), T.ones(2, 3),
                                                              T.ones(3, 3)),
    "gaussian_nll negative var": lambda T, F: F.gaussian_nll_loss(T.ones(2, 3), T.ones(2, 3),
                                                                  -T.ones(2, 3)),
    "gaussian_nll negative float var": lambda T, F: F.gaussian_nll_loss(
        T.ones(2, 3), T.ones(2, 3), -1.0),
    "gaussian_nll reduction": lambda T, F: F.gaussian_nll_loss(T.ones(2, 3), T.ones(2, 3), 1.0,
                                                               reduction="x"),
    "gaussian_nll var (1, 1)": lambda T, F: F.gaussian_nll_loss(T.ones(2, 3), T.ones(2, 3),
                                                                T.ones(1, 1)),
    "poisson_nll reduction": lambda T, F: F.poisson_nll_loss(T.ones(2), T.ones(2),
                                                             reduction="x"),
    "hinge reduction": lambda T, F: F.hinge_embedding_loss(T.ones(2), T.ones(2), reduction="x"),
    "multilabel_soft_margin reduction": lambda T, F: F.multilabel_soft_margin_loss(
        T.ones(2, 3), T.ones(2, 3), reduction="x"),
    "pdist 3-D": lambda T, F: F.pdist(T.ones(2, 3, 4)),
    "pdist negative p": lambda T, F: F.pdist(T.ones(2, 3), p=-1),
    "pdist integer": lambda T, F: F.pdist(T.ones(2, 3, dtype=T.int64)),
    "pairwise_distance shapes": lambda T, F: F.pairwise_distance(T.ones(2, 3), T.ones(2, 4)),
    "MultiMarginLoss p": lambda T, F: T.nn.MultiMarginLoss(p=3),
    "MultiMarginLoss weight": lambda T, F: T.nn.MultiMarginLoss(weight=T.ones(2, 2)),
    "TripletMarginLoss margin": lambda T, F: T.nn.TripletMarginLoss(margin=0),
    "TripletMarginWithDistanceLoss margin": lambda T, F: T.nn.TripletMarginWithDistanceLoss(
        margin=0),
}


def _outcome(fn: Any, T: Any) -> Any:
    try:
        out = fn(T, T.nn.functional)
    except Exception as e:
        family = next(c.__name__ for c in (TypeError, IndexError, ValueError, RuntimeError)
                      if isinstance(e, c))
        return family, str(e)
    return out.tolist() if hasattr(out, "tolist") else repr(out)


@pytest.mark.parametrize("case", ERRORS)
def test_errors_as_torch(case: str) -> None:
    assert _outcome(ERRORS[case], adcli) == _outcome(ERRORS[case], torch)


def test_legacy_reduction_arguments_as_torch() -> None:
    def run(T: Any) -> Any:
        F = T.nn.functional
        x = T.tensor([0.5, -1.0, 2.0], dtype=T.float64)
        y = T.tensor([1.0, 0.0, -1.0], dtype=T.float64)
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            t = -(y - 0.5).sign()
            vals = [F.margin_ranking_loss(x, y, t, size_average=False),
                    F.hinge_embedding_loss(x, t, reduce=False),
                    F.soft_margin_loss(x, t, size_average=True),
                    F.poisson_nll_loss(x, y.abs(), reduce=False),
                    F.multilabel_soft_margin_loss(x[None], y[None].abs(), size_average=False),
                    T.nn.MarginRankingLoss(size_average=False)(x, y, t)]
        return [v.tolist() for v in vals], [str(m.message) for m in w]

    assert run(adcli) == run(torch)


def _modules(N: Any, T: Any) -> list[Any]:
    w = T.tensor([1.0, 2.0, 3.0, 4.0], dtype=T.float64)
    return [N.CosineEmbeddingLoss(), N.CosineEmbeddingLoss(0.3, reduction="sum"),
            N.MarginRankingLoss(0.2), N.HingeEmbeddingLoss(), N.HingeEmbeddingLoss(2.0),
            N.SoftMarginLoss(reduction="none"), N.MultiLabelSoftMarginLoss(),
            N.MultiLabelSoftMarginLoss(weight=w),
            N.MultiLabelMarginLoss(), N.MultiMarginLoss(),
            N.MultiMarginLoss(2, 0.5, weight=w),
            N.TripletMarginLoss(), N.TripletMarginLoss(0.5, 1.0, 1e-3, True),
            N.TripletMarginWithDistanceLoss(),
            N.TripletMarginWithDistanceLoss(distance_function=N.PairwiseDistance(1.0),
                                            swap=True),
            N.GaussianNLLLoss(), N.GaussianNLLLoss(full=True, eps=1e-3, reduction="sum"),
            N.PoissonNLLLoss(), N.PoissonNLLLoss(False, True, eps=1e-4),
            N.PairwiseDistance(), N.PairwiseDistance(1.0, 1e-3, True)]


def _module_inputs(T: Any, m: Any) -> list[Any]:
    rng = np.random.default_rng(3)
    x = [T.tensor(rng.standard_normal((3, 4)), dtype=T.float64, requires_grad=True)
         for _ in range(3)]
    kind = type(m).__name__
    if kind in ("CosineEmbeddingLoss",):
        return [x[0], x[1], T.tensor(Y3, dtype=T.float64)]
    if kind == "MarginRankingLoss":
        return [x[0], x[1], T.tensor(PM, dtype=T.float64)]
    if kind in ("HingeEmbeddingLoss", "SoftMarginLoss"):
        return [x[0], T.tensor(PM, dtype=T.float64)]
    if kind == "MultiLabelSoftMarginLoss":
        return [x[0], T.tensor([[1.0, 0, 1, 0]] * 3, dtype=T.float64)]
    if kind == "MultiLabelMarginLoss":
        return [x[0], T.tensor(MLM)]
    if kind == "MultiMarginLoss":
        return [x[0], T.tensor([3, 0, 1])]
    if kind == "GaussianNLLLoss":
        return [x[0], x[1], x[2].exp()]
    if kind == "PoissonNLLLoss":
        return [x[0].exp(), x[1].abs() * 3]
    if kind == "PairwiseDistance":
        return [x[0], x[1]]
    return x


def test_modules_as_torch() -> None:
    for a, t in zip(_modules(adcli.nn, adcli), _modules(torch.nn, torch), strict=True):
        assert repr(a) == repr(t)
        assert list(a.state_dict()) == list(t.state_dict())
        assert a.training == t.training
        ya, yt = a(*_module_inputs(adcli, a)), t(*_module_inputs(torch, t))
        np.testing.assert_allclose(ya.detach().numpy(), yt.detach().numpy(), rtol=1e-12)
        assert ya.grad_fn.name() == yt.grad_fn.name()


def test_exported_as_torch() -> None:
    for name in ("CosineEmbeddingLoss", "MarginRankingLoss", "HingeEmbeddingLoss",
                 "SoftMarginLoss", "MultiLabelSoftMarginLoss", "MultiLabelMarginLoss",
                 "MultiMarginLoss", "TripletMarginLoss", "TripletMarginWithDistanceLoss",
                 "GaussianNLLLoss", "PoissonNLLLoss", "PairwiseDistance"):
        assert getattr(adcli.nn, name).__name__ == getattr(torch.nn, name).__name__
    for name in ("pairwise_distance", "pdist", "cosine_embedding_loss", "margin_ranking_loss",
                 "hinge_embedding_loss", "triplet_margin_loss", "poisson_nll_loss"):
        assert callable(getattr(adcli, name)) and callable(getattr(torch, name))
