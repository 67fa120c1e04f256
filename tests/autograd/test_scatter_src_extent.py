"""scatter / scatter_add / scatter_reduce with a ``src`` larger than ``index``, as torch.

torch reads only the index's extent of src, so the forward works; the src gradient
(``grad.gather(dim, index)``) is shaped as the index, and torch's engine rejects it
("returned an invalid gradient"), or the formula's own broadcast fails first (prod, amax,
amin). Without src requiring grad, backward works. Compared with torch: values, gradients,
grad_fn names, errors word for word.
"""

from __future__ import annotations

import functools
import math
from typing import Any

import pytest
from autograd_helpers import compare
from requires import require_torch

torch = require_torch()
pytestmark = pytest.mark.needs_torch


def _g(T: Any, *shape: int) -> Any:
    return ((T.arange(float(math.prod(shape))) + 1) * 0.5).reshape(*shape)


def _index(T: Any) -> Any:
    return T.tensor([[0, 1, 2], [2, 0, 1]])


def _reduce(red: str, T: Any, a: Any, i: Any, s: Any, d: int) -> Any:
    return T.scatter_reduce(a + 1, d, i, s, red)


OPS = {
    "scatter": lambda T, a, i, s, d: T.scatter(a, d, i, s),
    "Tensor.scatter": lambda T, a, i, s, d: a.scatter(d, i, s),
    "scatter_ (on a clone)": lambda T, a, i, s, d: a.clone().scatter_(d, i, s),
    "scatter_add": lambda T, a, i, s, d: T.scatter_add(a, d, i, s),
    "scatter_add_ (on a clone)": lambda T, a, i, s, d: a.clone().scatter_add_(d, i, s),
    **{f"scatter_reduce {red}": functools.partial(_reduce, red)
       for red in ("sum", "prod", "mean", "amax", "amin")},
    "scatter_reduce sum, include_self=False": lambda T, a, i, s, d: T.scatter_reduce(
        a, d, i, s, "sum", include_self=False),
}


@pytest.mark.parametrize("dim", [0, 1])
@pytest.mark.parametrize("op", list(OPS))
def test_forward_uses_the_index_extent(op, dim):
    compare(lambda T: OPS[op](T, _g(T, 3, 5), _index(T), _g(T, 4, 6), dim), torch)


@pytest.mark.parametrize("src_grad", [True, False])
@pytest.mark.parametrize("op", list(OPS))
def test_gradients(op, src_grad):
    def prog(T: Any) -> Any:
        a = _g(T, 3, 5).requires_grad_()
        s = _g(T, 4, 6).requires_grad_(src_grad)
        out = OPS[op](T, a, _index(T), s, 0)
        out.backward(_g(T, *out.shape))
        return out.grad_fn.name(), a.grad, s.grad
    compare(prog, torch)


@pytest.mark.parametrize("op", ["scatter", "scatter_add", "scatter_reduce sum"])
def test_src_of_the_index_shape_still_differentiates(op):
    def prog(T: Any) -> Any:
        a = _g(T, 3, 5).requires_grad_()
        s = _g(T, 2, 3).requires_grad_()
        out = OPS[op](T, a, _index(T), s, 1)
        out.backward(_g(T, *out.shape))
        return a.grad, s.grad
    compare(prog, torch)
