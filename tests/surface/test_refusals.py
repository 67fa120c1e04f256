"""What torch refuses, adcli refuses with torch's words: loss weights and targets that require
grad where the kernel has no derivative for them, in-place ``scatter_reduce_('prod')`` on a
tensor with a forward-AD tangent, a ``gaussian_nll_loss`` var that is neither float nor
tensor, a BCE weight that does not broadcast. Each case runs on torch and on adcli; the error
class torch raises must be among adcli's, and the messages must be equal."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from _torch_compare import builtins

import adcli

torch = pytest.importorskip("torch")


def _x(T: Any, *shape: int, grad: bool = False) -> Any:
    n = int(np.prod(shape))
    return T.tensor(np.linspace(0.1, 0.9, n).reshape(shape), requires_grad=grad)


def _w(T: Any, n: int = 4) -> Any:
    return T.tensor(np.linspace(0.5, 1.5, n), requires_grad=True)


def _target(T: Any) -> Any:
    return T.tensor([0, 1, 3])


def _scatter_prod(T: Any, self_dual: bool, src_dual: bool, include_self: bool = True) -> Any:
    fwad = T.autograd.forward_ad
    x, s = _x(T, 3, 4), _x(T, 3, 4) + 1
    i = T.tensor([[0, 1, 1, 2], [2, 2, 0, 0], [1, 1, 1, 1]])
    with fwad.dual_level():
        if self_dual:
            x = fwad.make_dual(x, T.ones_like(x))
        if src_dual:
            s = fwad.make_dual(s, T.ones_like(s))
        out = x.clone().scatter_reduce_(1, i, s, "prod", include_self=include_self)
        t = fwad.unpack_dual(out).tangent
        return out.detach().numpy().copy(), None if t is None else t.numpy().copy()


def _nograd(fn: Any) -> Any:
    def run(T: Any) -> Any:
        with T.no_grad():
            return fn(T)
    return run


CASES = {
    "multi_margin_loss weight": lambda T: T.nn.functional.multi_margin_loss(
        _x(T, 3, 4, grad=True), _target(T), weight=_w(T)),
    "multi_margin_loss weight, input without grad": lambda T: T.nn.functional
    .multi_margin_loss(_x(T, 3, 4), _target(T), weight=_w(T)),
    "MultiMarginLoss weight": lambda T: T.nn.MultiMarginLoss(weight=_w(T))(
        _x(T, 3, 4, grad=True), _target(T)),
    "multi_margin_loss weight under no_grad": _nograd(lambda T: T.nn.functional
                                                      .multi_margin_loss(_x(T, 3, 4),
                                                                         _target(T),
                                                                         weight=_w(T))),
    "nll_loss weight": lambda T: T.nn.functional.nll_loss(_x(T, 3, 4, grad=True), _target(T),
                                                          weight=_w(T)),
    "nll_loss weight checked before targets": lambda T: T.nn.functional.nll_loss(
        _x(T, 3, 4), T.tensor([0, 1, 9]), weight=_w(T)),
    "cross_entropy weight": lambda T: T.nn.functional.cross_entropy(
        _x(T, 3, 4, grad=True), _target(T), weight=_w(T)),
    "cross_entropy weight, label smoothing": lambda T: T.nn.functional.cross_entropy(
        _x(T, 3, 4, grad=True), _target(T), weight=_w(T), label_smoothing=0.2),
    "CrossEntropyLoss weight": lambda T: T.nn.CrossEntropyLoss(weight=_w(T))(
        _x(T, 3, 4, grad=True), _target(T)),
    "binary_cross_entropy weight": lambda T: T.nn.functional.binary_cross_entropy(
        _x(T, 3, 4, grad=True), _x(T, 3, 4), weight=_w(T)),
    "binary_cross_entropy weight that does not broadcast": lambda T: T.nn.functional
    .binary_cross_entropy(_x(T, 3, 4), _x(T, 3, 4), weight=_w(T, 5)),
    "binary_cross_entropy weight of another shape": lambda T: T.nn.functional
    .binary_cross_entropy(_x(T, 3, 4), _x(T, 3, 4), weight=_x(T, 2, 1, 4)),
    "binary_cross_entropy weight (4, 1)": lambda T: T.nn.functional.binary_cross_entropy(
        _x(T, 3, 4), _x(T, 3, 4), weight=_x(T, 4, 1)),
    "binary_cross_entropy broadcast weight": lambda T: T.nn.functional.binary_cross_entropy(
        _x(T, 3, 4, grad=True), _x(T, 3, 4), weight=_x(T, 3, 1)),
    "binary_cross_entropy_with_logits weight": lambda T: T.nn.functional
    .binary_cross_entropy_with_logits(_x(T, 3, 4, grad=True), _x(T, 3, 4), weight=_w(T)),
    "binary_cross_entropy_with_logits pos_weight": lambda T: T.nn.functional
    .binary_cross_entropy_with_logits(_x(T, 3, 4, grad=True), _x(T, 3, 4), pos_weight=_w(T)),
    "soft_margin_loss target": lambda T: T.nn.functional.soft_margin_loss(
        _x(T, 3, grad=True), _x(T, 3, grad=True)),
    "soft_margin_loss target under no_grad": _nograd(lambda T: T.nn.functional
                                                     .soft_margin_loss(_x(T, 3),
                                                                       _x(T, 3, grad=True))),
    "gaussian_nll_loss int var": lambda T: T.nn.functional.gaussian_nll_loss(
        _x(T, 3, grad=True), _x(T, 3), 1),
    "gaussian_nll_loss bool var": lambda T: T.nn.functional.gaussian_nll_loss(
        _x(T, 3, grad=True), _x(T, 3), True),
    "gaussian_nll_loss negative int var": lambda T: T.nn.functional.gaussian_nll_loss(
        _x(T, 3, grad=True), _x(T, 3), -1),
    "gaussian_nll_loss str var": lambda T: T.nn.functional.gaussian_nll_loss(
        _x(T, 3, grad=True), _x(T, 3), "a"),
    "gaussian_nll_loss float var": lambda T: T.nn.functional.gaussian_nll_loss(
        _x(T, 3, grad=True), _x(T, 3), 0.5),
    "scatter_reduce_ prod, self with a tangent": lambda T: _scatter_prod(T, True, False),
    "scatter_reduce_ prod, both with tangents": lambda T: _scatter_prod(T, True, True, False),
    "scatter_reduce_ prod, src with a tangent": lambda T: _scatter_prod(T, False, True),
}


def _outcome(fn: Any, T: Any) -> Any:
    try:
        out = fn(T)
    except Exception as exc:
        return ("error", builtins(exc), str(exc))
    if isinstance(out, tuple):
        return ("ok", [None if o is None else np.asarray(o) for o in out])
    return ("ok", [out.detach().numpy().copy(), None if out.grad_fn is None
                   else out.grad_fn.name()])


@pytest.mark.parametrize("case", list(CASES))
def test_refused_or_accepted_as_torch(case: str) -> None:
    want = _outcome(CASES[case], torch)
    got = _outcome(CASES[case], adcli)
    assert got[0] == want[0], (got, want)
    if want[0] == "error":
        assert set(want[1]) <= set(got[1]), (got, want)
        assert got[2] == want[2]
        return
    for a, b in zip(got[1], want[1]):
        if isinstance(b, np.ndarray):
            np.testing.assert_allclose(a, b, rtol=1e-12)
        else:
            assert a == b
