"""The in-place comparisons: eq_, ne_, lt_, le_, gt_, ge_ and their aliases (greater_,
greater_equal_, less_, less_equal_, not_equal_). As in PyTorch, self keeps its dtype (1 where
the comparison holds, 0 elsewhere) and, when recorded, the write is a node with a zero
derivative: EqBackward0 against a number, EqBackward1 against a tensor (and so on).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..op import OpDef, defop
from ..tensor import Tensor
from .common import broadcast_shapes

_COMPARISONS = {"eq": np.equal, "ne": np.not_equal, "lt": np.less, "le": np.less_equal,
                "gt": np.greater, "ge": np.greater_equal}

# ==============================================================================================
# the table: forwards and derivative formulas
# ==============================================================================================


def _zero(g, s, B):
    "0"
    return B.zeros_like(g)


def _scalar_forward(fn: Any) -> Any:
    def forward(a: np.ndarray, other: Any = 0) -> np.ndarray:
        return fn(a, other)

    return forward


def _tensor_forward(fn: Any) -> Any:
    def forward(a: np.ndarray, b: np.ndarray) -> np.ndarray:
        if a.shape != b.shape:
            broadcast_shapes(a.shape, b.shape)
        return fn(a, b)

    return forward


def _ops(name: str, fn: Any) -> tuple[OpDef, OpDef]:
    cap = name.capitalize()
    scalar = defop(f"{name}_", f"{cap}Backward0", _scalar_forward(fn),
                   torch=f"Tensor.{name}_(number)")
    scalar.grad("self")(_zero)
    tensor = defop(f"{name}_tensor_", f"{cap}Backward1", _tensor_forward(fn),
                   inputs=("self", "other"), torch=f"Tensor.{name}_(tensor)")
    tensor.grad("self", "other")(_zero)
    return scalar, tensor


OPS_BY_NAME = {name: _ops(name, fn) for name, fn in _COMPARISONS.items()}


# ==============================================================================================
# the in-place methods
# ==============================================================================================
def _method(name: str) -> Any:
    scalar, tensor = OPS_BY_NAME[name]

    def method(self: Tensor, other: Any) -> Tensor:
        if isinstance(other, Tensor):
            return tensor.inplace(self, other)
        return scalar.inplace(self, other=other)

    method.__name__ = f"{name}_"
    return method


eq_, ne_, lt_, le_, gt_, ge_ = (_method(n) for n in _COMPARISONS)

# ==============================================================================================
# the names this family adds: torch.<name>, Tensor.<name>, torch.nn.functional.<name>
# ==============================================================================================
TORCH: dict[str, Any] = {}

METHODS: dict[str, Any] = {
    "eq_": eq_, "ne_": ne_, "lt_": lt_, "le_": le_, "gt_": gt_, "ge_": ge_,
    "greater_": gt_, "greater_equal_": ge_, "less_": lt_, "less_equal_": le_,
    "not_equal_": ne_,
}

FUNCTIONAL: dict[str, Any] = {}
