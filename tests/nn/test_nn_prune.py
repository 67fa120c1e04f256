"""``nn.utils.prune`` against torch: masks (random ones from the same seed), parameter and
buffer names, hooks, containers, gradients through the mask, ``remove``, errors."""

from __future__ import annotations

import contextlib
from typing import Any

import numpy as np
import pytest
from requires import require_torch

require_torch()
pytestmark = pytest.mark.needs_torch

# torch loads prune only on request
import torch.nn.utils.prune  # noqa: E402, F401
from nn_helpers import arr, both, same_error  # noqa: E402

import adcli  # noqa: E402


def test_pruning_methods_match_torch() -> None:
    def prog(T):
        P = T.nn.utils.prune
        T.manual_seed(0)
        m = T.nn.Sequential(T.nn.Conv2d(2, 4, 3), T.nn.Linear(5, 6)).double()
        P.random_unstructured(m[0], "weight", 0.3)
        P.l1_unstructured(m[0], "weight", amount=5)
        P.ln_structured(m[0], "weight", 0.5, 2, 0)
        P.random_structured(m[1], "weight", 2, dim=1)
        P.l1_unstructured(m[1], "bias", 0.5, importance_scores=T.arange(6.0).flip(0))
        P.global_unstructured([(m[0], "bias"), (m[1], "weight")], P.L1Unstructured,
                              amount=0.4)
        P.identity(m[1], "bias")
        names = ([n for n, _ in m.named_parameters()], [n for n, _ in m.named_buffers()],
                 list(m.state_dict()), P.is_pruned(m), P.is_pruned(T.nn.ReLU()))
        hook = next(iter(m[0]._forward_pre_hooks.values()))
        kinds = (type(hook).__name__, [type(h).__name__ for h in hook], len(hook))
        opt = T.optim.SGD(m.parameters(), lr=0.1)
        ys = []
        for _ in range(2):
            opt.zero_grad()
            y = m(T.ones(1, 2, 3, 7, dtype=T.float64)).pow(2).sum()
            y.backward()
            opt.step()
            ys.append(y)
        grads = [m[0].weight_orig.grad, m[1].weight_orig.grad]
        P.remove(m[0], "weight")
        after = ([n for n, _ in m[0].named_parameters()], [n for n, _ in m[0].named_buffers()])
        tensors = [*ys, *grads, m[0].weight, m[1].weight_mask, m[0].bias_mask, m[1].bias_mask,
                   T.rand(2)]
        return (names, kinds, after), tensors

    (it, tt), (ia, ta) = both(prog)
    assert ia == it
    for a, t in zip(ta, tt):
        np.testing.assert_allclose(arr(a), arr(t), rtol=1e-12, atol=1e-12)
    assert isinstance(adcli.nn.utils.prune, type(np))


@pytest.mark.parametrize("amount", [0, 1, 0.0, 0.25, 1.0, 7])
def test_amounts_and_structured_dims(amount: Any) -> None:
    def prog(T):
        P = T.nn.utils.prune
        T.manual_seed(3)
        lin = T.nn.Linear(4, 7)
        P.random_unstructured(lin, "weight", amount)
        P.ln_structured(lin, "weight", min(amount, 4) if isinstance(amount, int) else amount,
                        1, -1)
        P.random_structured(lin, "weight", 0.5, dim=0)
        t = T.arange(12.0).reshape(3, 4)
        pruned = P.L1Unstructured(amount=min(amount, 12) if isinstance(amount, int)
                                  else amount).prune(t)
        return lin.weight_mask, lin.weight, pruned, T.rand(1)

    for a, t in zip(*reversed(both(prog))):
        np.testing.assert_array_equal(arr(a), arr(t))


def test_custom_mask_and_errors() -> None:
    def prog(T):
        P = T.nn.utils.prune
        lin = T.nn.Linear(3, 2)
        mask = T.tensor([[1.0, 0.0, 1.0], [0.0, 1.0, 1.0]])
        P.custom_from_mask(lin, "weight", mask)
        return lin.weight_mask, lin.weight, lin.weight_orig

    for a, t in zip(*reversed(both(prog))):
        np.testing.assert_array_equal(arr(a), arr(t))
    same_error(lambda T: T.nn.utils.prune.random_unstructured(T.nn.Linear(2, 2), "weight",
                                                              "a"))
    same_error(lambda T: T.nn.utils.prune.random_unstructured(T.nn.Linear(2, 2), "weight", 1.5))
    same_error(lambda T: T.nn.utils.prune.random_unstructured(T.nn.Linear(2, 2), "weight", -1))
    same_error(lambda T: T.nn.utils.prune.l1_unstructured(T.nn.Linear(2, 2), "weight", 5))
    same_error(lambda T: T.nn.utils.prune.ln_structured(T.nn.Linear(2, 2), "bias", 1, 2, 0))
    same_error(lambda T: T.nn.utils.prune.ln_structured(T.nn.Linear(2, 2), "weight", 1, 2, 2))
    same_error(lambda T: T.nn.utils.prune.remove(T.nn.Linear(2, 2), "weight"))
    same_error(lambda T: T.nn.utils.prune.l1_unstructured(
        T.nn.Linear(2, 2), "weight", 1, importance_scores=T.ones(3)))
    same_error(lambda T: T.nn.utils.prune.global_unstructured(
        [(T.nn.Linear(2, 2), "weight")], T.nn.utils.prune.RandomStructured, amount=1))
    same_error(lambda T: T.nn.utils.prune.global_unstructured(5, T.nn.utils.prune.Identity))

    def failed_mask(T):
        lin = T.nn.Linear(2, 2)
        with contextlib.suppress(ValueError):
            T.nn.utils.prune.l1_unstructured(lin, "weight", 9)
        return [n for n, _ in lin.named_parameters()]
    ft, fa = both(failed_mask)
    assert fa == ft
