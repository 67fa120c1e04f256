"""unique and unique_consecutive: the distinct values (or slices along ``dim``), with the
inverse indices and the counts. As in PyTorch, the values record a node without a derivative
(Unique2Backward0, UniqueDimBackward0, UniqueConsecutiveBackward0): backward through it raises.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..errors import IndexOutOfRangeError, NotImplementedDerivativeError
from ..op import OpDef
from ..tensor import Tensor, _wrap_dim


def _no_derivative(aten: str) -> Any:
    def formula(g, s, B, needs):
        raise NotImplementedDerivativeError(f"the derivative for '{aten}' is not implemented.")

    formula.__doc__ = f"not implemented (PyTorch: the derivative for '{aten}' is not implemented)"
    return formula


def _unique_all(a: np.ndarray) -> tuple[np.ndarray, ...]:
    flat = a.reshape(-1)
    # each NaN is its own value, as in PyTorch
    values, inverse, counts = np.unique(flat, return_inverse=True, return_counts=True,
                                        equal_nan=False)
    return values, inverse.reshape(a.shape).astype(np.int64), counts.astype(np.int64)


def _unique_dim(a: np.ndarray, dim: int) -> tuple[np.ndarray, ...]:
    if a.shape[dim] == 0:
        return a.copy(), np.zeros(0, np.int64), np.zeros(0, np.int64)
    values, inverse, counts = np.unique(a, axis=dim, return_inverse=True, return_counts=True,
                                        equal_nan=False)
    return values, inverse.reshape(-1).astype(np.int64), counts.astype(np.int64)


def _consecutive(a: np.ndarray, dim: int | None) -> tuple[np.ndarray, ...]:
    x = a.reshape(-1) if dim is None else np.moveaxis(a, dim, 0)
    n = x.shape[0]
    if n == 0:
        return a.reshape(-1).copy() if dim is None else a.copy(), np.zeros(
            a.shape if dim is None else (0,), np.int64), np.zeros(0, np.int64)
    rows = x.reshape(n, -1)
    new = np.ones(n, dtype=bool)
    new[1:] = (rows[1:] != rows[:-1]).any(axis=1)
    starts = np.flatnonzero(new)
    counts = np.diff(np.append(starts, n)).astype(np.int64)
    inverse = (np.cumsum(new) - 1).astype(np.int64)
    values = x[starts]
    if dim is None:
        return values, inverse.reshape(a.shape), counts
    return np.moveaxis(values, 0, dim), inverse, counts


def _op(name: str, backward: str, aten: str, forward: Any) -> OpDef:
    op = OpDef(name, backward, forward, extras=("inverse", "counts"))
    op.grad_all(_no_derivative(aten))
    return op


unique_op = _op("unique", "Unique2Backward0", "_unique2",
                lambda a, sorted=True: _unique_all(a))
unique_dim_op = _op("unique_dim", "UniqueDimBackward0", "unique_dim",
                    lambda a, dim, sorted=True: _unique_dim(a, dim))
unique_consecutive_op = _op("unique_consecutive", "UniqueConsecutiveBackward0",
                            "unique_consecutive", lambda a, dim=None: _consecutive(a, dim))


def _check_dim(input: Tensor, dim: int) -> int:
    if not input._data.ndim:
        raise IndexOutOfRangeError(f"Dimension specified as {dim} but tensor has no dimensions")
    return _wrap_dim(dim, input._data.ndim)


def _select(out: tuple[Tensor, ...], return_inverse: bool, return_counts: bool) -> Any:
    values, inverse, counts = out
    if return_inverse and return_counts:
        return values, inverse, counts
    if return_inverse:
        return values, inverse
    if return_counts:
        return values, counts
    return values


def unique(input: Tensor, sorted: bool = True, return_inverse: bool = False,
           return_counts: bool = False, dim: int | None = None) -> Any:
    """The distinct values (sorted, as PyTorch's CPU kernel always does), or with ``dim`` the
    distinct slices in lexicographic order; optionally the inverse indices and the counts."""
    if dim is None:
        out = unique_op(input, sorted=bool(sorted))
    else:
        out = unique_dim_op(input, dim=_check_dim(input, dim), sorted=bool(sorted))
    return _select(out, return_inverse, return_counts)


def unique_consecutive(input: Tensor, return_inverse: bool = False, return_counts: bool = False,
                       dim: int | None = None) -> Any:
    """The first of each run of equal consecutive values (or slices along ``dim``)."""
    d = None if dim is None else _check_dim(input, dim)
    return _select(unique_consecutive_op(input, dim=d), return_inverse, return_counts)


# ==============================================================================================
# the names this family adds: torch.<name>, Tensor.<name>, torch.nn.functional.<name>
# ==============================================================================================
TORCH: dict[str, Any] = {"unique": unique, "unique_consecutive": unique_consecutive}

METHODS: dict[str, Any] = {"unique": unique, "unique_consecutive": unique_consecutive}

FUNCTIONAL: dict[str, Any] = {}
