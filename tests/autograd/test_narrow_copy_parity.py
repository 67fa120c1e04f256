"""narrow_copy (and narrow) against torch: a negative start wraps, and the errors are torch's
own, in its order (narrow_copy's checks differ from narrow's: a too-large dim, a negative
length). Values, grad_fn names, gradients, error types and messages are compared."""

from __future__ import annotations

from typing import Any

import pytest
from autograd_helpers import compare
from requires import require_torch

torch = require_torch()
pytestmark = pytest.mark.needs_torch

ARGS = [(1, -2, 2), (1, -4, 2), (1, -4, 4), (1, -5, 1), (0, -1, 1), (0, -3, 3), (1, 3, 2),
        (1, 4, 0), (1, 5, 0), (1, 0, -1), (1, -1, -1), (2, 0, 1), (-1, -2, 1), (-3, 0, 1),
        (1, -4, 5), (1, 1, 3)]


def _x(T: Any) -> Any:
    return T.arange(12.0).reshape(3, 4)


@pytest.mark.parametrize("fn", ["narrow_copy", "narrow", "Tensor.narrow_copy"])
@pytest.mark.parametrize("args", ARGS)
def test_arguments_as_torch(fn, args):
    def prog(T: Any) -> Any:
        x = _x(T)
        out = x.narrow_copy(*args) if fn == "Tensor.narrow_copy" else getattr(T, fn)(x, *args)
        return out, out.is_contiguous()
    compare(prog, torch)


def test_zero_dim_and_tensor_start():
    compare(lambda T: T.narrow_copy(T.tensor(1.0), 0, 0, 1), torch)
    compare(lambda T: T.narrow_copy(_x(T), 1, T.tensor(-3), 2), torch)


# (not a slice reaching the end, such as start=-1: torch 2.13's backward slices with the
# unwrapped start, start:start+length = -1:0, and drops the gradient; adcli's is right)
@pytest.mark.parametrize(("start", "length"), [(-3, 1), (-4, 2), (-3, 2), (1, 2)])
def test_gradient_with_negative_start(start, length):
    def prog(T: Any) -> Any:
        x = _x(T).requires_grad_()
        y = T.narrow_copy(x, 1, start, length)
        y.backward(T.ones_like(y) * 2)
        return y, x.grad
    compare(prog, torch)
