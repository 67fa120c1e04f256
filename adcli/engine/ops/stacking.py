"""Stacking and arranging, as torch composes them from cat, views, flips and gather:
hstack/vstack/dstack/column_stack/row_stack, atleast_1d/2d/3d, fliplr/flipud, swapdims,
take_along_dim, meshgrid, cartesian_prod, combinations. Their gradients are those of the ops
they record (CatBackward0, UnsqueezeBackward0, FlipBackward0, GatherBackward0, ExpandBackward0,
MaskedSelectBackward0, ...), as torch's.
"""

from __future__ import annotations

import itertools
import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np

from .. import dtypes
from ..errors import InvalidArgumentError
from ..tensor import Tensor, _wrap_dim
from .common import broadcast_shapes
from .indexing import gather
from .shape import cat, expand, flip, reshape, stack, transpose, unsqueeze, view


def _tensors(args: tuple[Any, ...]) -> tuple[Any, bool]:
    if len(args) == 1 and isinstance(args[0], (list, tuple)):
        return list(args[0]), True
    return list(args), len(args) != 1


def _at_least(make: Any) -> Any:
    def fn(*tensors: Any) -> Any:
        ts, many = _tensors(tensors)
        out = [make(t) for t in ts]
        return tuple(out) if many else out[0]

    return fn


def _one_d(t: Tensor) -> Tensor:
    return reshape(t, (1,)) if t._data.ndim == 0 else t


def _two_d(t: Tensor) -> Tensor:
    nd = t._data.ndim
    return reshape(t, (1, 1)) if nd == 0 else unsqueeze(t, 0) if nd == 1 else t


def _three_d(t: Tensor) -> Tensor:
    nd = t._data.ndim
    if nd == 0:
        return reshape(t, (1, 1, 1))
    if nd == 1:
        return unsqueeze(unsqueeze(t, 0), -1)
    return unsqueeze(t, -1) if nd == 2 else t


atleast_1d = _at_least(_one_d)
atleast_2d = _at_least(_two_d)
atleast_3d = _at_least(_three_d)


def _nonempty(name: str, tensors: Sequence[Tensor]) -> None:
    if not len(tensors):
        raise InvalidArgumentError(f"{name} expects a non-empty TensorList")


def hstack(tensors: Sequence[Tensor]) -> Tensor:
    _nonempty("hstack", tensors)
    ts = [_one_d(t) for t in tensors]
    return cat(ts, 0 if ts[0]._data.ndim == 1 else 1)


def vstack(tensors: Sequence[Tensor]) -> Tensor:
    _nonempty("vstack", tensors)
    return cat([_two_d(t) for t in tensors], 0)


def dstack(tensors: Sequence[Tensor]) -> Tensor:
    _nonempty("dstack", tensors)
    return cat([_three_d(t) for t in tensors], 2)


def column_stack(tensors: Sequence[Tensor]) -> Tensor:
    _nonempty("column_stack", tensors)
    ts = [reshape(t, (t._data.size, 1)) if t._data.ndim <= 1 else t for t in tensors]
    return hstack(ts)


def fliplr(input: Tensor) -> Tensor:
    if input._data.ndim < 2:
        raise InvalidArgumentError("Input must be >= 2-d.")
    return flip(input, 1)


def flipud(input: Tensor) -> Tensor:
    if input._data.ndim < 1:
        raise InvalidArgumentError("Input must be >= 1-d.")
    return flip(input, 0)


def swapdims(input: Tensor, dim0: int, dim1: int) -> Tensor:
    return transpose(input, dim0, dim1)


def take_along_dim(input: Tensor, indices: Tensor, dim: int | None = None) -> Tensor:
    if dim is None and indices._data.dtype.kind not in "iu":
        # torch flattens and gathers without its own dtype check: gather's refusal, and
        # nothing to refuse when there are no indices
        if indices._data.size:
            raise InvalidArgumentError("gather(): Expected dtype int32/int64 for index")
        empty = Tensor._make(np.zeros((0,), dtype=np.int64), None, 0, None)
        return gather(view(input, -1), 0, empty)
    if indices._data.dtype.kind not in "iu":
        raise InvalidArgumentError(
            "torch.take_along_dim(): dtype of indices should be Long but got "
            f"{dtypes.scalar_type_name(indices._data.dtype)}")
    if dim is None:
        return gather(view(input, -1), 0, view(indices, -1) if indices._data.ndim != 1
                      else indices)
    nd = input._data.ndim
    if nd != indices._data.ndim:
        raise InvalidArgumentError("torch.take_along_dim(): input and indices should have the "
                                   f"same number of dimensions, but got {nd} dimensions for "
                                   f"input, and {indices._data.ndim} dimensions for indices")
    d = _wrap_dim(dim, nd)
    in_shape, idx_shape = list(input._data.shape), list(indices._data.shape)
    in_shape[d] = idx_shape[d]
    target = list(broadcast_shapes(tuple(in_shape), tuple(idx_shape)))
    if tuple(target) != tuple(idx_shape):
        indices = expand(indices, tuple(target))
    target[d] = input._data.shape[d]
    if tuple(target) != tuple(input._data.shape):
        input = expand(input, tuple(target))
    return gather(input, d, indices)


def meshgrid(*tensors: Any, indexing: str | None = None) -> tuple[Tensor, ...]:
    ts, _ = _tensors(tensors)
    if indexing is None:
        warnings.warn("torch.meshgrid: in an upcoming release, it will be required to pass the "
                      "indexing argument.", UserWarning, stacklevel=2)
        indexing = "ij"
    if indexing not in ("ij", "xy"):
        raise InvalidArgumentError("torch.meshgrid: indexing must be one of \"xy\" or \"ij\", "
                                   f"but received: {indexing}")
    if not ts:
        raise InvalidArgumentError("meshgrid expects a non-empty TensorList")
    for t in ts:
        if t._data.ndim > 1:
            raise InvalidArgumentError("torch.meshgrid: Expected 0D or 1D tensor in the tensor "
                                       f"list but got: {t}")
        if t.dtype != ts[0].dtype:
            raise InvalidArgumentError("torch.meshgrid: Expected all tensors in the tensor list "
                                       "to have the same dtype.")
    swap = indexing == "xy" and len(ts) >= 2
    if swap:
        ts[0], ts[1] = ts[1], ts[0]
    shape = tuple(int(t._data.size) for t in ts)
    out = []
    for i, t in enumerate(ts):
        view_shape = [1] * len(ts)
        view_shape[i] = -1
        out.append(expand(view(t, tuple(view_shape)), shape))
    if swap:
        out[0], out[1] = out[1], out[0]
    return tuple(out)


def cartesian_prod(*tensors: Tensor) -> Tensor:
    """torch's composite: meshgrid (view, expand), each grid flattened (clone + _unsafe_view),
    stacked along dim 1; one tensor is returned as it is."""
    for t in tensors:
        if t._data.ndim != 1:
            raise InvalidArgumentError(f"Expect a 1D vector, but got shape {list(t.shape)}")
    if len(tensors) == 1:
        return tensors[0]
    if not tensors:
        raise InvalidArgumentError("meshgrid expects a non-empty TensorList")
    if any(t.dtype != tensors[0].dtype for t in tensors):
        raise InvalidArgumentError("meshgrid expects all tensors to have the same dtype")
    grids = meshgrid(*tensors, indexing="ij")
    return stack([g.flatten() for g in grids], 1)


def combinations(input: Tensor, r: int = 2, with_replacement: bool = False) -> Tensor:
    """torch's composite: an r-fold meshgrid of the input, each grid masked_select-ed by the
    ``i < j < ...`` (or ``<=``) mask, stacked along dim 1."""
    from .scatter import masked_select

    if input._data.ndim != 1:
        raise InvalidArgumentError(f"Expect a 1D vector, but got shape {list(input.shape)}")
    if r < 0:
        raise InvalidArgumentError(f"Expect a non-negative number, but got {r}")
    if r == 0:
        return Tensor._make(np.zeros(0, dtype=input._data.dtype), None, 0, None)
    n = input._data.shape[0]
    idx = np.meshgrid(*([np.arange(n)] * r), indexing="ij")
    mask = np.ones((n,) * r, dtype=bool)
    for a, b in itertools.pairwise(idx):
        mask &= (a <= b) if with_replacement else (a < b)
    grids = meshgrid(*([input] * r), indexing="ij")
    keep = Tensor._make(mask, None, 0, None)
    return stack([masked_select(g, keep) for g in grids], 1)


# ==============================================================================================
# the names this family adds: torch.<name>, Tensor.<name>, torch.nn.functional.<name>
# ==============================================================================================
TORCH: dict[str, Any] = {
    "atleast_1d": atleast_1d, "atleast_2d": atleast_2d, "atleast_3d": atleast_3d,
    "hstack": hstack, "vstack": vstack, "row_stack": vstack, "dstack": dstack,
    "column_stack": column_stack, "fliplr": fliplr, "flipud": flipud, "swapdims": swapdims,
    "take_along_dim": take_along_dim, "meshgrid": meshgrid, "cartesian_prod": cartesian_prod,
    "combinations": combinations,
}

METHODS: dict[str, Any] = {
    "fliplr": fliplr, "flipud": flipud, "swapdims": swapdims, "take_along_dim": take_along_dim,
}

FUNCTIONAL: dict[str, Any] = {}
