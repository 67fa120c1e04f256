"""A saved-tensor unpack hook that returns the wrong thing fails as in torch.

torch does not check an unpacked tensor's shape: the derivative formula that uses it meets
it, and broadcasting's RuntimeError names the clash (the first from the right). A saved leaf
that requires grad is made to require grad again on unpacking, so an integer or bool
unpacked value raises torch's dtype error; a saved output or non-leaf does not. Everything
is compared with torch: type and message word for word, or the gradients.
"""

from __future__ import annotations

from typing import Any

import pytest
from autograd_helpers import compare
from requires import require_torch

torch = require_torch()
pytestmark = pytest.mark.needs_torch

UNPACKS = {
    "shorter": lambda T, t: t[:2],
    "column": lambda T, t: t.reshape(3, 1),  # broadcasts: torch gives a gradient
    "rows of another width": lambda T, t: T.ones(2, 4, dtype=t.dtype),
    "rows that broadcast": lambda T, t: T.ones(2, 3, dtype=t.dtype),
    "float64": lambda T, t: t.double(),
    "int32": lambda T, t: t.int(),
    "bool": lambda T, t: t.bool(),
    "a number": lambda T, t: 5,
}

OPS = {
    "x * x": lambda x: (x * x).sum(),
    "exp (saves its output)": lambda x: x.exp().sum(),
    "sin": lambda x: x.sin().sum(),
    "pow": lambda x: (x ** 2).sum(),
    "x / detached x": lambda x: (x / x.detach()).sum(),
    "x * 2.0": lambda x: (x * 2.0).sum(),
}


def _program(unpack: Any, op: Any, create_graph: bool) -> Any:
    def prog(T: Any) -> Any:
        x = T.ones(3, requires_grad=True)
        with T.autograd.graph.saved_tensors_hooks(lambda t: t, lambda t: unpack(T, t)):
            y = op(x)
        y.backward(create_graph=create_graph)
        return x.grad.detach()
    return prog


@pytest.mark.filterwarnings("ignore:Using backward\\(\\) with create_graph=True")
@pytest.mark.parametrize("create_graph", [False, True])
@pytest.mark.parametrize("op", list(OPS))
@pytest.mark.parametrize("unpack", list(UNPACKS))
def test_wrong_unpacked_value_as_torch(unpack, op, create_graph):
    compare(_program(UNPACKS[unpack], OPS[op], create_graph), torch)


def test_autograd_grad_with_wrong_shape_as_torch():
    def prog(T: Any) -> Any:
        x = T.ones(2, 3, requires_grad=True)
        with T.autograd.graph.saved_tensors_hooks(lambda t: t, lambda t: t[:, :2]):
            y = (x * x).sum()
        return T.autograd.grad(y, x)
    compare(prog, torch)


@pytest.mark.parametrize(("a", "b"), [((2, 3), (3, 2)), ((4, 2, 3), (5, 1, 2)), ((3,), (2, 4)),
                                      ((2, 5), (3, 1, 4))])
def test_forward_broadcast_message_names_the_rightmost_clash(a, b):
    compare(lambda T: T.ones(*a) + T.ones(*b), torch)
