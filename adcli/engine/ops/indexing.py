"""Indexing: getitem/setitem, gather/scatter, index_select/fill/add/copy,
take, embedding, one_hot, and index_put (as_strided is ``strided.py``).
"""

from __future__ import annotations

import builtins
import math
from typing import Any

import numpy as np

from ..dtypes import scalar_type_name
from ..errors import (
    IndexOutOfRangeError,
    InvalidArgumentError,
    LeafInplaceError,
    ShapeMismatchError,
)
from ..grad_mode import is_grad_enabled
from ..limits import check_shape
from ..node import SavedTensor
from ..op import defop
from ..tensor import Tensor, _wrap_dim
from .common import _pass_grad, _py_max, _py_sum, _scan_dim, as_tensor
from .conversion import contiguous_copy
from .inplace import copy_
from .shape import _basic_index, expand, flatten, select_op, slice_op, unsqueeze, unsqueeze_op

# ==============================================================================================
# the table: forwards and derivative formulas
# ==============================================================================================


def _index(a: np.ndarray, index: tuple[Any, ...], in_shape: Any = None) -> np.ndarray:
    try:
        return a[index]
    except IndexError as exc:
        raise InvalidArgumentError(str(exc)) from None


index_op = defop("index", "IndexBackward0", _index, torch="tensor[mask] / tensor[int tensor]",
                 complex_ok=True)


@index_op.grad("self")
def _index_self(g, s, B):
    "grad scattered (added) back into the indexed positions"
    return B.index_add(g, s.in_shape, s.index)


def _index_add_fwd(g: np.ndarray, shape: tuple[int, ...], index: Any) -> np.ndarray:
    out = np.zeros(shape, dtype=g.dtype)
    np.add.at(out, index, g)
    return out


# (Named after index_put_(accumulate=True), which it is: "index_add" is torch.index_add's.)
index_add_op = defop("index_put_accumulate", "IndexPutBackward0", _index_add_fwd,
                     torch="(the backward of indexing)", complex_ok=True)


@index_add_op.grad("self")
def _index_add_self(g, s, B):
    "grad[index]"
    return B.getitem(g, s.index)


def _copy_slices(a: np.ndarray, value: np.ndarray, index: Any) -> np.ndarray:
    out = a.copy()
    try:
        out[index] = value
    except ValueError:
        raise ShapeMismatchError(_expand_message(np.shape(value), a[index].shape)) from None
    return out


def _expand_message(have: tuple[int, ...], want: tuple[int, ...]) -> str:
    """PyTorch's words for a value that does not broadcast to an indexing result."""
    if len(have) > len(want):
        return (f"expand: the number of sizes provided ({len(want)}) must be greater or equal "
                f"to the number of dimensions in the tensor ({len(have)})")
    for i in range(1, len(have) + 1):
        if have[-i] != 1 and have[-i] != want[-i]:
            return (f"The expanded size of the tensor ({want[-i]}) must match the existing size "
                    f"({have[-i]}) at non-singleton dimension {len(want) - i}.  Target sizes: "
                    f"{list(want)}.  Tensor sizes: {list(have)}")
    return f"shape mismatch: value tensor of shape {list(have)} cannot be broadcast to " \
           f"indexing result of shape {list(want)}"


copy_slices_op = defop("index_put", "CopySlices", _copy_slices, inputs=("self", "value"),
                       torch="tensor[index] = value", complex_ok=True)


# PyTorch names a write through advanced indices (mask, integer tensor) after index_put_.
index_put_advanced_op = defop("index_put_advanced", "IndexPutBackward0", _copy_slices,
                              inputs=("self", "value"),
                              torch="tensor[mask or int tensor] = value / torch.index_put",
                              complex_ok=True)


@index_put_advanced_op.grad("self")
@copy_slices_op.grad("self")
def _copy_slices_self(g, s, B):
    "grad with zeros at the written positions (grad.index_put(indices, zeros_like(values)))"
    parts = s.index if isinstance(s.index, tuple) else (s.index,)
    if B.tensors and (s._node.op is index_put_advanced_op
                      or any(isinstance(k, np.ndarray) for k in parts)):
        # (an index of arrays, as CopySlices' double backward writes with: reading it gives a
        # copy, not a view to write the zeros through)
        zeros = Tensor._make(np.zeros(s.sizes[1], dtype=g._data.dtype), None, 0, None)
        return index_put_advanced_op(g, zeros, index=s.index)
    if B.tensors:
        # As PyTorch's CopySlices: grad copied into a new tensor (CopyBackwards), then the
        # written region overwritten (through a view) with the write's own self grad, zeros.
        out = Tensor._make(np.empty(s.in_shape, dtype=g._data.dtype), None, 0, None)
        copy_(out, g)
        region = B.getitem(out, s.index)
        copy_(region, Tensor._make(np.zeros(region.shape, dtype=g._data.dtype), None, 0, None))
        return out
    # zeros written, not a mask multiplied: a NaN or inf grad there becomes 0, as PyTorch's
    out = np.array(np.broadcast_to(g, s.in_shape))
    out[s.index] = 0
    return out


@index_put_advanced_op.grad("value")
@copy_slices_op.grad("value")
def _copy_slices_value(g, s, B):
    "grad[index], summed to value's shape"
    return B.getitem(g, s.index)


# ----------------------------------------------------------------------------------------------
# -- gather, scatter, index_select, take --
# ----------------------------------------------------------------------------------------------
def _along(index: np.ndarray, dim: int) -> tuple[np.ndarray, ...]:
    """The advanced index of ``index[i...]`` along ``dim`` (the gather/scatter addressing)."""
    nd = index.ndim
    return tuple(
        index if d == dim else np.arange(n).reshape([-1 if k == d else 1 for k in range(nd)])
        for d, n in enumerate(index.shape)
    )


def _leading(shape: tuple[int, ...]) -> tuple[slice, ...]:
    """The basic index of the leading ``shape`` block of a larger array."""
    return tuple(slice(0, n) for n in shape)


def _check_index(index: np.ndarray, fn: str) -> None:
    if index.dtype.kind not in "iu":
        raise InvalidArgumentError(f"{fn}(): Expected dtype int32/int64 for index")


def _check_bounds(index: np.ndarray, dim: int, n: int) -> None:
    bad = (index < 0) | (index >= n)
    if bad.any():
        raise InvalidArgumentError(
            f"index {int(index[bad].flat[0])} is out of bounds for dimension {dim} with size {n}")


def _check_scatter(fn: str, a: np.ndarray, dim: int, index: np.ndarray,
                   src: np.ndarray | None = None) -> None:
    """PyTorch's gather/scatter shape and bounds checks (index no larger than self and src)."""
    _check_index(index, fn)
    if index.ndim != a.ndim:
        raise InvalidArgumentError(
            "Index tensor must have the same number of dimensions as "
            + ("input tensor" if fn == "gather" else "self tensor"))
    if src is not None and src.ndim != index.ndim:
        raise InvalidArgumentError(
            "Index tensor must have the same number of dimensions as src tensor")
    too_big = any(i > n for d, (i, n) in enumerate(zip(index.shape, a.shape)) if d != dim)
    if fn == "gather":
        if too_big:
            d = next(d for d, (i, n) in enumerate(zip(index.shape, a.shape)) if d != dim and i > n)
            raise ShapeMismatchError(
                f"Size does not match at dimension {d} expected index {list(index.shape)} to be "
                f"no larger than self {list(a.shape)} apart from dimension {dim}")
    elif too_big or (src is not None and any(i > n for i, n in zip(index.shape, src.shape))):
        msg = (f"Expected index {list(index.shape)} to be no larger than self {list(a.shape)} "
               f"apart from dimension {dim}")
        if src is not None:
            msg += f" and to be no larger size than src {list(src.shape)}"
        raise ShapeMismatchError(msg)
    if src is not None and src.dtype != a.dtype:
        raise InvalidArgumentError("scatter(): Expected self.dtype to be equal to src.dtype")
    if a.ndim:
        _check_bounds(index, dim, a.shape[dim])
    elif index.size and index.any():
        _check_bounds(index, dim, 1)


def _gather(a: np.ndarray, dim: int, index: np.ndarray) -> np.ndarray:
    _check_scatter("gather", a, dim, index)
    if not a.ndim:
        return a.copy()
    # The index may be smaller than self in the other dims: gather from that leading block.
    block = a[tuple(slice(None) if d == dim else slice(0, n) for d, n in enumerate(index.shape))]
    return np.take_along_axis(block, index, dim)


gather_op = defop("gather", "GatherBackward0", _gather, save=("self",))


@gather_op.grad("self")
def _gather_self(g, s, B):
    "zeros(self.shape).scatter_add_(dim, index, grad)"
    if B.tensors:  # recorded as PyTorch's gather_backward: ScatterAddBackward0
        return scatter_add_op(_zeros(s.in_shape, g), g, dim=s.dim, index=s.index)
    return B.index_add(g, s.in_shape, _along(s.index, s.dim))


def _zeros(shape: tuple[int, ...], like: Tensor) -> Tensor:
    """A constant zeros tensor of ``like``'s dtype (the buffer PyTorch's formulas write into)."""
    return Tensor._make(np.zeros(shape, dtype=like._data.dtype), None, 0, None)


def _scatter(a: np.ndarray, src: np.ndarray, dim: int, index: np.ndarray) -> np.ndarray:
    _check_scatter("scatter", a, dim, index, src)
    out = a.copy()
    out[_along(index, dim)] = src[_leading(index.shape)]
    return out


def _scatter_value(a: np.ndarray, dim: int, index: np.ndarray, value: Any) -> np.ndarray:
    _check_scatter("scatter", a, dim, index)
    out = a.copy()
    out[_along(index, dim)] = value
    return out


def _scatter_add(a: np.ndarray, src: np.ndarray, dim: int, index: np.ndarray) -> np.ndarray:
    _check_scatter("scatter_add", a, dim, index, src)
    out = a.copy()
    np.add.at(out, _along(index, dim), src[_leading(index.shape)])
    return out


scatter_op = defop("scatter", "ScatterBackward0", _scatter, inputs=("self", "src"),
                   torch="torch.scatter (src tensor)")
scatter_value_op = defop("scatter_value", "ScatterBackward1", _scatter_value,
                         torch="torch.scatter (value)")
scatter_add_op = defop("scatter_add", "ScatterAddBackward0", _scatter_add, inputs=("self", "src"))


@scatter_value_op.grad("self")
@scatter_op.grad("self")
def _scatter_self(g, s, B):
    "grad with zeros at the written positions"
    kept = np.ones(s.in_shape, dtype=bool)
    kept[_along(s.index, s.dim)] = False
    return B.where(kept, g, 0.0)


@scatter_add_op.grad("src")
@scatter_op.grad("src")
def _scatter_src(g, s, B):
    "grad.gather(dim, index)"
    check_src_grad(s, s.index.shape)
    return B.getitem(g, _along(s.index, s.dim))


def check_src_grad(s: Any, index_shape: tuple[int, ...], nr: int = 1) -> None:
    """torch's engine check on the src gradient, ``grad.gather(dim, index)``: shaped as the
    index, it fails when src is larger (the forward used only the index's extent)."""
    src_shape = tuple(s.sizes[nr])
    if tuple(index_shape) != src_shape:
        raise ShapeMismatchError(
            f"Function {s._node.name()} returned an invalid gradient at index {nr} - got "
            f"{list(index_shape)} but expected shape compatible with {list(src_shape)}")


scatter_add_op.grad("self")(_pass_grad)



def _index_select(a: np.ndarray, dim: int, index: np.ndarray) -> np.ndarray:
    if index.ndim > 1:
        raise InvalidArgumentError("index_select(): Index is supposed to be a vector")
    if index.dtype.kind not in "iu":
        raise InvalidArgumentError("index_select(): Expected dtype int32 or int64 for index")
    n = a.shape[dim] if a.ndim else 1
    if index.size and (index.min() < 0 or index.max() >= n):
        raise IndexOutOfRangeError("index out of range in self")
    if not a.ndim:
        return a.reshape(1)[index]
    return np.take(a, index.reshape(-1), axis=dim)


index_select_op = defop("index_select", "IndexSelectBackward0", _index_select, complex_ok=True)


@index_select_op.grad("self")
def _index_select_self(g, s, B):
    "zeros with grad added at the selected positions along dim (index_add)"
    if not len(s.in_shape):
        return B.sum(g)
    key = _basic_index(len(s.in_shape), s.dim, s.index.reshape(-1))
    return B.index_add(g, s.in_shape, key)


def _take(a: np.ndarray, index: np.ndarray) -> np.ndarray:
    if index.dtype.kind not in "iu":
        name = scalar_type_name(index.dtype)
        raise InvalidArgumentError(f"take(): Expected a long tensor for index, but got {name}")
    n = a.size
    bad = (index < -n) | (index >= n)
    if bad.any():
        raise InvalidArgumentError(
            f"out of range: tried to access index {int(index[bad].flat[0])} on a tensor of {n} "
            "elements.")
    return a.reshape(-1)[index]


take_op = defop("take", "TakeBackward0", _take, save=("self",))


@take_op.grad("self")
def _take_self(g, s, B):
    "zeros with grad added at the taken (flat) positions"
    n = max(math.prod(s.in_shape), 1)
    if not len(s.in_shape):
        return B.sum(g)
    return B.index_add(g, s.in_shape, np.unravel_index(s.index % n, s.in_shape))


def _embedding(weight: np.ndarray, indices: np.ndarray, padding_idx: int = -1,
               scale_grad_by_freq: bool = False) -> np.ndarray:
    n = weight.shape[0]
    if indices.size and (indices.min() < 0 or indices.max() >= n):
        raise IndexOutOfRangeError("index out of range in self")
    return weight[indices]


embedding_op = defop("embedding", "EmbeddingBackward0", _embedding, inputs=("weight",),
                     torch="torch.nn.functional.embedding")


@embedding_op.grad("weight")
def _embedding_weight(g, s, B):
    "grad rows added into the rows of weight they were looked up from (not padding_idx)"
    idx = s.indices
    scale = np.ones(idx.shape, dtype=s.dtype)
    if s.scale_grad_by_freq:
        counts = np.bincount(idx.reshape(-1), minlength=s.in_shape[0])
        scale = scale / counts[idx]
    if s.padding_idx >= 0:
        scale = scale * (idx != s.padding_idx)
    gg = g * scale[..., None] if (s.scale_grad_by_freq or s.padding_idx >= 0) else g
    return B.index_add(gg, s.in_shape, (idx,))


def _index_dim_mask(shape: tuple[int, ...], dim: int, index: np.ndarray) -> np.ndarray:
    """True at the positions whose coordinate along ``dim`` is in ``index``."""
    mask = np.zeros(shape, dtype=bool)
    if not shape:
        mask[()] = index.size > 0
    else:
        mask[_basic_index(len(shape), dim, index.reshape(-1))] = True
    return mask


def _index_fill(a: np.ndarray, dim: int, index: np.ndarray, value: Any) -> np.ndarray:
    if index.dtype != np.int64:
        raise InvalidArgumentError("index_fill_(): Expected dtype int64 for index.")
    if index.ndim > 1:
        raise InvalidArgumentError("Index has to be a vector/scalar")
    n = a.shape[dim] if a.ndim else 1
    bad = (index < -n) | (index >= n)
    if bad.any():
        raise InvalidArgumentError(
            f"index {int(index[bad].flat[0])} is out of bounds for dimension {dim} with size {n}")
    out = a.copy()
    out[_index_dim_mask(a.shape, dim, index)] = value
    return out


def _index_fill_tensor(a: np.ndarray, value: np.ndarray, dim: int,
                       index: np.ndarray) -> np.ndarray:
    return _index_fill(a, dim, index, value)


index_fill_op = defop("index_fill", "IndexFillBackward0", _index_fill,
                      torch="torch.index_fill (number value)")
index_fill_tensor_op = defop("index_fill_tensor", "IndexFillBackward1", _index_fill_tensor,
                             inputs=("self", "value"), torch="torch.index_fill (0-d tensor value)")


@index_fill_tensor_op.grad("self")
@index_fill_op.grad("self")
def _index_fill_self(g, s, B):
    "grad.index_fill(dim, index, 0)"
    if B.tensors:
        return index_fill_op(g, dim=s.dim, index=s.index, value=0)
    return B.where(_index_dim_mask(s.in_shape, s.dim, s.index), 0.0, g)


@index_fill_tensor_op.grad("value")
def _index_fill_value(g, s, B):
    "grad.index_select(dim, unique(index)).sum(): the grad at the filled positions, summed"
    if B.tensors and len(s.in_shape):
        return B.sum(index_select_op(g, dim=s.dim, index=np.unique(s.index.reshape(-1))))
    return B.sum(B.where(_index_dim_mask(s.in_shape, s.dim, s.index), g, 0.0))


def _index_add(a: np.ndarray, source: np.ndarray, dim: int, index: np.ndarray,
               alpha: Any = 1) -> np.ndarray:
    if index.ndim > 1:
        raise InvalidArgumentError(
            f"index_add_(): Index is supposed to be a vector, but got dim: {index.ndim} with "
            f"type: {scalar_type_name(index.dtype)} and size: {list(index.shape)}")
    if index.dtype.kind not in "iu":
        raise InvalidArgumentError(
            "index_add_(): Expected dtype int32/int64 for index but got: "
            f"{scalar_type_name(index.dtype)}")
    if a.dtype != source.dtype:
        raise InvalidArgumentError(
            f"index_add_(): self ({scalar_type_name(a.dtype)}) and source "
            f"({scalar_type_name(source.dtype)}) must have the same scalar type")
    if dim != 0 and dim >= source.ndim:
        raise InvalidArgumentError(
            f"index_add_(): Indexing dim {dim} is out of bounds of the source tensor with dim "
            f"{source.ndim}")
    n_src = source.shape[dim] if source.ndim else 1
    if index.size != n_src:
        raise InvalidArgumentError(
            f"index_add_(): Number of indices ({index.size}) should be equal to "
            f"source.size(dim): ({n_src}), for dim: {dim}")
    a_rest, s_rest = list(a.shape), list(source.shape)
    if a.ndim and source.ndim:
        del a_rest[dim], s_rest[dim]
    if a_rest != s_rest:
        raise ShapeMismatchError(
            "source tensor shape must match self tensor shape, excluding the specified "
            f"dimension. Got self.shape = {list(a.shape)} source.shape = {list(source.shape)}")
    n = a.shape[dim] if a.ndim else 1
    _check_bounds(index, dim, n)
    if alpha != 1:
        # As PyTorch: alpha takes self's dtype (an integer tensor truncates it).
        source = source * np.asarray(alpha).astype(a.dtype)
    out = a.copy()
    if not a.ndim:
        out += source
    else:
        np.add.at(out, _basic_index(a.ndim, dim, index.reshape(-1)), source)
    return out


index_add_dim_op = defop("index_add_dim", "IndexAddBackward0", _index_add,
                         inputs=("self", "source"), torch="torch.index_add")
index_add_dim_op.grad("self")(_pass_grad)


@index_add_dim_op.grad("source")
def _index_add_source(g, s, B):
    "alpha * grad.index_select(dim, index)"
    if len(s.in_shape):
        g = B.getitem(g, _basic_index(len(s.in_shape), s.dim, s.index.reshape(-1)))
    return g if s.alpha == 1 else g * s.alpha


def _index_copy(a: np.ndarray, source: np.ndarray, dim: int, index: np.ndarray) -> np.ndarray:
    if index.ndim > 1:
        raise IndexOutOfRangeError(
            f"index_copy_(): Index should have dimension 1 or 0 (got {index.ndim})")
    if index.dtype != np.int64:
        raise InvalidArgumentError("index_copy_(): Expected a long tensor for index, but got "
                                   f"{scalar_type_name(index.dtype)}")
    if a.dtype != source.dtype:
        raise InvalidArgumentError(
            "index_copy_(): self and source expected to have the same dtype, but got (self) "
            f"{scalar_type_name(a.dtype)} and (source) {scalar_type_name(source.dtype)}")
    n_src = source.shape[dim] if source.ndim else 1
    if index.size != n_src:
        raise IndexOutOfRangeError(f"index_copy_(): Number of indices ({index.size}) should be "
                                   f"equal to source.size(dim) ({n_src})")
    a_rest = [n for d, n in enumerate(a.shape) if d != dim]
    s_rest = [n for d, n in enumerate(source.shape) if d != dim]
    if a_rest != s_rest and a.ndim and source.ndim:
        raise InvalidArgumentError(
            "index_copy_(): Source/destination tensor must have same slice shapes. "
            f"Destination slice shape: {' '.join(map(str, a_rest))} at dimension {dim} and "
            f"source slice shape: {' '.join(map(str, s_rest))} at dimension 0.")
    n = a.shape[dim] if a.ndim else 1
    bad = (index < 0) | (index >= n)
    if bad.any():
        raise IndexOutOfRangeError(f"index_copy_(): index {int(index[bad].flat[0])} is out of "
                                   f"bounds for dimension {dim} with size {n}")
    out = a.copy()
    if not a.ndim:
        out[()] = source.reshape(())
    else:
        out[_basic_index(a.ndim, dim, index.reshape(-1))] = source
    return out


index_copy_op = defop("index_copy", "IndexCopyBackward0", _index_copy,
                      inputs=("self", "source"), torch="torch.index_copy")


@index_copy_op.grad("self")
def _index_copy_self(g, s, B):
    "grad.index_fill(dim, index, 0)"
    return B.where(_index_dim_mask(s.in_shape, s.dim, s.index), 0.0, g)


@index_copy_op.grad("source")
def _index_copy_source(g, s, B):
    "grad.index_select(dim, index)"
    if len(s.in_shape):
        g = B.getitem(g, _basic_index(len(s.in_shape), s.dim, s.index.reshape(-1)))
        if len(s.sizes[1]) == 0:
            g = B.reshape(g, ())
    return g


# ==============================================================================================
# torch-level functions
# ==============================================================================================


# ----------------------------------------------------------------------------------------------
# indexing
# ----------------------------------------------------------------------------------------------
def _index_parts(x: Tensor, key: Any) -> tuple[list[tuple[str, Any]], tuple[Any, ...] | None]:
    """Split an index into basic steps (select/slice/unsqueeze) and an advanced remainder."""
    if not isinstance(key, tuple):
        key = (key,)
    key = tuple(k._data if isinstance(k, Tensor) else k for k in key)
    key = tuple(np.asarray(k) if isinstance(k, list) else k for k in key)
    n_ell = _py_sum(1 for k in key if k is Ellipsis)
    if n_ell > 1:
        raise InvalidArgumentError("an index can only have a single ellipsis ('...')")
    consumed = _py_sum(
        (k.ndim if isinstance(k, np.ndarray) and k.dtype == bool else 1)
        for k in key if k is not None and k is not Ellipsis
    )
    nd = x._data.ndim
    if consumed > nd:
        raise InvalidArgumentError(
            f"too many indices for tensor of dimension {nd}"
        )
    expanded: list[Any] = []
    for k in key:
        if k is Ellipsis:
            expanded.extend([slice(None)] * (nd - consumed))
        else:
            expanded.append(k)
    steps: list[tuple[str, Any]] = []
    advanced: list[Any] = []
    has_adv = False
    dim = 0  # the dimension of the intermediate result the next key applies to
    for pos, k in enumerate(expanded):
        if k is None:
            steps.append(("unsqueeze", dim))
            advanced.append(slice(None))
            dim += 1
        elif isinstance(k, bool):
            raise InvalidArgumentError("indexing with a Python bool is not supported by adcli")
        elif isinstance(k, int | np.integer):
            # (torch's message names the index's place in the key: x[None, 5] is dimension 1)
            steps.append(("select", (dim, int(k), pos)))
        elif isinstance(k, slice):
            if k != slice(None):
                steps.append(("slice", (dim, k)))
            advanced.append(slice(None))
            dim += 1
        elif isinstance(k, np.ndarray):
            if k.dtype.kind not in "iub":
                raise InvalidArgumentError(
                    "tensors used as indices must be long, int, byte or bool tensors"
                )
            has_adv = True
            advanced.append(k)
            dim += k.ndim if k.dtype == bool else 1
        else:
            raise InvalidArgumentError(
                f"only integers, slices (`:`), ellipsis (`...`), None and long or bool tensors "
                f"are valid indices (got {type(k).__name__})"
            )
    return steps, (tuple(advanced) if has_adv else None)


def getitem(x: Tensor, key: Any) -> Tensor:
    """``x[key]``: a chain of Select/Slice/Unsqueeze nodes, then IndexBackward0 if advanced."""
    steps, adv = _index_parts(x, key)
    out = x
    for kind, arg in steps:
        if kind == "unsqueeze":
            out = unsqueeze_op(out, dim=arg)
        elif kind == "select":
            d, i, pos = arg
            n = out._data.shape[d]
            if not -n <= i < n:
                raise IndexOutOfRangeError(
                    f"index {i} is out of bounds for dimension {pos} with size {n}"
                )
            out = select_op(out, dim=d, index=i % n)
        else:
            d, sl = arg
            start, stop, step = sl.indices(out._data.shape[d])
            if sl.step is not None and sl.step <= 0:
                raise InvalidArgumentError("step must be greater than zero")
            out = slice_op(out, dim=d, start=start, stop=_py_max(stop, start), step=step)
    if not steps and adv is None:
        out = slice_op(x, dim=0, start=0, stop=x._data.shape[0], step=1) if x._data.ndim else x
    if adv is not None:
        for dim_k, (k, n) in enumerate(zip(adv, out._data.shape)):
            if isinstance(k, np.ndarray) and k.dtype.kind in "iu" and k.size and (
                    k.max() >= n or k.min() < -n):
                bad = int(k.max() if k.max() >= n else k.min())
                raise IndexOutOfRangeError(
                    f"index {bad} is out of bounds for dimension {dim_k} with size {n}")
        out = index_op(out, index=adv)
    return out


def setitem(x: Tensor, key: Any, value: Any) -> None:
    """``x[key] = value`` in place (CopySlices), with PyTorch's leaf and version rules."""
    index_tensors = [k for k in (key if isinstance(key, tuple) else (key,))
                     if isinstance(k, Tensor) and k._data.ndim]
    if isinstance(key, Tensor):
        key = key._data
    if isinstance(key, tuple):
        key = tuple(k._data if isinstance(k, Tensor) else k for k in key)
    v = as_tensor(value, x)
    try:
        x._data[key]
    except IndexError as exc:
        raise InvalidArgumentError(str(exc)) from None
    # A private copy of index tensors: a later in-place write to the mask must not change
    # which positions the backward zeroes (torch would refuse it by version; adcli keeps the
    # index as it was at the write).
    if isinstance(key, np.ndarray):
        key = key.copy()
    elif isinstance(key, tuple):
        key = tuple(k.copy() if isinstance(k, np.ndarray) else k for k in key)
    parts = key if isinstance(key, tuple) else (key,)
    # torch writes a 0-d bool mask through a view (unsqueeze, then a slice): CopySlices
    view_write = isinstance(key, np.ndarray) and key.ndim == 0 and key.dtype == bool
    if (x.requires_grad and x.grad_fn is None and is_grad_enabled()
            and (view_write
                 or not builtins.any(isinstance(k, np.ndarray | list) for k in parts))):
        # PyTorch writes basic indices through a view (x[0].copy_(v)), so it names the view.
        err = LeafInplaceError()
        err.args = ("a view of a leaf Variable that requires grad is being used in an in-place "
                    "operation.",)
        raise err
    if not view_write and builtins.any(isinstance(k, np.ndarray | list) for k in parts):
        index_put_advanced_op.inplace(x, v, index=key)
        _save_indices(x, index_tensors)
    else:
        copy_slices_op.inplace(x, v, index=key)


def _save_indices(x: Tensor, index_tensors: list[Tensor]) -> None:
    """As torch's IndexPutBackward0 saves ``indices``: a later in-place write to a mask or
    index tensor makes backward fail its version check, with torch's message."""
    node = x.grad_fn
    if node is None or not index_tensors or getattr(node, "op", None) is not index_put_advanced_op:
        return
    saved = node._saved if node._saved is not None else {}
    for i, t in enumerate(index_tensors):
        st = SavedTensor.__new__(SavedTensor)
        st.data, st.vc, st.version = t._data, t._vc, t._vc[0]
        st.is_output, st.output_nr, st.tensor, st.view_fn = False, t._output_nr, t, None
        saved[f"indices{i}"] = st
    node._saved = saved


def _index_arg(index: Any) -> np.ndarray:
    # A private copy: a later in-place write to the index tensor must not change the backward.
    return np.array(index._data if isinstance(index, Tensor) else index)


def gather(input: Tensor, dim: int, index: Tensor, *, sparse_grad: bool = False) -> Tensor:
    return gather_op(input, dim=_scan_dim(input, dim), index=_index_arg(index))


def scatter(input: Tensor, dim: int, index: Tensor, src: Any = None, *, value: Any = None,
            reduce: str | None = None) -> Tensor:
    if reduce is not None:
        raise InvalidArgumentError("scatter: reduce= is not supported by adcli")
    d = _scan_dim(input, dim)
    if isinstance(src, Tensor):
        return scatter_op(input, src, dim=d, index=_index_arg(index))
    fill = value if src is None else src
    if fill is None:
        raise InvalidArgumentError("scatter() missing the src tensor or the value")
    return scatter_value_op(input, dim=d, index=_index_arg(index), value=fill)


def scatter_add(input: Tensor, dim: int, index: Tensor, src: Tensor) -> Tensor:
    return scatter_add_op(input, as_tensor(src, input), dim=_scan_dim(input, dim),
                         index=_index_arg(index))


def index_select(input: Tensor, dim: int, index: Tensor) -> Tensor:
    return index_select_op(input, dim=_scan_dim(input, dim), index=_index_arg(index))


def take(input: Tensor, index: Tensor) -> Tensor:
    return take_op(input, index=_index_arg(index))


def repeat_interleave(input: Tensor, repeats: Any, dim: int | None = None, *,
                      output_size: int | None = None) -> Tensor:
    x = flatten(input) if dim is None else input
    d = 0 if dim is None else _wrap_dim(dim, x._data.ndim)
    if isinstance(repeats, Tensor):
        # As PyTorch: tensor repeats select with the repeated positions (IndexSelectBackward0).
        reps = repeats._data
        if reps.ndim > 1:
            raise InvalidArgumentError("repeats must be 0-dim or 1-dim tensor")
        n = x._data.shape[d] if x._data.ndim else 1
        reps = reps.reshape(-1)
        if reps.size == 1:
            reps = np.repeat(reps, n)
        if reps.size != n:
            raise InvalidArgumentError(
                f"repeats must have the same size as input along dim, but got "
                f"repeats.size(0) = {reps.size} and input.size({d}) = {n}")
        if (reps < 0).any():
            raise InvalidArgumentError("repeats can not be negative")
        # Before allocating: the repeats are data and may sum to anything.
        check_shape((*x._data.shape[:d], int(reps.sum(dtype=object)), *x._data.shape[d + 1:]))
        return index_select_op(x, dim=d, index=np.repeat(np.arange(n), reps))
    r = int(repeats)
    if r < 0:
        raise InvalidArgumentError("Repeats must be non-negative")
    # As PyTorch: unsqueeze, expand, a contiguous copy, and a flatten of the two dims.
    u = unsqueeze(x, d + 1)
    shape = list(u.shape)
    shape[d + 1] = r
    return flatten(contiguous_copy(expand(u, tuple(shape))), d, d + 1)


# -- what formulas call under create_graph=True (B.<name>, where it differs from torch.<name>) --
def _B_getitem(x: Tensor, index: Any) -> Tensor:
    return getitem(x, index)


def _B_index_add(g: Tensor, shape: tuple[int, ...], index: Any, unique: bool = False) -> Tensor:
    return index_add_op(g, shape=tuple(shape), index=index)


def index_fill(input: Tensor, dim: int, index: Tensor, value: Any) -> Tensor:
    d, idx = _scan_dim(input, dim), _index_arg(index)
    if isinstance(value, Tensor):
        _check_0d_value(value, "index_fill_")
        return index_fill_tensor_op(input, value, dim=d, index=idx)
    return index_fill_op(input, dim=d, index=idx, value=value)


def _check_0d_value(value: Tensor, op: str) -> None:
    if value._data.ndim:
        raise InvalidArgumentError(
            f"{op} only supports a 0-dimensional value tensor, but got tensor with "
            f"{value._data.ndim} dimension(s).")


def _source_arg(source: Any) -> Tensor:
    if not isinstance(source, Tensor):
        raise InvalidArgumentError(
            "index_add(): argument 'source' (position 3) must be Tensor, not "
            f"{type(source).__name__}")
    return source


def index_add(input: Tensor, dim: int, index: Tensor, source: Tensor, *,
              alpha: Any = 1) -> Tensor:
    return index_add_dim_op(input, _source_arg(source), dim=_scan_dim(input, dim),
                           index=_index_arg(index), alpha=alpha)


def scatter_(self: Tensor, dim: int, index: Tensor, src: Any = None, *, value: Any = None,
             reduce: str | None = None) -> Tensor:
    if reduce is not None:
        raise InvalidArgumentError("scatter_: reduce= is not supported by adcli")
    d = _scan_dim(self, dim)
    if isinstance(src, Tensor):
        return scatter_op.inplace(self, src, dim=d, index=_index_arg(index))
    fill = value if src is None else src
    if fill is None:
        raise InvalidArgumentError("scatter_() missing the src tensor or the value")
    return scatter_value_op.inplace(self, dim=d, index=_index_arg(index), value=fill)


def scatter_add_(self: Tensor, dim: int, index: Tensor, src: Tensor) -> Tensor:
    return scatter_add_op.inplace(self, as_tensor(src, self), dim=_scan_dim(self, dim),
                                 index=_index_arg(index))


def index_fill_(self: Tensor, dim: int, index: Tensor, value: Any) -> Tensor:
    d, idx = _scan_dim(self, dim), _index_arg(index)
    if isinstance(value, Tensor):
        _check_0d_value(value, "index_fill_")
        return index_fill_tensor_op.inplace(self, value, dim=d, index=idx)
    return index_fill_op.inplace(self, dim=d, index=idx, value=value)


def index_add_(self: Tensor, dim: int, index: Tensor, source: Tensor, *,
               alpha: Any = 1) -> Tensor:
    return index_add_dim_op.inplace(self, _source_arg(source), dim=_scan_dim(self, dim),
                                   index=_index_arg(index), alpha=alpha)


def _copy_args(input: Tensor, dim: int, index: Any, source: Any, name: str,
               position: int) -> tuple[Tensor, dict[str, Any]]:
    if not isinstance(source, Tensor):
        raise TypeError(f"{name}(): argument 'source' (position {position}) must be Tensor, "
                        f"not {type(source).__name__}")
    return source, {"dim": _wrap_dim(dim, input._data.ndim), "index": _index_arg(index)}


def index_copy(input: Tensor, dim: int, index: Tensor, source: Tensor) -> Tensor:
    """``input`` with its slices at ``index`` along ``dim`` replaced by ``source``'s."""
    src, attrs = _copy_args(input, dim, index, source, "index_copy", 4)
    return index_copy_op(input, src, **attrs)


def _index_copy_method(self: Tensor, dim: int, index: Tensor, source: Tensor) -> Tensor:
    src, attrs = _copy_args(self, dim, index, source, "index_copy", 3)
    return index_copy_op(self, src, **attrs)


def index_copy_(self: Tensor, dim: int, index: Tensor, source: Tensor) -> Tensor:
    """In place: ``self``'s slices at ``index`` along ``dim`` become ``source``'s."""
    src, attrs = _copy_args(self, dim, index, source, "index_copy_", 3)
    return index_copy_op.inplace(self, src, **attrs)


# ==============================================================================================
# torch.nn.functional
# ==============================================================================================


def one_hot(tensor: Tensor, num_classes: int = -1) -> Tensor:
    """An int64 tensor of shape ``(*tensor.shape, num_classes)``; no gradient."""
    t = as_tensor(tensor)
    idx = t._data
    if idx.dtype != np.int64:
        raise InvalidArgumentError(
            "one_hot is only applicable to index tensor of type LongTensor.")
    if idx.size == 0:
        if num_classes <= 0:
            raise InvalidArgumentError(
                "Can not infer total number of classes from empty tensor.")
    else:
        if idx.min() < 0:
            raise InvalidArgumentError("Class values must be non-negative.")
        if num_classes == -1:
            num_classes = int(idx.max()) + 1
        elif num_classes <= idx.max():
            raise InvalidArgumentError("Class values must be smaller than num_classes.")
    check_shape((*idx.shape, num_classes))  # before allocating: num_classes is user input
    out = (idx[..., None] == np.arange(num_classes)).astype(np.int64)
    return Tensor._make(out, None, 0, None)


def embedding(input: Tensor, weight: Tensor, padding_idx: int | None = None,
              max_norm: float | None = None, norm_type: float = 2.0,
              scale_grad_by_freq: bool = False, sparse: bool = False) -> Tensor:
    """``weight[input]``: rows looked up by index (EmbeddingBackward0)."""
    if sparse:
        raise InvalidArgumentError("embedding: sparse is not supported by adcli")
    if max_norm is not None:  # rows renormed in place first, without recording, as torch
        from .embedding_bag import embedding_renorm_

        embedding_renorm_(weight, input, max_norm, norm_type)
    idx = as_tensor(input)._data
    if idx.dtype.kind not in "iu":
        from .. import dtypes

        legacy = dtypes.from_numpy(idx.dtype).legacy
        raise InvalidArgumentError(
            "Expected tensor for argument #1 'indices' to have one of the following scalar types: "
            f"Long, Int; but got torch.{legacy} instead (while checking arguments for embedding)")
    if weight._data.ndim != 2:
        raise InvalidArgumentError("'weight' must be 2-D")
    n = weight.shape[0]
    if padding_idx is None:
        padding_idx = -1
    elif padding_idx >= 0:
        if padding_idx >= n:
            raise InvalidArgumentError("Padding_idx must be within num_embeddings")
    else:
        if padding_idx < -n:
            raise InvalidArgumentError("Padding_idx must be within num_embeddings")
        padding_idx = n + padding_idx
    return embedding_op(weight, indices=idx.astype(np.int64, copy=False), padding_idx=padding_idx,
                       scale_grad_by_freq=scale_grad_by_freq)


# ==============================================================================================
# the names this family adds: torch.<name>, Tensor.<name>, torch.nn.functional.<name>
# ==============================================================================================
# (scatter and scatter_ are exported by ops/index_write.py, which adds their reduce= form)
TORCH: dict[str, Any] = {
    "gather": gather, "scatter_add": scatter_add,
    "index_select": index_select, "take": take,
    "repeat_interleave": repeat_interleave, "index_fill": index_fill, "index_add": index_add,
    "index_copy": index_copy,
}

METHODS: dict[str, Any] = {
    "gather": gather, "scatter_add": scatter_add,
    "index_select": index_select, "take": take,
    "repeat_interleave": repeat_interleave, "index_fill": index_fill, "index_add": index_add,
    "scatter_add_": scatter_add_,
    "index_fill_": index_fill_, "index_add_": index_add_, "index_copy": _index_copy_method,
    "index_copy_": index_copy_,
}

FUNCTIONAL: dict[str, Any] = {
    "one_hot": one_hot, "embedding": embedding,
}
