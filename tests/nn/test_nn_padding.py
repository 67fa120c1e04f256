"""F.pad in its reflect, replicate and circular modes, the padding modules and the padding
modes of the convolution layers, against torch 2.13: values, gradients, grad_fn graphs (also
under create_graph), second derivatives, error types and messages, reprs; gradcheck."""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pytest
from requires import require_torch

torch = require_torch()
pytestmark = pytest.mark.needs_torch

import adcli  # noqa: E402

RNG = np.random.default_rng(11)

# (mode, input shape, pad)
PADS = [
    ("reflect", (3, 5), (1, 2)),
    ("reflect", (2, 3, 5), (4, 0)),
    ("reflect", (2, 6), (-2, 3)),
    ("reflect", (3, 4, 5), (1, 2, 3, 1)),
    ("reflect", (2, 3, 4, 5), (0, 4, -1, 2)),
    ("reflect", (2, 3, 4, 5), (1, 1, 2, 0, 2, 1)),
    ("reflect", (1, 2, 3, 4, 5), (2, -1, 1, 3, 2, 2)),
    ("reflect", (0, 2, 4), (1, 1)),
    ("reflect", (2, 3, 4), (-2, -2, 0, 0)),
    ("replicate", (3, 5), (1, 2)),
    ("replicate", (2, 3, 2), (5, 3)),
    ("replicate", (2, 6), (-2, 3)),
    ("replicate", (3, 4, 5), (1, 2, 3, 1)),
    ("replicate", (2, 3, 1, 5), (0, 4, 6, 2)),
    ("replicate", (2, 3, 4, 5), (1, 1, 2, 0, 3, 1)),
    ("replicate", (1, 2, 3, 4, 2), (2, -1, 1, 3, 2, 2)),
    ("circular", (3, 5), (1, 2)),
    ("circular", (2, 3, 5), (3, -1)),
    ("circular", (3, 4, 5), (1, 2, 3, 1)),
    ("circular", (2, 3, 4, 5), (0, 4, -1, 2)),
    ("circular", (2, 3, 4, 5), (1, 1, 2, 0, 3, 1)),
    ("circular", (1, 2, 3, 4, 5), (2, -1, 1, 3, 2, 2)),
    ("circular", (0, 2, 4), (1, 1)),
]


def _id(case: tuple) -> str:
    mode, shape, pad = case
    return f"{mode}-{'x'.join(map(str, shape))}-{','.join(map(str, pad))}"


def tree(node: Any, depth: int = 0) -> Any:
    if node is None:
        return None
    if depth > 14:
        return (node.name(), "...")
    return (node.name(), tuple((tree(n, depth + 1), nr) for n, nr in node.next_functions))


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("case", PADS, ids=_id)
def test_pad_matches_torch(case: tuple, dtype: str) -> None:
    mode, shape, pad = case
    x = RNG.standard_normal(shape)
    res = []
    for lib in (torch, adcli):
        t = lib.tensor(x, dtype=getattr(lib, dtype), requires_grad=True)
        res.append((t, lib.nn.functional.pad(t, pad, mode=mode)))
    (tx, tout), (ax, aout) = res
    assert tuple(aout.shape) == tuple(tout.shape)
    assert aout.dtype == getattr(adcli, dtype)
    np.testing.assert_array_equal(aout.detach().numpy(), tout.detach().numpy())
    assert tree(aout.grad_fn) == tree(tout.grad_fn)
    w = RNG.standard_normal(tuple(tout.shape))
    (tout * torch.tensor(w, dtype=tout.dtype)).sum().backward()
    (aout * adcli.tensor(w, dtype=aout.dtype)).sum().backward()
    tol = {"rtol": 1e-12, "atol": 1e-12} if dtype == "float64" else {"rtol": 1e-5, "atol": 1e-5}
    np.testing.assert_allclose(ax.grad.numpy(), tx.grad.numpy(), **tol)


# (empty circular pads: tests/autograd/test_pad_circular_graph.py)
@pytest.mark.parametrize("case", PADS, ids=_id)
def test_pad_double_backward_matches_torch(case: tuple) -> None:
    """The first derivative's graph under create_graph, with the incoming gradient requiring
    grad or not, and the second derivatives through it."""
    mode, shape, pad = case
    x = RNG.standard_normal(shape)
    w = None
    for g_requires in (False, True):
        res = []
        for lib in (torch, adcli):
            t = lib.tensor(x, dtype=lib.float64, requires_grad=True)
            out = lib.nn.functional.pad(t, pad, mode=mode)
            if w is None:
                w = RNG.standard_normal(tuple(out.shape))
                v = RNG.standard_normal(shape)
            g = lib.tensor(w, dtype=lib.float64, requires_grad=g_requires)
            (gx,) = lib.autograd.grad(out * out, t, out * g, create_graph=True)
            res.append((t, g, gx))
        (tx, tg, tgx), (ax, ag, agx) = res
        np.testing.assert_allclose(agx.detach().numpy(), tgx.detach().numpy(), rtol=1e-12,
                                   atol=1e-12)
        assert agx.requires_grad == tgx.requires_grad
        assert tree(agx.grad_fn) == tree(tgx.grad_fn)
        wrt_t = [tx, tg] if g_requires else [tx]
        wrt_a = [ax, ag] if g_requires else [ax]
        tsec = torch.autograd.grad(tgx, wrt_t, torch.tensor(v))
        asec = adcli.autograd.grad(agx, wrt_a, adcli.tensor(v))
        for a, t in zip(asec, tsec):
            np.testing.assert_allclose(a.numpy(), t.numpy(), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("case", PADS, ids=_id)
def test_pad_gradcheck(case: tuple) -> None:
    mode, shape, pad = case
    x = adcli.tensor(RNG.standard_normal(shape), dtype=adcli.float64, requires_grad=True)
    fn = lambda t: adcli.nn.functional.pad(t, pad, mode=mode) ** 2  # noqa: E731
    assert adcli.autograd.gradcheck(fn, (x,))
    assert adcli.autograd.gradgradcheck(fn, (x,))


def test_pad_backward_kernels_are_differentiable_in_both_inputs() -> None:
    """reflection_pad2d_backward's own derivatives (grad_output: the padding; self: zero), as
    torch's ReflectionPad2DBackwardBackward0, through a third derivative."""
    for mode in ("reflect", "replicate"):
        vals = []
        for lib in (torch, adcli):
            x = lib.tensor(RNG.standard_normal((2, 3, 4)) if lib is torch else vals[0][0],
                           dtype=lib.float64, requires_grad=True)
            out = lib.nn.functional.pad(x, (2, 1, 1, 2), mode=mode)
            (g1,) = lib.autograd.grad((out ** 3).sum(), x, create_graph=True)
            (g2,) = lib.autograd.grad((g1 ** 2).sum(), x, create_graph=True)
            (g3,) = lib.autograd.grad(g2.sum(), x)
            vals.append((x.detach().numpy(), g1.detach().numpy(), g2.detach().numpy(),
                         g3.numpy(), tree(g2.grad_fn)))
        for a, t in zip(vals[1][1:4], vals[0][1:4]):
            np.testing.assert_allclose(a, t, rtol=1e-12, atol=1e-12)
        assert vals[1][4] == vals[0][4]


def test_pad_integer_inputs_and_value_zero() -> None:
    for mode in ("reflect", "replicate", "circular"):
        x = np.arange(12).reshape(3, 4)
        t = torch.nn.functional.pad(torch.tensor(x), (2, 1), mode=mode, value=0.0)
        a = adcli.nn.functional.pad(adcli.tensor(x), (2, 1), mode=mode, value=0.0)
        assert a.dtype == adcli.int64
        np.testing.assert_array_equal(a.numpy(), t.numpy())
    b = np.array([[True, False, True]])
    np.testing.assert_array_equal(
        adcli.nn.functional.pad(adcli.tensor(b), [1, 2], "circular").numpy(),
        torch.nn.functional.pad(torch.tensor(b), [1, 2], "circular").numpy())


def test_pad_saved_input_modified_in_place_raises_as_torch() -> None:
    msgs = []
    for lib in (torch, adcli):
        x = lib.ones(2, 4, requires_grad=True)
        y = x * 1
        out = lib.nn.functional.pad(y, (1, 1), mode="reflect")
        y.mul_(2)
        with pytest.raises(RuntimeError) as exc:
            out.sum().backward()
        msgs.append(str(exc.value).split(";")[0])
    assert msgs[1] == msgs[0]


def test_constant_pad_nd_is_torch_function() -> None:
    x = RNG.standard_normal((2, 3))
    t = torch.constant_pad_nd(torch.tensor(x, requires_grad=True), [1, -1, 0, 2], 2.5)
    a = adcli.constant_pad_nd(adcli.tensor(x, requires_grad=True), [1, -1, 0, 2], 2.5)
    np.testing.assert_array_equal(a.detach().numpy(), t.detach().numpy())
    assert a.grad_fn.name() == t.grad_fn.name() == "ConstantPadNdBackward0"


def _errors(T: Any) -> list[tuple[str, Any]]:
    F = T.nn.functional
    return [
        ("bad mode", lambda: F.pad(T.ones(2, 3), (1, 1), mode="zeros")),
        ("bad mode before length", lambda: F.pad(T.ones(2, 3), (1,), mode="wrap")),
        ("mode None", lambda: F.pad(T.ones(2, 3), (1, 1), mode=None)),
        ("float amount", lambda: F.pad(T.ones(2, 3), (1.0, 1), mode="reflect")),
        ("tensor amounts", lambda: F.pad(T.ones(2, 3), T.tensor([1, 1]), mode="reflect")),
        ("value with reflect", lambda: F.pad(T.ones(2, 3), (1, 1), "reflect", 1.0)),
        ("value with circular", lambda: F.pad(T.ones(2, 3), (1, 1), "circular", 2)),
        ("odd length", lambda: F.pad(T.ones(2, 3), (1,), mode="replicate")),
        ("too long", lambda: F.pad(T.ones(2, 3), (1, 1, 1, 1, 1, 1), mode="reflect")),
        ("0-d", lambda: F.pad(T.tensor(1.0), (1, 1), mode="reflect")),
        ("1-d input", lambda: F.pad(T.ones(3), (1, 1), mode="reflect")),
        ("1-d circular", lambda: F.pad(T.ones(3), (1, 1), mode="circular")),
        ("4-d, 2 amounts", lambda: F.pad(T.ones(1, 2, 3, 4), (1, 1), mode="replicate")),
        ("2-d, 4 amounts", lambda: F.pad(T.ones(3, 4), (1, 1, 1, 1), mode="reflect")),
        ("6-d", lambda: F.pad(T.ones(1, 1, 2, 2, 3, 4), (1,) * 6, mode="replicate")),
        ("8 amounts", lambda: F.pad(T.ones(3, 4, 4, 4), (1,) * 8, mode="circular")),
        ("empty amounts", lambda: F.pad(T.ones(3, 4), (), mode="reflect")),
        ("reflect 1d too big", lambda: F.pad(T.ones(2, 3), (3, 1), mode="reflect")),
        ("reflect 1d too big batched", lambda: F.pad(T.ones(1, 2, 3), (1, 3), mode="reflect")),
        ("reflect size 1", lambda: F.pad(T.ones(2, 1), (1, 0), mode="reflect")),
        ("reflect 2d h", lambda: F.pad(T.ones(1, 2, 3, 4), (1, 1, 3, 1), mode="reflect")),
        ("reflect 2d w", lambda: F.pad(T.ones(2, 3, 4), (4, 1, 1, 1), mode="reflect")),
        ("reflect 2d both", lambda: F.pad(T.ones(2, 3, 4), (4, 1, 5, 1), mode="reflect")),
        ("reflect 3d d", lambda: F.pad(T.ones(1, 2, 3, 4, 5), (1, 1, 1, 1, 3, 1), "reflect")),
        ("reflect 3d h", lambda: F.pad(T.ones(2, 3, 4, 5), (1, 1, 4, 1, 1, 1), "reflect")),
        ("reflect 3d w", lambda: F.pad(T.ones(2, 3, 4, 5), (5, 1, 1, 1, 1, 1), "reflect")),
        ("reflect 1d too small", lambda: F.pad(T.ones(2, 3), (-2, -1), mode="reflect")),
        ("reflect 2d too small", lambda: F.pad(T.ones(2, 3, 4), (-2, -3, -2, -1), "reflect")),
        ("reflect 2d negative w", lambda: F.pad(T.ones(2, 3, 4), (-2, -3, 0, 0), "reflect")),
        ("reflect 3d too small", lambda: F.pad(T.ones(2, 3, 4, 5), (-3, -3, -2, -2, -2, -2),
                                               "reflect")),
        ("reflect 3d negative w", lambda: F.pad(T.ones(2, 3, 4, 5), (-3, -3, 0, 0, 0, 0),
                                                "reflect")),
        ("replicate 1d too small", lambda: F.pad(T.ones(2, 3), (-2, -2), mode="replicate")),
        ("replicate 2d too small", lambda: F.pad(T.ones(2, 3, 4), (-2, -2, -2, -1),
                                                 "replicate")),
        ("replicate 2d negative h", lambda: F.pad(T.ones(2, 3, 4), (0, 0, -2, -2), "replicate")),
        ("replicate 3d too small", lambda: F.pad(T.ones(2, 3, 4, 5), (-3, -3, -2, -2, -2, -2),
                                                 "replicate")),
        ("replicate 3d negative d", lambda: F.pad(T.ones(2, 3, 4, 5), (0, 0, 0, 0, -3, -3),
                                                  "replicate")),
        ("reflect empty dim", lambda: F.pad(T.ones(2, 0), (1, 1), mode="reflect")),
        ("reflect empty channels", lambda: F.pad(T.ones(2, 0, 3), (1, 1), mode="reflect")),
        ("replicate 2d empty dim", lambda: F.pad(T.ones(1, 2, 0, 3), (1,) * 4, "replicate")),
        ("reflect 3d empty dim", lambda: F.pad(T.ones(2, 0, 3, 3), (1,) * 6, "reflect")),
        ("reflect bool", lambda: F.pad(T.ones(2, 3, dtype=T.bool), (1, 1), mode="reflect")),
        ("replicate bool", lambda: F.pad(T.ones(2, 3, dtype=T.bool), (1, 1), "replicate")),
        ("circular wraps twice", lambda: F.pad(T.ones(2, 3), (4, 1), mode="circular")),
        ("circular 2d wraps twice", lambda: F.pad(T.ones(2, 3, 4), (1, 1, 4, 1), "circular")),
        ("circular empty dim", lambda: F.pad(T.ones(2, 0), (1, 1), mode="circular")),
        ("circular negative empty", lambda: F.pad(T.ones(2, 3), (-2, -2), mode="circular")),
        ("constant_pad_nd odd", lambda: T.constant_pad_nd(T.ones(2, 3), (1,))),
        ("constant_pad_nd too long", lambda: T.constant_pad_nd(T.ones(2, 3), (1,) * 6)),
        ("constant_pad_nd float", lambda: T.constant_pad_nd(T.ones(2, 3), (1.0, 1))),
        ("CircularPad1d 4-d", lambda: T.nn.CircularPad1d(1)(T.ones(1, 2, 3, 4))),
        ("CircularPad2d 2-d", lambda: T.nn.CircularPad2d(1)(T.ones(3, 4))),
        ("CircularPad3d 3-d", lambda: T.nn.CircularPad3d(1)(T.ones(2, 3, 4))),
        ("ReflectionPad1d 4-d", lambda: T.nn.ReflectionPad1d(1)(T.ones(1, 2, 3, 4))),
        ("ConvTranspose2d reflect", lambda: T.nn.ConvTranspose2d(2, 3, 3,
                                                                 padding_mode="reflect")),
        ("Conv2d bad padding_mode", lambda: T.nn.Conv2d(2, 3, 3, padding_mode="wrap")),
    ]


ERRORS = [name for name, _ in _errors(torch)]


@pytest.mark.parametrize("name", ERRORS)
def test_pad_errors_match_torch(name: str) -> None:
    tfn = dict(_errors(torch))[name]
    afn = dict(_errors(adcli))[name]
    with pytest.raises(Exception) as t_exc:
        tfn()
    with pytest.raises(Exception) as a_exc:
        afn()
    assert _sets_sorted(str(a_exc.value)) == _sets_sorted(str(t_exc.value))
    assert isinstance(a_exc.value, t_exc.type), (type(a_exc.value), t_exc.type)


MODULES = [
    ("ReflectionPad1d", (2,), (2, 3, 5)), ("ReflectionPad1d", ((1, 3),), (3, 5)),
    ("ReflectionPad2d", (1,), (1, 2, 3, 4)), ("ReflectionPad2d", ([1, 0, 2, 1],), (2, 3, 4)),
    ("ReflectionPad3d", (1,), (1, 1, 2, 3, 4)), ("ReflectionPad3d", ((1, 0, 2, 1, 1, 0),),
                                                 (2, 3, 4, 5)),
    ("ReplicationPad1d", (3,), (2, 3, 5)), ("ReplicationPad2d", ((2, 0, 1, 3),), (1, 2, 3, 4)),
    ("ReplicationPad3d", (2,), (2, 2, 3, 4)),
    ("CircularPad1d", (2,), (2, 3, 5)), ("CircularPad2d", ((1, 0, 2, 1),), (1, 2, 3, 4)),
    ("CircularPad3d", (1,), (1, 1, 2, 3, 4)),
    ("ZeroPad1d", (2,), (2, 3)), ("ZeroPad2d", ((1, 0, 2, -1),), (2, 3, 4)),
    ("ZeroPad3d", (1,), (2, 3, 4)), ("ZeroPad3d", ((1, 2, 0, 1, 2, 0),), (1, 2, 3)),
    ("ConstantPad1d", (2, 3.5), (2, 3)), ("ConstantPad2d", ((1, 0, 2, 1), -1), (2, 3, 4)),
    ("ConstantPad3d", (1, 2), (2, 3, 4)), ("ConstantPad3d", ((1, 2, 0, 1, 2, 0), 0.5), (1, 2, 3)),
]


@pytest.mark.parametrize("case", MODULES, ids=lambda c: f"{c[0]}{c[1]}")
def test_padding_modules_match_torch(case: tuple) -> None:
    name, args, shape = case
    x = RNG.standard_normal(shape)
    res = []
    for lib in (torch, adcli):
        m = getattr(lib.nn, name)(*args)
        t = lib.tensor(x, requires_grad=True)
        out = m(t)
        out.backward(lib.tensor(np.arange(out.numel(), dtype=np.float64).reshape(out.shape)))
        res.append((repr(m), m.padding, out.detach().numpy(), t.grad.numpy(), out.grad_fn.name(),
                    list(m.state_dict())))
    (tr, tp, to, tg, tn, ts), (ar, ap, ao, ag, an, as_) = res
    assert ar == tr
    assert ap == tp
    np.testing.assert_array_equal(ao, to)
    np.testing.assert_allclose(ag, tg, rtol=1e-12, atol=1e-12)
    assert an == tn
    assert as_ == ts == []


def test_padding_module_gradcheck() -> None:
    for name in ("ReflectionPad2d", "ReplicationPad3d", "CircularPad1d", "ZeroPad3d"):
        m = getattr(adcli.nn, name)(1)
        nd = int(name[-2])
        x = adcli.tensor(RNG.standard_normal((2,) + (3,) * nd), requires_grad=True)
        assert adcli.autograd.gradcheck(lambda t, m=m: m(t) ** 2, (x,))
        assert adcli.autograd.gradgradcheck(lambda t, m=m: m(t) ** 2, (x,))


# (layer, kwargs, input shape)
CONVS = [
    ("Conv1d", {"padding": 2, "padding_mode": "reflect"}, (2, 2, 6)),
    ("Conv1d", {"padding": "same", "padding_mode": "circular", "dilation": 2}, (2, 6)),
    ("Conv1d", {"padding": 1, "padding_mode": "replicate", "stride": 2, "bias": False},
     (1, 2, 7)),
    ("Conv2d", {"padding": (1, 2), "padding_mode": "reflect"}, (2, 2, 5, 6)),
    ("Conv2d", {"padding": "same", "padding_mode": "replicate"}, (2, 4, 5)),
    ("Conv2d", {"padding": 1, "padding_mode": "circular", "groups": 2}, (1, 2, 4, 4)),
    ("Conv2d", {"padding": "same", "padding_mode": "reflect", "kernel_size": (2, 3)},
     (1, 2, 4, 5)),
    ("Conv3d", {"padding": 1, "padding_mode": "reflect"}, (1, 2, 3, 4, 4)),
    ("Conv3d", {"padding": (0, 1, 2), "padding_mode": "circular"}, (2, 3, 4, 5)),
    ("Conv3d", {"padding": "same", "padding_mode": "replicate"}, (1, 2, 3, 3, 4)),
]


@pytest.mark.parametrize("case", CONVS, ids=lambda c: f"{c[0]}-{c[1]}")
def test_conv_padding_modes_match_torch(case: tuple) -> None:
    name, kw, shape = case
    kw = {"kernel_size": 3, **kw}
    x = RNG.standard_normal(shape)
    tm = getattr(torch.nn, name)(2, 4, dtype=torch.float64, **kw)
    am = getattr(adcli.nn, name)(2, 4, dtype=adcli.float64, **kw)
    am.load_state_dict({k: adcli.tensor(v.detach().numpy()) for k, v in tm.state_dict().items()})
    assert repr(am) == repr(tm)
    assert list(am.state_dict()) == list(tm.state_dict())
    res = []
    for lib, m in ((torch, tm), (adcli, am)):
        t = lib.tensor(x, dtype=lib.float64, requires_grad=True)
        out = m(t)
        w = lib.tensor(np.cos(np.arange(out.numel())).reshape(out.shape))
        (out * w).sum().backward()
        res.append((out.detach().numpy(), t.grad.numpy(), m.weight.grad.numpy(),
                    tree(out.grad_fn)))
    for a, t in zip(res[1][:3], res[0][:3]):
        np.testing.assert_allclose(a, t, rtol=1e-11, atol=1e-12)
    assert res[1][3] == res[0][3]
    xa = adcli.tensor(x, dtype=adcli.float64, requires_grad=True)
    assert adcli.autograd.gradcheck(am, (xa,))


@pytest.mark.parametrize("case", PADS, ids=_id)
def test_pad_forward_ad_matches_torch(case: tuple) -> None:
    mode, shape, pad = case
    x, t = RNG.standard_normal(shape), RNG.standard_normal(shape)
    res = []
    for lib in (torch, adcli):
        fa = lib.autograd.forward_ad
        with fa.dual_level():
            out = lib.nn.functional.pad(fa.make_dual(lib.tensor(x), lib.tensor(t)), pad, mode)
            res.append(fa.unpack_dual(out).tangent.numpy())
    np.testing.assert_array_equal(res[1], res[0])


# -- nn.utils.rnn.pad_sequence / unpad_sequence --
SEQ_DATA = [RNG.standard_normal((3, 2)), RNG.standard_normal((1, 2)), RNG.standard_normal((2, 2))]


@pytest.mark.parametrize("kw", [{}, {"batch_first": True},
                                {"padding_side": "left", "padding_value": -1.0},
                                {"batch_first": True, "padding_side": "left"}], ids=str)
def test_pad_and_unpad_sequence_match_torch(kw: dict) -> None:
    res = []
    for lib in (torch, adcli):
        xs = [lib.tensor(d, requires_grad=True) for d in SEQ_DATA]
        y = lib.nn.utils.rnn.pad_sequence(xs, **kw)
        graph = tree(y.grad_fn)
        y2 = y * 1
        u = lib.nn.utils.rnn.unpad_sequence(y2, lib.tensor([3, 1, 2]),
                                            batch_first=kw.get("batch_first", False))
        if kw.get("padding_side") != "left":  # (unpad_sequence assumes right padding)
            sum((t * (i + 1)).sum() for i, t in enumerate(u)).backward(retain_graph=True)
        (y * lib.tensor(np.cos(np.arange(y.numel())).reshape(y.shape))).sum().backward()
        res.append((y.detach().numpy(), [x.grad.numpy() for x in xs], graph,
                    [t.detach().numpy() for t in u], [tree(t.grad_fn) for t in u],
                    tuple(y2.shape)))
    t, a = res
    np.testing.assert_array_equal(a[0], t[0])
    for ag, tg in zip(a[1], t[1]):
        np.testing.assert_allclose(ag, tg, rtol=1e-12, atol=1e-12)
    assert a[2] == t[2]
    for au, tu in zip(a[3], t[3]):
        np.testing.assert_array_equal(au, tu)
    assert a[4] == t[4]
    assert a[5] == t[5]  # the time-first input was transposed in place, as torch's


def _seq_errors(T: Any) -> list[tuple[str, Any]]:
    R = T.nn.utils.rnn
    return [
        ("empty", lambda: R.pad_sequence([])),
        ("not iterable", lambda: R.pad_sequence(5)),
        ("padding_side", lambda: R.pad_sequence([T.ones(2)], padding_side="middle")),
        ("0-d", lambda: R.pad_sequence([T.tensor(1.0)])),
        ("trailing dims differ", lambda: R.pad_sequence([T.ones(2, 3), T.ones(2, 4)])),
        ("unpad lengths too few", lambda: R.unpad_sequence(T.ones(2, 3), T.tensor([1]),
                                                           batch_first=True)),
    ]


@pytest.mark.parametrize("name", [n for n, _ in _seq_errors(torch)])
def test_sequence_padding_errors_match_torch(name: str) -> None:
    with pytest.raises(Exception) as t_exc:
        dict(_seq_errors(torch))[name]()
    with pytest.raises(Exception) as a_exc:
        dict(_seq_errors(adcli))[name]()
    assert _sets_sorted(str(a_exc.value)) == _sets_sorted(str(t_exc.value))
    assert isinstance(a_exc.value, t_exc.type), (type(a_exc.value), t_exc.type)


def test_pad_sequence_gradcheck() -> None:
    xs = tuple(adcli.tensor(d, requires_grad=True) for d in SEQ_DATA)
    fn = lambda *s: adcli.nn.utils.rnn.pad_sequence(s, batch_first=True) ** 2  # noqa: E731
    assert adcli.autograd.gradcheck(fn, xs)
    assert adcli.autograd.gradgradcheck(fn, xs)


def _sets_sorted(msg: str) -> str:
    """A set in a message iterates in an order that depends on the hash seed and on how each
    module's .pyc stored its frozenset constant, so sets are compared sorted."""
    return re.sub(r"\{[^{}]*\}",
                  lambda m: "{" + ", ".join(sorted(m.group(0)[1:-1].split(", "))) + "}", msg)
