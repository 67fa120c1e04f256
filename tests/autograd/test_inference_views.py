"""Views of normal tensors made inside ``inference_mode`` behave as torch's.

torch marks them (CreationMeta::INFERENCE_MODE): they are not inference tensors, share their
base's version counter, and when the base requires grad they require grad too, as leaves
with no grad_fn whose gradient goes nowhere. An in-place write to one with grad mode on is
refused with torch's message (under no_grad or inside inference mode it is allowed).
Compared with torch: values, flags, versions, gradients, errors word for word.
"""

from __future__ import annotations

from typing import Any

import pytest
from autograd_helpers import compare
from requires import require_torch

torch = require_torch()
pytestmark = pytest.mark.needs_torch

VIEWS = {
    "select": lambda t: t[0],
    "t": lambda t: t.t(),
    "view": lambda t: t.view(6),
    "slice": lambda t: t[:, 1:],
    "unsqueeze": lambda t: t.unsqueeze(0),
}

BASES = {
    "plain": lambda T: T.ones(2, 3),
    "leaf requiring grad": lambda T: T.ones(2, 3, requires_grad=True),
    "non-leaf": lambda T: T.ones(2, 3, requires_grad=True) * 2,
}


def _made_inside(T: Any, base: str, view: str) -> tuple[Any, Any]:
    b = BASES[base](T)
    with T.inference_mode():
        v = VIEWS[view](b)
    return b, v


@pytest.mark.parametrize("view", list(VIEWS))
@pytest.mark.parametrize("base", list(BASES))
def test_facts(base, view):
    def prog(T: Any) -> Any:
        b, v = _made_inside(T, base, view)
        return (v.is_inference(), v.requires_grad, v.is_leaf, v.grad_fn is None, v._is_view(),
                v._base is b, v._version, b._version)
    compare(prog, torch)


@pytest.mark.parametrize("mode", ["grad mode", "no_grad", "inference_mode"])
@pytest.mark.parametrize("view", list(VIEWS))
@pytest.mark.parametrize("base", list(BASES))
def test_in_place_write(base, view, mode):
    def prog(T: Any) -> Any:
        b, v = _made_inside(T, base, view)
        ctx = {"grad mode": T.enable_grad, "no_grad": T.no_grad,
               "inference_mode": T.inference_mode}[mode]
        with ctx():
            v.mul_(3)
        return v.detach().clone(), b.detach().clone(), b._version
    compare(prog, torch)


@pytest.mark.parametrize("base", ["leaf requiring grad", "non-leaf"])
def test_gradient_through_the_view_goes_nowhere(base):
    def prog(T: Any) -> Any:
        b, v = _made_inside(T, base, "select")
        y = (v * 2).sum()
        y.backward()
        leaf = b if b.is_leaf else None
        return (y.requires_grad, y.grad_fn.name(), y.grad_fn.next_functions[0][0].next_functions,
                v.grad, None if leaf is None else leaf.grad)
    compare(prog, torch)


def test_versions_of_writes_through_views_and_resize():
    def prog(T: Any) -> Any:
        a = T.ones(2, 3)
        with T.inference_mode():
            v, d, s = a[0], a.detach(), a.unsqueeze(0)
        out = []
        for f in (lambda: v.add_(1), lambda: d.add_(1), lambda: s.resize_(6),
                  lambda: s.resize_(6), lambda: a.add_(1)):
            f()
            out.append((a._version, v._version, d._version, s._version))
        c = T.ones(6)
        c.resize_as_(T.ones(2, 3))
        c.resize_as_(T.ones(2, 3))
        out.append(c._version)
        return out
    compare(prog, torch)


@pytest.mark.parametrize("requires_grad", [False, True])
def test_detach_in_place_of_a_view(requires_grad):
    def prog(T: Any) -> Any:
        v = T.ones(3, requires_grad=requires_grad)[:2]
        return v.detach_()
    compare(prog, torch)
