"""F.ctc_loss / torch.ctc_loss / nn.CTCLoss and F.fractional_max_pool2d/3d /
nn.FractionalMaxPool2d/3d against torch 2.13: values, gradients, grad_fn graphs, torch's random
draws (same seed, same windows), module reprs and buffers, errors word for word; gradcheck."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from requires import require_torch

torch = require_torch()
pytestmark = pytest.mark.needs_torch

from nn_helpers import graph as _graph  # noqa: E402
from nn_helpers import same_errors as _same_errors  # noqa: E402

import adcli  # noqa: E402


# -- ctc_loss ---------------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("zero_infinity", [False, True])
@pytest.mark.parametrize("form", ["padded", "concatenated", "unbatched"])
def test_ctc_loss_matches_torch(dtype: str, reduction: str, zero_infinity: bool,
                                form: str) -> None:
    rng = np.random.default_rng(3)
    t_max, n, c = 7, 3, 5
    x = rng.standard_normal((t_max, n, c))
    tg = rng.integers(1, c, (n, 4))
    tg[0, 1] = tg[0, 2]  # a repeated label (needs a blank between)
    il, tl = [7, 5, 2], [4, 2, 3]  # the last cannot be aligned: an infinite loss
    res = []
    for lib in (torch, adcli):
        lp = lib.tensor(x, dtype=getattr(lib, dtype)).log_softmax(2).detach().requires_grad_()
        if form == "padded":
            args = (lp, lib.tensor(tg), il, tl)
        elif form == "concatenated":
            flat = np.concatenate([tg[i, :tl[i]] for i in range(n)])
            args = (lp, lib.tensor(flat), lib.tensor(il), lib.tensor(tl))
        else:
            args = (lp[:, 0], lib.tensor(tg[0]), lib.tensor(il[0]), lib.tensor(tl[0]))
        loss = lib.nn.functional.ctc_loss(*args, blank=0, reduction=reduction,
                                          zero_infinity=zero_infinity)
        w = lib.tensor(np.arange(1, loss.numel() + 1).reshape(tuple(loss.shape)),
                       dtype=loss.dtype)
        (g,) = lib.autograd.grad((loss * w).sum(), lp)
        res.append((loss.detach().numpy(), g.numpy(), _graph(loss.grad_fn)))
    t, a = res
    tol = {"rtol": 1e-12, "atol": 1e-12} if dtype == "float64" else {"rtol": 1e-5, "atol": 1e-6}
    np.testing.assert_allclose(a[0], t[0], **tol)
    np.testing.assert_allclose(a[1], t[1], **tol)
    assert a[2] == t[2]


def test_ctc_loss_blank_and_module_match_torch() -> None:
    rng = np.random.default_rng(4)
    x = rng.standard_normal((6, 2, 4))
    tg = np.array([[0, 1, 1], [2, 2, 0]])
    outs = []
    for lib in (torch, adcli):
        m = lib.nn.CTCLoss(blank=3, reduction="sum", zero_infinity=True)
        lp = lib.tensor(x).log_softmax(2).detach().requires_grad_()
        loss = m(lp, lib.tensor(tg), lib.tensor([6, 5]), lib.tensor([3, 2]))
        loss.backward()
        outs.append((repr(m), repr(lib.nn.CTCLoss()), loss.item(), lp.grad.numpy(),
                     lib.ctc_loss(lp.detach(), lib.tensor(tg), [6, 5], [3, 2], 3, 0,
                                  False).numpy()))
    t, a = outs
    assert a[:2] == t[:2]
    assert a[2] == pytest.approx(t[2], rel=1e-12)
    np.testing.assert_allclose(a[3], t[3], rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(a[4], t[4], rtol=1e-12, atol=1e-12)


def test_ctc_loss_double_backward_is_refused_as_torch() -> None:
    msgs = []
    for lib in (torch, adcli):
        lp = lib.tensor(np.random.default_rng(5).standard_normal((4, 1, 3))).log_softmax(2)
        lp = lp.detach().requires_grad_()
        loss = lib.nn.functional.ctc_loss(lp, lib.tensor([[1, 2]]), [4], [2])
        (g,) = lib.autograd.grad(loss, lp, create_graph=True)
        with pytest.raises(RuntimeError) as e:
            lib.autograd.grad(g.sum(), lp)
        msgs.append((g.grad_fn.name(), str(e.value)))
    assert msgs[0] == msgs[1]


def test_ctc_loss_gradcheck() -> None:
    lp = adcli.tensor(np.random.default_rng(6).standard_normal((5, 2, 4)), requires_grad=True)
    assert adcli.autograd.gradcheck(
        lambda a: adcli.nn.functional.ctc_loss(a.log_softmax(2), adcli.tensor([[1, 2], [3, 3]]),
                                               [5, 5], [2, 2]), (lp,))


def test_ctc_loss_errors_match_torch() -> None:
    def calls(lib: Any) -> list[Any]:
        F = lib.nn.functional
        lp = lib.zeros(5, 2, 4)
        tg = lib.tensor([[1, 2], [3, 1]])
        return [
            lambda: F.ctc_loss(lp, tg, [5, 5], [2, 2], blank=4),
            lambda: F.ctc_loss(lp, tg, [5, 5], [2, 2], blank=-1),
            lambda: F.ctc_loss(lp, tg, [5, 5, 5], [2, 2]),
            lambda: F.ctc_loss(lp, tg, [5, 5], [2]),
            lambda: F.ctc_loss(lp, tg, [5, 5], [2, -1]),
            lambda: F.ctc_loss(lp, tg, [5, 5], [2, 3]),
            lambda: F.ctc_loss(lp, lib.tensor([1, 2, 3]), [5, 5], [2, 2]),
            lambda: F.ctc_loss(lp, tg[:1], [5, 5], [2, 2]),
            lambda: F.ctc_loss(lp, tg, [6, 5], [2, 2]),
            lambda: F.ctc_loss(lp, tg, [-1, 5], [2, 2]),
            lambda: F.ctc_loss(lp, tg, [5, 5], [2, 2], reduction="avg"),
            lambda: F.ctc_loss(lp[0], tg, [5, 5], [2, 2]),
            lambda: F.ctc_loss(lp, tg[None], [5, 5], [2, 2]),
            lambda: F.ctc_loss(lp, tg, lib.tensor([5.0, 5.0]), lib.tensor([2, 2])),
        ]

    _same_errors(calls)


# -- fractional max pooling ---------------------------------------------------------------------
FRAC = [
    (2, (2, 3, 9, 8), 2, {"output_size": (4, 5)}),
    (2, (3, 10, 11), (3, 2), {"output_ratio": (0.5, 0.5)}),
    (2, (2, 3, 9, 8), 2, {"output_size": (1, 7)}),
    (3, (1, 2, 7, 8, 9), (2, 3, 2), {"output_size": (3, 4, 5)}),
    (3, (2, 6, 7, 5), 2, {"output_ratio": 0.5}),
]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize(("nsp", "shape", "k", "kw"), FRAC)
@pytest.mark.parametrize("seed", [0, 11])
def test_fractional_max_pool_matches_torch(nsp: int, shape: tuple, k: Any, kw: dict,
                                           dtype: str, seed: int) -> None:
    x = np.random.default_rng(seed).standard_normal(shape)
    res = []
    for lib in (torch, adcli):
        lib.manual_seed(seed)
        X = lib.tensor(x, dtype=getattr(lib, dtype), requires_grad=True)
        f = getattr(lib.nn.functional, f"fractional_max_pool{nsp}d")
        y, i = f(X, k, return_indices=True, **kw)
        (g,) = lib.autograd.grad((y * y).sum(), X, create_graph=True)
        (gg,) = lib.autograd.grad((g * g).sum(), X)
        res.append((y.detach().numpy(), i.numpy(), g.detach().numpy(), gg.numpy(),
                    lib.rand(3).numpy(), _graph(y.grad_fn), _graph(g.grad_fn)))
    t, a = res
    for p, q in zip(a[:5], t[:5]):
        np.testing.assert_array_equal(p, q)
    assert a[5:] == t[5:]


def test_fractional_max_pool_samples_and_modules_match_torch() -> None:
    x = np.random.default_rng(2).standard_normal((2, 3, 8, 9))
    x3 = np.random.default_rng(3).standard_normal((1, 2, 6, 5, 7))
    outs = []
    for lib in (torch, adcli):
        lib.manual_seed(9)
        samples = lib.rand(2, 3, 2, dtype=lib.float64)
        F = lib.nn.functional
        a = F.fractional_max_pool2d_with_indices(lib.tensor(x), 3, (3, 4),
                                                 _random_samples=samples)
        m2 = lib.nn.FractionalMaxPool2d(2, output_ratio=0.5, return_indices=True)
        m3 = lib.nn.FractionalMaxPool3d((2, 1, 3), output_size=(3, 4, 2),
                                        _random_samples=lib.rand(1, 2, 3, dtype=lib.float64))
        outs.append((a[0].numpy(), a[1].numpy(), m2(lib.tensor(x))[1].numpy(),
                     m3(lib.tensor(x3)).numpy(), repr(m2), repr(m3),
                     sorted(m3.state_dict()), list(dict(m2.named_buffers()))))
    t, a = outs
    for i in range(4):
        np.testing.assert_array_equal(a[i], t[i])
    assert a[4:] == t[4:]


def test_fractional_max_pool_gradcheck() -> None:
    X = adcli.tensor(np.random.default_rng(7).standard_normal((1, 2, 5, 4)), requires_grad=True)
    s = adcli.tensor([[[0.2, 0.7], [0.9, 0.4]]], dtype=adcli.float64)
    fn = lambda t: adcli.nn.functional.fractional_max_pool2d(  # noqa: E731
        t, 2, (3, 2), _random_samples=s)
    assert adcli.autograd.gradcheck(fn, (X,))
    assert adcli.autograd.gradgradcheck(fn, (X,))


def test_fractional_max_pool_errors_match_torch() -> None:
    def calls(lib: Any) -> list[Any]:
        F = lib.nn.functional
        x = lib.randn(1, 1, 4, 4)
        return [
            lambda: F.fractional_max_pool2d(x, 2),
            lambda: F.fractional_max_pool2d(x, 2, output_ratio=(0.5, 0.5, 0.5)),
            lambda: F.fractional_max_pool2d(x, 2, output_ratio=0.5),
            lambda: F.fractional_max_pool2d(x, 5, output_size=2),
            lambda: F.fractional_max_pool2d(x, (2, 5), output_size=2),
            lambda: F.fractional_max_pool2d(lib.randn(4, 4), 2, output_size=2),
            lambda: F.fractional_max_pool2d(lib.randn(1, 0, 4, 4), 2, output_size=2),
            lambda: F.fractional_max_pool2d(x, 2, output_size=(2, 2, 2)),
            lambda: F.fractional_max_pool2d(x, (2, 2, 2), output_size=2),
            lambda: F.fractional_max_pool2d(x, 2, output_size=2,
                                            _random_samples=lib.rand(1, 1, 3)),
            lambda: F.fractional_max_pool2d(x, 2, output_size=2,
                                            _random_samples=lib.rand(1, 1, 2).double()),
            lambda: F.fractional_max_pool3d(lib.randn(1, 1, 4, 4, 4), 2),
            lambda: F.fractional_max_pool3d(lib.randn(1, 1, 4, 4, 4), 5, output_size=2),
            lambda: F.fractional_max_pool3d(lib.randn(1, 1, 4, 4, 4), 2, output_ratio=(0.5, 0.5)),
            lambda: lib.nn.FractionalMaxPool2d(2),
            lambda: lib.nn.FractionalMaxPool2d(2, output_size=2, output_ratio=0.5),
            lambda: lib.nn.FractionalMaxPool2d(2, output_ratio=1.5),
            lambda: lib.nn.FractionalMaxPool3d(2, output_ratio=(0.5, 0.5, 1.5)),
        ]

    _same_errors(calls)
