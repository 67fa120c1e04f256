"""In-place shape changes (transpose_, swapaxes_, swapdims_, t_, squeeze_, unsqueeze_) against
torch 2.13: the same tensor comes back with the new shape, the version bumps, the history gets
torch's node (TransposeBackward1, ...), gradients and double-backward graphs match, and the
in-place rules (leaves, views of leaves, saved tensors) give torch's errors."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from requires import require_torch

torch = require_torch()
pytestmark = pytest.mark.needs_torch

import adcli  # noqa: E402

RNG = np.random.default_rng(4)

# (label, input shape, the in-place call)
CALLS = [
    ("transpose_", (2, 3), lambda y: y.transpose_(0, 1)),
    ("transpose_ negative dims", (2, 3, 4), lambda y: y.transpose_(-1, 0)),
    ("transpose_ same dim", (2, 3), lambda y: y.transpose_(1, 1)),
    ("swapaxes_", (2, 3, 4), lambda y: y.swapaxes_(1, 2)),
    ("swapdims_", (2, 3, 4), lambda y: y.swapdims_(0, 2)),
    ("t_", (2, 3), lambda y: y.t_()),
    ("t_ 1-d", (3,), lambda y: y.t_()),
    ("squeeze_", (2, 1, 3, 1), lambda y: y.squeeze_()),
    ("squeeze_ dim", (2, 1, 3), lambda y: y.squeeze_(1)),
    ("squeeze_ dim kept", (2, 1, 3), lambda y: y.squeeze_(0)),
    ("squeeze_ dims", (2, 1, 3, 1), lambda y: y.squeeze_((1, -1))),
    ("unsqueeze_", (2, 3), lambda y: y.unsqueeze_(0)),
    ("unsqueeze_ last", (2, 3), lambda y: y.unsqueeze_(-1)),
]


def _names(fn: Any) -> list[str]:
    out, stack = [], [fn]
    while stack:
        n = stack.pop()
        if n is None:
            continue
        out.append(n.name().removeprefix("torch::autograd::"))
        stack.extend(f for f, _ in n.next_functions)
    return out


@pytest.mark.parametrize(("label", "shape", "call"), CALLS, ids=[c[0] for c in CALLS])
def test_in_place_shape_change_matches_torch(label: str, shape: tuple, call: Any) -> None:
    x = RNG.standard_normal(shape)
    res = []
    for lib in (torch, adcli):
        t = lib.tensor(x, requires_grad=True)
        y = t * 2.0  # (exp would save its result: its backward would then refuse it)
        v0 = y._version
        out = call(y)
        assert out is y
        w = lib.tensor(np.cos(np.arange(y.numel())).reshape(tuple(y.shape)))
        (g,) = lib.autograd.grad((y * y * w).sum(), t, create_graph=True)
        (gg,) = lib.autograd.grad(g.sum(), t)
        res.append((tuple(y.shape), y.is_contiguous(), y._version - v0, _names(y.grad_fn),
                    _names(g.grad_fn), y.detach().numpy(), g.detach().numpy(), gg.numpy()))
    t, a = res
    assert a[:5] == t[:5]
    for p, q in zip(a[5:], t[5:]):
        np.testing.assert_allclose(p, q, rtol=1e-13, atol=1e-13)


def test_without_grad_and_on_plain_tensors() -> None:
    x = RNG.standard_normal((2, 3))
    res = []
    for lib in (torch, adcli):
        leaf = lib.tensor(x, requires_grad=True)
        with lib.no_grad():
            leaf.transpose_(0, 1)
        plain = lib.tensor(x)
        plain.t_()
        plain.unsqueeze_(1)
        res.append((tuple(leaf.shape), leaf.is_leaf, leaf.requires_grad, leaf.grad_fn,
                    tuple(plain.shape), plain.numpy().copy(), leaf.detach().numpy().copy()))
    t, a = res
    assert a[:5] == t[:5]
    np.testing.assert_array_equal(a[5], t[5])
    np.testing.assert_array_equal(a[6], t[6])


def test_views_share_data_and_history() -> None:
    """A view transposed in place stays a view of its base (the same memory), and its gradient
    flows back to the base's history; a base transposed in place keeps its views."""
    x = RNG.standard_normal((3, 4))
    res = []
    for lib in (torch, adcli):
        t = lib.tensor(x, requires_grad=True)
        y = t * 2
        v = y[1:3]
        v.transpose_(0, 1)
        u = y[0]
        y.t_()
        with lib.no_grad():
            y[0, 0] = 7.0  # visible through u (same memory)
        loss = (v * lib.arange(8.0, dtype=lib.float64).reshape(4, 2)).sum()
        loss.backward()
        res.append((tuple(v.shape), v._base is y, v.grad_fn.name(), u.detach().numpy().copy(),
                    t.grad.numpy()))
    t, a = res
    assert a[:3] == t[:3]
    np.testing.assert_array_equal(a[3], t[3])
    np.testing.assert_allclose(a[4], t[4])


def test_errors_match_torch() -> None:
    def calls(lib: Any) -> list[Any]:
        x = lib.tensor(RNG.standard_normal((2, 3)), requires_grad=True)

        def saved() -> None:
            y = x * 1
            z = y * y
            y.transpose_(0, 1)
            z.sum().backward()

        def saved_result() -> None:
            y = x.exp()
            y.t_()
            y.sum().backward()

        return [
            lambda: x.transpose_(0, 1),
            lambda: x.t_(),
            lambda: x.squeeze_(),
            lambda: x.unsqueeze_(0),
            lambda: x[0:1].transpose_(0, 1),
            lambda: (x * 1).transpose_(0, 5),
            lambda: (x * 1).unsqueeze_(3),
            lambda: (x * 1).squeeze_(4),
            lambda: lib.zeros(2, 3, 4).t_(),
            saved,
            saved_result,
        ]

    for k, (a, t) in enumerate(zip(calls(adcli), calls(torch))):
        with pytest.raises(Exception) as ti:
            t()
        with pytest.raises(Exception) as ai:
            a()
        assert str(ai.value) == str(ti.value), k
        assert isinstance(ai.value, type(ti.value)), (k, type(ai.value), type(ti.value))


def test_swapdims_and_gradcheck() -> None:
    x = RNG.standard_normal((2, 3, 4))
    outs = [lib.swapdims(lib.tensor(x, requires_grad=True), 0, 2) for lib in (torch, adcli)]
    assert outs[1].grad_fn.name() == outs[0].grad_fn.name()
    np.testing.assert_array_equal(outs[1].detach().numpy(), outs[0].detach().numpy())
    xs = adcli.tensor(x, requires_grad=True)
    assert adcli.autograd.gradcheck(lambda t: (t * 1).transpose_(0, 2).unsqueeze_(1), (xs,))
    assert adcli.autograd.gradgradcheck(lambda t: (t * 3.0).swapaxes_(1, 2) ** 2, (xs,))
