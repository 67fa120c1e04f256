"""``F.nll_loss`` / ``F.cross_entropy`` on inputs of 3 or more dims, as torch's nll_loss_nd:
a 4-d input goes to ``nll_loss2d`` (NllLoss2DBackward0), 3-d and 5+-d ones through views to
(N, C, 1, L) and back. Values, gradients, graphs (first and create_graph), second
derivatives and errors are compared with torch."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import adcli

torch = pytest.importorskip("torch")

SHAPES = [(2, 4, 3), (2, 4, 3, 2), (2, 3, 2, 2, 2), (1, 5, 4)]


def _tree(node: Any, depth: int = 0) -> Any:
    if node is None:
        return None
    return (node.name(), tuple((_tree(n, depth + 1), nr) for n, nr in node.next_functions)
            if depth < 10 else ())


def _program(T: Any, shape: tuple[int, ...], fn: str, reduction: str, weighted: bool,
             ignore: bool, smoothing: float) -> Any:
    rng = np.random.default_rng(sum(shape) + len(reduction))
    n, c = shape[:2]
    x = T.tensor(rng.standard_normal(shape), requires_grad=True)
    t = rng.integers(0, c, (n, *shape[2:]))
    if ignore:
        t.reshape(-1)[::3] = 1
    target = T.tensor(t)
    kw: dict[str, Any] = {"reduction": reduction}
    if weighted:
        kw["weight"] = T.tensor(np.linspace(0.5, 2.0, c))
    if ignore:
        kw["ignore_index"] = 1
    F = T.nn.functional
    if fn == "nll_loss":
        out = F.nll_loss(F.log_softmax(x, 1), target, **kw)
    else:
        out = F.cross_entropy(x, target, label_smoothing=smoothing, **kw)
    w = T.tensor(rng.standard_normal(tuple(out.shape)))
    (g,) = T.autograd.grad((out * w).sum(), x, create_graph=True)
    (gg,) = T.autograd.grad((g * g).sum(), x)
    return (out.detach().numpy().copy(), tuple(out.shape), _tree(out.grad_fn),
            g.detach().numpy().copy(), _tree(g.grad_fn), gg.numpy().copy())


@pytest.mark.parametrize("shape", SHAPES, ids=str)
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize(("fn", "weighted", "ignore", "smoothing"), [
    ("nll_loss", False, False, 0.0), ("nll_loss", True, True, 0.0),
    ("cross_entropy", False, False, 0.0), ("cross_entropy", True, False, 0.0),
    ("cross_entropy", False, True, 0.2)])
def test_spatial_nll_as_torch(shape, reduction, fn, weighted, ignore, smoothing):
    want = _program(torch, shape, fn, reduction, weighted, ignore, smoothing)
    got = _program(adcli, shape, fn, reduction, weighted, ignore, smoothing)
    for i in (1, 2, 4):
        assert got[i] == want[i]
    for i in (0, 3, 5):
        np.testing.assert_allclose(got[i], want[i], rtol=1e-10, atol=1e-12)


def test_spatial_nll_gradchecks():
    x = adcli.randn(2, 3, 2, 2, dtype=adcli.float64, requires_grad=True)
    t = adcli.tensor([[[0, 1], [2, 2]], [[1, 1], [0, 2]]])
    w = adcli.tensor([0.5, 1.0, 2.0], dtype=adcli.float64)
    for red in ("mean", "sum", "none"):
        assert adcli.gradgradcheck(lambda a, red=red: adcli.nn.functional.nll_loss(
            a, t, weight=w, reduction=red), (x,)).ok
        assert adcli.gradgradcheck(lambda a, red=red: adcli.nn.functional.cross_entropy(
            a.reshape(2, 3, 4), t.reshape(2, 4), reduction=red), (x,)).ok


ERRORS = {
    "batch size": lambda T: T.nn.functional.nll_loss(T.zeros(2, 4, 3),
                                                     T.zeros(3, 3, dtype=T.long)),
    "target size 3-d": lambda T: T.nn.functional.nll_loss(T.zeros(2, 4, 3),
                                                          T.zeros(2, 4, dtype=T.long)),
    "target dims 4-d": lambda T: T.nn.functional.nll_loss(T.zeros(2, 4, 3, 2),
                                                          T.zeros(2, 3, dtype=T.long)),
    "target size 4-d": lambda T: T.nn.functional.nll_loss(T.zeros(2, 4, 3, 2),
                                                          T.zeros(2, 3, 3, dtype=T.long)),
    "target out of range": lambda T: T.nn.functional.nll_loss(
        T.zeros(2, 4, 3, 2), T.full((2, 3, 2), 7)),
    "weight requires grad": lambda T: T.nn.functional.nll_loss(
        T.zeros(2, 4, 3), T.zeros(2, 3, dtype=T.long), weight=T.ones(4, requires_grad=True)),
}


@pytest.mark.parametrize("case", list(ERRORS))
def test_spatial_nll_errors_as_torch(case):
    with pytest.raises(Exception) as t_exc:
        ERRORS[case](torch)
    with pytest.raises(Exception) as a_exc:
        ERRORS[case](adcli)
    assert isinstance(a_exc.value, type(t_exc.value)) or type(t_exc.value).__name__ in {
        k.__name__ for k in type(a_exc.value).__mro__}
    assert str(a_exc.value) == str(t_exc.value)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_empty_and_all_ignored_as_torch(reduction):
    cases = [lambda T: T.nn.functional.nll_loss(T.zeros(0, 4, 3), T.zeros(0, 3, dtype=T.long),
                                                reduction=reduction),
             lambda T: T.nn.functional.nll_loss(T.ones(2, 4, 3, 2), T.full((2, 3, 2), -100),
                                                reduction=reduction)]
    for case in cases:
        want, got = case(torch), case(adcli)
        assert tuple(got.shape) == tuple(want.shape)
        np.testing.assert_array_equal(got.numpy(), want.numpy())
