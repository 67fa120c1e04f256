"""Whole-tensor writes: fill_, zero_, copy_ (the in-place forms of other ops live with
their op).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..op import defop
from ..tensor import Tensor
from .common import as_tensor, broadcast_shapes

# ==============================================================================================
# the table: forwards and derivative formulas
# ==============================================================================================


def _fill(a: np.ndarray, value: Any) -> np.ndarray:
    return np.full_like(a, value)


fill_op = defop("fill_", "FillBackward2", _fill, torch="Tensor.fill_")
zero_op = defop("zero_", "ZeroBackward0", _fill, torch="Tensor.zero_")


@fill_op.grad("self")
def _fill_self(g, s, B):
    "0"
    return B.zeros_like(g)


zero_op.grad("self")(_fill_self)


def _copy(a: np.ndarray, src: np.ndarray) -> np.ndarray:
    if src.shape != a.shape:
        broadcast_shapes(a.shape, src.shape)
    return np.broadcast_to(src, a.shape).astype(a.dtype)


copy_op = defop("copy_", "CopyBackwards", _copy, inputs=("self", "src"), torch="Tensor.copy_")
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


def fill_(self: Tensor, value: Any) -> Tensor:
    if isinstance(value, Tensor):
        value = value.item()
    return fill_op.inplace(self, value=value)


def copy_(self: Tensor, src: Any) -> Tensor:
    return copy_op.inplace(self, as_tensor(src, self))


# ==============================================================================================
# the names this family adds: torch.<name>, Tensor.<name>, torch.nn.functional.<name>
# ==============================================================================================
TORCH: dict[str, Any] = {}

METHODS: dict[str, Any] = {
    "zero_": zero_, "fill_": fill_, "copy_": copy_,
}

FUNCTIONAL: dict[str, Any] = {}
