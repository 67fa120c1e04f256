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
