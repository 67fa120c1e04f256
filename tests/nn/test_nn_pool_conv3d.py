"""3-d convolution and pooling, adaptive max pooling, max unpooling and local response norm
against torch 2.13: values, indices, gradients, grad_fn names (first and second derivative),
errors, module reprs and same-seed parameters; gradcheck of the modules."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pytest
from requires import require_torch

torch = require_torch()
pytestmark = pytest.mark.needs_torch

from nn_helpers import node_names, same_errors  # noqa: E402

import adcli  # noqa: E402

RNG = np.random.default_rng(11)


def _F(lib: Any) -> Any:
    return lib.nn.functional


# (label, fn(lib, x) -> tensor or (tensor, indices), input shape)
FUNCS = [
    ("max_pool3d", lambda L, x: _F(L).max_pool3d(x, 2, return_indices=True), (1, 2, 4, 5, 6)),
    ("max_pool3d ceil pad dil", lambda L, x: _F(L).max_pool3d(
        x, (2, 3, 2), stride=(1, 2, 2), padding=1, dilation=(1, 1, 2), ceil_mode=True,
        return_indices=True), (2, 4, 5, 6)),
    ("max_pool3d_with_indices", lambda L, x: _F(L).max_pool3d_with_indices(x, (1, 2, 2)),
     (1, 1, 3, 4, 4)),
    ("avg_pool3d", lambda L, x: _F(L).avg_pool3d(x, 2), (1, 2, 4, 5, 6)),
    ("avg_pool3d ceil no-pad-count", lambda L, x: _F(L).avg_pool3d(
        x, (2, 3, 2), stride=(1, 2, 2), padding=1, ceil_mode=True, count_include_pad=False),
     (1, 2, 4, 5, 6)),
    ("avg_pool3d divisor", lambda L, x: _F(L).avg_pool3d(x, 2, divisor_override=3), (2, 4, 5, 6)),
    ("adaptive_avg_pool3d", lambda L, x: _F(L).adaptive_avg_pool3d(x, (3, 2, 4)),
     (1, 2, 4, 5, 6)),
    ("adaptive_avg_pool3d None", lambda L, x: _F(L).adaptive_avg_pool3d(x, (None, 2, 1)),
     (2, 4, 5, 6)),
    ("adaptive_avg_pool3d 1", lambda L, x: _F(L).adaptive_avg_pool3d(x, 1), (2, 4, 5, 6)),
    ("adaptive_max_pool2d", lambda L, x: _F(L).adaptive_max_pool2d(x, (3, 4), True),
     (2, 3, 5, 7)),
    ("adaptive_max_pool2d grow", lambda L, x: _F(L).adaptive_max_pool2d(x, (7, None), True),
     (3, 5, 7)),
    ("adaptive_max_pool1d", lambda L, x: _F(L).adaptive_max_pool1d(x, 4, return_indices=True),
     (2, 3, 7)),
    ("torch.adaptive_max_pool1d", lambda L, x: L.adaptive_max_pool1d(x, 3), (2, 3, 7)),
    ("adaptive_max_pool3d", lambda L, x: _F(L).adaptive_max_pool3d(x, (2, 3, 4), True),
     (2, 3, 5, 7, 3)),
    ("adaptive_max_pool2d_with_indices", lambda L, x: _F(L).adaptive_max_pool2d_with_indices(
        x, 2), (1, 2, 3, 3)),
    ("max_pool1d_with_indices", lambda L, x: L.max_pool1d_with_indices(x, 2), (2, 3, 7)),
    ("F.max_pool1d_with_indices", lambda L, x: _F(L).max_pool1d_with_indices(x, 3, 2, 1),
     (2, 3, 7)),
    ("max_pool2d_with_indices", lambda L, x: _F(L).max_pool2d_with_indices(x, 2), (2, 3, 5, 7)),
    ("local_response_norm 3d", lambda L, x: _F(L).local_response_norm(x, 3), (2, 5, 4)),
    ("local_response_norm 4d", lambda L, x: _F(L).local_response_norm(x, 2, 0.1, 0.5, 2.0),
     (2, 5, 3, 4)),
    ("local_response_norm 5d", lambda L, x: _F(L).local_response_norm(x, 4, 1e-2), (1, 6, 2, 3, 2)),
]


def _unpool_cases(L: Any, x: Any, nsp: int, out: Any = None) -> Any:
    pool = getattr(_F(L), f"max_pool{nsp}d")
    unpool = getattr(_F(L), f"max_unpool{nsp}d")
    _, idx = pool(x.detach(), 2, return_indices=True)
    v = pool(x, 2)
    return unpool(v * 1.5, idx, 2, output_size=out)


FUNCS += [
    ("max_unpool1d", lambda L, x: _unpool_cases(L, x, 1), (2, 3, 7)),
    ("max_unpool2d", lambda L, x: _unpool_cases(L, x, 2, (5, 7)), (1, 2, 5, 7)),
    ("max_unpool2d unbatched", lambda L, x: _unpool_cases(L, x, 2), (2, 4, 4)),
    ("max_unpool3d", lambda L, x: _unpool_cases(L, x, 3), (1, 2, 4, 4, 2)),
]


def _graph(fn: Any) -> list[str]:
    return sorted(node_names(fn).elements())


@pytest.mark.parametrize(("label", "fn", "shape"), FUNCS, ids=[c[0] for c in FUNCS])
def test_functions_match_torch(label: str, fn: Any, shape: tuple) -> None:
    x = RNG.standard_normal(shape)
    res = []
    for lib in (torch, adcli):
        t = lib.tensor(x, requires_grad=True)
        out = fn(lib, t)
        idx = None
        if isinstance(out, tuple):
            out, idx = out
        (g,) = lib.autograd.grad((out ** 2).sum(), t, create_graph=True)
        (gg,) = lib.autograd.grad((g ** 3).sum(), t)
        res.append({"out": out.detach().numpy(), "g": g.detach().numpy(), "gg": gg.numpy(),
                    "idx": None if idx is None else idx.numpy(), "graph": _graph(out.grad_fn),
                    "ggraph": _graph(g.grad_fn)})
    t, a = res
    assert a["graph"] == t["graph"]
    assert a["ggraph"] == t["ggraph"]
    for k in ("out", "g", "gg"):
        assert a[k].shape == t[k].shape
        np.testing.assert_allclose(a[k], t[k], rtol=1e-12, atol=1e-12, err_msg=k)
    if t["idx"] is not None:
        np.testing.assert_array_equal(a["idx"], t["idx"])
        assert a["idx"].dtype == t["idx"].dtype


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_conv3d_matches_torch(dtype: str) -> None:
    cases = [
        ("conv3d", (2, 4, 5, 4, 6), (6, 2, 2, 3, 2), {"stride": (1, 2, 1), "padding": (1, 0, 2),
                                                       "dilation": (2, 1, 1), "groups": 2}),
        ("conv3d", (3, 4, 5, 4), (2, 3, 3, 1, 2), {"padding": "same"}),
        ("conv_transpose3d", (1, 4, 3, 2, 3), (4, 3, 2, 3, 2),
         {"stride": 2, "padding": (1, 0, 1), "output_padding": (1, 0, 1), "groups": 2,
          "dilation": (1, 2, 1)}),
        ("conv_transpose3d", (2, 3, 2, 2), (2, 2, 2, 2, 2), {}),
    ]
    for name, xs, ws, kw in cases:
        x, w, b = RNG.standard_normal(xs), RNG.standard_normal(ws), RNG.standard_normal(
            ws[1] * kw.get("groups", 1) if name == "conv_transpose3d" else ws[0])
        res = []
        for lib in (torch, adcli):
            dt = getattr(lib, dtype)
            ts = [lib.tensor(v, dtype=dt, requires_grad=True) for v in (x, w, b)]
            out = getattr(lib.nn.functional, name)(*ts, **kw)
            out.backward(lib.tensor(np.cos(np.arange(out.numel())).reshape(tuple(out.shape)),
                                    dtype=dt))
            res.append([out.detach().numpy()] + [v.grad.numpy() for v in ts]
                       + [out.grad_fn.name()])
        tol = {"rtol": 1e-10, "atol": 1e-10} if dtype == "float64" else {"rtol": 1e-4,
                                                                        "atol": 1e-4}
        for a, t in zip(res[1][:4], res[0][:4]):
            np.testing.assert_allclose(a, t, **tol)
        assert res[1][4] == res[0][4]


def test_errors_match_torch() -> None:
    def calls(L: Any) -> list[Any]:
        F, z = L.nn.functional, L.zeros
        x5, i64 = z(1, 1, 4, 4, 4), L.int64
        return [
            lambda: F.max_pool3d(z(2, 3, 4), 2),
            lambda: F.max_pool3d(x5, 0),
            lambda: F.max_pool3d(x5, 0, 1),
            lambda: F.max_pool3d(x5, 2, -1),
            lambda: F.max_pool3d(x5, (2, 2)),
            lambda: F.max_pool3d(x5, 2, stride=(1, 1)),
            lambda: F.max_pool3d(x5, 2, padding=(1, 1)),
            lambda: F.max_pool3d(x5, 2, dilation=(1, 1)),
            lambda: F.max_pool3d(x5, 2, dilation=0),
            lambda: F.max_pool3d(x5, 2, padding=2),
            lambda: F.max_pool3d(z(1, 1, 1, 4, 4), 2),
            lambda: F.max_pool3d(z(1, 0, 4, 4, 4), 2),
            lambda: F.avg_pool3d(z(2, 3, 4), 2),
            lambda: F.avg_pool3d(z(1, 1, 1, 2, 2, 2), 2),
            lambda: F.avg_pool3d(z(1, 1, 1, 4, 4), 2),
            lambda: F.avg_pool3d(x5, 2, padding=2),
            lambda: F.avg_pool3d(x5, 2, divisor_override=0),
            lambda: F.avg_pool3d(x5, (2, 2)),
            lambda: F.avg_pool3d(x5, 2, stride=(1, 1)),
            lambda: F.avg_pool3d(x5, 2, padding=(1, 1)),
            lambda: F.avg_pool3d(x5, 0, 1),
            lambda: F.avg_pool3d(z(1, 0, 4, 4, 4), 2),
            lambda: F.adaptive_avg_pool3d(z(2, 3), 2),
            lambda: F.adaptive_avg_pool3d(z(1, 0, 2, 2, 2), 2),
            lambda: F.adaptive_avg_pool3d(z(1, 1, 2, 2, 2), (2, 2)),
            lambda: F.adaptive_max_pool2d(z(2, 3), 2),
            lambda: F.adaptive_max_pool2d(z(1, 1, 2, 2), (2, 2, 2)),
            lambda: F.adaptive_max_pool2d(z(1, 0, 2, 2), 2),
            lambda: F.adaptive_max_pool1d(z(2, 3, 4, 5), 2),
            lambda: F.adaptive_max_pool1d(z(2, 3, 4), (2, 2)),
            lambda: F.adaptive_max_pool3d(z(2, 3, 4), 2),
            lambda: F.max_unpool2d(z(1, 1, 2, 2), L.full((1, 1, 2, 2), 16, dtype=i64), 2),
            lambda: F.max_unpool2d(z(1, 1, 2, 2), z(1, 1, 2, 3, dtype=i64), 2),
            lambda: F.max_unpool2d(z(1, 1, 2, 2), z(1, 1, 2, 2), 2),
            lambda: F.max_unpool2d(z(1, 1, 1, 2, 2), z(1, 1, 1, 2, 2, dtype=i64), 2),
            lambda: F.max_unpool2d(z(1, 1, 2, 2), z(1, 1, 2, 2, dtype=i64), 2,
                                   output_size=(9, 9)),
            lambda: F.max_unpool2d(z(1, 1, 2, 2), z(1, 1, 2, 2, dtype=i64), 2,
                                   output_size=[9]),
            lambda: F.max_unpool1d(z(1, 1, 2), L.full((1, 1, 2), 7, dtype=i64), 2),
            lambda: F.max_unpool3d(z(1, 1, 2, 2, 2), L.full((1, 1, 2, 2, 2), 99, dtype=i64), 2),
            lambda: F.max_unpool3d(z(1, 2, 2), z(1, 2, 2, dtype=i64), 2),
            lambda: F.local_response_norm(z(2, 3), 2),
            lambda: F.conv3d(z(2, 3, 4), z(1, 3, 1, 1, 1)),
            lambda: F.conv3d(z(1, 2, 3, 3, 3), z(1, 3, 1, 1, 1)),
            lambda: F.conv3d(z(1, 1, 3, 3, 3), z(1, 1, 4, 1, 1)),
            lambda: F.conv_transpose3d(z(1, 1, 2, 2, 2), z(1, 1, 2, 2, 2), stride=2,
                                       output_padding=2),
            lambda: L.nn.Conv3d(3, 2, 2, groups=2),
            lambda: L.nn.ConvTranspose3d(2, 2, 2, padding_mode="reflect"),
        ]

    same_errors(calls)


def _modules(N: Any) -> list[tuple[Any, tuple[int, ...]]]:
    return [
        (N.MaxPool3d(2), (1, 2, 4, 4, 4)),
        (N.MaxPool3d((1, 2, 2), stride=1, padding=(0, 1, 1), dilation=(1, 2, 1),
                     return_indices=True, ceil_mode=True), (2, 3, 4, 5)),
        (N.AvgPool3d(2, stride=1, padding=1, ceil_mode=True, count_include_pad=False),
         (1, 2, 3, 3, 3)),
        (N.AvgPool3d((1, 2, 2), divisor_override=2), (2, 2, 4, 4)),
        (N.AdaptiveAvgPool3d((2, None, 3)), (1, 2, 4, 4, 5)),
        (N.AdaptiveMaxPool1d(3), (2, 3, 7)),
        (N.AdaptiveMaxPool2d((2, None), return_indices=True), (1, 3, 5, 4)),
        (N.AdaptiveMaxPool3d(2), (1, 2, 3, 4, 5)),
        (N.LocalResponseNorm(3), (2, 5, 3, 3)),
        (N.LocalResponseNorm(2, alpha=0.5, beta=0.3, k=2.0), (2, 4, 3)),
        (N.Conv3d(4, 6, (2, 3, 1), stride=(1, 2, 1), padding=1, dilation=(2, 1, 1), groups=2),
         (1, 4, 5, 5, 3)),
        (N.Conv3d(2, 3, 2, bias=False, padding="same"), (2, 3, 3, 3)),
        (N.ConvTranspose3d(4, 2, (2, 3, 2), stride=2, padding=1, output_padding=(1, 0, 1),
                           groups=2), (1, 4, 2, 3, 2)),
        (N.ConvTranspose3d(2, 3, 2, bias=False, dilation=2), (2, 2, 2, 2)),
    ]


def test_modules_match_torch() -> None:
    torch.manual_seed(3)
    tms = _modules(torch.nn)
    adcli.manual_seed(3)
    ams = _modules(adcli.nn)
    for (tm, shape), (am, _) in zip(tms, ams):
        assert repr(am) == repr(tm)
        td, ad = tm.state_dict(), am.state_dict()
        assert list(ad) == list(td)
        for k in td:  # same seed, same float32 parameters
            np.testing.assert_array_equal(ad[k].numpy(), td[k].numpy(), err_msg=k)
        tm.double()
        am.double()
        x = RNG.standard_normal(shape)
        tx, ax = torch.tensor(x, requires_grad=True), adcli.tensor(x, requires_grad=True)
        to, ao = tm(tx), am(ax)
        if isinstance(to, tuple):
            np.testing.assert_array_equal(ao[1].numpy(), to[1].numpy())
            to, ao = to[0], ao[0]
        assert ao.grad_fn.name() == to.grad_fn.name()
        np.testing.assert_allclose(ao.detach().numpy(), to.detach().numpy(), rtol=1e-12,
                                   atol=1e-12)
        w = RNG.standard_normal(tuple(to.shape))
        (to * torch.tensor(w)).sum().backward()
        (ao * adcli.tensor(w)).sum().backward()
        np.testing.assert_allclose(ax.grad.numpy(), tx.grad.numpy(), rtol=1e-12, atol=1e-12)
        for (n, tp), (_, ap) in zip(tm.named_parameters(), am.named_parameters()):
            np.testing.assert_allclose(ap.grad.numpy(), tp.grad.numpy(), rtol=1e-10,
                                       atol=1e-10, err_msg=n)


def test_modules_gradcheck() -> None:
    adcli.manual_seed(0)
    for m, shape in _modules(adcli.nn):
        m.double()
        x = adcli.tensor(RNG.standard_normal(shape), requires_grad=True)
        params = [p for p in m.parameters()]

        def f(t: Any, *ps: Any, m: Any = m) -> Any:
            out = m(t)
            return out[0] if isinstance(out, tuple) else out

        assert adcli.autograd.gradcheck(f, (x, *params)), repr(m)


def test_max_unpool_modules_match_torch() -> None:
    x = RNG.standard_normal((1, 2, 4, 6))
    outs = []
    for lib in (torch, adcli):
        pool = lib.nn.MaxPool2d(2, stride=2, return_indices=True)
        unpool = lib.nn.MaxUnpool2d(2, stride=2)
        p1 = lib.nn.MaxPool1d(2, return_indices=True)
        u1 = lib.nn.MaxUnpool1d(2)
        p3 = lib.nn.MaxPool3d(2, return_indices=True)
        u3 = lib.nn.MaxUnpool3d(2)
        t = lib.tensor(x, requires_grad=True)
        v, i = pool(t)
        a = unpool(v, i, output_size=(1, 2, 5, 7))
        v1, i1 = p1(t[0])
        b = u1(v1, i1)
        v3, i3 = p3(t[None])
        c = u3(v3, i3)
        (a.sum() + (b * b).sum() + (c ** 3).sum()).backward()
        outs.append(([repr(m) for m in (unpool, u1, u3)], a.detach().numpy(),
                     b.detach().numpy(), c.detach().numpy(), t.grad.numpy()))
    assert outs[1][0] == outs[0][0]
    for p, q in zip(outs[1][1:], outs[0][1:]):
        np.testing.assert_allclose(p, q, rtol=1e-12, atol=1e-12)
    u = adcli.nn.MaxUnpool2d(2)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        _, i = adcli.nn.functional.max_pool2d(adcli.tensor(x), 2, return_indices=True)
    v = adcli.tensor(RNG.standard_normal(tuple(i.shape)), requires_grad=True)
    assert adcli.autograd.gradgradcheck(lambda t: u(t, i) ** 2, (v,))
