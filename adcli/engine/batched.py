"""``autograd.grad(..., is_grads_batched=True)``: the first dimension of every grad_output is
a batch of cotangents, one vector-Jacobian product each.

PyTorch vmaps the backward pass; adcli runs it once per batch row and stacks the rows (with
``create_graph`` the stacking is recorded), with PyTorch's validation and error messages.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from .errors import InvalidArgumentError, ShapeMismatchError
from .tensor import Tensor

# The recorded stack (``torch.stack``), handed over by the op families: the core knows no op.
stack_fn: list[Callable[..., Tensor] | None] = [None]


def _size(shape: tuple[int, ...]) -> str:
    return f"torch.Size({list(shape)})"


def batch_size(outs: list[Tensor], gouts: list[Any] | None) -> int:
    """The batch size, after PyTorch's checks of each grad_output against its output."""
    if gouts is None:
        raise InvalidArgumentError("grad can be implicitly created only for scalar outputs")
    sizes = []
    for i, (o, g) in enumerate(zip(outs, gouts)):
        if g is None:
            if o._data.size != 1:
                raise InvalidArgumentError(
                    "grad can be implicitly created only for scalar outputs")
            # PyTorch makes the implicit 0-d one and then fails to map over it
            raise ValueError("vmap(vjp, in_dims=0, ...)(<inputs>): Got in_dim=0 for some input, "
                             "but that input is a Tensor of dimensionality 0 so expected in_dim "
                             "to satisfy 0 <= in_dim < 0.")
        shape = tuple(np.shape(g._data if isinstance(g, Tensor) else g))
        if not shape:
            raise IndexError("invalid index of a 0-dim tensor. Use `tensor.item()` in Python "
                             "or `tensor.item<T>()` in C++ to convert a 0-dim tensor to a number")
        if shape[0] == 0:
            raise IndexError("index 0 is out of bounds for dimension 0 with size 0")
        if shape[1:] != tuple(o._data.shape):
            # PyTorch's message shows the grad_output's sizes from its third dimension on.
            raise ShapeMismatchError(
                "If `is_grads_batched=True`, we interpret the first dimension of each "
                "grad_output as the batch dimension. The sizes of the remaining dimensions are "
                "expected to match the shape of corresponding output, but a mismatch was "
                f"detected: grad_output[{i}] has a shape of {_size(shape[2:])} and output[{i}] "
                f"has a shape of {_size(tuple(o._data.shape))}. If you only want some tensors "
                "in `grad_output` to be considered batched, consider using vmap.")
        sizes.append(shape[0])
    if len(set(sizes)) > 1:
        raise ValueError("vmap: Expected all tensors to have the same size in the mapped "
                         f"dimension, got sizes {sizes} for the mapped dimension")
    return sizes[0] if sizes else 1


def grad_batched(grad: Callable[..., tuple[Tensor | None, ...]], outs: list[Tensor],
                 ins: list[Tensor], gouts: list[Any] | None, retain_graph: bool,
                 create_graph: bool, allow_unused: bool | None,
                 materialize_grads: bool) -> tuple[Tensor | None, ...]:
    """One ``grad`` per batch row, stacked along a new first dimension."""
    n = batch_size(outs, gouts)
    assert gouts is not None
    rows: list[tuple[Tensor | None, ...]] = []
    for b in range(n):
        row = [None if g is None else (g[b] if isinstance(g, Tensor) else np.asarray(g)[b])
               for g in gouts]
        rows.append(grad(outs, ins, row, retain_graph=retain_graph or b < n - 1,
                         create_graph=create_graph, allow_unused=True))
    result: list[Tensor | None] = []
    for i, t in enumerate(ins):
        col = [r[i] for r in rows]
        if all(g is None for g in col):
            if materialize_grads:  # as PyTorch: zeros without the batch dimension
                result.append(Tensor._make(np.zeros_like(t._data), None, 0, None))
                continue
            if not allow_unused:
                raise InvalidArgumentError(
                    f"The differentiated Tensor at index {i} appears to not have been used in "
                    "the graph. Set allow_unused=True if this is the desired behavior.")
            result.append(None)
            continue
        parts = [Tensor._make(np.zeros_like(t._data), None, 0, None) if g is None else g
                 for g in col]
        if create_graph and stack_fn[0] is not None:
            result.append(stack_fn[0](parts, 0))
        else:
            result.append(Tensor._make(np.stack([p._data for p in parts]), None, 0, None))
    return tuple(result)
