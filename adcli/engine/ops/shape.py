"""Shape and views: view/reshape, squeeze/unsqueeze, transpose/permute, expand, cat/stack,
split/chunk/unbind, select/narrow, movedim, diagonal, flip, roll, tril/triu, repeat.
(Padding is its own family: ``padding.py``.)
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from .. import dtypes
from ..errors import (
    IndexOutOfRangeError,
    InvalidArgumentError,
    InvalidTypeError,
    ShapeMismatchError,
)
from ..grad_mode import no_grad
from ..layout import dense
from ..limits import check_shape
from ..op import OpDef, defop
from ..tensor import Tensor, _wrap_dim
from .common import _dim_list, _dims, _int_list, _py_min, _py_sum, _shape_arg, as_tensor
from .conversion import contiguous_copy
from .kernels import kernel_op

# ==============================================================================================
# the table: forwards and derivative formulas
# ==============================================================================================


# ----------------------------------------------------------------------------------------------
# views and shape
# ----------------------------------------------------------------------------------------------
def _view(a: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    try:
        return a.reshape(shape)
    except ValueError:
        raise ShapeMismatchError(
            f"shape '{list(shape)}' is invalid for input of size {a.size}"
        ) from None


view_op = defop("view", "ViewBackward0", _view, view=True,
                torch="torch.reshape / Tensor.view / flatten", complex_ok=True)


@view_op.grad("self")
def _view_self(g, s, B):
    "grad reshaped to self's shape"
    return B.reshape(g, s.in_shape)


def _unsafe_view(a: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    return a.reshape(shape)


reshape_alias_op = defop("_reshape_alias", "ReshapeAliasBackward0", _view, view=True,
                         torch="torch.reshape (non-contiguous input, viewable)", complex_ok=True)
reshape_alias_op.grad("self")(_view_self)


unsafe_view_op = defop("_unsafe_view", "UnsafeViewBackward0", _unsafe_view,
                       torch="(inside torch.matmul)", complex_ok=True)
unsafe_view_op.grad("self")(_view_self)


def _squeeze(a: np.ndarray, dim: Any = None, in_shape: Any = None) -> np.ndarray:
    if dim is None:
        return a.reshape(tuple(n for n in a.shape if n != 1))
    dims = (dim,) if isinstance(dim, int) else dim
    return a.reshape(tuple(n for i, n in enumerate(a.shape) if not (i in dims and n == 1)))


squeeze_op = defop("squeeze", "SqueezeBackward0", _squeeze, view=True, complex_ok=True)


def _unsqueeze_to(g: Any, shape: tuple[int, ...], dims: Any, B: Any) -> Any:
    # PyTorch's unsqueeze_to: one unsqueeze per squeezed dim of size 1, in increasing order.
    if not B.tensors:
        return B.reshape(g, shape)
    for d in sorted(dims):
        if shape[d] == 1:
            g = B.unsqueeze(g, d)
    return g


@squeeze_op.grad("self")
def _squeeze_self(g, s, B):
    "grad unsqueezed at self's dims of size 1"
    return _unsqueeze_to(g, s.in_shape, range(len(s.in_shape)), B)


def _squeeze_dims_self(g, s, B):
    "grad unsqueezed at the squeezed dims"
    dims = (s.dim,) if isinstance(s.dim, int) else s.dim
    return _unsqueeze_to(g, s.in_shape, dims, B)


squeeze_dim_op = defop("squeeze_dim", "SqueezeBackward1", _squeeze, view=True,
                       torch="torch.squeeze(dim=int)", complex_ok=True)
squeeze_dim_op.grad("self")(_squeeze_dims_self)
squeeze_dims_op = defop("squeeze_dims", "SqueezeBackward2", _squeeze, view=True,
                        torch="torch.squeeze(dim=tuple)", complex_ok=True)
squeeze_dims_op.grad("self")(_squeeze_dims_self)
squeeze_inplace_op = defop("squeeze_", "SqueezeBackward4", _squeeze, torch="(inside torch.matmul)",
                           complex_ok=True)
squeeze_inplace_op.grad("self")(_squeeze_dims_self)


def _unsqueeze(a: np.ndarray, dim: int, in_shape: Any = None) -> np.ndarray:
    return np.expand_dims(a, dim)


unsqueeze_op = defop("unsqueeze", "UnsqueezeBackward0", _unsqueeze, view=True, complex_ok=True)


@unsqueeze_op.grad("self")
def _unsqueeze_self(g, s, B):
    "grad.squeeze(dim)"
    return B.squeeze(g, s.dim) if B.tensors else B.reshape(g, s.in_shape)


def _transpose(a: np.ndarray, dim0: int, dim1: int) -> np.ndarray:
    return np.swapaxes(a, dim0, dim1)


transpose_op = defop("transpose", "TransposeBackward0", _transpose, view=True, complex_ok=True)


@transpose_op.grad("self")
def _transpose_self(g, s, B):
    "grad.transpose(dim0, dim1)"
    return B.transpose(g, s.dim0, s.dim1)


def _t(a: np.ndarray) -> np.ndarray:
    if a.ndim > 2:
        raise InvalidArgumentError(
            f"t() expects a tensor with <= 2 dimensions, but self is {a.ndim}D")
    return a.T


t_op = defop("t", "TBackward0", _t, view=True, complex_ok=True)


@t_op.grad("self")
def _t_self(g, s, B):
    "grad.t()"
    return B.t(g) if len(s.in_shape) == 2 else g


def _permute(a: np.ndarray, dims: tuple[int, ...]) -> np.ndarray:
    if len(dims) == a.ndim and len(set(dims)) != len(dims):
        raise InvalidArgumentError("permute(): duplicate dims are not allowed.")
    if sorted(dims) != list(range(a.ndim)):
        raise InvalidArgumentError(
            f"permute(sparse_coo): number of dimensions in the tensor input does not match the "
            f"length of the desired ordering of dimensions i.e. input.dim() = {a.ndim} is not "
            f"equal to len(dims) = {len(dims)}"
        )
    return np.transpose(a, dims)


permute_op = defop("permute", "PermuteBackward0", _permute, view=True, complex_ok=True)


@permute_op.grad("self")
def _permute_self(g, s, B):
    "grad permuted by the inverse permutation"
    return B.permute(g, tuple(int(i) for i in np.argsort(s.dims)))


def _expand(a: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    check_shape(shape)
    try:
        return np.broadcast_to(a, shape)
    except ValueError:
        raise expand_error(a.shape, shape) from None


def expand_error(have: tuple[int, ...], target: tuple[int, ...]) -> ShapeMismatchError:
    """PyTorch's message for a shape that cannot be expanded to ``target``."""
    lead = len(target) - len(have)
    for i in range(len(target) - 1, -1, -1):
        size = have[i - lead] if i >= lead else 1
        if size != 1 and size != target[i]:
            return ShapeMismatchError(
                f"The expanded size of the tensor ({target[i]}) must match the existing size "
                f"({size}) at non-singleton dimension {i}.  Target sizes: {list(target)}.  "
                f"Tensor sizes: {list(have)}"
            )
    return ShapeMismatchError(f"cannot expand {list(have)} to {list(target)}")


expand_op = defop("expand", "ExpandBackward0", _expand, view=True,
                  torch="Tensor.expand / torch.broadcast_to", complex_ok=True)


@expand_op.grad("self")
def _expand_self(g, s, B):
    "grad summed back to self's shape"
    return B.sum_to(g, s.in_shape)


def _cat(*arrays: np.ndarray, dim: int = 0) -> np.ndarray:
    ref = arrays[0]
    for i, a in enumerate(arrays):
        if a.ndim != ref.ndim:
            raise ShapeMismatchError(
                f"Tensors must have same number of dimensions: got {ref.ndim} and {a.ndim}"
            )
        for d in range(a.ndim):
            if d != dim and a.shape[d] != ref.shape[d]:
                raise ShapeMismatchError(
                    f"Sizes of tensors must match except in dimension {dim}. Expected size "
                    f"{ref.shape[d]} but got size {a.shape[d]} for tensor number {i} in the list."
                )
    shape = list(ref.shape)
    shape[dim] = sum(a.shape[dim] for a in arrays)
    check_shape(tuple(shape))
    return dense(np.concatenate(arrays, axis=dim))


cat_op = defop("cat", "CatBackward0", _cat, inputs=("tensors",), complex_ok=True)


@cat_op.grad_all
def _cat_all(g, s, B, needs):
    "each input gets its slice of grad along dim"
    out = []
    start = 0
    for shape, need in zip(s.sizes, needs):
        stop = start + shape[s.dim]
        idx = tuple(slice(start, stop) if d == s.dim else slice(None) for d in range(len(shape)))
        out.append(B.getitem(g, idx) if need else None)
        start = stop
    return out


def _stack(*arrays: np.ndarray, dim: int = 0) -> np.ndarray:
    ref = arrays[0]
    for i, a in enumerate(arrays):
        if a.shape != ref.shape:
            raise ShapeMismatchError(
                f"stack expects each tensor to be equal size, but got {list(ref.shape)} at entry 0 "
                f"and {list(a.shape)} at entry {i}"
            )
    check_shape((len(arrays), *ref.shape))
    return dense(np.stack(arrays, axis=dim))


stack_op = defop("stack", "StackBackward0", _stack, inputs=("tensors",), complex_ok=True)


@stack_op.grad_all
def _stack_all(g, s, B, needs):
    "each input gets grad.select(dim, i)"
    out = []
    for i, need in enumerate(needs):
        idx = tuple(i if d == s.dim else slice(None) for d in range(s.dim + 1))
        out.append(B.getitem(g, idx) if need else None)
    return out


def _split(a: np.ndarray, sizes: tuple[int, ...], dim: int) -> list[np.ndarray]:
    bounds = np.cumsum(sizes)[:-1]
    return np.split(a, bounds, axis=dim)


split_op = defop("split", "SplitBackward0", _split, view=True, multi_output=True,
                 torch="torch.split(int) / torch.chunk", complex_ok=True)
split_sizes_op = defop("split_with_sizes", "SplitWithSizesBackward0", _split, view=True,
                       multi_output=True, torch="torch.split(list)", complex_ok=True)


def _split_self(g, s, B):
    "the output gradients concatenated along dim (zeros for unused outputs)"
    return B.cat(list(g), s.dim)


def _unbind(a: np.ndarray, dim: int) -> list[np.ndarray]:
    return [a[_basic_index(a.ndim, dim, i)] for i in range(a.shape[dim])]


unbind_op = defop("unbind", "UnbindBackward0", _unbind, view=True, multi_output=True,
                  complex_ok=True)


@unbind_op.grad("self")
def _unbind_self(g, s, B):
    "the output gradients stacked along dim (zeros for unused outputs)"
    return B.stack(list(g), s.dim)


split_op.grad("self")(_split_self)
split_sizes_op.grad("self")(_split_self)
# torch.unsafe_split/unsafe_chunk (what torch's RNN cells record): pieces that share the
# input's memory (and strides) but that autograd does not track as views.
unsafe_split_op = defop("unsafe_split", "UnsafeSplitBackward0", _split,
                        multi_output=True, torch="torch.unsafe_split / torch.unsafe_chunk",
                        complex_ok=True)
unsafe_split_op.grad("self")(_split_self)


def _select(a: np.ndarray, dim: int, index: int, in_shape: Any = None) -> np.ndarray:
    n = a.shape[dim]
    if not -n <= index < n:
        raise InvalidArgumentError(
            f"index {index} is out of bounds for dimension {dim} with size {n}"
        )
    # A view, as PyTorch's select (np.take copies; a[i] of a 1-d array is a scalar copy).
    return a[(slice(None),) * (dim % a.ndim) + (index, Ellipsis)]


def _basic_index(ndim: int, dim: int, key: Any) -> tuple[Any, ...]:
    return tuple(key if d == dim else slice(None) for d in range(ndim))


select_op = defop("select", "SelectBackward0", _select, view=True, torch="tensor[int]",
                  complex_ok=True)


@select_op.grad("self")
def _select_self(g, s, B):
    "grad placed at index along dim, zeros elsewhere (select_backward)"
    return B.select_backward(g, s.in_shape, s.dim, s.index)


# The backward kernels of select, slice and diagonal: under create_graph PyTorch records them
# (SelectBackwardBackward0, ...); their own derivative is the forward view again.
def _select_backward(g: Any, input_sizes: tuple[int, ...], dim: int, index: int) -> Any:
    out = np.zeros(input_sizes, dtype=g.dtype)
    out[_basic_index(len(input_sizes), dim, index)] = g
    return out


select_backward_op = kernel_op("select_backward", _select_backward, ("grad_output",),
                               ("input_sizes", "dim", "index"))


@select_backward_op.grad("grad_output")
def _select_backward_go(g, s, B):
    "grad.select(dim, index)"
    return B.getitem(g, _basic_index(len(s.input_sizes), s.dim, s.index))


def _slice(a: np.ndarray, dim: int, start: Any, stop: Any, step: int,
           in_shape: Any = None) -> np.ndarray:
    return a[_basic_index(a.ndim, dim, slice(start, stop, step))]


slice_op = defop("slice", "SliceBackward0", _slice, view=True, torch="tensor[a:b:c]",
                 complex_ok=True)


@slice_op.grad("self")
def _slice_self(g, s, B):
    "grad placed in the slice along dim, zeros elsewhere (slice_backward)"
    return B.slice_backward(g, s.in_shape, s.dim, s.start, s.stop, s.step)


def _slice_backward(g: Any, input_sizes: tuple[int, ...], dim: int, start: Any, stop: Any,
                      step: int) -> Any:
    out = np.zeros(input_sizes, dtype=g.dtype)
    out[_basic_index(len(input_sizes), dim, slice(start, stop, step))] = g
    return out


slice_backward_op = kernel_op("slice_backward", _slice_backward, ("grad_output",),
                              ("input_sizes", "dim", "start", "stop", "step"), of="slicing")


@slice_backward_op.grad("grad_output")
def _slice_backward_go(g, s, B):
    "grad.slice(dim, start, end, step)"
    return B.slice(g, s.dim, s.start, s.stop, s.step)


def _B_slice(x: Tensor, dim: int, start: Any, stop: Any, step: int) -> Tensor:
    return slice_op(x, dim=dim, start=start, stop=stop, step=step)


def _diagonal(a: np.ndarray, offset: int = 0, dim1: int = 0, dim2: int = 1) -> np.ndarray:
    # A (read-only) view, as PyTorch's diagonal; writes through it reach the base (views.py).
    return np.diagonal(a, offset, dim1, dim2)


diagonal_op = defop("diagonal", "DiagonalBackward0", _diagonal, view=True, complex_ok=True)


def _diagonal_index(shape: tuple[int, ...], offset: int, dim1: int,
                    dim2: int) -> tuple[np.ndarray, ...]:
    pos = np.diagonal(np.arange(math.prod(shape)).reshape(shape), offset, dim1, dim2)
    return np.unravel_index(pos, shape)


@diagonal_op.grad("self")
def _diagonal_self(g, s, B):
    "grad placed on the diagonal, zeros elsewhere (diagonal_backward)"
    return B.diagonal_backward(g, s.in_shape, s.offset, s.dim1, s.dim2)


def _diagonal_backward(g: Any, input_sizes: tuple[int, ...], offset: int, dim1: int,
                         dim2: int) -> Any:
    out = np.zeros(input_sizes, dtype=g.dtype)
    out[_diagonal_index(input_sizes, offset, dim1, dim2)] = g
    return out


diagonal_backward_op = kernel_op("diagonal_backward", _diagonal_backward, ("grad_output",),
                                 ("input_sizes", "offset", "dim1", "dim2"))


@diagonal_backward_op.grad("grad_output")
def _diagonal_backward_go(g, s, B):
    "grad.diagonal(offset, dim1, dim2)"
    return B.diagonal(g, s.offset, s.dim1, s.dim2)


def _flip(a: np.ndarray, dims: tuple[int, ...]) -> np.ndarray:
    return np.flip(a, dims).copy() if a.ndim else a.copy()


flip_op = defop("flip", "FlipBackward0", _flip, complex_ok=True)


@flip_op.grad("self")
def _flip_self(g, s, B):
    "grad.flip(dims)"
    return B.flip(g, s.dims) if len(s.in_shape) else g


def _roll(a: np.ndarray, shifts: tuple[int, ...], dims: tuple[int, ...] | None) -> np.ndarray:
    if dims is None:
        return np.roll(a, shifts[0])
    return np.roll(a, shifts, dims) if a.ndim else a.copy()


roll_op = defop("roll", "RollBackward0", _roll, complex_ok=True)


@roll_op.grad("self")
def _roll_self(g, s, B):
    "grad.roll(-shifts, dims)"
    if not len(s.in_shape):
        return g
    return B.roll(g, tuple(-k for k in s.shifts), s.dims)


def _tri(fn: Any, name: str) -> Any:
    def forward(a: np.ndarray, diagonal: int = 0) -> np.ndarray:
        if a.ndim < 2:
            raise InvalidArgumentError(f"{name}: input tensor must have at least 2 dimensions")
        return fn(a, diagonal)

    forward.__name__ = name
    return forward


tril_op = defop("tril", "TrilBackward0", _tri(np.tril, "tril"), complex_ok=True)
triu_op = defop("triu", "TriuBackward0", _tri(np.triu, "triu"), complex_ok=True)


@tril_op.grad("self")
def _tril_self(g, s, B):
    "grad.tril(diagonal)"
    return B.tril(g, s.diagonal)


@triu_op.grad("self")
def _triu_self(g, s, B):
    "grad.triu(diagonal)"
    return B.triu(g, s.diagonal)


def _repeat(a: np.ndarray, repeats: tuple[int, ...]) -> np.ndarray:
    if len(repeats) < a.ndim:
        raise InvalidArgumentError(
            "Number of dimensions of repeat dims can not be smaller than number of dimensions "
            "of tensor")
    padded = (1,) * (len(repeats) - a.ndim) + a.shape
    shape = tuple(n * r for n, r in zip(padded, repeats))
    if any(n < 0 for n in shape):
        bad = next(n for n in shape if n < 0)
        raise InvalidArgumentError(
            f"Trying to create tensor with negative dimension {bad}: {list(shape)}")
    check_shape(shape)
    return np.tile(a, repeats)


repeat_op = defop("repeat", "RepeatBackward0", _repeat, torch="Tensor.repeat / torch.tile",
                  complex_ok=True)


@repeat_op.grad("self")
def _repeat_self(g, s, B):
    "grad summed over the repeated copies (PyTorch's repeat_backward)"
    lead = len(s.repeats) - len(s.in_shape)
    for _ in range(lead):  # the new leading dims, one sum each; then one reshape and one sum
        g = B.sum(g, 0)
    pairs = [(r, n) if r != 1 else (n,) for r, n in zip(s.repeats[lead:], s.in_shape)]
    dims = tuple(sum(map(len, pairs[:i])) for i, p in enumerate(pairs) if len(p) == 2)
    size = tuple(k for p in pairs for k in p)
    return B.sum(B.reshape(g, size), dims) if dims else g


# ==============================================================================================
# torch-level functions
# ==============================================================================================


def _infer_shape(shape: tuple[int, ...], size: int) -> tuple[int, ...]:
    if shape.count(-1) > 1:
        raise InvalidArgumentError("only one dimension can be inferred")
    if -1 in shape:
        known = int(np.prod([n for n in shape if n != -1]))
        if known == 0 or size % known:
            raise InvalidArgumentError(f"shape '{list(shape)}' is invalid for input of size {size}")
        shape = tuple(size // known if n == -1 else n for n in shape)
    if int(np.prod(shape)) != size:
        raise InvalidArgumentError(f"shape '{list(shape)}' is invalid for input of size {size}")
    return shape


def _viewable(arr: np.ndarray, shape: tuple[int, ...]) -> bool:
    """Whether ``arr`` can take ``shape`` without a copy (PyTorch's computeStride)."""
    try:
        np.reshape(arr, shape, copy=False)
    except TypeError:  # NumPy < 2.1 has no copy=; assigning .shape never copies
        v = arr.view()
        try:
            v.shape = shape
        except AttributeError:
            return False
    except ValueError:
        return False
    return True


def reshape(input: Tensor, *shape: Any) -> Tensor:
    target = _infer_shape(_shape_arg(shape), input._data.size)
    if input._data.flags.c_contiguous:
        return view_op(input, shape=target)
    if _viewable(input._data, target):
        return reshape_alias_op(input, shape=target)
    # As PyTorch: a reshape that cannot be a view copies (Clone) and views the copy.
    return unsafe_view_op(contiguous_copy(input), shape=target)


def view(input: Tensor, *shape: Any) -> Tensor:
    if shape and isinstance(shape[0], dtypes.dtype | str):
        raise InvalidArgumentError("view(dtype) is not supported by adcli")
    target = _infer_shape(_shape_arg(shape), input._data.size)
    if not (input._data.flags.c_contiguous or _viewable(input._data, target)):
        raise InvalidArgumentError(
            "view size is not compatible with input tensor's size and stride (at least one "
            "dimension spans across two contiguous subspaces). Use .reshape(...) instead."
        )
    return view_op(input, shape=target)


def flatten(input: Tensor, start_dim: int = 0, end_dim: int = -1) -> Tensor:
    nd = input._data.ndim
    if nd == 0:
        return reshape(input, (1,))
    s = _wrap_dim(start_dim, nd)
    e = _wrap_dim(end_dim, nd)
    if s > e:
        raise InvalidArgumentError(
            "flatten() has invalid args: start_dim cannot come after end_dim")
    if s == e:
        return input
    shape = input.shape
    return reshape(input, (*shape[:s], int(np.prod(shape[s:e + 1])), *shape[e + 1:]))


def _squeeze_by(ops: tuple[OpDef, OpDef, OpDef], input: Tensor, dim: Any) -> Tensor:
    # torch's three squeeze overloads (all dims, a tuple, one int); the *_copy forms share it.
    every, several, one = ops
    if dim is None:
        return every(input)
    if isinstance(dim, list | tuple):
        return several(input, dim=_dims(dim, input._data.ndim))
    return one(input, dim=_wrap_dim(dim, input._data.ndim))


def squeeze(input: Tensor, dim: Any = None) -> Tensor:
    return _squeeze_by((squeeze_op, squeeze_dims_op, squeeze_dim_op), input, dim)


def unsqueeze(input: Tensor, dim: int) -> Tensor:
    return unsqueeze_op(input, dim=_wrap_dim(dim, input._data.ndim + 1))


def transpose(input: Tensor, dim0: int, dim1: int) -> Tensor:
    nd = input._data.ndim
    return transpose_op(input, dim0=_wrap_dim(dim0, nd), dim1=_wrap_dim(dim1, nd))


swapaxes = transpose


def t(input: Tensor) -> Tensor:
    return t_op(input)


def permute(input: Tensor, *dims: Any) -> Tensor:
    nd = input._data.ndim
    return permute_op(input, dims=tuple(_wrap_dim(d, nd) for d in _shape_arg(dims)))


def T(input: Tensor) -> Tensor:
    nd = input._data.ndim
    if nd < 2:
        return input
    return permute_op(input, dims=tuple(range(nd - 1, -1, -1)))


def mT(input: Tensor) -> Tensor:
    if input._data.ndim == 0:  # torch: the identity, deprecated
        import warnings

        warnings.warn("Tensor.mT is deprecated on 0-D tensors. This function is the identity "
                      "in these cases.", UserWarning, stacklevel=2)
        return input
    if input._data.ndim == 1:
        raise InvalidArgumentError("tensor.mT is only supported on matrices or batches of "
                                   "matrices. Got 1-D tensor.")
    return transpose(input, -2, -1)


def expand(input: Tensor, *sizes: Any) -> Tensor:
    shape = list(_shape_arg(sizes))
    nd = input._data.ndim
    if len(shape) < nd:
        raise InvalidArgumentError(
            f"expand: the number of sizes provided ({len(shape)}) must be greater or equal to the "
            f"number of dimensions in the tensor ({nd})"
        )
    lead = len(shape) - nd
    for i in range(len(shape)):
        if shape[i] == -1:
            if i < lead:
                raise InvalidArgumentError(
                    "expand: -1 is not allowed in a leading, non-existing dimension")
            shape[i] = input._data.shape[i - lead]
    return expand_op(input, shape=tuple(shape))


def broadcast_to(input: Tensor, size: Sequence[int]) -> Tensor:
    return expand(input, tuple(size))


def expand_as(input: Tensor, other: Tensor) -> Tensor:
    return expand(input, tuple(other.shape))


def cat(tensors: Sequence[Tensor], dim: int = 0) -> Tensor:
    ts = [as_tensor(x) for x in tensors]
    if not ts:
        raise InvalidArgumentError("torch.cat(): expected a non-empty list of Tensors")
    return cat_op(*ts, dim=_wrap_dim(dim, ts[0]._data.ndim))


concat = concatenate = cat


def stack(tensors: Sequence[Tensor], dim: int = 0) -> Tensor:
    ts = [as_tensor(x) for x in tensors]
    if not ts:
        raise InvalidArgumentError("stack expects a non-empty TensorList")
    return stack_op(*ts, dim=_wrap_dim(dim, ts[0]._data.ndim + 1))


def split(tensor: Tensor, split_size_or_sections: Any, dim: int = 0) -> tuple[Tensor, ...]:
    if not tensor._data.ndim:
        raise InvalidArgumentError("split expects at least a 1-dimensional tensor")
    d = _wrap_dim(dim, tensor._data.ndim)
    n = tensor._data.shape[d]
    if isinstance(split_size_or_sections, list | tuple):
        sizes = tuple(int(s) for s in split_size_or_sections)
        if _py_sum(sizes) != n:
            raise InvalidArgumentError(
                f"split_with_sizes expects split_sizes to sum exactly to {n} (input tensor's size "
                f"at dimension {d}), but got split_sizes={list(sizes)}"
            )
        return split_sizes_op(tensor, sizes=sizes, dim=d)
    size = int(split_size_or_sections)
    if size < 0:
        raise InvalidArgumentError(
            f"split expects split_size be non-negative, but got split_size={size}")
    if size == 0 and n:
        raise InvalidArgumentError(
            f"split_size can only be 0 if dimension size is 0, but got dimension size of {n}")
    if size == 0:
        size = 1
    sizes = tuple(_py_min(size, n - i) for i in range(0, n, size)) or (0,)
    return split_op(tensor, sizes=sizes, dim=d)


def chunk(input: Tensor, chunks: int, dim: int = 0) -> tuple[Tensor, ...]:
    if isinstance(chunks, Tensor) or not hasattr(type(chunks), "__index__"):
        raise InvalidTypeError(f"chunk(): argument 'chunks' (position 2) must be int, not "
                               f"{type(chunks).__name__}")
    if not input._data.ndim:
        raise InvalidArgumentError("chunk expects at least a 1-dimensional tensor")
    if chunks <= 0:
        raise InvalidArgumentError(f"chunk expects `chunks` to be greater than 0, got: {chunks}")
    n = input._data.shape[_wrap_dim(dim, input._data.ndim)]
    size = -(-n // chunks) if n else 1
    return split(input, size, dim)


def unsafe_split(tensor: Tensor, split_size: int, dim: int = 0) -> tuple[Tensor, ...]:
    """``torch.unsafe_split``: ``split`` whose pieces are copies (UnsafeSplitBackward0)."""
    with no_grad():  # split checks the arguments and gives the sizes; it records nothing
        pieces = split(tensor, split_size, dim)
    d = _wrap_dim(dim, tensor._data.ndim)
    return unsafe_split_op(tensor, sizes=tuple(p._data.shape[d] for p in pieces), dim=d)


def unsafe_chunk(input: Tensor, chunks: int, dim: int = 0) -> tuple[Tensor, ...]:
    """``torch.unsafe_chunk``: ``chunk`` whose pieces are copies (UnsafeSplitBackward0)."""
    with no_grad():
        pieces = chunk(input, chunks, dim)
    d = _wrap_dim(dim, input._data.ndim)
    return unsafe_split_op(input, sizes=tuple(p._data.shape[d] for p in pieces), dim=d)


def unbind(input: Tensor, dim: int = 0) -> tuple[Tensor, ...]:
    return _unbind_with(unbind_op, input, dim)


def _unbind_with(op: OpDef, input: Tensor, dim: int) -> tuple[Tensor, ...]:
    """``torch.unbind``'s checks, recorded by ``op`` (unbind_copy's for ``unbind_copy``)."""
    if not input._data.ndim:
        raise IndexOutOfRangeError(
            f"Dimension specified as {_wrap_dim(dim, 0)} but tensor has no dimensions")
    d = _wrap_dim(dim, input._data.ndim)
    if input._data.shape[d] == 0:
        return ()
    return op(input, dim=d)


def select(input: Tensor, dim: int, index: int) -> Tensor:
    d = _wrap_dim(dim, input._data.ndim)
    n = input._data.shape[d]
    if not -n <= index < n:
        raise IndexOutOfRangeError(
            f"select(): index {index} out of range for tensor of size "
            f"{list(input._data.shape)} at dimension {d}")
    return select_op(input, dim=d, index=int(index) % n if n else 0)


# ----------------------------------------------------------------------------------------------
# -- narrow, movedim, unflatten, diagonal, flip, roll, tril/triu, repeat, tile --
# ----------------------------------------------------------------------------------------------
def narrow(input: Tensor, dim: int, start: Any, length: int) -> Tensor:
    nd = input._data.ndim
    if nd == 0:
        raise InvalidArgumentError("narrow() cannot be applied to a 0-dim tensor.")
    d = _wrap_dim(dim, nd)
    if isinstance(start, Tensor):
        start = start.item()
    start, length = int(start), int(length)
    n = input._data.shape[d]
    if not -n <= start <= n:  # (TORCH_CHECK_INDEX: an IndexError)
        raise IndexOutOfRangeError(
            f"start out of range (expected to be in range of [{-n}, {n}], but got {start})")
    if start < 0:
        start += n
    if length < 0:
        raise InvalidArgumentError("narrow(): length must be non-negative.")
    if start + length > n:
        raise InvalidArgumentError(
            f"start ({start}) + length ({length}) exceeds dimension size ({n}).")
    # As PyTorch: narrow is a slice (SliceBackward0), a view.
    return slice_op(input, dim=d, start=start, stop=start + length, step=1)


def movedim(input: Tensor, source: Any, destination: Any) -> Tensor:
    nd = input._data.ndim
    src, dst = _int_list(source), _int_list(destination)
    if len(src) != len(dst):
        raise InvalidArgumentError(
            f"movedim: Invalid source or destination dims: source ({src} dims) should contain the "
            f"same number of dims as destination ({dst} dims)")
    s = [_wrap_dim(d, nd) for d in src]
    t_ = [_wrap_dim(d, nd) for d in dst]
    for name, given, wrapped in (("source", src, s), ("destination", dst, t_)):
        if len(set(wrapped)) != len(wrapped):
            raise InvalidArgumentError(f"movedim: repeated dim in `{name}` ({given})")
    order = [-1] * nd
    for a, b in zip(s, t_):
        order[b] = a
    rest = iter(d for d in range(nd) if d not in s)
    order = [next(rest) if o == -1 else o for o in order]
    # As PyTorch: a permute (PermuteBackward0), even when nothing moves.
    return permute_op(input, dims=tuple(order))


moveaxis = movedim


def unflatten(input: Tensor, dim: int, sizes: Sequence[int]) -> Tensor:
    shape = input._data.shape
    d = _wrap_dim(dim, input._data.ndim)
    sizes = tuple(int(n) for n in sizes)
    if not sizes:
        raise InvalidArgumentError("unflatten: sizes must be non-empty")
    n = shape[d] if shape else 1
    if sizes.count(-1) > 1:
        raise InvalidArgumentError("only one dimension can be inferred")
    known = int(np.prod([k for k in sizes if k != -1]))
    if -1 in sizes and known and n % known == 0:
        sizes = tuple(n // known if k == -1 else k for k in sizes)
    if int(np.prod(sizes)) != n or -1 in sizes:
        raise InvalidArgumentError(
            f"unflatten: Provided sizes {list(sizes)} don't multiply up to the size of dim {d} "
            f"({n}) in the input tensor")
    # Splitting one dim never needs a copy: always a view (ViewBackward0), as PyTorch.
    return view_op(input, shape=(*shape[:d], *sizes, *shape[d + 1:]))


def diagonal(input: Tensor, offset: int = 0, dim1: int = 0, dim2: int = 1) -> Tensor:
    nd = input._data.ndim
    d1, d2 = _wrap_dim(dim1, nd), _wrap_dim(dim2, nd)
    if d1 == d2:
        raise InvalidArgumentError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    return diagonal_op(input, offset=int(offset), dim1=d1, dim2=d2)


def flip(input: Tensor, *dims: Any) -> Tensor:
    return flip_op(input, dims=_dim_list(dims, input._data.ndim))


def roll(input: Tensor, shifts: Any, dims: Any = None) -> Tensor:
    sh = tuple(_int_list(shifts))
    if not sh:
        raise InvalidArgumentError("`shifts` required")
    if dims is None:
        if len(sh) != 1:
            raise InvalidArgumentError(
                f"shifts and dimensions must align. shifts: {len(sh)}, dims:0")
        return roll_op(input, shifts=sh, dims=None)
    ds = tuple(_wrap_dim(d, input._data.ndim) for d in _int_list(dims))
    if len(sh) != len(ds):
        raise InvalidArgumentError(
            f"shifts and dimensions must align. shifts: {len(sh)}, dims:{len(ds)}")
    return roll_op(input, shifts=sh, dims=ds)


def tril(input: Tensor, diagonal: int = 0) -> Tensor:
    return tril_op(input, diagonal=int(diagonal))


def triu(input: Tensor, diagonal: int = 0) -> Tensor:
    return triu_op(input, diagonal=int(diagonal))


def repeat(input: Tensor, *sizes: Any) -> Tensor:
    return repeat_op(input, repeats=_shape_arg(sizes))


def tile(input: Tensor, *dims: Any) -> Tensor:
    reps = _shape_arg(dims)
    lead = input._data.ndim - len(reps)
    # As PyTorch: missing leading repeats are 1, then Tensor.repeat (RepeatBackward0).
    return repeat_op(input, repeats=(1,) * lead + reps if lead > 0 else reps)


def view_as(input: Tensor, other: Tensor) -> Tensor:
    return view(input, tuple(other.shape))


def reshape_as(input: Tensor, other: Tensor) -> Tensor:
    return reshape(input, tuple(other.shape))


# -- what formulas call under create_graph=True (B.<name>, where it differs from torch.<name>) --
def _B_expand(x: Any, shape: tuple[int, ...]) -> Tensor:
    return expand(as_tensor(x), tuple(shape))


def _B_reshape(x: Tensor, shape: tuple[int, ...]) -> Tensor:
    return reshape(x, tuple(shape))


def _B_transpose(x: Tensor, d0: int, d1: int) -> Tensor:
    return transpose(x, d0, d1)


def _B_permute(x: Tensor, dims: tuple[int, ...]) -> Tensor:
    return permute(x, dims)


def _B_cat(xs: list[Tensor], dim: int) -> Tensor:
    return cat(xs, dim)


def tril_(self: Tensor, diagonal: int = 0) -> Tensor:
    return tril_op.inplace(self, diagonal=int(diagonal))


def triu_(self: Tensor, diagonal: int = 0) -> Tensor:
    return triu_op.inplace(self, diagonal=int(diagonal))


# ==============================================================================================
# the names this family adds: torch.<name>, Tensor.<name>, torch.nn.functional.<name>
# ==============================================================================================
TORCH: dict[str, Any] = {
    "reshape": reshape, "flatten": flatten, "squeeze": squeeze, "unsqueeze": unsqueeze,
    "transpose": transpose, "swapaxes": swapaxes, "t": t, "permute": permute,
    "broadcast_to": broadcast_to, "cat": cat, "concat": concat, "concatenate": concatenate,
    "stack": stack, "split": split, "chunk": chunk, "unbind": unbind, "select": select,
    "unsafe_split": unsafe_split, "unsafe_chunk": unsafe_chunk, "narrow": narrow,
    "movedim": movedim, "moveaxis": moveaxis, "unflatten": unflatten,
    "diagonal": diagonal, "flip": flip, "roll": roll, "tril": tril, "triu": triu, "tile": tile,
}

METHODS: dict[str, Any] = {
    "reshape": reshape, "view": view, "flatten": flatten, "squeeze": squeeze,
    "unsqueeze": unsqueeze, "transpose": transpose, "swapaxes": transpose, "t": t,
    "permute": permute, "expand": expand, "expand_as": expand_as, "broadcast_to": broadcast_to,
    "split": split, "chunk": chunk, "unbind": unbind, "select": select, "narrow": narrow,
    "unsafe_split": unsafe_split, "unsafe_chunk": unsafe_chunk, "movedim": movedim,
    "moveaxis": movedim, "unflatten": unflatten, "diagonal": diagonal,
    "flip": flip, "roll": roll, "tril": tril, "triu": triu, "repeat": repeat, "tile": tile,
    "view_as": view_as, "reshape_as": reshape_as, "tril_": tril_, "triu_": triu_,
}

FUNCTIONAL: dict[str, Any] = {}
