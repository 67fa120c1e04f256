"""Small torch.* leftovers: ``range`` (deprecated, end included), ``empty_permuted`` and the
``legacy_contiguous_format`` alias of ``contiguous_format``."""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np

from .. import dtypes
from .. import layout as _layout
from ..errors import InvalidArgumentError
from ..limits import check_shape
from ..ranges import _num
from ..tensor import Tensor

_RANGE_WARNING = (
    "torch.range is deprecated and will be removed in a future release because its behavior "
    "is inconsistent with Python's range builtin. Instead, use torch.arange, which produces "
    "values in [start, end).")


def _finish(arr: np.ndarray, requires_grad: bool) -> Tensor:
    t = Tensor._make(arr, None, 0, None)
    if requires_grad:
        t.requires_grad_(True)
    return t


def range(start: Any, end: Any, step: Any = 1, *, dtype: Any = None,
          layout: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    """Deprecated: ``start, start + step, ...`` up to and including ``end`` (ATen's range:
    size floor((end - start) / step) + 1, values start + i step in double)."""
    warnings.warn(_RANGE_WARNING, UserWarning, stacklevel=2)
    start, end, step = _num(start), _num(end), _num(step)
    d = dtypes.get_default_dtype() if dtype is None else dtypes.to_dtype(dtype)
    dt = d.np
    if dt.kind in "iub":
        xs, xe, xst = int(start), int(end), int(step)
    else:
        xs, xe, xst = float(start), float(end), float(step)
    if xst == 0:
        raise InvalidArgumentError("step must be nonzero")
    for v in (xs, xe):
        if isinstance(v, float) and not math.isfinite(v):
            raise InvalidArgumentError("unsupported range: " + f"{xs} -> {xe}")
    if (xst > 0 and xe < xs) or (xst < 0 and xe > xs):
        raise InvalidArgumentError("upper bound and lower bound inconsistent with step sign")
    n = int((xe - xs) / xst + 1)
    check_shape((n,))
    if dt.kind in "iub":
        vals = (xs + xst * np.arange(n, dtype=np.int64)).astype(dt)
    else:
        # start + step * i in double, unfused (ATen's serial range kernel)
        vals = (xs + xst * np.arange(n, dtype=np.float64)).astype(dt)
    return _finish(vals, requires_grad)


def empty_permuted(size: Sequence[int], physical_layout: Sequence[int], *, dtype: Any = None,
                   layout: Any = None, device: Any = None, requires_grad: bool = False,
                   pin_memory: bool = False) -> Tensor:
    """An uninitialised tensor of shape ``size`` whose dimensions lie in memory in the order
    ``physical_layout`` (outermost first)."""
    size = tuple(int(s) for s in size)
    perm = [int(p) for p in physical_layout]
    if len(perm) != len(size):
        raise InvalidArgumentError(
            "Number of dimensions in size does not match the length of the physical_layout; "
            f"i.e. len(size) = {len(size)} is not equal to len(physical_layout) = {len(perm)}")
    seen = [False] * len(size)
    for p in perm:
        if p < 0 or p >= len(size):
            raise InvalidArgumentError(f"Dimension out of range (expected to be in range of "
                                       f"[{-len(size)}, {len(size) - 1}], but got {p})")
        if seen[p]:
            raise InvalidArgumentError("Duplicate dim not allowed")
        seen[p] = True
    d = dtypes.get_default_dtype() if dtype is None else dtypes.to_dtype(dtype)
    check_shape(size)
    raw = np.zeros([size[p] for p in perm], dtype=d.np)
    return _finish(raw.transpose(np.argsort(perm)), requires_grad)


# ==============================================================================================
# the names this family adds: torch.<name>, Tensor.<name>, torch.nn.functional.<name>
# ==============================================================================================
TORCH: dict[str, Any] = {
    "range": range, "empty_permuted": empty_permuted,
    "legacy_contiguous_format": _layout.contiguous_format,
}

METHODS: dict[str, Any] = {}

FUNCTIONAL: dict[str, Any] = {}
