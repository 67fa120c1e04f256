"""nn.CrossMapLRN2d, nn.AdaptiveLogSoftmaxWithLoss, nn.LinearCrossEntropyLoss and
F.linear_cross_entropy against torch 2.13: same seed, same parameters (init and repr);
outputs, losses, gradients, grad_fn names and errors word for word."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest
from requires import require_torch

sys.path.insert(0, str(Path(__file__).parent.parent / "autograd"))
from autograd_helpers import compare

torch = require_torch()
pytestmark = pytest.mark.needs_torch


@pytest.mark.parametrize("size", [2, 3, 4, 5])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_cross_map_lrn2d(size: int, dtype: str) -> None:
    def prog(T: Any) -> Any:
        T.manual_seed(size)
        m = T.nn.CrossMapLRN2d(size, alpha=0.1, beta=0.6, k=2)
        x = T.randn(2, 6, 3, 4, dtype=getattr(T, dtype), requires_grad=True)
        y = m(x)
        g = T.randn(2, 6, 3, 4, dtype=getattr(T, dtype))
        y.backward(g)  # torch's own backward formula (not the exact gradient: its window
        # sum is asymmetric), mirrored as it is
        return repr(m), y, x.grad

    compare(prog, torch, rtol=1e-12 if dtype == "float64" else 2e-6, atol=1e-12)


@pytest.mark.parametrize("case", ["3d", "size_1"])
def test_cross_map_lrn2d_errors(case: str) -> None:
    def prog(T: Any) -> Any:
        x = T.ones(2, 3, 4, requires_grad=True) if case == "3d" else \
            T.ones(1, 6, 2, 2, requires_grad=True)
        T.nn.CrossMapLRN2d(1 if case == "size_1" else 3)(x).sum().backward()
        return x.grad

    compare(prog, torch)


def _asm(T: Any, head_bias: bool = False, div_value: float = 2.0) -> Any:
    T.manual_seed(0)
    return T.nn.AdaptiveLogSoftmaxWithLoss(8, 10, [3, 6], div_value=div_value,
                                           head_bias=head_bias).double()


@pytest.mark.parametrize("head_bias", [False, True])
def test_adaptive_log_softmax_forward_backward(head_bias: bool) -> None:
    def prog(T: Any) -> Any:
        m = _asm(T, head_bias)
        x = T.randn(7, 8, dtype=T.float64, requires_grad=True)
        target = T.tensor([0, 4, 9, 2, 6, 5, 8])
        out = m(x, target)
        out.loss.backward()
        grads = {n: p.grad for n, p in m.named_parameters()}
        return (repr(m), type(out).__name__, out._fields, out.output, out.loss, x.grad, grads,
                {n: p for n, p in m.named_parameters()}, m.head_size, m.cutoffs)

    compare(prog, torch, rtol=1e-12, atol=1e-12)


def test_adaptive_log_softmax_unbatched_log_prob_and_predict() -> None:
    def prog(T: Any) -> Any:
        m = _asm(T, True, 4.0)
        x = T.randn(9, 8, dtype=T.float64) * 3
        x1 = x[0].clone().requires_grad_()
        single = m(x1, T.tensor(7))
        single.loss.backward()
        lp = m.log_prob(x)
        with T.no_grad():
            m.head.bias[:3] -= 20  # every row's argmax outside the shortlist
            all_tail = m.predict(x)
            m.head.bias[:3] += 40  # every row in the shortlist
            all_head = m.predict(x)
            m.head.bias[:3] -= 21
            mixed = m.predict(x)
        return single.output, single.loss, x1.grad, lp, lp.exp().sum(1), all_tail, all_head, mixed

    compare(prog, torch, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("case", ["empty", "unsorted", "too_big", "repeated", "zero", "float",
                                  "batch", "2d_target", "input_rank", "unbatched_rank",
                                  "out_of_range"])
def test_adaptive_log_softmax_errors(case: str) -> None:
    def prog(T: Any) -> Any:
        cutoffs = {"empty": [], "unsorted": [5, 3], "too_big": [3, 10], "repeated": [3, 3],
                   "zero": [0, 3], "float": [2.5, 6]}.get(case)
        if cutoffs is not None:
            return T.nn.AdaptiveLogSoftmaxWithLoss(8, 10, cutoffs)
        m = _asm(T)
        x = T.randn(4, 8, dtype=T.float64)
        if case == "batch":
            return m(x, T.tensor([1, 2, 3]))
        if case == "2d_target":
            return m(x, T.tensor([[1, 2], [3, 4]]))
        if case == "input_rank":
            return m(x.unsqueeze(0), T.tensor([1]))
        if case == "unbatched_rank":
            return m(x, T.tensor(1))
        return m(x, T.tensor([1, 2, 12, -1]))

    compare(prog, torch)


@pytest.mark.parametrize("case", ["plain", "bias_weight_smooth", "kdim", "unbatched", "probs",
                                  "ignore_none", "reduction_none"])
def test_linear_cross_entropy(case: str) -> None:
    def prog(T: Any) -> Any:
        T.manual_seed(1)
        kw: dict[str, Any] = {}
        x = T.randn(5, 4, dtype=T.float64, requires_grad=True)
        w = T.randn(3, 4, dtype=T.float64, requires_grad=True)
        target = T.tensor([0, 2, 1, 2, 0])
        if case == "bias_weight_smooth":
            kw = dict(linear_bias=T.randn(3, dtype=T.float64, requires_grad=True),
                      weight=T.tensor([1.0, 2.0, 0.5], dtype=T.float64), label_smoothing=0.2,
                      ignore_index=1)
        elif case == "kdim":
            w = T.randn(3, 2, 4, dtype=T.float64, requires_grad=True)
            target = T.tensor([[0, 2], [1, 1], [2, 0], [0, 0], [1, 2]])
            kw = dict(linear_bias=T.randn(3, 2, dtype=T.float64, requires_grad=True))
        elif case == "unbatched":
            x = T.randn(4, dtype=T.float64, requires_grad=True)
            target = T.tensor(2)
        elif case == "probs":
            target = T.softmax(T.randn(5, 3, dtype=T.float64), 1)
        elif case == "ignore_none":
            kw = dict(ignore_index=None, reduction="sum")
        elif case == "reduction_none":
            kw = dict(reduction="none")
        loss = T.nn.functional.linear_cross_entropy(x, w, target, **kw)
        loss.sum().backward()
        return loss, x.grad, w.grad

    compare(prog, torch, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("case", ["input_rank", "weight_rank", "features", "bias_shape",
                                  "kdim_unbatched", "probs_ignore"])
def test_linear_cross_entropy_errors(case: str) -> None:
    def prog(T: Any) -> Any:
        x, w, t = T.ones(2, 4), T.ones(3, 4), T.tensor([0, 1])
        F = T.nn.functional
        if case == "input_rank":
            return F.linear_cross_entropy(T.ones(1, 2, 4), w, t)
        if case == "weight_rank":
            return F.linear_cross_entropy(x, T.ones(4), t)
        if case == "features":
            return F.linear_cross_entropy(x, T.ones(3, 5), t)
        if case == "bias_shape":
            return F.linear_cross_entropy(x, w, t, linear_bias=T.ones(2))
        if case == "kdim_unbatched":
            return F.linear_cross_entropy(T.ones(4), T.ones(3, 2, 4), T.tensor([0, 1]))
        return F.linear_cross_entropy(x, w, T.ones(2, 3) / 3, ignore_index=0)

    compare(prog, torch)


@pytest.mark.parametrize("case", ["plain", "kdim_bias"])
def test_linear_cross_entropy_loss_module(case: str) -> None:
    def prog(T: Any) -> Any:
        T.manual_seed(2)
        if case == "plain":
            m = T.nn.LinearCrossEntropyLoss(4, 3, label_smoothing=0.1).double()
            x = T.randn(5, 4, dtype=T.float64, requires_grad=True)
            t = T.tensor([0, 2, 1, 2, 0])
        else:
            m = T.nn.LinearCrossEntropyLoss(4, 3, out_features=(2,), bias=True,
                                            reduction="sum").double()
            x = T.randn(5, 4, dtype=T.float64, requires_grad=True)
            t = T.tensor([[0, 2], [1, 1], [2, 0], [0, 0], [1, 2]])
        loss = m(x, t)
        loss.backward()
        return (repr(m), list(m.state_dict()), loss, x.grad, m.linear.weight,
                m.linear.weight.grad)

    compare(prog, torch, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("case", ["weight_shape", "smoothing"])
def test_linear_cross_entropy_loss_module_errors(case: str) -> None:
    def prog(T: Any) -> Any:
        if case == "weight_shape":
            return T.nn.LinearCrossEntropyLoss(4, 3, weight=T.ones(2))
        return T.nn.LinearCrossEntropyLoss(4, 3, label_smoothing=1.5)

    compare(prog, torch)
