"""torch.autograd.function.NestedIOFunction against torch 2.13: the deprecated class exists,
warns when instantiated, fails where torch's fails and keeps its nested-structure helpers."""

from __future__ import annotations

import warnings
from typing import Any

import pytest
from autograd_helpers import compare
from requires import require_torch

torch = require_torch()


def _classes(T: Any) -> tuple[type, type]:
    N = T.autograd.function.NestedIOFunction

    class Double(N):
        def forward_extended(self, x: Any, pair: Any) -> Any:
            return [x * 2, (pair[0] + pair[1], pair[0] * 3)]

        def backward_extended(self, gx: Any, gp: Any) -> Any:
            return gx * 2, [gp[0] + gp[1], None]

    class Bare(N):
        pass

    return Double, Bare


@pytest.mark.parametrize("case", [
    "instantiate", "call", "apply", "forward", "backward", "save", "saved_tensors", "dirty",
    "non_differentiable", "bare_forward", "bare_backward", "bad_nesting", "base_is_function",
    "apply_base",
])
def test_nested_io_function(case: str) -> None:
    def prog(T: Any) -> Any:
        Double, Bare = _classes(T)
        x = T.tensor([1.0, 2.0], requires_grad=True)
        y = T.tensor([3.0, 4.0])
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            f = Double()
        warned = [(w.category.__name__, str(w.message).replace("adcli", "torch"))
                  for w in caught]
        if case == "instantiate":
            return warned
        if case == "base_is_function":
            return [issubclass(Double, T.autograd.Function),
                    T.autograd.NestedIOFunction is T.autograd.function.NestedIOFunction]
        if case == "call":
            return f(x, [y, y])
        if case == "apply":
            return Double.apply(x, [y, y])
        if case == "apply_base":
            return T.autograd.function.NestedIOFunction.apply(x)
        if case in ("forward", "backward"):
            f._nested_input = (x, [y, y])
            out = list(f.forward(x, y))
            if case == "forward":
                return [out, f._nested_output, hasattr(f, "_nested_input")]
            return list(f.backward(T.ones(2), T.full((2,), 5.0), T.full((2,), 7.0)))
        if case == "save":
            f.save_for_backward(x, [y, None], {"k": x})
            return [list(f.to_save), f._to_save_nested]
        if case == "saved_tensors":
            f.save_for_backward(x)
            return f.saved_tensors
        if case == "dirty":
            f.mark_dirty(x, [y], k=x)
            return list(f.dirty_tensors)
        if case == "non_differentiable":
            f.mark_non_differentiable(x, k=(y,))
            return list(f.non_differentiable)
        if case == "bare_forward":
            return Bare().forward_extended(x)
        if case == "bare_backward":
            return Bare().backward_extended(x)
        f.save_for_backward(x, 3)  # bad_nesting
        return None

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        compare(prog, torch)
