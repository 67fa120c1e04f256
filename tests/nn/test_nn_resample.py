"""F.interpolate / nn.Upsample, F.pixel_shuffle / pixel_unshuffle and F.rms_norm / nn.RMSNorm
against torch 2.13: values, input and parameter gradients, reprs, errors; gradcheck."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pytest
from requires import require_torch

torch = require_torch()
pytestmark = pytest.mark.needs_torch

from nn_helpers import same_errors  # noqa: E402

import adcli  # noqa: E402

RNG = np.random.default_rng(5)

# (input shape, interpolate kwargs)
INTERP = [
    ((2, 3, 5), {"scale_factor": 2}),
    ((2, 3, 5), {"size": 7}),
    ((2, 3, 6), {"size": 4}),
    ((1, 2, 5), {"scale_factor": 1.7, "mode": "nearest-exact"}),
    ((1, 2, 4, 5), {"size": (7, 3)}),
    ((1, 2, 4, 5), {"scale_factor": (1.5, 0.6)}),
    ((1, 1, 3, 3, 2), {"scale_factor": 2}),
    ((2, 3, 5), {"scale_factor": 2.3, "mode": "linear"}),
    ((2, 3, 5), {"size": 9, "mode": "linear", "align_corners": True}),
    ((2, 3, 8), {"size": 3, "mode": "linear"}),
    ((1, 2, 4, 5), {"size": (7, 3), "mode": "bilinear"}),
    ((1, 2, 4, 5), {"scale_factor": 2, "mode": "bilinear", "align_corners": True}),
    ((1, 2, 4, 5), {"scale_factor": (1.5, 2.5), "mode": "bilinear",
                    "recompute_scale_factor": True}),
    ((1, 2, 3, 4, 2), {"size": (5, 2, 3), "mode": "trilinear"}),
    ((1, 2, 6, 6), {"size": (4, 3), "mode": "area"}),
    ((1, 2, 7), {"scale_factor": 0.5, "mode": "area"}),
    ((1, 2, 5, 6), {"scale_factor": 1.37, "mode": "nearest-exact"}),
    ((1, 1, 3, 4, 5), {"size": (2, 7, 4), "mode": "nearest-exact"}),
    ((1, 1, 3, 4, 5), {"scale_factor": 0.63}),
    ((1, 2, 5, 6), {"scale_factor": 1.37, "mode": "bicubic"}),
    ((1, 2, 5, 6), {"size": (3, 11), "mode": "bicubic", "align_corners": True}),
    ((2, 1, 4, 3), {"scale_factor": (0.7, 2.9), "mode": "bicubic",
                    "recompute_scale_factor": True}),
    ((1, 2, 5, 6), {"size": (1, 1), "mode": "bilinear", "align_corners": True}),
    ((1, 1, 3, 4, 5), {"scale_factor": 0.63, "mode": "trilinear", "align_corners": True}),
    ((0, 2, 5), {"size": 3, "mode": "linear"}),
]


def _id(case: tuple) -> str:
    shape, kw = case
    return "x".join(map(str, shape)) + "-" + ",".join(f"{k}={v}" for k, v in kw.items())


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("case", INTERP, ids=_id)
def test_interpolate_matches_torch(case: tuple, dtype: str) -> None:
    shape, kw = case
    x = RNG.standard_normal(shape)
    res = []
    for lib in (torch, adcli):
        t = lib.tensor(x, dtype=getattr(lib, dtype), requires_grad=True)
        out = lib.nn.functional.interpolate(t, **kw)
        res.append((t, out))
    (tx, tout), (ax, aout) = res
    assert tuple(aout.shape) == tuple(tout.shape)
    assert aout.dtype == getattr(adcli, dtype)
    tol = {"rtol": 1e-12, "atol": 1e-13} if dtype == "float64" else {"rtol": 1e-5, "atol": 1e-6}
    np.testing.assert_allclose(aout.detach().numpy(), tout.detach().numpy(), **tol)
    w = RNG.standard_normal(tuple(tout.shape))
    (tout * torch.tensor(w, dtype=tout.dtype)).sum().backward()
    (aout * adcli.tensor(w, dtype=aout.dtype)).sum().backward()
    np.testing.assert_allclose(ax.grad.numpy(), tx.grad.numpy(), **tol)


@pytest.mark.parametrize("case", INTERP, ids=_id)
def test_interpolate_graph_and_double_backward_match_torch(case: tuple) -> None:
    """grad_fn of the output, of the gradient under create_graph, and the second derivative."""
    shape, kw = case
    x = RNG.standard_normal(shape)
    res = []
    for lib in (torch, adcli):
        t = lib.tensor(x, requires_grad=True)
        out = lib.nn.functional.interpolate(t, **kw)
        (g,) = lib.autograd.grad((out ** 2).sum(), t, create_graph=True)
        (gg,) = lib.autograd.grad((g ** 2).sum(), t)
        res.append((out.grad_fn.name(), g.grad_fn.name(),
                    [f.name() for f, _ in g.grad_fn.next_functions if f is not None],
                    g.detach().numpy(), gg.numpy()))
    (t0, t1, t2, tg, tgg), (a0, a1, a2, ag, agg) = res
    assert (a0, a1, a2) == (t0, t1, t2)
    np.testing.assert_allclose(ag, tg, rtol=1e-12, atol=1e-13)
    np.testing.assert_allclose(agg, tgg, rtol=1e-12, atol=1e-13)


@pytest.mark.parametrize("case", [INTERP[i] for i in (1, 3, 8, 10, 13, 19, 20, 21, 23)],
                         ids=[_id(INTERP[i]) for i in (1, 3, 8, 10, 13, 19, 20, 21, 23)])
def test_interpolate_gradcheck(case: tuple) -> None:
    shape, kw = case
    x = adcli.tensor(RNG.standard_normal(shape), requires_grad=True)
    assert adcli.autograd.gradcheck(lambda t: adcli.nn.functional.interpolate(t, **kw), (x,))


def test_interpolate_errors_match_torch() -> None:
    def calls(lib: Any) -> list[Any]:
        F = lib.nn.functional
        x3, x4 = lib.zeros(1, 2, 4), lib.zeros(1, 2, 4, 4)
        return [
            lambda: F.interpolate(x3, size=3, align_corners=True),
            lambda: F.interpolate(x3, size=3, scale_factor=2),
            lambda: F.interpolate(x3),
            lambda: F.interpolate(x4, size=(3,)),
            lambda: F.interpolate(x4, scale_factor=(2, 2, 2)),
            lambda: F.interpolate(x4, size=(3, 2.5)),
            lambda: F.interpolate(x3, size=3, recompute_scale_factor=True),
            lambda: F.interpolate(x3, size=3, mode="bilinear"),
            lambda: F.interpolate(x4, size=3, mode="linear"),
            lambda: F.interpolate(lib.zeros(2, 3), size=3),
            lambda: F.pixel_shuffle(lib.zeros(1, 3, 2, 2), 2),
            lambda: F.pixel_shuffle(lib.zeros(4, 2), 2),
            lambda: F.pixel_unshuffle(lib.zeros(1, 1, 3, 4), 2),
            lambda: F.pixel_unshuffle(lib.zeros(1, 1, 4, 3), 2),
            lambda: F.rms_norm(lib.zeros(2, 3, 5), (4,)),
            lambda: F.rms_norm(lib.zeros(2, 3, 4), (4,), lib.ones(3)),
            lambda: F.interpolate(x4, scale_factor=0.1),
            lambda: F.interpolate(x3, size=0, mode="linear"),
            lambda: F.interpolate(lib.zeros(1, 1, 2, 2, 2), size=0, mode="trilinear"),
            lambda: F.interpolate(lib.zeros(1, 0, 3), size=2, mode="linear"),
            lambda: F.interpolate(lib.zeros(1, 2, 0), size=2),
            lambda: F.interpolate(x3, size=3, mode="linear", antialias=True),
            lambda: F.interpolate(x4, size=3, mode="lanczos"),
            lambda: F.interpolate(x4, size=3, mode="lanczos", align_corners=True),
            lambda: F.interpolate(x3, size=3, mode="bicubic"),
            lambda: F.interpolate(x4, size=3, mode="cubic"),
            lambda: F.pixel_shuffle(lib.zeros(1, 4, 2, 2), 0),
            lambda: F.pixel_unshuffle(lib.zeros(1, 4), 2),
        ]

    same_errors(calls)


def test_antialias_is_refused_by_name() -> None:
    # torch has separate _aa kernels for it; adcli says it lacks them instead of ignoring it
    with pytest.raises(RuntimeError, match="antialias"):
        adcli.nn.functional.interpolate(adcli.zeros(1, 1, 4, 4), size=3, mode="bilinear",
                                        antialias=True)


def test_deprecated_upsample_functions_match_torch() -> None:
    x = RNG.standard_normal((1, 2, 3, 4))
    for name, kw in (("upsample", {"scale_factor": 2, "mode": "bilinear"}),
                     ("upsample_nearest", {"size": (5, 2)}),
                     ("upsample_bilinear", {"scale_factor": 1.5})):
        outs = []
        for lib in (torch, adcli):
            with warnings.catch_warnings(record=True) as w:
                warnings.simplefilter("always")
                outs.append(getattr(lib.nn.functional, name)(lib.tensor(x), **kw).numpy())
            assert "deprecated" in str(w[0].message)
        np.testing.assert_allclose(outs[1], outs[0], rtol=1e-12, atol=1e-13)


def test_upsample_modules_match_torch() -> None:
    def build(N: Any) -> list[Any]:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return [N.Upsample(scale_factor=2, mode="bilinear", align_corners=True),
                    N.Upsample(size=(3, 7)), N.Upsample(scale_factor=(1.5, 2.0)),
                    N.UpsamplingNearest2d(scale_factor=3), N.UpsamplingBilinear2d(size=5),
                    N.PixelShuffle(2), N.PixelUnshuffle(2)]

    x = RNG.standard_normal((2, 8, 4, 6))
    for a, t in zip(build(adcli.nn), build(torch.nn)):
        assert repr(a) == repr(t)
        np.testing.assert_allclose(a(adcli.tensor(x)).numpy(), t(torch.tensor(x)).numpy(),
                                   rtol=1e-12, atol=1e-13)
        xa = adcli.tensor(x[:1, :, :2, :4], requires_grad=True)
        assert a(xa).grad_fn.name() == t(torch.tensor(x[:1, :, :2, :4],
                                                        requires_grad=True)).grad_fn.name()
        assert adcli.autograd.gradcheck(a, (xa,))


@pytest.mark.parametrize(("shape", "r"), [((1, 8, 2, 3), 2), ((2, 3, 18, 2, 2), 3), ((9, 1, 1), 3)])
def test_pixel_shuffle_roundtrip_matches_torch(shape: tuple, r: int) -> None:
    x = RNG.standard_normal(shape)
    res = []
    for lib in (torch, adcli):
        t = lib.tensor(x, requires_grad=True)
        out = lib.nn.functional.pixel_shuffle(t, r)
        back = lib.nn.functional.pixel_unshuffle(out * 2, r)
        (back * lib.tensor(np.arange(back.numel()).reshape(back.shape) * 1.0)).sum().backward()
        res.append((out, back, t.grad))
    for a, t in zip(res[1], res[0]):
        np.testing.assert_array_equal(a.detach().numpy(), t.detach().numpy())
    assert [r.grad_fn.name() for r in res[1][:2]] == [r.grad_fn.name() for r in res[0][:2]]
    x1 = adcli.tensor(x, requires_grad=True)
    assert adcli.autograd.gradgradcheck(
        lambda t: adcli.nn.functional.pixel_unshuffle(adcli.nn.functional.pixel_shuffle(t, r)
                                                      ** 2, r), (x1,))


RMS = [((2, 3, 4), (4,), True, None), ((2, 3, 4), (3, 4), False, 1e-3),
       ((5,), 5, True, 0.1), ((2, 0, 3), (3,), True, None)]


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize(("shape", "norm", "affine", "eps"), RMS)
def test_rms_norm_matches_torch(shape: tuple, norm: Any, affine: bool, eps: Any,
                                dtype: str) -> None:
    x = RNG.standard_normal(shape)
    w = RNG.standard_normal((norm,) if isinstance(norm, int) else norm)
    res = []
    for lib in (torch, adcli):
        dt = getattr(lib, dtype)
        m = lib.nn.RMSNorm(norm, eps=eps, elementwise_affine=affine, dtype=dt)
        if affine:
            with lib.no_grad():
                m.weight.copy_(lib.tensor(w, dtype=dt))
        t = lib.tensor(x, dtype=dt, requires_grad=True)
        out = m(t)
        out.backward(lib.ones_like(out) * 1.5)
        res.append((m, t, out))
    (tm, tx, tout), (am, ax, aout) = res
    assert repr(am) == repr(tm)
    assert list(am.state_dict()) == list(tm.state_dict())
    assert aout.grad_fn.name() == tout.grad_fn.name()
    tol = {"rtol": 1e-12, "atol": 1e-13} if dtype == "float64" else {"rtol": 2e-6, "atol": 1e-6}
    np.testing.assert_allclose(aout.detach().numpy(), tout.detach().numpy(), **tol)
    np.testing.assert_allclose(ax.grad.numpy(), tx.grad.numpy(), **tol)
    if affine:
        np.testing.assert_allclose(am.weight.grad.numpy(), tm.weight.grad.numpy(), **tol)


def test_rms_norm_graph_and_gradcheck() -> None:
    def walk(fn: Any) -> list[str]:
        names = []
        stack = [fn]
        while stack:
            n = stack.pop()
            if n is not None:
                names.append(n.name().removeprefix("torch::autograd::"))
                stack.extend(f for f, _ in n.next_functions)
        return names

    x = RNG.standard_normal((3, 4))
    w = RNG.standard_normal(4)
    graphs = []
    for lib in (torch, adcli):
        t, tw = lib.tensor(x, requires_grad=True), lib.tensor(w, requires_grad=True)
        graphs.append(walk(lib.nn.functional.rms_norm(t, (4,), tw, 1e-4).grad_fn))
    assert graphs[0] == graphs[1]
    xs = (adcli.tensor(x, requires_grad=True), adcli.tensor(w, requires_grad=True))
    assert adcli.autograd.gradcheck(lambda a, b: adcli.nn.functional.rms_norm(a, (4,), b), xs)
    m = adcli.nn.RMSNorm((3, 4), eps=1e-5, dtype=adcli.float64)
    with adcli.no_grad():
        m.weight.normal_()
    xm = adcli.tensor(RNG.standard_normal((2, 3, 4)), requires_grad=True)
    assert adcli.autograd.gradcheck(lambda t, w: m(t), (xm, m.weight))
    assert adcli.autograd.gradgradcheck(lambda t, w: m(t), (xm, m.weight))
