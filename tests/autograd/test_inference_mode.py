"""Inference tensors against torch: made inside ``inference_mode()``, refused outside it for
saving, in-place writes, requires_grad and the version counter, with torch's messages."""

from __future__ import annotations

from typing import Any

import pytest
from autograd_helpers import compare
from requires import require_torch

torch = require_torch()
pytestmark = pytest.mark.needs_torch


def test_which_tensors_are_inference_tensors() -> None:
    def prog(T: Any) -> Any:
        x = T.ones(2, requires_grad=True)
        out = []
        with T.inference_mode():
            a = T.ones(2)
            b = x * 2
            c = a.view(2, 1)
            d = x.detach()
            e = T.ones(2, requires_grad=True)
            out += [a.is_inference(), b.is_inference(), b.requires_grad, T.is_inference(a),
                    T.is_inference_mode_enabled(), T.is_grad_enabled(), c.is_inference(),
                    d.is_inference(), x.is_inference(), e.is_inference(), e.requires_grad,
                    T.tensor([1.0]).is_inference(), a.sum().is_inference()]
            a.add_(1)  # allowed inside
            out.append(a)
            with T.inference_mode(False):
                f = T.ones(1)
                out += [f.is_inference(), T.is_inference_mode_enabled(), T.is_grad_enabled()]
        with T.no_grad():
            out.append(T.ones(1).is_inference())
        out += [T.is_inference_mode_enabled(), (a * 2).is_inference(), a.clone().is_inference(),
                a.detach().is_inference(), a.view(2, 1).is_inference(), a[0]]
        return out

    compare(prog, torch)


def test_decorator_forms() -> None:
    def prog(T: Any) -> Any:
        @T.inference_mode()
        def f() -> Any:
            return T.ones(1)

        @T.inference_mode
        def g() -> Any:
            return T.ones(1)

        @T.inference_mode(False)
        def h() -> Any:
            return T.ones(1)

        @T.autograd.grad_mode.inference_mode()
        def k() -> Any:
            return T.ones(1)

        return [f().is_inference(), g().is_inference(), h().is_inference(),
                k().is_inference(), T.autograd.inference_mode is T.inference_mode]

    compare(prog, torch)


CASES = {
    "inplace_outside": "a.add_(1)",
    "inplace_zero": "a.zero_()",
    "inplace_view_of_inference": "a.view(2)[0:1].mul_(2)",
    "inplace_with_grad_arg": "a.mul_(x)",
    "saved_mul": "(x * a).sum().backward()",
    "saved_after_exp": "x.exp() * a",
    "saved_matmul": "T.matmul(x, a)",
    "saved_linear": "T.nn.functional.linear(x, a.view(1, 2))",
    "saved_other_side": "x.clone().mul_(a)",
    "not_saved_add": "(x + a).sum().backward()",
    "requires_grad_": "a.requires_grad_()",
    "requires_grad_attr": "setattr(a, 'requires_grad', True)",
    "version": "a._version",
    "inplace_in_nested_false": "nested()",
    "custom_function_saves": "Twice.apply(a * 1 + x)",
    "custom_function_saves_inference": "Keep.apply(x, a)",
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_errors_outside_inference_mode(case: str) -> None:
    def prog(T: Any) -> Any:
        x = T.ones(2, requires_grad=True)
        with T.inference_mode():
            a = T.ones(2)
            a.add_(1)

        def nested() -> None:
            with T.inference_mode(), T.inference_mode(False):
                a.add_(1)

        class Twice(T.autograd.Function):
            @staticmethod
            def forward(ctx: Any, t: Any) -> Any:
                ctx.save_for_backward(t)
                return t * 2

            @staticmethod
            def backward(ctx: Any, g: Any) -> Any:
                return g * 2

        class Keep(T.autograd.Function):
            @staticmethod
            def forward(ctx: Any, t: Any, u: Any) -> Any:
                ctx.save_for_backward(u)
                return t * 2

            @staticmethod
            def backward(ctx: Any, g: Any) -> Any:
                return g * 2, None

        env = {"T": T, "x": x, "a": a, "nested": nested, "Twice": Twice, "Keep": Keep}
        result = eval(CASES[case], env)  # the test's own expressions
        # (a write that raised still happened, as in torch: the version bump refuses it)
        return result, a, x.grad

    compare(prog, torch)
