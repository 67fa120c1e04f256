"""Conversion and copies: to (dtype), clone, and the float promotion helper.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import dtypes
from ..device import parse_to
from ..grad_mode import no_grad
from ..op import defop
from ..tensor import Tensor
from .common import _pass_grad

# ==============================================================================================
# the table: forwards and derivative formulas
# ==============================================================================================


def _clone(a: np.ndarray) -> np.ndarray:
    return a.copy()


clone_op = defop("clone", "CloneBackward0", _clone)
clone_op.grad("self")(_pass_grad)


def _to_dtype(a: np.ndarray, dtype: np.dtype) -> np.ndarray:
    return a.astype(dtype)


to_copy_op = defop("to", "ToCopyBackward0", _to_dtype,
                   torch="torch.Tensor.to / .double() / .float()")


@to_copy_op.grad("self")
def _to_copy_self(g, s, B):
    "grad (cast back to self's dtype)"
    return g


# ==============================================================================================
# torch-level functions
# ==============================================================================================


def _float(x: Tensor) -> Tensor:
    return x if x._data.dtype.kind == "f" else to_copy_op(x, dtype=dtypes.get_default_dtype().np)


def clone(input: Tensor, *, memory_format: Any = None) -> Tensor:
    return clone_op(input)


def to(input: Tensor, *args: Any, **kwargs: Any) -> Tensor:
    """``to(dtype)``, ``to(device, dtype)``, ``to(other)``; ``copy=True`` always copies."""
    dt, copy = parse_to(args, kwargs)
    target = input._data.dtype if dt is None else dtypes.to_dtype(dt).np
    if target == input._data.dtype and not copy:
        return input
    if input.requires_grad and target.kind != "f":
        with no_grad():
            return to_copy_op(input, dtype=target)
    return to_copy_op(input, dtype=target)
    return to_copy_op(input, dtype=target)


# ==============================================================================================
# the names this family adds: torch.<name>, Tensor.<name>, torch.nn.functional.<name>
# ==============================================================================================
TORCH: dict[str, Any] = {
    "clone": clone,
}

METHODS: dict[str, Any] = {
    "clone": clone, "to": to,
}

FUNCTIONAL: dict[str, Any] = {}
