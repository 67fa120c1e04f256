"""index_reduce(_), put/put_, scatter's reduce='add'|'multiply', resize_/resize_as_ against
real torch: values, dtypes, grad_fn names, gradients (and their create_graph graphs), errors;
the differentiable ones gradchecked."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pytest
from _torch_compare import assert_gradchecks, gradcheck_leaves, graph_rows, leaf, run, same
from requires import require_torch

import adcli

torch = require_torch()
pytestmark = pytest.mark.needs_torch

RNG = np.random.default_rng(14)
X = RNG.standard_normal((4, 3))
SRC = RNG.standard_normal((3, 3))
TIES = np.array([[1.0, 2, 3], [4, 5, 6], [7, 8, 9], [1, 1, 1]])
TSRC = np.array([[1.0, 9, 3], [1, 2, 3], [7, 0, 9]])
ZX = np.array([[0.0, 2, 3], [4, 0, 6], [7, 8, 9], [0, 1, 2]])
ZSRC = np.array([[0.0, 3, 2], [5, 0, 1], [2, 4, 0]])
IDX = [0, 2, 0]
IDX1 = [2, 2, 0]


def _idx(T, i=IDX):
    return T.tensor(i)


REDUCES = ("prod", "mean", "amax", "amin")
CASES = {}
for _r in REDUCES:
    for _inc in (True, False):
        CASES[f"index_reduce {_r} {_inc}"] = (
            lambda T, x, s, r=_r, inc=_inc: (T.index_reduce(x, 0, _idx(T), s, r,
                                                            include_self=inc),
                                             x.index_reduce(1, _idx(T, IDX1), s.t(), r,
                                                            include_self=inc)), [X, SRC])
        CASES[f"index_reduce {_r} {_inc} ties"] = (
            lambda T, x, s, r=_r, inc=_inc: T.index_reduce(x, 0, _idx(T), s, r,
                                                           include_self=inc), [TIES, TSRC])
        CASES[f"index_reduce {_r} {_inc} zeros"] = (
            lambda T, x, s, r=_r, inc=_inc: T.index_reduce(x, 0, _idx(T), s, r,
                                                           include_self=inc), [ZX, ZSRC])
        CASES[f"index_reduce {_r} {_inc} int"] = (
            lambda T, r=_r, inc=_inc: T.tensor(TIES).long().index_reduce(
                0, _idx(T), T.tensor(TSRC).long() - 3, r, include_self=inc), [])
        CASES[f"index_reduce_ {_r} {_inc}"] = (
            lambda T, x, s, r=_r, inc=_inc: (x * 1).index_reduce_(0, _idx(T), s, r,
                                                                  include_self=inc), [X, SRC])
CASES.update({
    "index_reduce int32 index": (lambda T, x, s: T.index_reduce(x, 0, _idx(T).int(), s, "amax"),
                                 [X, SRC]),
    "index_reduce 0-d": (lambda T: T.tensor(3.0).index_reduce(0, T.tensor(0), T.tensor(2.0),
                                                              "prod"), []),
    "index_reduce sum": (lambda T, x, s: T.index_reduce(x, 0, _idx(T), s, "sum"), [X, SRC]),
    "index_reduce dtype": (lambda T, x, s: T.index_reduce(x, 0, _idx(T), s.float(), "prod"),
                           [X, SRC]),
    "index_reduce float index": (lambda T, x, s: T.index_reduce(x, 0, _idx(T).double(), s,
                                                                "prod"), [X, SRC]),
    "index_reduce bounds": (lambda T, x, s: T.index_reduce(x, 0, T.tensor([0, 5, 0]), s,
                                                           "prod"), [X, SRC]),
    "index_reduce negative": (lambda T, x, s: T.index_reduce(x, 0, T.tensor([-1, 0, 0]), s,
                                                             "mean"), [X, SRC]),
    "index_reduce count": (lambda T, x, s: T.index_reduce(x, 0, _idx(T)[:2], s, "prod"),
                           [X, SRC]),
    "index_reduce shape": (lambda T, x, s: T.index_reduce(x, 0, _idx(T), s[:, :2], "prod"),
                           [X, SRC]),
    "index_reduce 2-d index": (lambda T, x, s: T.index_reduce(x, 0, _idx(T).view(3, 1), s,
                                                              "prod"), [X, SRC]),
    "index_reduce dim": (lambda T, x, s: T.index_reduce(x, 2, _idx(T), s, "prod"), [X, SRC]),
    "index_reduce_ leaf": (lambda T, x, s: x.index_reduce_(0, _idx(T), s, "prod"), [X, SRC]),
    # put / put_
    "put": (lambda T, x, s: (T.put(x, T.tensor([0, 4, -1]), s[0]),
                             x.put(T.tensor([[0], [5]]), s[0, :2]),
                             x.put(T.tensor([1, 1, 7]), s[0], accumulate=True),
                             x.t().put(T.tensor([1]), s[0, :1])), [X, SRC]),
    "put duplicates": (lambda T, x, s: x.put(T.tensor([3, 3]), s[0, :2]), [X, SRC]),
    "put_": (lambda T, x, s: ((x * 1).put_(T.tensor([0, 4, 4]), s[1]),
                              (x * 1).put_(T.tensor([0, 4, 4]), s[1], accumulate=True),
                              (x * 1).put_(T.tensor(2), s[1, :1]),
                              (x * 1).put_(T.tensor([0, 1]), s[:2, :1])), [X, SRC]),
    "put int": (lambda T: T.tensor([[1, 2], [3, 4]]).put_(T.tensor([3, 3]), T.tensor([5, 6]),
                                                          accumulate=True), []),
    "put bounds": (lambda T, x, s: x.put(T.tensor([12]), s[0, :1]), [X, SRC]),
    "put negative bounds": (lambda T, x, s: x.put(T.tensor([-13]), s[0, :1]), [X, SRC]),
    "put count": (lambda T, x, s: x.put(T.tensor([0, 1]), s[0]), [X, SRC]),
    "put index dtype": (lambda T, x, s: x.put(T.tensor([0.0]), s[0, :1]), [X, SRC]),
    "put int32 index": (lambda T, x, s: x.put(T.tensor([0]).int(), s[0, :1]), [X, SRC]),
    "put dtype": (lambda T, x, s: x.put(T.tensor([0]), s[0, :1].float()), [X, SRC]),
    "put number": (lambda T, x: x.detach().put_(T.tensor([0]), 1.0), [X]),
    "put_ leaf": (lambda T, x, s: x.put_(T.tensor([0]), s[0, :1]), [X, SRC]),
    # scatter(..., reduce=)
    "scatter reduce": (lambda T, x, s: (x.detach().scatter(0, T.tensor([[0, 1, 2], [2, 0, 0]]),
                                                           s.detach(), reduce="add"),
                                        x.detach().scatter(1, T.tensor([[0, 0], [2, 1]]),
                                                           s.detach(), reduce="multiply"),
                                        T.scatter(x.detach(), 0, T.tensor([[1, 1, 1]]), 2.0,
                                                  reduce="multiply"),
                                        x.detach().scatter(0, T.tensor([[3, 0, 3]]), value=-1.5,
                                                           reduce="add")), [X, SRC]),
    "scatter reduce in place": (lambda T, x, s: (
        x.detach().clone().scatter_(0, T.tensor([[0, 1, 2], [2, 0, 0]]), s.detach(),
                                    reduce="add"),
        x.detach().clone().scatter_(1, T.tensor([[0, 0, 1]]), 3.0, reduce="multiply")),
        [X, SRC]),
    "scatter reduce int": (lambda T: (T.tensor([[1, 2], [3, 4]]).scatter(
        0, T.tensor([[1, 1]]), T.tensor([[5, 6]]), reduce="multiply"),
        T.tensor([[1, 2], [3, 4]]).scatter(0, T.tensor([[0, 0]]), 2, reduce="add")), []),
    "scatter reduce mean": (lambda T, x, s: x.scatter(0, T.tensor([[0, 1, 2]]), s,
                                                      reduce="mean"), [X, SRC]),
    "scatter reduce sum": (lambda T, x: x.scatter(0, T.tensor([[0, 1, 2]]), 1.0, reduce="sum"),
                           [X]),
    "scatter reduce bounds": (lambda T, x, s: x.scatter(0, T.tensor([[4, 1, 2]]), s,
                                                        reduce="add"), [X, SRC]),
    # reduce=None matches none of torch's signatures: its parser's TypeError
    "scatter reduce None": (lambda T, x, s: T.scatter(x, 0, T.tensor([[0, 1, 2]]), s,
                                                      reduce=None), [X, SRC]),
    "scatter reduce None method": (lambda T, x, s: x.scatter(0, T.tensor([[0, 1, 2]]), s,
                                                             reduce=None), [X, SRC]),
    "scatter_ reduce None": (lambda T, x, s: x.detach().clone().scatter_(
        0, T.tensor([[0, 1, 2]]), s, reduce=None), [X, SRC]),
    "scatter reduce None number": (lambda T, x: T.scatter(x, 0, T.tensor([[0, 1, 2]]), 2,
                                                          reduce=None), [X]),
    "scatter reduce None value=": (lambda T, x: x.scatter(0, T.tensor([[0, 1, 2]]), value=2.0,
                                                          reduce=None), [X]),
    "scatter_ reduce None number": (lambda T, x: x.detach().clone().scatter_(
        0, T.tensor([[0, 1, 2]]), 1.5, reduce=None), [X]),
    "scatter no reduce": (lambda T, x, s: (x.scatter(0, T.tensor([[0, 1, 2], [3, 2, 1],
                                                                  [1, 0, 3]]), s),
                                           T.scatter(x, 0, T.tensor([[0, 1, 2]]), value=2.0)),
                          [X, SRC]),
    # unravel_index
    "unravel_index": (lambda T: (*T.unravel_index(T.tensor(4), (3, 2)),
                                 *T.unravel_index(T.tensor([4, 1, -1, 7, -7]), (3, 2)),
                                 *T.unravel_index(T.tensor([[4], [1]]), (2, 3, 1)),
                                 *T.unravel_index(T.tensor([1]).int(), T.Size([6, 1])),
                                 *T.unravel_index(T.tensor([5]), 6)), []),
    "unravel_index empty shape": (lambda T: T.tensor(len(T.unravel_index(T.tensor([1]), ()))),
                                  []),
    "unravel_index float": (lambda T: T.unravel_index(T.tensor([1.0]), (3, 2)), []),
    "unravel_index bool": (lambda T: T.unravel_index(T.tensor([True]), (3, 2)), []),
    "unravel_index negative shape": (lambda T: T.unravel_index(T.tensor([1]), (3, -2)), []),
    # resize_ / resize_as_
    "resize_": (lambda T, x: (x.detach().clone().resize_(3, 2), x.detach().clone().resize_((6,)),
                              x.detach().clone().resize_(0),
                              x.detach().clone().resize_(T.Size([2, 2])),
                              x.detach().clone().resize_as_(T.zeros(2, 5))[:, :2]), [X]),
    "resize_ requires grad": (lambda T, x: x.resize_(12), [X]),
    "resize_ non-leaf": (lambda T, x: (x * 2).resize_(3, 4), [X]),
    "resize_as_ requires grad": (lambda T, x: x.resize_as_(T.zeros(3)), [X]),
    "resize_ negative": (lambda T, x: x.detach().resize_(-1), [X]),
})


@pytest.mark.parametrize("name", sorted(CASES))
def test_against_torch(name: str) -> None:
    fn, arrays = CASES[name]
    same(run(adcli, fn, arrays), run(torch, fn, arrays), rtol=1e-11, atol=1e-12)


def _backward_error(T, fn):
    with pytest.raises(RuntimeError) as err:
        fn(T).sum().backward()
    return str(err.value)


@pytest.mark.parametrize("form", ["src", "value", "in place"])
def test_scatter_reduce_backward_raises_as_torch(form: str) -> None:
    def prog(T):
        x = T.tensor(X, requires_grad=True)
        s = T.tensor(SRC, requires_grad=True)
        i = T.tensor([[0, 1, 2]])
        if form == "src":
            out = x.scatter(0, i, s, reduce="add")
        elif form == "value":
            out = x.scatter(0, i, 2.0, reduce="multiply")
        else:
            out = (x * 1).scatter_(0, i, s, reduce="multiply")
        assert out.grad_fn.name().endswith("NotImplemented")
        return out

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert _backward_error(adcli, prog) == _backward_error(torch, prog)


DOUBLE = {f"index_reduce {r} {inc}": (r, inc) for r in REDUCES for inc in (True, False)}


@pytest.mark.parametrize("name", [*sorted(DOUBLE), "put", "put accumulate"])
def test_create_graph_gradients_as_torch(name: str) -> None:
    """The first gradients under create_graph=True: values and the graphs that record them."""
    out = []
    for T in (adcli, torch):
        x, s = leaf(T, ZX if "prod" in name else X), leaf(T, ZSRC if "prod" in name else SRC)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            if name.startswith("put"):
                y = x.put(T.tensor([0, 4, 4]), s[0], accumulate=name.endswith("accumulate"))
            else:
                r, inc = DOUBLE[name]
                y = T.index_reduce(x, 0, _idx(T), s, r, include_self=inc)
        gs = T.autograd.grad((y * y).sum(), (x, s), create_graph=True)
        out.append([(graph_rows(g), np.asarray(g.tolist())) for g in gs])
    for (ga, va), (gt, vt) in zip(*out, strict=True):
        assert ga == gt
        np.testing.assert_allclose(va, vt, rtol=1e-12)


GRADCHECK = {f"index_reduce {r} {inc}": (
    lambda x, s, r=r, inc=inc: adcli.index_reduce(x, 0, adcli.tensor(IDX), s, r,
                                                  include_self=inc), [(4, 3), (3, 3)])
    for r in REDUCES for inc in (True, False)}
GRADCHECK.update({
    "index_reduce dim 1": (lambda x, s: adcli.index_reduce(x, 1, adcli.tensor([1, 1]), s, "prod"),
                           [(2, 3), (2, 2)]),
    "put": (lambda x, s: adcli.put(x, adcli.tensor([0, 4, 1]), s), [(2, 3), (3,)]),
    "put accumulate": (lambda x, s: adcli.put(x, adcli.tensor([0, 4, 4]), s, accumulate=True),
                       [(2, 3), (3,)]),
    "put_": (lambda x, s: (x * 1).put_(adcli.tensor([[0], [5]]), s), [(2, 3), (2, 1)]),
})


@pytest.mark.parametrize("name", sorted(GRADCHECK))
def test_gradcheck(name: str) -> None:
    fn, shapes = GRADCHECK[name]
    xs = gradcheck_leaves(shapes, 6)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert_gradchecks(fn, xs)


def test_scatter_reduce_out() -> None:
    def prog(T):
        o = T.empty(0, dtype=T.float64)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            res = T.scatter(T.tensor(X), 0, T.tensor([[0, 1, 2]]), T.tensor(SRC), reduce="add",
                            out=o)
        assert res is o
        return o

    same(run(adcli, prog, []), run(torch, prog, []))


FORWARD = {
    "block_diag": lambda T, x, s: T.block_diag(x, s[0]),
    "frexp": lambda T, x, s: T.frexp(x)[0],
    "aminmax": lambda T, x, s: T.aminmax(x, dim=0)[1],
    "aminmax all": lambda T, x, s: T.aminmax(x)[0],
    "nextafter": lambda T, x, s: T.nextafter(x[:3], s),
    "put": lambda T, x, s: x.put(T.tensor([0, 4, 5]), s[0]),
    "put repeated": lambda T, x, s: x.put(T.tensor([3, 3, 1]), s[0]),
    "put accumulate": lambda T, x, s: x.put(T.tensor([0, 4, 4]), s[0], accumulate=True),
    "put_": lambda T, x, s: (x * 1).put_(T.tensor([1, 3, 3]), s[1]),
    "index_reduce": lambda T, x, s: T.index_reduce(x, 0, T.tensor([0, 2, 0]), s, "prod"),
    "cov": lambda T, x, s: T.cov(x, aweights=s[0].abs()),
    "trapezoid": lambda T, x, s: T.cumulative_trapezoid(x, s[0]),
    "combinations": lambda T, x, s: T.combinations(x[0]),
}


@pytest.mark.parametrize("name", sorted(FORWARD))
def test_forward_ad_as_torch(name: str) -> None:
    """Forward-mode tangents (or torch's error where it has no forward formula)."""
    import importlib

    got = []
    for T in (adcli, torch):
        fw = importlib.import_module(T.__name__ + ".autograd.forward_ad")
        with warnings.catch_warnings(), fw.dual_level():
            warnings.simplefilter("ignore")
            x = fw.make_dual(T.tensor(X), T.tensor(X[::-1].copy() * 2))
            s = fw.make_dual(T.tensor(SRC), T.tensor(SRC.T.copy()))
            try:
                t = fw.unpack_dual(FORWARD[name](T, x, s)).tangent
                got.append(np.asarray(t.tolist()))
            except NotImplementedError as exc:
                got.append(str(exc))
    if isinstance(got[1], str):
        assert got[0] == got[1]
    else:
        np.testing.assert_allclose(got[0], got[1], rtol=1e-12, atol=1e-12)


def test_resize_grows_with_zeros_where_torch_leaves_memory_uninitialised() -> None:
    """docs/autograd.md: the kept elements are torch's (in order), the new ones are zeros."""
    got = adcli.tensor(X).resize_(5, 3)
    want = torch.tensor(X).resize_(5, 3)
    np.testing.assert_array_equal(got[:4].numpy(), want[:4].numpy())
    assert got[4].tolist() == [0.0, 0.0, 0.0]
    grown = adcli.tensor([[1, 2]]).resize_as_(adcli.zeros(2, 3))
    assert grown.tolist() == [[1, 2, 0], [0, 0, 0]]


def _prod_double(T: Any, kind: str, include_self: bool, src: Any) -> Any:
    x = T.tensor([[1.0, 2.0], [3.0, 4.0]], dtype=T.float64, requires_grad=True)
    s = T.tensor(src, dtype=T.float64, requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # index_reduce's beta warning
        if kind == "scatter_reduce":
            out = x.scatter_reduce(0, T.tensor([[0, 1], [0, 1], [1, 0]]), s, "prod",
                                   include_self=include_self)
        else:
            out = x.index_reduce(0, T.tensor([0, 0, 1]), s, "prod", include_self=include_self)
    gx, gs = T.autograd.grad((out * out).sum(), (x, s), create_graph=True)
    try:
        T.autograd.grad(gs.sum(), (x, s), retain_graph=True)
        again = None
    except RuntimeError as exc:
        again = str(exc)
    # differentiating self's gradient does not pass through the Error node
    (gxx,) = T.autograd.grad(gx.sum(), (x,), retain_graph=True)
    return (gx.tolist(), gs.tolist(), gxx.tolist(), graph_rows(gs), graph_rows(gx), again)


@pytest.mark.parametrize("kind", ["scatter_reduce", "index_reduce"])
@pytest.mark.parametrize("include_self", [True, False])
@pytest.mark.parametrize("zeros", ["two at one position", "one at a position"])
def test_prod_double_backward_with_several_zeros_raises_as_torch(
        kind: str, include_self: bool, zeros: str) -> None:
    """torch's DelayedError: the first gradient is right and its graph is torch's (an
    ``Error`` node over the formula's WhereBackward0), differentiating it again raises
    torch's RuntimeError; with one zero per position there is no Error node."""
    src = [[0.0, 0.0], [0.0, 5.0], [2.0, 3.0]] if zeros.startswith("two") else \
        [[0.0, 1.5], [2.0, 5.0], [2.0, 0.0]]
    got = _prod_double(adcli, kind, include_self, src)
    want = _prod_double(torch, kind, include_self, src)
    for g, w in zip(got[:3], want[:3]):
        np.testing.assert_allclose(np.asarray(g), np.asarray(w), rtol=1e-12, atol=1e-12)
    assert got[3:] == want[3:]
    assert (got[3][0][0] == "Error") == zeros.startswith("two")
    assert (want[5] is not None) == zeros.startswith("two")
