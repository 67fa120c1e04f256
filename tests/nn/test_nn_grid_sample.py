"""F.affine_grid / torch.affine_grid_generator and F.grid_sample / torch.grid_sampler(_2d/_3d)
against torch 2.13: values (bit for bit for the 2-d bilinear and nearest sampler, the 3-d
sampler and affine_grid), gradients to input, grid and theta, second derivatives, grad_fn
graphs, warnings and errors word for word; gradcheck / gradgradcheck."""

from __future__ import annotations

import itertools
import warnings
from typing import Any

import numpy as np
import pytest
from requires import require_torch

torch = require_torch()
pytestmark = pytest.mark.needs_torch

from nn_helpers import graph as _graph  # noqa: E402
from nn_helpers import same_errors  # noqa: E402

import adcli  # noqa: E402

RNG = np.random.default_rng(21)
MODES2 = ["bilinear", "nearest", "bicubic"]
PADS = ["zeros", "border", "reflection"]


def _case(nsp: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    if nsp == 2:
        # out-of-range points too (padding), and exact pixel centres and edges
        g = rng.uniform(-2.7, 2.7, (2, 5, 6, 2))
        g[0, 0, :4] = [[-1, -1], [1, 1], [0, 0], [-1.0, 1.0]]
        return rng.standard_normal((2, 3, 4, 5)), g
    return rng.standard_normal((2, 2, 3, 4, 5)), rng.uniform(-1.8, 1.8, (2, 2, 3, 4, 3))


CASES = [(2, m, p, a) for m, p, a in itertools.product(MODES2, PADS, (False, True))] + \
    [(3, m, p, a) for m, p, a in itertools.product(MODES2[:2], PADS, (False, True))]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize(("nsp", "mode", "pad", "align"), CASES)
def test_grid_sample_matches_torch(nsp: int, mode: str, pad: str, align: bool,
                                   dtype: str) -> None:
    x, g = _case(nsp)
    res = []
    for lib in (torch, adcli):
        X = lib.tensor(x, dtype=getattr(lib, dtype), requires_grad=True)
        G = lib.tensor(g, dtype=getattr(lib, dtype), requires_grad=True)
        y = lib.nn.functional.grid_sample(X, G, mode=mode, padding_mode=pad, align_corners=align)
        w = lib.tensor(np.arange(y.numel()).reshape(tuple(y.shape)) % 7 - 3.0, dtype=X.dtype)
        gx, gg = lib.autograd.grad((y * w).sum(), (X, G))
        res.append((y.detach().numpy(), gx.numpy(), gg.numpy(), _graph(y.grad_fn),
                    tuple(y.shape), y.stride()))
    t, a = res
    if mode != "bicubic":  # ATen's own arithmetic, fused multiply-adds included
        np.testing.assert_array_equal(a[0], t[0])
    # (float32: the grid's gradient sums terms of both signs, so absolute error)
    tol = {"rtol": 1e-12, "atol": 1e-12} if dtype == "float64" else {"rtol": 1e-5, "atol": 1e-4}
    np.testing.assert_allclose(a[0], t[0], **tol)
    np.testing.assert_allclose(a[1], t[1], **tol)
    np.testing.assert_allclose(a[2], t[2], **tol)
    assert a[3:] == t[3:]


@pytest.mark.parametrize(("nsp", "mode", "pad", "align"),
                         [c for c in CASES if c[3] is False or c[1] == "bilinear"])
def test_grid_sample_second_derivatives_match_torch(nsp: int, mode: str, pad: str,
                                                    align: bool) -> None:
    x, g = _case(nsp)
    g = np.clip(g, -1.3, 1.3)
    res = []
    for lib in (torch, adcli):
        X = lib.tensor(x, requires_grad=True)
        G = lib.tensor(g, requires_grad=True)
        y = lib.nn.functional.grid_sample(X, G, mode=mode, padding_mode=pad, align_corners=align)
        w = lib.tensor(np.arange(y.numel()).reshape(tuple(y.shape)) % 5 - 2.0,
                       requires_grad=True)
        gx, gg = lib.autograd.grad((y * w).sum(), (X, G), create_graph=True)
        r = lib.autograd.grad((gx * gx).sum() + (gg * gg * gg).sum(), (X, G, w),
                              allow_unused=True, materialize_grads=True)
        res.append((gx.detach().numpy(), gg.detach().numpy(), *[t.numpy() for t in r],
                    gx.grad_fn.name(), gg.grad_fn.name(),
                    [n is not None for n, _ in gx.grad_fn.next_functions]))
    t, a = res
    for i in range(5):
        np.testing.assert_allclose(a[i], t[i], rtol=1e-10, atol=1e-12 * np.abs(t[i]).max())
    assert a[5:] == t[5:]


def test_grid_sample_gradcheck() -> None:
    F = adcli.nn.functional
    for nsp, mode, pad, align in [(2, "bilinear", "zeros", False), (2, "bicubic", "border", True),
                                  (2, "bilinear", "reflection", False),
                                  (3, "bilinear", "reflection", True),
                                  (3, "bilinear", "zeros", False)]:
        x, g = _case(nsp, 5)
        x = x[:1, :2, :3, :3] if nsp == 2 else x[:1, :1, :2, :2, :3]
        # (away from integer pixel positions, where bicubic's second derivative jumps)
        g = np.clip(g[:1, 2:4, :2] if nsp == 2 else g[:1, :1, :2, :2], -1.2, 1.2)
        X, G = adcli.tensor(x, requires_grad=True), adcli.tensor(g, requires_grad=True)

        def fn(a: Any, b: Any, mode: str = mode, pad: str = pad, align: bool = align) -> Any:
            return F.grid_sample(a, b, mode=mode, padding_mode=pad, align_corners=align)

        assert adcli.autograd.gradcheck(fn, (X, G))
        assert adcli.autograd.gradgradcheck(fn, (X, G))


def test_grid_sample_third_derivative_is_refused() -> None:
    # torch composes the double backward from differentiable ops; adcli refuses a third
    # derivative instead of giving wrong values
    X = adcli.tensor(RNG.standard_normal((1, 1, 3, 3)), requires_grad=True)
    G = adcli.tensor(RNG.uniform(-1, 1, (1, 2, 2, 2)), requires_grad=True)
    y = adcli.nn.functional.grid_sample(X, G, align_corners=False)
    _, gg = adcli.autograd.grad((y * y).sum(), (X, G), create_graph=True)
    (h,) = adcli.autograd.grad((gg * gg).sum(), G, create_graph=True)
    with pytest.raises(RuntimeError, match="is not implemented"):
        adcli.autograd.grad(h.sum(), G)


def test_grid_sampler_functions_match_torch() -> None:
    x, g = _case(2)
    for args in [(0, 0, False), (1, 2, True), (2, 1, False)]:
        vals = [lib.grid_sampler(lib.tensor(x), lib.tensor(g), *args).numpy()
                for lib in (torch, adcli)]
        np.testing.assert_allclose(vals[1], vals[0], rtol=1e-12, atol=1e-12)
        vals = [lib.grid_sampler_2d(lib.tensor(x), lib.tensor(g), *args).numpy()
                for lib in (torch, adcli)]
        np.testing.assert_allclose(vals[1], vals[0], rtol=1e-12, atol=1e-12)
    x, g = _case(3)
    vals = [lib.grid_sampler_3d(lib.tensor(x), lib.tensor(g), 1, 1, True).numpy()
            for lib in (torch, adcli)]
    np.testing.assert_array_equal(vals[1], vals[0])


AFFINE = [((2, 1, 3, 4), False), ((2, 3, 5, 2), True), ((1, 2, 2, 3, 4), False),
          ((2, 1, 3, 1, 2), True), ((1, 1, 1, 1), False), ((3, 1, 7, 6), True)]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize(("size", "align"), AFFINE)
def test_affine_grid_matches_torch(size: tuple, align: bool, dtype: str) -> None:
    th = RNG.standard_normal((size[0], 2, 3) if len(size) == 4 else (size[0], 3, 4))
    res = []
    for lib in (torch, adcli):
        T = lib.tensor(th, dtype=getattr(lib, dtype), requires_grad=True)
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            a = lib.nn.functional.affine_grid(T, size, align_corners=align)
        (gt,) = lib.autograd.grad((a * a).sum(), T, create_graph=True)
        (gg,) = lib.autograd.grad((gt * gt).sum(), T)
        res.append((a.detach().numpy(), gt.detach().numpy(), gg.numpy(), _graph(a.grad_fn),
                    _graph(gt.grad_fn), [str(m.message) for m in w],
                    lib.affine_grid_generator(T.detach(), size, align).numpy()))
    t, a = res
    np.testing.assert_array_equal(a[0], t[0])
    np.testing.assert_array_equal(a[6], t[6])
    tol = {"rtol": 1e-12, "atol": 1e-12} if dtype == "float64" else {"rtol": 1e-5, "atol": 1e-4}
    np.testing.assert_allclose(a[1], t[1], **tol)
    np.testing.assert_allclose(a[2], t[2], **tol)
    assert a[3:6] == t[3:6]
    T = adcli.tensor(th, requires_grad=True)
    assert adcli.autograd.gradgradcheck(
        lambda t: adcli.nn.functional.affine_grid(t, size, align_corners=align), (T,))


def test_spatial_transformer_matches_torch() -> None:
    # affine_grid feeding grid_sample, as in the spatial transformer tutorial
    x = RNG.standard_normal((2, 3, 6, 5))
    th = np.array([[[0.9, -0.2, 0.1], [0.3, 1.1, -0.2]], [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]]])
    res = []
    for lib in (torch, adcli):
        X = lib.tensor(x, dtype=lib.float32, requires_grad=True)
        T = lib.tensor(th, dtype=lib.float32, requires_grad=True)
        grid = lib.nn.functional.affine_grid(T, X.size(), align_corners=False)
        y = lib.nn.functional.grid_sample(X, grid, align_corners=False)
        y.pow(2).sum().backward()
        res.append((y.detach().numpy(), X.grad.numpy(), T.grad.numpy(), _graph(y.grad_fn)))
    t, a = res
    np.testing.assert_array_equal(a[0], t[0])
    np.testing.assert_allclose(a[1], t[1], rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(a[2], t[2], rtol=1e-5, atol=1e-4)
    assert a[3] == t[3]


def test_align_corners_warning_matches_torch() -> None:
    msgs = []
    for lib in (torch, adcli):
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            lib.nn.functional.grid_sample(lib.zeros(1, 1, 2, 2), lib.zeros(1, 1, 1, 2))
            lib.nn.functional.affine_grid(lib.zeros(1, 2, 3), (1, 1, 2, 2))
            lib.nn.functional.affine_grid(lib.zeros(1, 2, 3), (1, 1, 1, 2), align_corners=True)
        msgs.append([str(m.message) for m in w])
    assert msgs[0] == msgs[1] and len(msgs[0]) == 3


def test_errors_match_torch() -> None:
    def calls(lib: Any) -> list[Any]:
        F = lib.nn.functional
        x4, g4 = lib.zeros(1, 2, 3, 4), lib.zeros(1, 2, 2, 2)
        x5, g5 = lib.zeros(1, 2, 3, 4, 5), lib.zeros(1, 2, 2, 2, 3)
        return [
            lambda: F.grid_sample(x4, g4, mode="linear", align_corners=False),
            lambda: F.grid_sample(x4, g4, padding_mode="circular", align_corners=False),
            lambda: F.grid_sample(x4, lib.zeros(2, 2, 2, 2), align_corners=False),
            lambda: F.grid_sample(x4, lib.zeros(1, 2, 2, 3), align_corners=False),
            lambda: F.grid_sample(lib.zeros(1, 2, 0, 4), g4, align_corners=False),
            lambda: F.grid_sample(x4, lib.zeros(1, 2, 2, 2, 2), align_corners=False),
            lambda: F.grid_sample(x5, g5, mode="bicubic", align_corners=False),
            lambda: F.grid_sample(lib.zeros(2, 2, 3, 4, 5), g5, mode="bicubic",
                                  align_corners=False),
            lambda: F.grid_sample(x4, g4.double(), align_corners=False),
            lambda: F.grid_sample(x4.double(), g4, align_corners=False),
            lambda: F.grid_sample(x5, g5.double(), align_corners=False),
            lambda: F.grid_sample(x4.long(), g4.long(), align_corners=False),
            lambda: F.grid_sample(x4.long(), g4, align_corners=False),
            lambda: F.grid_sample(x5.long(), g5.long(), align_corners=False),
            lambda: F.grid_sample(lib.zeros(2, 3), lib.zeros(2, 3), align_corners=False),
            lambda: F.grid_sample(lib.zeros(1, 2, 3), lib.zeros(1, 2, 1), align_corners=False),
            lambda: lib.grid_sampler_2d(x5, g5, 0, 0, False),
            lambda: lib.grid_sampler_3d(x4, g4, 0, 0, False),
            lambda: F.affine_grid(lib.zeros(1, 2, 3), (1, 1, 2), align_corners=False),
            lambda: F.affine_grid(lib.zeros(1, 3, 3), (1, 1, 2, 2), align_corners=False),
            lambda: F.affine_grid(lib.zeros(1, 2, 3, dtype=lib.long), (1, 1, 2, 2),
                                  align_corners=False),
            lambda: F.affine_grid(lib.zeros(1, 2, 3), (1, 1, 0, 2), align_corners=False),
            lambda: F.affine_grid(lib.zeros(1, 3, 4), (1, 1, 2, 2, 2, 1), align_corners=False),
            lambda: F.affine_grid(lib.zeros(1, 2, 4), (1, 1, 2, 2, 2), align_corners=False),
            lambda: F.affine_grid(lib.zeros(2, 2, 3), (1, 1, 2, 2), align_corners=False),
            lambda: lib.affine_grid_generator(lib.zeros(1, 2, 3), (1, 1, 2), False),
        ]

    same_errors(calls)
