"""F.channel_shuffle / nn.ChannelShuffle, F.lp_pool1d/2d/3d / nn.LPPool1d/2d/3d and
F.gumbel_softmax against torch 2.13: values, gradients, grad_fn graphs (also under
create_graph), random draws, reprs and errors word for word; gradcheck."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pytest
from requires import require_torch

torch = require_torch()
pytestmark = pytest.mark.needs_torch

from nn_helpers import graph  # noqa: E402
from nn_helpers import same_errors as _same_errors  # noqa: E402

import adcli  # noqa: E402

RNG = np.random.default_rng(13)


def _graph(fn: Any) -> list[tuple[str, int]]:
    return graph(fn, edges=True)


# -- channel_shuffle --------------------------------------------------------------------------
@pytest.mark.parametrize(("shape", "groups"), [
    ((2, 6, 3), 3), ((1, 6, 2, 2), 2), ((2, 4, 1, 2, 3), 4), ((1, 5, 2), 1), ((0, 6, 2), 3),
    ((1, 6, 0), 2)])
def test_channel_shuffle_matches_torch(shape: tuple, groups: int) -> None:
    x = RNG.standard_normal(shape)
    w = RNG.standard_normal(shape)
    res = []
    for lib in (torch, adcli):
        t = lib.tensor(x, requires_grad=True)
        y = lib.nn.functional.channel_shuffle(t, groups)
        (g,) = lib.autograd.grad((y * lib.tensor(w)).sum() ** 2, t, create_graph=True)
        (gg,) = lib.autograd.grad(g.sum(), t)
        res.append((y, g, gg, _graph(y.grad_fn), _graph(g.grad_fn),
                    lib.channel_shuffle(t, groups), lib.nn.ChannelShuffle(groups)(t)))
    ta, aa = res
    for i in (0, 1, 2, 5, 6):
        np.testing.assert_allclose(aa[i].detach().numpy(), ta[i].detach().numpy(), rtol=1e-13,
                                   atol=1e-13)
    assert aa[3] == ta[3] and aa[4] == ta[4]
    if x.size:  # (torch's tensor of numpy's empty array has strides 0: not this op's)
        assert aa[0].stride() == ta[0].stride()


def test_channel_shuffle_values_exact_and_native_form() -> None:
    x = np.arange(24.0).reshape(1, 6, 2, 2).astype(np.float32)
    a = adcli.nn.functional.channel_shuffle(adcli.tensor(x), 3).numpy()
    t = torch.nn.functional.channel_shuffle(torch.tensor(x), 3).numpy()
    np.testing.assert_array_equal(a, t)
    ints = np.arange(12).reshape(2, 3, 2)
    np.testing.assert_array_equal(adcli.native_channel_shuffle(adcli.tensor(ints), 3).numpy(),
                                  torch.native_channel_shuffle(torch.tensor(ints), 3).numpy())
    # native_channel_shuffle has no derivative: a NotImplemented node that raises in backward
    outs = []
    for lib in (torch, adcli):
        t = lib.tensor(x, requires_grad=True)
        y = lib.native_channel_shuffle(t, 2)
        with pytest.raises(RuntimeError) as e:
            y.sum().backward()
        outs.append((y.grad_fn.name(), _graph(y.grad_fn), str(e.value)))
    assert outs[0] == outs[1]


def test_channel_shuffle_errors_match_torch() -> None:
    def calls(lib: Any) -> list[Any]:
        F = lib.nn.functional
        x = lib.zeros(1, 6, 2)
        return [lambda: F.channel_shuffle(x, 4), lambda: F.channel_shuffle(x, 0),
                lambda: F.channel_shuffle(x, -2), lambda: F.channel_shuffle(lib.zeros(6), 3),
                lambda: F.channel_shuffle(lib.zeros(2, 6), 0),
                lambda: F.channel_shuffle(x, 3.0), lambda: F.channel_shuffle(x, True),
                lambda: lib.native_channel_shuffle(x, 2.5),
                lambda: lib.native_channel_shuffle(x, 4),
                lambda: lib.native_channel_shuffle(lib.zeros(1, 6), 4)]

    _same_errors(calls)


def test_channel_shuffle_module() -> None:
    assert repr(adcli.nn.ChannelShuffle(3)) == repr(torch.nn.ChannelShuffle(3))
    x = adcli.tensor(RNG.standard_normal((2, 6, 2)), requires_grad=True)
    assert adcli.autograd.gradgradcheck(lambda t: adcli.nn.ChannelShuffle(2)(t) ** 2, (x,))


# -- lp_pool ------------------------------------------------------------------------------------
LP = [
    (1, (2, 3, 7), (2, 3), {}),
    (1, (2, 3, 7), (1.5, 2, 2), {"ceil_mode": True}),
    (1, (3, 8), (3, 4), {}),
    (2, (1, 2, 5, 6), (2, 2), {}),
    (2, (1, 2, 5, 6), (3.0, (2, 3), 1), {"ceil_mode": True}),
    (2, (2, 5, 6), (1.7, 3, (2, 1)), {}),
    (2, (1, 2, 4, 4), (float("inf"), 2), {}),
    (2, (1, 2, 4, 4), (-float("inf"), 2, 1), {}),
    (3, (1, 2, 4, 4, 3), (2, 2), {}),
    (3, (1, 1, 4, 5, 3), (1.3, (2, 3, 1), (1, 2, 2)), {"ceil_mode": True}),
    (1, (2, 3, 7), (float("inf"), 3), {}),
]


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize(("nsp", "shape", "args", "kw"), LP)
def test_lp_pool_matches_torch(nsp: int, shape: tuple, args: tuple, kw: dict,
                               dtype: str) -> None:
    # positive and negative values: x.pow(p) of a negative x for fractional p is nan in both
    x = RNG.standard_normal(shape)
    if isinstance(args[0], float) and args[0] not in (float("inf"), -float("inf")):
        x = np.abs(x) + 0.1
    res = []
    for lib in (torch, adcli):
        t = lib.tensor(x, requires_grad=True, dtype=getattr(lib, dtype))
        y = getattr(lib.nn.functional, f"lp_pool{nsp}d")(t, *args, **kw)
        (g,) = lib.autograd.grad((y * y.detach()).sum(), t, create_graph=True)
        (gg,) = lib.autograd.grad((g * g.detach()).sum(), t)
        res.append((y.detach().numpy(), g.detach().numpy(), gg.numpy(), _graph(y.grad_fn),
                    _graph(g.grad_fn)))
    tol = {"rtol": 1e-12, "atol": 1e-12} if dtype == "float64" else {"rtol": 2e-5, "atol": 2e-5}
    for i in range(3):
        np.testing.assert_allclose(res[1][i], res[0][i], **tol)
    assert res[1][3] == res[0][3]
    assert res[1][4] == res[0][4]


def test_lp_pool_zero_window_has_zero_gradient() -> None:
    # a window whose powers sum to 0: the output is 0 and so is its gradient (relu's), as torch
    x = np.zeros((1, 1, 4))
    x[0, 0, 2:] = [1.0, 2.0]
    grads = []
    for lib in (torch, adcli):
        t = lib.tensor(x, requires_grad=True)
        y = lib.nn.functional.lp_pool1d(t, 2, 2)
        y.sum().backward()
        grads.append((y.detach().numpy(), t.grad.numpy()))
    np.testing.assert_array_equal(grads[1][0], grads[0][0])
    np.testing.assert_array_equal(grads[1][1], grads[0][1])


def test_lp_pool_modules_match_torch() -> None:
    def build(N: Any) -> list[Any]:
        return [N.LPPool1d(2, 3), N.LPPool1d(1.5, 2, stride=1, ceil_mode=True),
                N.LPPool2d(2, (2, 3)), N.LPPool2d(3, 2, stride=(1, 2)),
                N.LPPool3d(2, 2), N.LPPool3d(1.2, (1, 2, 2), 1)]

    shapes = [(2, 3, 7), (2, 3, 7), (1, 2, 5, 6), (1, 2, 5, 6), (1, 2, 4, 4, 3), (1, 1, 2, 4, 4)]
    for a, t, shape in zip(build(adcli.nn), build(torch.nn), shapes):
        assert repr(a) == repr(t)
        x = np.abs(RNG.standard_normal(shape)) + 0.1
        np.testing.assert_allclose(a(adcli.tensor(x)).numpy(), t(torch.tensor(x)).numpy(),
                                   rtol=1e-12, atol=1e-13)
        xa = adcli.tensor(x, requires_grad=True)
        assert adcli.autograd.gradcheck(a, (xa,))
        assert adcli.autograd.gradgradcheck(a, (xa,))


def test_lp_pool_errors_match_torch() -> None:
    def calls(lib: Any) -> list[Any]:
        F = lib.nn.functional
        return [lambda: F.lp_pool2d(lib.zeros(1, 1, 2, 2), 2, 3),
                lambda: F.lp_pool1d(lib.zeros(3), 2, 2),
                lambda: F.lp_pool3d(lib.zeros(1, 2, 2), 2, 2),
                lambda: F.lp_pool2d(lib.zeros(1, 1, 2, 2), 2, 0)]

    _same_errors(calls)


# -- gumbel_softmax -----------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("kw", [{}, {"hard": True}, {"tau": 0.3, "dim": 0},
                                {"hard": True, "dim": 1, "tau": 2.0}])
@pytest.mark.parametrize("seed", [0, 7])
def test_gumbel_softmax_matches_torch(kw: dict, dtype: str, seed: int) -> None:
    x = RNG.standard_normal((4, 5, 3))
    w = RNG.standard_normal((4, 5, 3))
    res = []
    for lib in (torch, adcli):
        lib.manual_seed(seed)
        t = lib.tensor(x, requires_grad=True, dtype=getattr(lib, dtype))
        y = lib.nn.functional.gumbel_softmax(t, **kw)
        after = lib.rand(3)  # the generator advanced by exactly torch's draws
        (g,) = lib.autograd.grad((y * lib.tensor(w, dtype=t.dtype)).sum(), t, create_graph=True)
        (gg,) = lib.autograd.grad((g * g).sum(), t)
        res.append((y.detach().numpy(), g.detach().numpy(), gg.numpy(), after.numpy(),
                    _graph(y.grad_fn), _graph(g.grad_fn)))
    tol = {"rtol": 1e-13, "atol": 1e-14} if dtype == "float64" else {"rtol": 1e-6, "atol": 1e-6}
    for i in range(3):
        np.testing.assert_allclose(res[1][i], res[0][i], **tol)
    np.testing.assert_array_equal(res[1][3], res[0][3])
    assert res[1][4] == res[0][4]
    assert res[1][5] == res[0][5]
    if kw.get("hard"):
        np.testing.assert_array_equal(res[1][0], res[0][0])


def test_gumbel_softmax_eps_warns_and_gradchecks() -> None:
    for lib in (torch, adcli):
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            lib.nn.functional.gumbel_softmax(lib.zeros(2, 3), eps=1e-5)
        assert [str(m.message) for m in w] == ["`eps` parameter is deprecated and has no effect."]
    x = adcli.tensor(RNG.standard_normal((2, 4)), requires_grad=True)

    def fn(t: Any) -> Any:
        adcli.manual_seed(4)  # the same noise on every evaluation
        # (hard=True's output is piecewise constant: finite differences see 0 there, in torch too)
        return adcli.nn.functional.gumbel_softmax(t, tau=0.7)

    assert adcli.autograd.gradcheck(fn, (x,))
    assert adcli.autograd.gradgradcheck(fn, (x,))
