"""Backward runs nodes in PyTorch's order: of the ready nodes, the one created last first."""

from __future__ import annotations

from typing import Any

import pytest
from requires import require_torch

import adcli


def _hook_order(T: Any) -> list[str]:
    order: list[str] = []
    x = T.tensor([1.0, 2.0], requires_grad=True)
    a = x * 2
    b = x * 3
    c = a.exp()
    d = b.sin()
    e = c + d
    f = e * a + b.cos() * c
    g = (f * d).sum() + a.sum()
    for name, t in {"a": a, "b": b, "c": c, "d": d, "e": e, "f": f}.items():
        t.register_hook(lambda grad, name=name: order.append(name))
    x.register_hook(lambda grad: order.append("x"))
    g.backward()
    return order


def test_hooks_run_in_creation_order_of_ready_nodes() -> None:
    # c (created before d) waits for d's branch: a stack would run b first
    assert _hook_order(adcli) == ["f", "e", "d", "c", "b", "a", "x"]


@pytest.mark.needs_torch
def test_hook_order_is_pytorchs() -> None:
    torch = require_torch()
    assert _hook_order(adcli) == _hook_order(torch)


@pytest.mark.needs_torch
def test_first_failing_node_is_pytorchs() -> None:
    """With two stale saved tensors, the error names the one PyTorch reaches first."""
    torch = require_torch()

    def prog(T: Any) -> str:
        x = T.tensor([0.5, 1.0], dtype=T.float64, requires_grad=True)
        y = x * 1
        t = y.tanh()  # saves its output t
        t.mul_(2)  # t is now stale for TanhBackward0
        y.mul_(0.1).exp_()  # y's exp saves y, made stale below
        y.mul_(3)
        try:
            (t.sum() + y.sum()).backward()
        except RuntimeError as exc:
            return str(exc)
        return "no error"

    assert prog(adcli) == prog(torch)


def _grads_at_failure(T: Any, shared: bool) -> tuple[Any, Any, str]:
    """A backward that fails at a stale saved tensor, after (or, with ``shared``, before) the
    last gradient of leaf x came in: which leaves have a .grad then."""
    x = T.tensor([0.5, 1.0], dtype=T.float64, requires_grad=True)
    w = T.tensor([0.25, 2.0], dtype=T.float64, requires_grad=True)
    u = w * x if shared else w * 1
    t = u.exp()  # saves its output t
    t.mul_(2)  # stale for ExpBackward0, which runs after y's branch
    y = x * 3
    try:
        (t.sum() + y.sum()).backward()
    except RuntimeError as exc:
        msg = str(exc).split(";")[0]
    else:
        msg = "no error"
    grads = tuple(None if v.grad is None else v.grad.tolist() for v in (x, w))
    return grads[0], grads[1], msg


@pytest.mark.needs_torch
@pytest.mark.parametrize("shared", [False, True])
def test_leaf_grads_at_a_failure_are_pytorchs(shared: bool) -> None:
    """A leaf accumulates as soon as its last gradient is in, so a later error leaves it set."""
    torch = require_torch()
    got = _grads_at_failure(adcli, shared)
    assert got == _grads_at_failure(torch, shared)
    assert (got[0] is None) == shared and got[1] is None


def test_a_graph_numbered_out_of_order_still_gets_its_gradients() -> None:
    """Backward's walk in decreasing creation number assumes inputs are numbered below their
    consumers; a graph renumbered by hand takes the general walk and is still right."""
    x = adcli.tensor([0.5, 1.0], dtype=adcli.float64, requires_grad=True)
    a = x * 2
    b = a.exp()
    a.grad_fn.seq_nr = b.grad_fn.seq_nr + 100
    b.sum().backward()
    assert x.grad is not None
    assert x.grad.tolist() == (2 * (x.detach() * 2).exp()).tolist()


@pytest.mark.needs_torch
def test_unused_outputs_of_a_multi_output_node_are_pytorchs() -> None:
    torch = require_torch()

    def prog(T: Any) -> list[float]:
        x = T.tensor([[0.5, 1.0, 2.0], [3.0, -1.0, 0.25]], dtype=T.float64,
                     requires_grad=True)
        a, _b, c = x.unbind(1)
        _p, q = x.split([1, 2], 1)
        ((a * 3).sum() + (q.exp() * c[:, None]).sum()).backward()
        return x.grad.flatten().tolist()

    assert prog(adcli) == pytest.approx(prog(torch), rel=1e-14)


def test_a_formula_registered_later_is_used() -> None:
    """Backward specialises a node class's apply on first use; a new formula replaces it."""
    from adcli.engine.op import OpDef

    op = OpDef("twice_test", "TwiceTestBackward0", lambda a: a * 2)
    op.grad("self")(lambda g, s, B: g * 2)
    x = adcli.tensor([1.0, 2.0], dtype=adcli.float64, requires_grad=True)
    op(x).sum().backward()
    assert x.grad.tolist() == [2.0, 2.0]
    op.grad("self")(lambda g, s, B: g * 5)
    x.grad = None
    op(x).sum().backward()
    assert x.grad.tolist() == [5.0, 5.0]
