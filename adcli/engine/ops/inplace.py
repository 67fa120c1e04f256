"""Whole-tensor writes: fill_, zero_, copy_ (the in-place forms of other ops live with
their op).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..errors import InvalidArgumentError
from ..op import defop
from ..tensor import Tensor
from .common import as_tensor, broadcast_shapes, cast

# ==============================================================================================
# the table: forwards and derivative formulas
# ==============================================================================================


def _fill(a: np.ndarray, value: Any) -> np.ndarray:
    return np.full_like(a, value)


fill_op = defop("fill_", "FillBackward2", _fill, torch="Tensor.fill_", complex_ok=True)
zero_op = defop("zero_", "ZeroBackward0", _fill, torch="Tensor.zero_", complex_ok=True)


@fill_op.grad("self")
def _fill_self(g, s, B):
    "0"
    return B.zeros_like(g)


zero_op.grad("self")(_fill_self)


def _copy(a: np.ndarray, src: np.ndarray) -> np.ndarray:
    if src.shape != a.shape:
        broadcast_shapes(a.shape, src.shape)
    return cast(np.broadcast_to(src, a.shape), a.dtype)


# out of place: torch.fill(t, number) (FillBackward0), torch.fill(t, 0-d tensor)
# (FillBackward1); in place with a 0-d tensor value, FillBackward3 (grad of value: grad.sum())
fill_number_op = defop("fill", "FillBackward0", _fill, torch="torch.fill(tensor, number)",
                       complex_ok=True)
fill_number_op.grad("self")(_fill_self)


def _fill_tensor(a: np.ndarray, value: np.ndarray) -> np.ndarray:
    return np.full_like(a, value.reshape(()))


fill_tensor_op = defop("fill_tensor", "FillBackward1", _fill_tensor, inputs=("self", "value"),
                       torch="torch.fill(tensor, tensor)")
fill_tensor_inplace_op = defop("fill_tensor_", "FillBackward3", _fill_tensor,
                               inputs=("self", "value"), torch="Tensor.fill_(tensor)")


@fill_tensor_op.grad("value")
def _fill_value(g, s, B):
    "grad.sum()"
    return B.sum(g)


for _op in (fill_tensor_op, fill_tensor_inplace_op):
    _op.grad("self")(_fill_self)
fill_tensor_inplace_op.grad("value")(_fill_value)


copy_op = defop("copy_", "CopyBackwards", _copy, inputs=("self", "src"), torch="Tensor.copy_",
                complex_ok=True)
copy_op.grad("self")(_fill_self)


@copy_op.grad("src")
def _copy_src(g, s, B):
    "grad summed to src's shape"
    return g


# ==============================================================================================
# torch-level functions
# ==============================================================================================


def zero_(self: Tensor) -> Tensor:
    return zero_op.inplace(self, value=0)


def _value_tensor(value: Tensor) -> None:
    if value._data.ndim:
        raise InvalidArgumentError(f"fill_ only supports 0-dimension value tensor but got "
                                   f"tensor with {value._data.ndim} dimensions.")


def fill_(self: Tensor, value: Any) -> Tensor:
    if isinstance(value, Tensor):  # PyTorch's fill_.Tensor: FillBackward3
        _value_tensor(value)
        return fill_tensor_inplace_op.inplace(self, value)
    return fill_op.inplace(self, value=value)


def fill(input: Tensor, value: Any) -> Tensor:
    if isinstance(value, Tensor):
        _value_tensor(value)
        return fill_tensor_op(input, value)
    return fill_number_op(input, value=value)


def copy_(self: Tensor, src: Any) -> Tensor:
    return copy_op.inplace(self, as_tensor(src, self))


# ==============================================================================================
# the names this family adds: torch.<name>, Tensor.<name>, torch.nn.functional.<name>
# ==============================================================================================
TORCH: dict[str, Any] = {"fill": fill}

METHODS: dict[str, Any] = {
    "zero_": zero_, "fill_": fill_, "copy_": copy_,
}

FUNCTIONAL: dict[str, Any] = {}
