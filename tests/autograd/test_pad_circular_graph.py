"""F.pad(mode='circular') under create_graph: the first derivative's graph has torch's node
names, also where the padded tensor is empty (its in-place copies then write through empty
views, which torch records as CopySlices/AsStrided steps like any other). Compared with
torch: the grad_fn trees, values, and second derivatives."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from requires import require_torch

import adcli

torch = require_torch()
pytestmark = pytest.mark.needs_torch

CASES = [((1, 2, 5), (1, 2)), ((0, 2, 5), (1, 2)), ((2, 0, 5), (1, 2)),
         ((2, 0, 4, 5), (0, 4, -1, 2)), ((1, 1, 3, 4), (1, 1, 2, 0)),
         ((1, 1, 2, 3, 3), (1, 1, 1, 1, 1, 1)), ((1, 2, 0, 3, 3), (1, 1, 1, 1, 0, 0))]


def tree(node: Any, depth: int = 0) -> Any:
    if node is None:
        return None
    if depth > 16:
        return (node.name(), "...")
    return (node.name(), tuple((tree(n, depth + 1), nr) for n, nr in node.next_functions))


@pytest.mark.parametrize("g_requires", [False, True])
@pytest.mark.parametrize(("shape", "pad"), CASES)
def test_double_backward_graph_as_torch(shape, pad, g_requires):
    rng = np.random.default_rng(3)
    x = rng.standard_normal(shape)
    res = {}
    for T in (torch, adcli):
        t = T.tensor(x, dtype=T.float64, requires_grad=True)
        out = T.nn.functional.pad(t, pad, mode="circular")
        w = np.random.default_rng(4).standard_normal(tuple(out.shape))
        g = T.tensor(w, dtype=T.float64, requires_grad=g_requires)
        (gx,) = T.autograd.grad(out * out, t, out * g, create_graph=True)
        v = T.tensor(np.random.default_rng(5).standard_normal(shape), dtype=T.float64)
        wrt = [t, g] if g_requires else [t]
        sec = T.autograd.grad(gx, wrt, v, allow_unused=True)
        res[T] = (tree(out.grad_fn), tree(gx.grad_fn), gx.detach().numpy(),
                  [None if s is None else s.numpy() for s in sec])
    (a_fwd, a_tree, a_gx, a_sec), (t_fwd, t_tree, t_gx, t_sec) = res[adcli], res[torch]
    assert a_fwd == t_fwd
    assert a_tree == t_tree
    np.testing.assert_allclose(a_gx, t_gx, rtol=1e-12, atol=1e-12)
    for a, t in zip(a_sec, t_sec):
        assert (a is None) == (t is None)
        if t is not None:
            np.testing.assert_allclose(a, t, rtol=1e-12, atol=1e-12)
