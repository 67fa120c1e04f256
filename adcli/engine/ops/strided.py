"""Strides and storage: ``as_strided`` (with its in-place, copy and scatter forms), the history
a view gets when its base is written in place, ``unfold``, ``storage_offset``,
``empty_strided``/``new_empty(_strided)`` and ``dim_order``.

A view's storage is its base's array (engine/views.py ``storage_span``): ``as_strided``
addresses it with element strides and an offset from its start, as torch's does, whatever
view of it the input is.
"""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np

from .. import dtypes
from ..errors import InvalidArgumentError
from ..grad_mode import is_grad_enabled
from ..layout import (
    channels_last,
    element_strides,
    is_contiguous_as,
    maybe_overlap,
    sort_axes,
)
from ..limits import check_shape
from ..op import defop
from ..tensor import Tensor, _wrap_dim
from ..views import set_history, storage_offset, storage_span, strided_view
from .common import _shape_arg
from .kernels import kernel_op

# ==============================================================================================
# the table: forwards and derivative formulas
# ==============================================================================================


def _as_strided(a: np.ndarray, index: Any, geometry: Any = None) -> np.ndarray:
    return a[index]


# The history a view gets when its base is written in place (see engine/views.py): ``index``
# holds, per element of the view, its position in the base; ``geometry`` (when the base is
# dense) the view as torch's as_strided sees it.
as_strided_op = defop("as_strided", "AsStridedBackward0", _as_strided,
                      torch="(a view, after its base was written in place)")


def _as_strided_self(g, s, B):
    "as_strided_backward: grad put in a zero storage by the view's strides, read by self's"
    geometry = getattr(s, "geometry", None)
    if geometry is None:
        return B.index_add(g, s.in_shape, s.index)
    in_strides, size, stride, offset = geometry[:4]
    in_offset = geometry[4] if len(geometry) > 4 else 0
    fn = _as_strided_backward if B.tensors else _as_strided_backward_np
    return fn(g, s.in_shape, in_strides, in_offset, size, stride, offset)


as_strided_op.grad("self")(_as_strided_self)


def _squeezed(size: tuple[int, ...], stride: tuple[int, ...]) -> tuple[list[int], list[int]]:
    """torch's as_strided_backward drops the size-1 dims (and sums the stride-0 ones)."""
    keep = [(n, st) for n, st in zip(size, stride) if n != 1 and st != 0]
    return [n for n, _ in keep], [st for _, st in keep]


def _min_storage(size: list[int], stride: list[int], offset: int) -> int:
    return offset + 1 + sum((n - 1) * st for n, st in zip(size, stride))


def _offsets(size: Any, stride: Any, offset: int) -> np.ndarray:
    """The storage position of each element of a strided view."""
    size, stride = tuple(size), tuple(stride)
    out = np.full(size, offset, dtype=np.intp)
    for d, (n, st) in enumerate(zip(size, stride)):
        out += (np.arange(n, dtype=np.intp) * st).reshape([-1 if k == d else 1
                                                            for k in range(len(size))])
    return out


def _backward_plan(in_shape: tuple[int, ...], in_strides: tuple[int, ...], in_offset: int,
                   size: tuple[int, ...], stride: tuple[int, ...],
                   offset: int) -> tuple[Any, ...]:
    out_size, out_stride = _squeezed(size, stride)
    inp_size = [n for n in in_shape if n != 1]
    inp_stride = [st for n, st in zip(in_shape, in_strides) if n != 1]
    shared = min(in_offset, offset)
    ie, oe = in_offset - shared, offset - shared
    base = max(_min_storage(inp_size, inp_stride, ie), _min_storage(out_size, out_stride, oe))
    return (out_size, out_stride, maybe_overlap(tuple(out_size), tuple(out_stride)),
            inp_size, inp_stride, maybe_overlap(tuple(inp_size), tuple(inp_stride)),
            ie, oe, base)


def _as_strided_backward_np(g: np.ndarray, in_shape: tuple[int, ...],
                            in_strides: tuple[int, ...], in_offset: int,
                            size: tuple[int, ...], stride: tuple[int, ...],
                            offset: int) -> np.ndarray:
    g = np.asarray(g)
    if 0 in size or 0 in in_shape:
        return np.zeros(in_shape, dtype=g.dtype)
    for i in range(len(size) - 1, -1, -1):  # torch's order: the last dim first
        if size[i] == 1:
            g = g.squeeze(i)
        elif stride[i] == 0:
            g = g.sum(i)
    out_size, out_stride, out_overlap, inp_size, inp_stride, inp_overlap, ie, oe, base = \
        _backward_plan(in_shape, in_strides, in_offset, size, stride, offset)
    storage = np.zeros(base, dtype=g.dtype)
    where = _offsets(out_size, out_stride, oe)
    if out_overlap:
        np.add.at(storage, where.ravel(), g.ravel())
    else:
        storage[where] = g
    if inp_overlap:
        count = np.zeros(base, dtype=g.dtype)
        np.add.at(count, _offsets(inp_size, inp_stride, ie).ravel(), 1)
        with np.errstate(invalid="ignore", divide="ignore"):
            storage = storage / count  # nan outside what the input sees, as torch's
    return storage[_offsets(in_shape, in_strides, ie)]


def _as_strided_backward(g: Tensor, in_shape: tuple[int, ...], in_strides: tuple[int, ...],
                         in_offset: int, size: tuple[int, ...], stride: tuple[int, ...],
                         offset: int) -> Tensor:
    """torch's as_strided_backward, recorded (create_graph): the size-1 dims squeezed and the
    stride-0 ones summed, the grad copied (index_add_ where the view overlaps) into a zero
    storage through the view's geometry, divided by the input's counts where the input
    overlaps, and the storage seen through the input's geometry (AsStridedBackward0)."""
    from .indexing import index_add_
    from .shape import reshape, squeeze

    dt = g._data.dtype
    if 0 in size or 0 in in_shape:
        return Tensor._make(np.zeros(in_shape, dtype=dt), None, 0, None)
    for i in range(len(size) - 1, -1, -1):
        if size[i] == 1:
            g = squeeze(g, i)
        elif stride[i] == 0:
            g = g.sum(i)
    out_size, out_stride, out_overlap, inp_size, inp_stride, inp_overlap, ie, oe, base = \
        _backward_plan(in_shape, in_strides, in_offset, size, stride, offset)
    storage = Tensor._make(np.zeros(base, dtype=dt), None, 0, None)
    if out_overlap:
        where = _offsets(out_size, out_stride, oe).reshape(-1).astype(np.int64)
        index_add_(storage, 0, Tensor._make(where, None, 0, None), reshape(g, (-1,)))
    else:
        _strided(storage, tuple(out_size), tuple(out_stride), oe).copy_(g)
    if inp_overlap:
        count = np.zeros(base, dtype=dt)
        np.add.at(count, _offsets(inp_size, inp_stride, ie).ravel(), 1)
        storage.div_(Tensor._make(count, None, 0, None))
    return _strided(storage, tuple(in_shape), tuple(in_strides), ie)


def _as_strided_view(a: np.ndarray, size: tuple[int, ...], stride: tuple[int, ...],
                     start: Any, index: Any = None, geometry: Any = None) -> np.ndarray:
    # A view of a's memory, ``stride`` in elements: from a[start] (a tuple index), or ``start``
    # elements from a's first element (an int, torch's as_strided relative to a); ``index``
    # (each element's place in a) and ``geometry`` (see view_geometry in engine/views.py,
    # plus the input's storage offset for torch.as_strided) are for the gradient.
    if isinstance(start, int):
        return strided_view(a, tuple(size), tuple(stride), start)
    head = a[tuple(slice(i, None) for i in start)]
    return np.lib.stride_tricks.as_strided(head, size, tuple(n * a.itemsize for n in stride))


# torch.as_strided, and the view torch's CopySlices takes of its gradient copy under
# create_graph (engine/views.py).
as_strided_view_op = defop("as_strided_view", "AsStridedBackward0", _as_strided_view, view=True,
                           torch="torch.as_strided / Tensor.as_strided; the view a write "
                                 "through a view takes, differentiated with create_graph")
as_strided_view_op.grad("self")(_as_strided_self)
# complex audited (stft of a complex signal frames it by as_strided): the view and its backward
# (a scatter-add of the gradient by strides) move values without arithmetic on them
as_strided_view_op.complex_ok = True
as_strided_inplace_op = defop("as_strided_", "AsStridedBackward1", _as_strided_view,
                              torch="Tensor.as_strided_")
as_strided_inplace_op.grad("self")(_as_strided_self)


def _as_strided_scatter(a: np.ndarray, src: np.ndarray, size: tuple[int, ...],
                        stride: tuple[int, ...], offset: int) -> np.ndarray:
    from ..layout import copy_like

    out = copy_like(a)
    view = strided_view(out, size, stride, offset)
    if src.shape != tuple(size):
        raise InvalidArgumentError(
            f"expected src to have a size equal to the slice of self. src size = "
            f"{list(src.shape)}, slice size = {list(size)}")
    view[...] = src
    return out


as_strided_scatter_op = defop("as_strided_scatter", "AsStridedScatterBackward0",
                              _as_strided_scatter, inputs=("self", "src"))


# torch's as_strided_scatter_backward, as torch 2.13 computes it: self's grad is the grad at the
# scattered positions (zeros elsewhere), src's the grad seen through the slice. (Numerically
# self's is the complement of the derivative; torch is the reference here, as for put.)
@as_strided_scatter_op.grad("self")
def _as_strided_scatter_self(g, s, B):
    "zeros with the grad's slice copied into the slice (torch's as_strided_scatter_backward)"
    if B.tensors:
        grad_slice = _strided(g.contiguous(), s.size, s.stride, s.offset)
        n = int(np.prod(s.in_shape))
        buffer = Tensor._make(np.zeros(n, dtype=g._data.dtype), None, 0, None)
        result = _strided(buffer, s.in_shape, _contiguous_strides(s.in_shape), 0)
        _strided(buffer, s.size, s.stride, s.offset).copy_(grad_slice)
        return result
    out = np.zeros(int(np.prod(s.in_shape)), dtype=g.dtype)
    where = _offsets(s.size, s.stride, s.offset)
    out[where] = np.ascontiguousarray(g).reshape(-1)[where]
    return out.reshape(s.in_shape)


@as_strided_scatter_op.grad("src")
def _as_strided_scatter_src(g, s, B):
    "grad (contiguous) seen through the slice's geometry"
    if B.tensors:
        return _strided(g.contiguous(), s.size, s.stride, s.offset)
    return np.ascontiguousarray(g).reshape(-1)[_offsets(s.size, s.stride, s.offset)]


def _contiguous_strides(shape: tuple[int, ...]) -> tuple[int, ...]:
    return tuple(int(np.prod(shape[d + 1:])) for d in range(len(shape)))


def _strided(t: Tensor, size: tuple[int, ...], stride: tuple[int, ...], offset: int) -> Tensor:
    """as_strided of a new tensor (storage offset 0), recorded."""
    size, stride = tuple(size), tuple(stride)
    return as_strided_view_op(t, size=size, stride=stride, start=offset, index=None,
                              geometry=(element_strides(t._data), size, stride, offset, 0))


# ----------------------------------------------------------------------------------------------
# unfold
# ----------------------------------------------------------------------------------------------
def _unfold(a: np.ndarray, dimension: int, size: int, step: int) -> np.ndarray:
    if not a.ndim:
        return np.lib.stride_tricks.as_strided(a, (size,), (a.itemsize,))
    n = a.shape[dimension]
    shape = list(a.shape)
    strides = list(a.strides)
    shape[dimension] = (n - size) // step + 1
    strides[dimension] *= step
    return np.lib.stride_tricks.as_strided(a, (*shape, size), (*strides, a.strides[dimension]))


_N_unfold = _unfold  # what formulas call on arrays (B.unfold)
unfold_op = defop("unfold", "UnfoldBackward0", _unfold, view=True, torch="Tensor.unfold")


@unfold_op.grad("self")
def _unfold_self(g, s, B):
    "unfold_backward(grad, self.sizes(), dimension, size, step)"
    return B.unfold_backward(g, s.in_shape, s.dimension, s.size, s.step)


def _unfold_backward(g: Any, input_sizes: tuple[int, ...], dim: int, size: int,
                     step: int) -> Any:
    g = np.asarray(g)
    out = np.zeros(input_sizes, dtype=g.dtype)
    if not input_sizes:
        out[...] = g.sum()
        return out
    windows = g.shape[dim]
    for k in range(size):  # each element of the window: distinct positions along dim
        stop = k + step * (windows - 1) + 1
        idx = tuple(slice(k, stop, step) if d == dim else slice(None)
                    for d in range(len(input_sizes)))
        out[idx] += g[..., k]
    return out


unfold_backward_op = kernel_op("unfold_backward", _unfold_backward, ("grad_in",),
                               ("input_sizes", "dim", "size", "step"), of="unfold")
# complex audited: a sum of shifted copies (istft's overlap-add with return_complex=True); its
# formula, unfold, is linear and real, so takes no conjugate
unfold_backward_op.complex_ok = True


@unfold_backward_op.grad("grad_in")
def _unfold_backward_go(g, s, B):
    "grad.unfold(dim, size, step)"
    return B.unfold(g, s.dim, s.size, s.step)


# ==============================================================================================
# the public functions
# ==============================================================================================
def _ints(values: Any, name: str) -> tuple[int, ...]:
    if isinstance(values, int):
        return (int(values),)
    return tuple(int(v) for v in values)


def _check_geometry(input: Tensor, size: tuple[int, ...], stride: tuple[int, ...],
                    offset: int) -> None:
    """torch's as_strided checks: lengths, negative strides, the offset, the storage's bounds."""
    if len(size) != len(stride):
        raise InvalidArgumentError("mismatch in length of strides and shape")
    if any(st < 0 for st in stride):
        raise InvalidArgumentError(f"as_strided: Negative strides are not supported at the "
                                   f"moment, got strides: {list(stride)}")
    if offset < 0:
        raise InvalidArgumentError(f"Tensor: invalid storage offset {offset}")
    if any(n < 0 for n in size):
        raise InvalidArgumentError(f"Storage size calculation overflowed with sizes="
                                   f"{list(size)} and strides={list(stride)}")
    check_shape(size)
    item = input._data.itemsize
    if 0 in size:
        return
    need = item * (1 + sum((n - 1) * st for n, st in zip(size, stride)))
    have = storage_span(input)[1] * item
    if need + offset * item > have:
        raise InvalidArgumentError(
            f"setStorage: sizes {list(size)}, strides {list(stride)}, storage offset {offset}, "
            f"and itemsize {item} requiring a storage size of {need + offset * item} are out "
            f"of bounds for storage of size {have}")


def _strided_attrs(input: Tensor, size: Any, stride: Any,
                   offset: Any) -> dict[str, Any]:
    size, stride = _ints(size, "size"), _ints(stride, "stride")
    own = storage_offset(input)
    offset = own if offset is None else int(offset)
    _check_geometry(input, size, stride, offset)
    return {"size": size, "stride": stride, "start": offset - own, "index": None,
            "geometry": (element_strides(input._data), size, stride, offset, own)}


def as_strided(input: Tensor, size: Any, stride: Any, storage_offset: Any = None) -> Tensor:
    """``torch.as_strided``: a view of ``input``'s storage (AsStridedBackward0)."""
    return as_strided_view_op(input, **_strided_attrs(input, size, stride, storage_offset))


def as_strided_(self: Tensor, size: Any, stride: Any, storage_offset: Any = None) -> Tensor:
    """``Tensor.as_strided_``: ``self`` becomes that view of its storage (AsStridedBackward1)."""
    attrs = _strided_attrs(self, size, stride, storage_offset)
    new = _as_strided_view(self._data, **attrs)
    if is_grad_enabled() and self.requires_grad:
        node = as_strided_inplace_op._node((self,), attrs)
        self._data = new
        set_history(self, node)
    else:
        self._data = new
    return self


def as_strided_scatter(input: Tensor, src: Tensor, size: Any, stride: Any,
                       storage_offset: Any = None) -> Tensor:
    """``torch.as_strided_scatter``: a copy of ``input`` with ``src`` written through the
    strided view (AsStridedScatterBackward0)."""
    size, stride = _ints(size, "size"), _ints(stride, "stride")
    offset = 0 if storage_offset is None else int(storage_offset)
    if is_grad_enabled() and input.requires_grad and not input._data.flags.c_contiguous:
        raise InvalidArgumentError(
            "!self.requires_grad() || self.is_contiguous() INTERNAL ASSERT FAILED at "
            "\"/__w/pytorch/pytorch/aten/src/ATen/native/TensorShape.cpp\":4754, please report "
            "a bug to PyTorch. as_strided_scatter is currently only supported for contiguous "
            "inputs")
    _check_geometry(input, size, stride, offset)
    if any(n > 1 and st == 0 for n, st in zip(size, stride)):
        from ..views import _OVERLAP

        raise InvalidArgumentError(_OVERLAP)
    return as_strided_scatter_op(input, src, size=size, stride=stride, offset=offset)


def unfold(input: Tensor, dimension: int, size: int, step: int) -> Tensor:
    """``Tensor.unfold``: the windows of ``size`` every ``step`` along ``dimension``, as a
    new last dim (a view, UnfoldBackward0)."""
    nd = input._data.ndim
    d = _wrap_dim(dimension, max(nd, 1))
    n = input._data.shape[d] if nd else 1
    size, step = int(size), int(step)
    if size > n:
        raise InvalidArgumentError(
            f"maximum size for tensor at dimension {d} is {n} but size is {size}")
    if size < 0:
        raise InvalidArgumentError(f"size is {size} but must be >= 0")
    if step <= 0:
        raise InvalidArgumentError(f"step is {step} but must be > 0")
    return unfold_op(input, dimension=d, size=size, step=step)


def _B_unfold(x: Tensor, dim: int, size: int, step: int) -> Tensor:
    return unfold(x, dim, size, step)


def tensor_storage_offset(self: Tensor) -> int:
    return storage_offset(self)


def _empty(shape: tuple[int, ...], stride: tuple[int, ...], dtype: Any,
           requires_grad: bool) -> Tensor:
    if len(shape) != len(stride):
        raise InvalidArgumentError("mismatch in length of strides and shape")
    check_shape(shape)
    dt = dtypes.to_dtype(dtype).np
    need = 0 if 0 in shape else 1 + sum((n - 1) * st for n, st in zip(shape, stride))
    buf = np.zeros(need, dtype=dt)
    arr = np.lib.stride_tricks.as_strided(buf, shape, tuple(st * dt.itemsize for st in stride))
    t = Tensor._make(arr, None, 0, None)
    if requires_grad:
        t.requires_grad_(True)
    return t


def empty_strided(size: Any, stride: Any, *, dtype: Any = None, layout: Any = None,
                  device: Any = None, requires_grad: bool = False,
                  pin_memory: bool = False) -> Tensor:
    """``torch.empty_strided`` (the elements are zeros: adcli never hands out garbage)."""
    return _empty(_ints(size, "size"), _ints(stride, "stride"),
                  dtypes.get_default_dtype() if dtype is None else dtype, requires_grad)


def new_empty(self: Tensor, *size: Any, dtype: Any = None, layout: Any = None,
              device: Any = None, requires_grad: bool = False,
              pin_memory: bool = False) -> Tensor:
    """``Tensor.new_empty``: zeros of ``size`` with ``self``'s dtype (or ``dtype``)."""
    shape = _shape_arg(size)
    return _empty(shape, _contiguous_strides(shape), self.dtype if dtype is None else dtype,
                  requires_grad)


def new_empty_strided(self: Tensor, size: Any, stride: Any, *, dtype: Any = None,
                      layout: Any = None, device: Any = None, requires_grad: bool = False,
                      pin_memory: bool = False) -> Tensor:
    return _empty(_ints(size, "size"), _ints(stride, "stride"),
                  self.dtype if dtype is None else dtype, requires_grad)


def dim_order(self: Tensor, *, ambiguity_check: Any = False) -> tuple[int, ...]:
    """``Tensor.dim_order()``: the dims from outermost to innermost in memory, by torch's
    compute_elementwise_output_logical_to_physical_perm (and its ambiguity checks)."""
    if not isinstance(ambiguity_check, bool | list):
        raise TypeError("ambiguity_check must be bool or a list of memory formats")
    arr = self._data
    shape, strides = arr.shape, element_strides(arr)
    if ambiguity_check is not False:
        formats = ambiguity_check if isinstance(ambiguity_check, list) else []
        multiple = any(a == b for a, b in itertools.pairwise(strides)) or 1 in shape
        if multiple and sum(is_contiguous_as(arr, f) for f in formats) != 1:
            raise InvalidArgumentError("The tensor does not have unique dim order, or cannot "
                                       "map to exact one of the given memory formats.")
    nd = arr.ndim
    if nd <= 1:
        return tuple(range(nd))
    plain = bool(arr.flags.c_contiguous)
    last = nd == 4 and is_contiguous_as(arr, channels_last)
    if plain and not last:
        return tuple(range(nd))
    if last and not plain:
        return (0, *range(2, nd), 1)

    def ge(a: int, b: int) -> bool:
        return True if b == 0 else False if a == 0 else a >= b or a % b == 0

    def should_swap(a: int, b: int) -> int:
        sa, sb = strides[a], strides[b]
        if sa == 0 or sb == 0:
            return 0
        if sa == sb:
            return 0 if ge(shape[b], shape[a]) else 1
        return -1 if ge(sb, sa) else 1 if ge(sa, sb) else 0

    return sort_axes(nd, should_swap)


# ==============================================================================================
# the names this family adds: torch.<name>, Tensor.<name>, torch.nn.functional.<name>
# ==============================================================================================
TORCH: dict[str, Any] = {
    "as_strided": as_strided, "as_strided_": as_strided_,
    "as_strided_scatter": as_strided_scatter, "empty_strided": empty_strided,
}

METHODS: dict[str, Any] = {
    "as_strided": as_strided, "as_strided_": as_strided_,
    "as_strided_scatter": as_strided_scatter, "unfold": unfold,
    "storage_offset": tensor_storage_offset, "new_empty": new_empty,
    "new_empty_strided": new_empty_strided, "dim_order": dim_order,
}

FUNCTIONAL: dict[str, Any] = {}
