"""torch.gradient (every spacing / dim / edge_order form) and torch.histogramdd against real
torch: values (bit for bit), dtypes, shapes, grad_fn names and graphs, gradients, errors."""

from __future__ import annotations

import numpy as np
import pytest
from _torch_compare import assert_gradchecks, gradcheck_leaves, output_graphs, run, same, sampler
from requires import require_torch

import adcli

torch = require_torch()
pytestmark = pytest.mark.needs_torch

RNG = np.random.default_rng(15)
r = sampler(RNG)
X1, X2, X3 = r(6), r(4, 5), r(3, 4, 5)
C5, C4 = np.cumsum(RNG.random(5) + 0.2), np.cumsum(RNG.random(4) + 0.2)
C6 = np.cumsum(RNG.random(6) + 0.2)

GRADIENTS = [
    ("default 1-d", lambda T, x: T.gradient(x), [X1]),
    ("default 2-d", lambda T, x: T.gradient(x), [X2]),
    ("scalar spacing", lambda T, x: T.gradient(x, spacing=0.3), [X2]),
    ("int spacing", lambda T, x: T.gradient(x, spacing=2), [X3]),
    ("int dim", lambda T, x: T.gradient(x, dim=1), [X3]),
    ("negative dim", lambda T, x: T.gradient(x, dim=-1, spacing=0.5), [X3]),
    ("dim list", lambda T, x: T.gradient(x, dim=[0, 2]), [X3]),
    ("scalar spacing dim list", lambda T, x: T.gradient(x, spacing=1.5, dim=[2, 0]), [X3]),
    ("spacing list", lambda T, x: T.gradient(x, spacing=[0.5, 2.0]), [X2]),
    ("spacing list dims", lambda T, x: T.gradient(x, spacing=[0.5, 3], dim=(1, 0)), [X2]),
    ("spacing list int dim", lambda T, x: T.gradient(x, spacing=[0.25], dim=1), [X2]),
    ("edge 2", lambda T, x: T.gradient(x, edge_order=2), [X2]),
    ("edge 2 spacing", lambda T, x: T.gradient(x, spacing=0.7, dim=0, edge_order=2), [X3]),
    ("coordinates", lambda T, x, c: T.gradient(x, spacing=(c,), dim=1), [X2, C5]),
    ("coordinates int dim", lambda T, x, c: T.gradient(x, spacing=[c], dim=0), [X2, C4]),
    ("coordinates all", lambda T, x, a, b: T.gradient(x, spacing=[a, b]), [X2, C4, C5]),
    ("coordinates edge 2",
     lambda T, x, a, b: T.gradient(x, spacing=[b, a], dim=[1, 0], edge_order=2), [X2, C4, C5]),
    ("coordinates 1-d edge 2", lambda T, x, c: T.gradient(x, spacing=[c], edge_order=2),
     [X1, C6]),
    ("int input", lambda T, x: T.gradient(x), [np.array([[1, 4, 9], [2, 3, 7]])]),
    ("int input edge 2", lambda T, x: T.gradient(x, dim=1, edge_order=2),
     [np.array([[1, 4, 9], [2, 3, 7]])]),
    ("float32", lambda T, x: T.gradient(x.float() * 3, spacing=0.1), [X2]),
    ("0-d", lambda T, x: T.gradient(x.sum()), [X1]),
    # errors
    ("uint8", lambda T: T.gradient(T.tensor([1, 2, 3], dtype=T.uint8)), []),
    ("edge order 3", lambda T, x: T.gradient(x, edge_order=3), [X2]),
    ("too short", lambda T, x: T.gradient(x[:2], dim=0, edge_order=2), [X2]),
    ("spacing length", lambda T, x: T.gradient(x, spacing=[1.0]), [X2]),
    ("spacing dim lengths", lambda T, x: T.gradient(x, spacing=[1.0, 2.0], dim=[0]), [X2]),
    ("duplicate dims", lambda T, x: T.gradient(x, dim=[1, 1]), [X2]),
    ("dim out of range", lambda T, x: T.gradient(x, dim=3), [X2]),
    ("coordinates length", lambda T, x, c: T.gradient(x, spacing=[c]), [X2, C5]),
]


@pytest.mark.parametrize("label,prog,arrays", GRADIENTS, ids=[g[0] for g in GRADIENTS])
def test_gradient(label, prog, arrays) -> None:
    # the same composite of ATen ops: values bit for bit; the gradients of the coordinate
    # forms may differ in the last bits (the broadcast coefficients' gradients are summed in
    # another order than torch's reduction kernel)
    a, t = run(adcli, prog, arrays), run(torch, prog, arrays)
    if not (a[0] and a[0][0] == "error"):
        for (_, _, va, _), (_, _, vt, _) in zip(a[0], t[0], strict=True):
            np.testing.assert_array_equal(va, vt)
    coords = "coordinates" in label
    same(a, t, rtol=1e-13 if coords else 0, atol=1e-14 if coords else 0)


COORDS = [g for g in GRADIENTS if "coordinates" in g[0] and g[0] != "coordinates length"]


@pytest.mark.parametrize("label,prog,arrays", COORDS, ids=[g[0] for g in COORDS])
def test_gradient_graphs(label, prog, arrays) -> None:
    assert output_graphs(adcli, prog, arrays) == output_graphs(torch, prog, arrays)


def test_gradient_gradchecks() -> None:
    xs = gradcheck_leaves([(4, 5), (5,)], 3)
    with adcli.no_grad():
        xs[1].copy_(adcli.arange(5, dtype=adcli.float64) + xs[1] * 0.1)
    assert_gradchecks(lambda x, c: adcli.gradient(x, spacing=[c], dim=1, edge_order=2)[0], xs)
    assert_gradchecks(lambda x: adcli.gradient(x, spacing=0.5, edge_order=2)[1], xs[:1])


P2, P3 = RNG.standard_normal((30, 2)), RNG.standard_normal((4, 10, 3))
WP = RNG.random(30)
HISTS = [
    ("int bins", lambda T, p: T.histogramdd(p.detach(), 10), [P2]),
    ("bins list", lambda T, p: T.histogramdd(p.detach(), bins=[3, 5]), [P2]),
    ("3-d input", lambda T, p: T.histogramdd(p.detach(), bins=4), [P3]),
    ("range", lambda T, p: T.histogramdd(p.detach(), bins=[2, 3],
                                         range=[-1.0, 1.0, 0.0, 2.0]), [P2]),
    ("weights density", lambda T, p, w: T.histogramdd(p.detach(), bins=[4, 3],
                                                      weight=w.detach(), density=True), [P2, WP]),
    ("float32 weights", lambda T, p, w: T.histogramdd(p.detach().float(), bins=5,
                                                      weight=w.detach().float()), [P2, WP]),
    ("edge tensors", lambda T, p: T.histogramdd(
        p.detach(), bins=[T.tensor([-2.0, 0.0, 0.5, 2.0], dtype=T.float64),
                          T.tensor([-1.0, 1.0], dtype=T.float64)]), [P2]),
    ("edge tensors density", lambda T, p: T.histogramdd(
        p.detach(), bins=[T.tensor([-2.0, 0.0, 0.5, 2.0], dtype=T.float64),
                          T.tensor([-1.0, 0.0, 1.0], dtype=T.float64)], density=True), [P2]),
    ("one dim", lambda T, p: T.histogramdd(p.detach()[:, :1], bins=6), [P2]),
    ("empty", lambda T: T.histogramdd(T.zeros(0, 2), bins=2), []),
    ("constant", lambda T: T.histogramdd(T.ones(5, 2), bins=2), []),
    # errors
    ("int input", lambda T: T.histogramdd(T.ones(5, 2, dtype=T.int64), 2), []),
    ("bins count", lambda T, p: T.histogramdd(p.detach(), bins=[2, 2, 2]), [P2]),
    ("range length", lambda T, p: T.histogramdd(p.detach(), bins=2, range=[0.0, 1.0]), [P2]),
    ("zero bins", lambda T, p: T.histogramdd(p.detach(), bins=[2, 0]), [P2]),
    ("min over max", lambda T, p: T.histogramdd(p.detach(), 3, range=[1.0, 0.0, 0.0, 1.0]), [P2]),
    ("infinite", lambda T, p: T.histogramdd(p.detach(), 3, range=[0.0, float("inf"), 0.0, 1.0]),
     [P2]),
    ("weight shape", lambda T, p: T.histogramdd(p.detach(), 3, weight=T.ones(29, dtype=T.float64)),
     [P2]),
    ("weight dtype", lambda T, p: T.histogramdd(p.detach(), 3, weight=T.ones(30)), [P2]),
    ("edges dtype", lambda T, p: T.histogramdd(p.detach(), bins=[T.ones(3), T.ones(3)]), [P2]),
]


@pytest.mark.parametrize("label,prog,arrays", HISTS, ids=[h[0] for h in HISTS])
def test_histogramdd(label, prog, arrays) -> None:
    same(run(adcli, prog, arrays), run(torch, prog, arrays), rtol=0, atol=0)


def test_histogramdd_result_type() -> None:
    got = adcli.histogramdd(adcli.ones(4, 2), bins=2)
    want = torch.histogramdd(torch.ones(4, 2), bins=2)
    assert type(got).__name__ == type(want).__name__ == "histogramdd"
    assert isinstance(got.bin_edges, list) and isinstance(want.bin_edges, list | tuple)
