"""The view-copy functions (``torch.permute_copy``, ``view_copy``, ..., ``as_strided_copy``),
``narrow_copy``, and the splitting functions built on slices (``tensor_split``,
``hsplit``/``vsplit``/``dsplit``, ``split_with_sizes``, ``unsafe_split_with_sizes``) and
``ravel``.

A ``<view>_copy`` op is its view op's forward made a new contiguous tensor, with the view's
derivative formula and torch's grad_fn name (``PermuteBackward0_copy``): one table entry per
view op, made from it here, not a second implementation.
"""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np

from ..errors import IndexOutOfRangeError, InvalidArgumentError, InvalidTypeError
from ..grad_mode import no_grad
from ..op import OpDef, defop
from ..tensor import Tensor, _wrap_dim
from .arithmetic import NotImplementedOp
from .arrange import diagonal_copy_op  # (torch.diag of a matrix records it)
from .common import _pass_grad, _py_sum, _shape_arg
from .conversion import _contiguous
from .shape import (
    _infer_shape,
    _squeeze_by,
    _unbind_with,
    expand,
    expand_op,
    permute_op,
    select_op,
    slice_op,
    split,
    split_op,
    split_sizes_op,
    squeeze_dim_op,
    squeeze_dims_op,
    squeeze_op,
    t_op,
    transpose_op,
    unbind_op,
    unsafe_split_op,
    unsqueeze_op,
    view_op,
)
from .strided import _strided_attrs, as_strided_view_op, unfold, unfold_op

# ==============================================================================================
# the table: forwards and derivative formulas
# ==============================================================================================


def _copy_of(view: OpDef, name: str, backward_name: str | None = None) -> OpDef:
    """The table op ``name``: ``view``'s forward copied into a new contiguous array, with
    ``view``'s formulas."""
    fwd = view.forward

    if view.multi_output:
        def forward(*arrays: Any, **attrs: Any) -> Any:
            return [np.array(p, copy=True, order="C") for p in fwd(*arrays, **attrs)]
    else:
        def forward(*arrays: Any, **attrs: Any) -> Any:
            return np.array(fwd(*arrays, **attrs), copy=True, order="C")

    forward.__name__ = name
    op = defop(name, backward_name or view.backward_name + "_copy", forward,
               inputs=view.inputs, multi_output=view.multi_output, torch=f"torch.{name}")
    for inp, fn in view.grads.items():
        op.grad(inp)(fn)
    if view.backward_all is not None:
        op.grad_all(view.backward_all)
    return op


view_copy_op = _copy_of(view_op, "view_copy")
permute_copy_op = _copy_of(permute_op, "permute_copy")
t_copy_op = _copy_of(t_op, "t_copy")
transpose_copy_op = _copy_of(transpose_op, "transpose_copy")
expand_copy_op = _copy_of(expand_op, "expand_copy")
squeeze_copy_op = _copy_of(squeeze_op, "squeeze_copy")
squeeze_dim_copy_op = _copy_of(squeeze_dim_op, "squeeze_dim_copy")
squeeze_dims_copy_op = _copy_of(squeeze_dims_op, "squeeze_dims_copy")
unsqueeze_copy_op = _copy_of(unsqueeze_op, "unsqueeze_copy")
select_copy_op = _copy_of(select_op, "select_copy")
slice_copy_op = _copy_of(slice_op, "slice_copy")
narrow_copy_op = _copy_of(slice_op, "narrow_copy", "NarrowCopyBackward0")
split_copy_op = _copy_of(split_op, "split_copy")
split_with_sizes_copy_op = _copy_of(split_sizes_op, "split_with_sizes_copy")
unbind_copy_op = _copy_of(unbind_op, "unbind_copy")
unfold_copy_op = _copy_of(unfold_op, "unfold_copy")
as_strided_copy_op = _copy_of(as_strided_view_op, "as_strided_copy", "AsStridedBackward0_copy")
alias_copy_op = defop("alias_copy", "AliasBackward0_copy",
                      lambda a: np.array(a, copy=True, order="C"))
alias_copy_op.grad("self")(_pass_grad)
# torch.unsafe_split_with_sizes: split_with_sizes whose pieces autograd does not track as views
unsafe_split_sizes_op = defop("unsafe_split_with_sizes", "UnsafeSplitWithSizesBackward0",
                              unsafe_split_op.forward, multi_output=True,
                              torch="torch.unsafe_split_with_sizes")
unsafe_split_sizes_op.grad("self")(unsafe_split_op.grads["self"])
# torch.detach_copy has no derivative: it records NotImplemented, whose backward raises
detach_copy_ni_op = NotImplementedOp("detach_copy", "aten::detach_copy",
                                     lambda a: np.array(a, copy=True, order="C"),
                                     inputs=("self",))


# ==============================================================================================
# the public functions
# ==============================================================================================
def view_copy(input: Tensor, size: Any) -> Tensor:
    target = _infer_shape(_shape_arg((size,)), input._data.size)
    return view_copy_op(input, shape=target)


def permute_copy(input: Tensor, dims: Any) -> Tensor:
    nd = input._data.ndim
    return permute_copy_op(input, dims=tuple(_wrap_dim(d, nd) for d in _shape_arg((dims,))))


def t_copy(input: Tensor) -> Tensor:
    return t_copy_op(input)


def transpose_copy(input: Tensor, dim0: int, dim1: int) -> Tensor:
    nd = input._data.ndim
    return transpose_copy_op(input, dim0=_wrap_dim(dim0, nd), dim1=_wrap_dim(dim1, nd))


def expand_copy(input: Tensor, size: Any, *, implicit: bool = False) -> Tensor:
    with no_grad():  # expand checks the sizes and resolves -1
        shape = tuple(expand(input, *_shape_arg((size,))).shape)
    return expand_copy_op(input, shape=shape)


def squeeze_copy(input: Tensor, dim: Any = None) -> Tensor:
    return _squeeze_by((squeeze_copy_op, squeeze_dims_copy_op, squeeze_dim_copy_op), input, dim)


def unsqueeze_copy(input: Tensor, dim: int) -> Tensor:
    return unsqueeze_copy_op(input, dim=_wrap_dim(dim, input._data.ndim + 1))


def select_copy(input: Tensor, dim: int, index: int) -> Tensor:
    d = _wrap_dim(dim, input._data.ndim)
    n = input._data.shape[d]
    if not -n <= index < n:
        raise IndexOutOfRangeError(
            f"select(): index {index} out of range for tensor of size "
            f"{list(input._data.shape)} at dimension {d}")
    return select_copy_op(input, dim=d, index=int(index) % n)


def slice_copy(input: Tensor, dim: int = 0, start: Any = None, end: Any = None,
               step: int = 1) -> Tensor:
    if not input._data.ndim:
        raise IndexOutOfRangeError("slice() cannot be applied to a 0-dim tensor.")
    d = _wrap_dim(dim, input._data.ndim)
    n = input._data.shape[d]
    begin, stop, _ = slice(start, end, step).indices(n)
    if step <= 0:
        raise InvalidArgumentError("slice step must be positive")
    return slice_copy_op(input, dim=d, start=begin, stop=max(begin, stop), step=int(step))


def narrow_copy(input: Tensor, dim: int, start: Any, length: int) -> Tensor:
    """torch's narrow_copy: its own checks, in its order (narrow_copy_dense_cpu_out), which
    differ from narrow's: a too-large dim and a negative length get other messages."""
    nd = input._data.ndim
    if nd == 0:
        raise InvalidArgumentError("narrow() cannot be applied to a 0-dim tensor.")
    if dim >= nd:  # (only a negative dim is wrapped, with the usual IndexError)
        raise InvalidArgumentError(
            "Expected dim < static_cast<int64_t>(self_sizes.size()) to be true, but got false.  "
            "(Could this error message be improved?  If so, please report an enhancement "
            "request to PyTorch.)")
    d = _wrap_dim(dim, nd)
    if isinstance(start, Tensor):
        start = start.item()
    start, length = int(start), int(length)
    n = input._data.shape[d]
    if not -n <= start <= n:
        raise IndexOutOfRangeError(
            f"start out of range (expected to be in range of [{-n}, {n}], but got {start})")
    if start < 0:  # wrapped, as narrow
        start += n
    if length < 0 or start > n - length:
        raise InvalidArgumentError(
            f"start ({start}) + length ({length}) exceeds dimension size ({n}).")
    return narrow_copy_op(input, dim=d, start=start, stop=start + length, step=1)


def split_copy(input: Tensor, split_size: int, dim: int = 0) -> tuple[Tensor, ...]:
    if not isinstance(split_size, int) or isinstance(split_size, bool):
        raise InvalidTypeError(f"split_copy(): argument 'split_size' (position 2) must be int, "
                               f"not {type(split_size).__name__}")
    with no_grad():
        pieces = split(input, split_size, dim)
    d = _wrap_dim(dim, input._data.ndim)
    return split_copy_op(input, sizes=tuple(p._data.shape[d] for p in pieces), dim=d)


def split_with_sizes_copy(input: Tensor, split_sizes: Any, dim: int = 0) -> tuple[Tensor, ...]:
    sizes = _sizes(input, split_sizes, dim)
    return split_with_sizes_copy_op(input, sizes=sizes, dim=_wrap_dim(dim, input._data.ndim))


def diagonal_copy(input: Tensor, offset: int = 0, dim1: int = 0, dim2: int = 1) -> Tensor:
    nd = input._data.ndim
    d1, d2 = _wrap_dim(dim1, nd), _wrap_dim(dim2, nd)
    if d1 == d2:
        raise InvalidArgumentError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    return diagonal_copy_op(input, offset=int(offset), dim1=d1, dim2=d2)


def unbind_copy(input: Tensor, dim: int = 0) -> tuple[Tensor, ...]:
    return _unbind_with(unbind_copy_op, input, dim)


def unfold_copy(input: Tensor, dimension: int, size: int, step: int) -> Tensor:
    with no_grad():  # unfold checks the arguments
        unfold(input, dimension, size, step)
    d = _wrap_dim(dimension, max(input._data.ndim, 1))
    return unfold_copy_op(input, dimension=d, size=int(size), step=int(step))


def as_strided_copy(input: Tensor, size: Any, stride: Any, storage_offset: Any = None) -> Tensor:
    return as_strided_copy_op(input, **_strided_attrs(input, size, stride, storage_offset))


def alias_copy(input: Tensor) -> Tensor:
    return alias_copy_op(input)


def detach_copy(input: Tensor) -> Tensor:
    return detach_copy_ni_op(input)


def indices_copy(input: Tensor) -> Tensor:
    raise InvalidArgumentError("indices expected sparse coordinate tensor layout but got "
                               "Strided")


def values_copy(input: Tensor) -> Tensor:
    raise InvalidArgumentError("values expected sparse tensor layout but got Strided")


# -- splits ------------------------------------------------------------------------------------
def _sizes(input: Tensor, split_sizes: Any, dim: int) -> tuple[int, ...]:
    if not input._data.ndim:
        raise InvalidArgumentError("split expects at least a 1-dimensional tensor")
    d = _wrap_dim(dim, input._data.ndim)
    n = input._data.shape[d]
    sizes = tuple(int(s) for s in split_sizes)
    if _py_sum(sizes) != n or any(s < 0 for s in sizes):
        raise InvalidArgumentError(
            f"split_with_sizes expects split_sizes to sum exactly to {n} (input tensor's size "
            f"at dimension {d}), but got split_sizes={list(sizes)}")
    return sizes


def split_with_sizes(input: Tensor, split_sizes: Any, dim: int = 0) -> tuple[Tensor, ...]:
    sizes = _sizes(input, split_sizes, dim)
    return split_sizes_op(input, sizes=sizes, dim=_wrap_dim(dim, input._data.ndim))


def unsafe_split_with_sizes(input: Tensor, split_sizes: Any,
                            dim: int = 0) -> tuple[Tensor, ...]:
    sizes = _sizes(input, split_sizes, dim)
    return unsafe_split_sizes_op(input, sizes=sizes, dim=_wrap_dim(dim, input._data.ndim))


def tensor_split(input: Tensor, indices_or_sections: Any, dim: int = 0) -> tuple[Tensor, ...]:
    """``torch.tensor_split``: pieces that are slices (SliceBackward0 views), by a number of
    sections (the first ``n % sections`` one longer) or at indices."""
    nd = input._data.ndim
    if not nd:
        raise InvalidArgumentError(f"tensor_split expected at least a 1-dimensional tensor, but "
                                   f"got a tensor with {nd} dims")
    ios = indices_or_sections
    if isinstance(ios, Tensor):
        if ios._data.ndim > 1:
            raise InvalidArgumentError(
                "tensor_split expected tensor_indices_or_sections to be a zero-dimensional or "
                f"one-dimensional tensor, but got a tensor with {ios._data.ndim} dims")
        if ios._data.dtype != np.int64:
            from ..dtypes import scalar_type_name

            raise InvalidArgumentError(
                "tensor_split expected tensor_indices_or_sections to have dtype of long, but "
                f"got {scalar_type_name(ios._data.dtype)}")
        ios = int(ios._data) if not ios._data.ndim else [int(i) for i in ios._data]
    d = _wrap_dim(dim, nd)
    n = input._data.shape[d]
    if isinstance(ios, bool) or not isinstance(ios, int | list | tuple):
        raise InvalidTypeError(
            "tensor_split() received an invalid combination of arguments - got (Tensor, "
            f"{type(ios).__name__}), but expected one of:\n * (Tensor input, tuple of ints "
            "indices, int dim = 0)\n * (Tensor input, Tensor tensor_indices_or_sections, int "
            "dim = 0)\n * (Tensor input, int sections, int dim = 0)\n")
    if isinstance(ios, int):
        if ios <= 0:
            raise InvalidArgumentError(f"number of sections must be larger than 0, got {ios}")
        size, extra = divmod(n, ios)
        bounds, start = [], 0
        for i in range(ios):
            stop = start + size + (1 if i < extra else 0)
            bounds.append((start, stop))
            start = stop
    else:
        def wrap(i: int) -> int:  # a slice bound, as Tensor.slice wraps and clamps it
            return min(i, n) if i >= 0 else max(i + n, 0)

        cuts = [0, *(wrap(int(i)) for i in ios), n]
        bounds = list(itertools.pairwise(cuts))
    return tuple(slice_op(input, dim=d, start=a, stop=max(a, b), step=1) for a, b in bounds)


def _nsplit(input: Tensor, ios: Any, dim: int, fn: str, need: int) -> tuple[Tensor, ...]:
    nd = input._data.ndim
    if nd < need:
        raise InvalidArgumentError(f"torch.{fn} requires a tensor with at least {need} "
                                   f"dimension, but got a tensor with {nd} dimensions!")
    if isinstance(ios, int) and not isinstance(ios, bool):
        n = input._data.shape[dim]
        if ios == 0 or n % ios:
            raise InvalidArgumentError(
                f"torch.{fn} attempted to split along dimension {dim}, but the size of the "
                f"dimension {n} is not divisible by the split_size {ios}!")
    return tensor_split(input, ios, dim)


def hsplit(input: Tensor, indices_or_sections: Any) -> tuple[Tensor, ...]:
    if input._data.ndim < 1:
        raise InvalidArgumentError("torch.hsplit requires a tensor with at least 1 dimension, "
                                   "but got a tensor with 0 dimensions!")
    return _nsplit(input, indices_or_sections, 1 if input._data.ndim > 1 else 0, "hsplit", 1)


def vsplit(input: Tensor, indices_or_sections: Any) -> tuple[Tensor, ...]:
    return _nsplit(input, indices_or_sections, 0, "vsplit", 2)


def dsplit(input: Tensor, indices_or_sections: Any) -> tuple[Tensor, ...]:
    return _nsplit(input, indices_or_sections, 2, "dsplit", 3)


def ravel(input: Tensor) -> Tensor:
    """``torch.ravel``: ``contiguous().view(-1)`` (CloneBackward0 where it copies)."""
    return view_op(_contiguous(input), shape=(input._data.size,))


# ==============================================================================================
# the names this family adds: torch.<name>, Tensor.<name>, torch.nn.functional.<name>
# ==============================================================================================
TORCH: dict[str, Any] = {
    "view_copy": view_copy, "permute_copy": permute_copy, "t_copy": t_copy,
    "transpose_copy": transpose_copy, "expand_copy": expand_copy, "squeeze_copy": squeeze_copy,
    "unsqueeze_copy": unsqueeze_copy, "select_copy": select_copy, "slice_copy": slice_copy,
    "split_copy": split_copy, "split_with_sizes_copy": split_with_sizes_copy,
    "diagonal_copy": diagonal_copy, "detach_copy": detach_copy, "narrow_copy": narrow_copy,
    "unbind_copy": unbind_copy, "alias_copy": alias_copy, "unfold_copy": unfold_copy,
    "as_strided_copy": as_strided_copy, "indices_copy": indices_copy,
    "values_copy": values_copy, "tensor_split": tensor_split, "hsplit": hsplit,
    "vsplit": vsplit, "dsplit": dsplit, "split_with_sizes": split_with_sizes,
    "unsafe_split_with_sizes": unsafe_split_with_sizes, "ravel": ravel,
}

METHODS: dict[str, Any] = {
    "narrow_copy": narrow_copy, "tensor_split": tensor_split, "hsplit": hsplit,
    "vsplit": vsplit, "dsplit": dsplit, "split_with_sizes": split_with_sizes,
    "unsafe_split_with_sizes": unsafe_split_with_sizes, "ravel": ravel,
}

FUNCTIONAL: dict[str, Any] = {}
